"""The start-up floor: a bare Gradio Blocks app with a prompt, a button and an output, launched the
standard way. Reads GRADIO_SERVER_NAME / GRADIO_SERVER_PORT like any Gradio app.

    python benchmarks/bare_blocks_app.py
"""

from __future__ import annotations

import gradio as gr


def echo(prompt: str) -> str:
    return prompt


if __name__ == "__main__":
    with gr.Blocks() as demo:
        prompt = gr.Textbox(label="Prompt")
        output = gr.Textbox(label="Output")
        gr.Button("Generate").click(echo, prompt, output)
    demo.queue().launch()
