"""The built-in local model: SmolLM2-135M-Instruct run by llama-cpp-python, served on loopback.

The backend reaches it like any endpoint, through `InferenceClient(model=<its URL>)`, so local and
hosted models share one code path; only `service` knows that the URL is ours.

Modules:
    setup     finds the engine and the GGUF file, and the thread count (`local_model_installed`)
    calibration which configuration (threads x OpenMP wait policy) to run in: the pure decisions
    probe     measures the thread counts' speed in the engine's own process
    tuning    `Tuner`: the first load's calibration, in the loaded engine; re-measured when runs slow down
    engine    `LocalEngine` generates, one request at a time (`Turn`)
    logits    a picked token's log-probability and the likeliest alternatives, from the raw logits
    odds      those on the wire: TGI's `top_tokens`, a chat choice's `logprobs`
    protocol  the request bodies this server accepts (TGI and OpenAI chat) and the events it sends
    options   the sampling fields of those bodies, built from the declared parameters
    server    the Starlette app: the router's protocol, 503 while loading, 429 while busy
    stream    `GenerationStream`: a streamed answer, decoded in its own thread ahead of the network
    service   `LocalModelService`: uvicorn in a daemon thread, weights loaded in another

Nothing here imports llama_cpp at import time: the app runs without the optional engine, and says
how to install it when the local model is picked (`setup.LocalModelUnavailable`).
"""

LOCAL_MODEL_NAME = "local/SmolLM2-135M-Instruct"
LOCAL_MODEL_LABEL = "SmolLM2-135M-Instruct (local, built-in)"
