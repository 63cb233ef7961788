"""Inference playground: builds the page from components/ and launches it.

    python app.py        # http://127.0.0.1:7860 (GRADIO_SERVER_NAME / GRADIO_SERVER_PORT)
"""

from __future__ import annotations

import gradio as gr

from components.auth_panel import build_auth_panel
from components.generation import RunContext, wire_generation
from components.model_panel import build_model_panel, wire_model_panel
from components.parameters_panel import build_parameters_panel
from components.run_panel import build_run_panel
from components.style import CSS
from playground.backend import Backend
from playground.config import Settings, load_settings
from playground.retry import RetryPolicy
from playground.router import install_router


def build_app(settings: Settings, backend: Backend) -> gr.Blocks:
    ctx = RunContext(backend=backend, settings=settings)
    with gr.Blocks(title="Inference Playground") as demo:
        gr.Markdown("# Inference Playground")
        auth = build_auth_panel(settings.on_space)
        with gr.Row():
            with gr.Column(scale=3):
                model = build_model_panel(settings.suggested_models, settings.default_model)
                run = build_run_panel()
            with gr.Column(scale=2):
                params = build_parameters_panel()
        wire_model_panel(model, auth.session_token)
        wire_generation(ctx, model, params, run, auth.session_token)
    return demo


def main() -> None:
    settings = load_settings()
    install_router(settings.router_url)
    backend = Backend(policy=RetryPolicy(deadline=settings.retry_deadline))
    demo = build_app(settings, backend)
    # Without a limit Gradio runs one event at a time; each visitor's wait or stream must not hold up another's.
    demo.queue(default_concurrency_limit=settings.concurrency_limit)
    # show_error: a value refused by Gradio's own checks (a slider's range, a dropdown's choices,
    # when sent straight to the API) reaches the caller in words instead of a generic failure.
    demo.launch(css=CSS, show_error=True)


if __name__ == "__main__":
    main()
