"""The floor for the load benchmark: the simplest standard Gradio app that streams a model.

One prompt box, one output box, a generator that calls `InferenceClient.text_generation(stream=True)`
and yields the text so far after each token: Gradio's documented streaming pattern, nothing else.

    HF_ENDPOINT=http://127.0.0.1:<port> HF_ROUTER_URL=http://127.0.0.1:<port> HF_TOKEN=... \\
        python benchmarks/floor_app.py

Reads GRADIO_SERVER_NAME / GRADIO_SERVER_PORT like any Gradio app, PLAYGROUND_MODELS for the model
(the first one) and PLAYGROUND_CONCURRENCY for the queue's concurrency limit (the playground's own
default, 32, unless set), so both apps in a benchmark let the same number of visitors run at once.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import gradio as gr
from huggingface_hub import InferenceClient

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from playground.hf.router import install_router  # noqa: E402  - the router URL must point at the local server

MODEL = os.environ.get("PLAYGROUND_MODELS", "test/tiny-gpt").split(",")[0]


def generate(prompt: str, max_new_tokens: int, seed: int, temperature: float) -> Iterator[str]:
    client = InferenceClient(model=MODEL)
    text = ""
    for token in client.text_generation(prompt, max_new_tokens=int(max_new_tokens), seed=int(seed), temperature=temperature, stream=True):
        text += token
        yield text


def build() -> gr.Blocks:
    with gr.Blocks() as demo:
        prompt = gr.Textbox(label="Prompt")
        max_new_tokens = gr.Number(16, label="Max new tokens")
        seed = gr.Number(0, label="Seed")
        temperature = gr.Number(0.7, label="Temperature")
        output = gr.Textbox(label="Output")
        gr.Button("Generate").click(generate, [prompt, max_new_tokens, seed, temperature], output, api_name="generate")
    return demo


if __name__ == "__main__":
    if os.environ.get("HF_ROUTER_URL"):
        install_router(os.environ["HF_ROUTER_URL"])
    app = build()
    app.queue(default_concurrency_limit=int(os.environ.get("PLAYGROUND_CONCURRENCY", "32")))
    app.launch()
