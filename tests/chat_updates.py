"""A Chat-mode run drawn by the page's handler from a backend that streams every piece at once."""

from __future__ import annotations

from collections.abc import Iterator

import gradio as gr

from components import chat_panel
from components.chat_run import ChatOutputs, run_conversation
from playground.chat.conversation import Conversation
from playground.chat.facts import ModelFacts
from playground.inference.events import Done, Event, RunStats, Token
from playground.input.request import GenerationRequest, Mode

PIECES = [f"w{i} " for i in range(200)]


class InstantBackend:
    """Streams every piece at once, as a provider at thousands of tokens per second would."""

    def __init__(self, pieces: list[str] = PIECES) -> None:
        self.pieces = pieces

    def run(self, request: GenerationRequest, token: str | None) -> Iterator[Event]:
        yield from (Token(piece) for piece in self.pieces)
        yield Done(RunStats(time_to_first_token=0.01, total_time=0.02, tokens=len(self.pieces), seed=1, attempts=1))


def chat_outputs() -> ChatOutputs:
    with gr.Blocks():
        mode = gr.Radio(choices=[m.value for m in Mode], value=Mode.CHAT.value)
        panel = chat_panel.build(mode)
        return ChatOutputs(panel, prompt=gr.Textbox(), status=gr.HTML(), stats=gr.Markdown(), finished=gr.State(), stopped=gr.HTML())


def run_conversation_updates(out: ChatOutputs, interval: float, pieces: list[str] = PIECES) -> list[dict]:
    """Every update of a chat run whose backend streams `pieces` at once."""
    request = GenerationRequest(model="test/chat-model", prompt="Hello", mode=Mode.CHAT, params={"seed": 1})
    asked = Conversation().ask("Hello")
    return list(run_conversation(InstantBackend(pieces), out, request, None, Conversation(), asked, ModelFacts(),
                                 update_interval=interval))
