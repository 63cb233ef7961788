"""Chat as a conversation: plain Python, no Gradio.

This package owns everything that makes Chat mode a conversation rather than one question:
    conversation  the conversation as a value: turns, answers with their reasoning kept apart,
                  earlier versions of edited turns, and the messages list a request sends
    reasoning     the one place reasoning is split out of a stream (`<think>` tags or a separate
                  reasoning field), with its duration and its own token count
    context       whether a conversation fits a model's context, and what dropping turns would free
    structured    checking an answer against the "Response format" it was asked for
    usage         prompt and completion tokens (reported or estimated) and the run's cost
    facts         what is known of a model for chat: context length, price, structured output
    turn          one turn, run: the fit check, the streamed answer, the finished turn, as events
"""
