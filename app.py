"""Inference playground: builds the page from components/ and launches it.

    python app.py        # http://127.0.0.1:7860 (GRADIO_SERVER_NAME / GRADIO_SERVER_PORT)
"""

from __future__ import annotations

from pathlib import Path

import gradio as gr
from starlette.middleware import Middleware

from components.auth_panel import build_auth_panel, wire_auth_panel
from components.big_text import build_big_text_toggle, wire_big_text
from components.chat_events import make_chat_wiring, wire_chat
from components.chat_panel import build_chat_panel, build_format_panel
from components.code_panel import build_code_panel, wire_code_panel, wire_share_link
from components.compare_panel import build_compare_panel, wire_compare_panel
from components.context import RunContext
from components.form import Form
from components.generation import wire_fallback, wire_generation, wire_stop
from components.group_history_panel import Page, build_group_history_panel, show_groups, wire_group_history_panel
from components.history_panel import build_history_panel, show_history, wire_history_panel
from components.model_panel import build_model_panel, wire_model_panel
from components.parameters_panel import build_parameters_panel, wire_parameters_panel
from components.preflight_panel import build_preflight_panel, wire_preflight_panel
from components.presets_panel import build_presets_panel, wire_presets_loading, wire_presets_panel
from components.replay_panel import wire_replay
from components.run_panel import build_run_panel
from components.runs_links import wire_group_links
from components.search_panel import build_search_panel, search_box, wire_search_panel
from components.style import CSS
from components.sweep_panel import build_sweep_panel, wire_sweep_panel
from components.text_sync import mirror_textboxes
from playground.chat.facts import FactsLookup, router_lookup
from playground.config import Settings, load_settings
from playground.hf.hub import hub_reachable
from playground.hf.tokens import pick_token
from playground.inference.backend import Backend
from playground.inference.retry import RetryPolicy
from playground.local import LOCAL_MODEL_LABEL, LOCAL_MODEL_NAME
from playground.local.engine import local_model_installed
from playground.local.resolve import local_model_resolver
from playground.local.service import shared_service
from playground.patches.install import install_patches
from playground.saved.presets import load_presets
from playground.web.body_limit import BodyLimit
from playground.web.request_errors import EXCEPTION_HANDLERS

PRESETS_DIR = Path(__file__).parent / "presets"
LAUNCH_OPTIONS = {
    "css": CSS,
    # A value refused by Gradio's own checks (a slider's range, a dropdown's choices, sent straight
    # to the API) reaches the caller in words instead of a generic failure.
    "show_error": True,
    # Gradio's own run history would keep every input, the token field included, in the browser
    # (and offers to upload it to a bucket); the playground keeps its own, token-free history.
    "run_history": False,
}


def app_kwargs() -> dict:
    """For `launch(app_kwargs=...)`, a fresh dict each launch (Gradio adds to it): oversized request
    bodies are refused with 413 before Gradio reads them (see playground.web.body_limit), and a
    malformed one gets a 422 that can always be encoded (playground.web.request_errors)."""
    return {"middleware": [Middleware(BodyLimit)], "exception_handlers": dict(EXCEPTION_HANDLERS)}


LOCAL_BANNER = (
    "**Using the built-in local model** (SmolLM2-135M-Instruct, runs on this machine): no Hugging Face token is "
    "configured{offline}. To use hosted models, paste a token in the token field, or set `HF_TOKEN` and restart."
)


def build_app(settings: Settings, backend: Backend, local_default: bool = False, offline: bool = False,
              local_installed: bool = True, facts: FactsLookup | None = None) -> gr.Blocks:
    """`local_installed`: the built-in model's engine and weights are here, so it is listed.
    `facts` looks up router facts per model and provider (context length, price, structured output);
    the router's own list by default."""
    ctx = RunContext(backend=backend, settings=settings, facts=facts or router_lookup)
    shipped = load_presets(PRESETS_DIR)
    local_choice = [(LOCAL_MODEL_LABEL, LOCAL_MODEL_NAME)] if local_installed else []
    choices = [*local_choice, *settings.suggested_models]
    with gr.Blocks(title="Inference Playground") as demo:
        gr.Markdown("# Inference Playground")
        if local_default:
            gr.Markdown(LOCAL_BANNER.format(offline=" or the Hub can't be reached" if offline else ""), elem_id="pg-banner")
        auth = build_auth_panel(settings.on_space)
        finished_run = gr.State(None)
        default_model = LOCAL_MODEL_NAME if local_default else settings.default_model
        with gr.Row():
            with gr.Column(scale=3), gr.Tabs(selected="playground") as tabs:
                with gr.Tab("Playground", id="playground"):
                    query = search_box()
                    model = build_model_panel(choices, default_model, beside_model=query)
                    search = build_search_panel(query)
                    response_format = build_format_panel(model.mode)
                    run = build_run_panel(model.mode)
                    chat = build_chat_panel(run.output, model.mode)
                    code = build_code_panel()
                with gr.Tab("Compare", id="compare"):
                    compare = build_compare_panel(choices, [default_model, *[value for _, value in settings.suggested_models]])
                with gr.Tab("Sweep", id="sweep"):
                    sweep = build_sweep_panel(choices)
            with gr.Column(scale=2):
                with gr.Accordion("On stage", open=True, elem_id="pg-on-stage"):
                    big_text = build_big_text_toggle()
                    preflight = build_preflight_panel()
                presets = build_presets_panel(shipped)
                params = build_parameters_panel()
                history = build_history_panel()
                group_history = build_group_history_panel()
        form = Form.build(model, params, run.prompt, response_format)
        wire_auth_panel(demo, auth)
        wire_model_panel(model, auth.session_token, settings)
        wire_search_panel(search, model, choices, auth.session_token, settings)
        wire_preflight_panel(demo, preflight, backend, settings, auth.session_token, extra_models=[model.model, *[pane.model for pane in compare.panes]])
        wire_big_text(big_text, [run.prompt, run.output])
        wire_parameters_panel(params, model.mode)
        chat_wiring = make_chat_wiring(ctx, chat, run, finished_run)
        generate = wire_generation(ctx, form, run, auth.session_token, finished_run, chat_wiring)
        wire_chat(ctx, chat_wiring, form, auth.session_token, model, run.output, response_format)
        wire_code_panel(ctx, code, form, chat.state)
        wire_presets_panel(presets, form, shipped.presets, chat)
        fallback = wire_fallback(ctx, form, run, auth.session_token, finished_run)
        wire_history_panel(ctx, history, form, run, code, generate, finished_run, chat, other_runs=[fallback])
        wire_replay(ctx, history, run)
        demo.load(show_history, inputs=history.stored, outputs=history.runs, queue=False, api_visibility="undocumented")
        wire_presets_loading(demo, presets, shipped.presets)
        wire_share_link(demo, ctx, form, run.status, chat)
        compare_event = wire_compare_panel(ctx, compare, form, auth.session_token, chat.state)
        sweep_event = wire_sweep_panel(ctx, sweep, form, auth.session_token)
        page = Page(tabs, compare, sweep, form)
        wire_group_history_panel(group_history, page, compare_event, sweep_event)
        demo.load(show_groups, inputs=group_history.stored, outputs=group_history.runs, queue=False, api_visibility="undocumented")
        wire_group_links(demo, page)
        # One prompt for every tab: typing in any Prompt box (or System prompt) fills the others.
        mirror_textboxes([run.prompt, compare.prompt, sweep.prompt])
        mirror_textboxes([model.system_prompt, compare.system_prompt])
        wire_stop(ctx, run)  # last: Stop cancels every stream wired above
    return demo


def start_options(settings: Settings, local_installed: bool, offline: bool) -> dict[str, bool]:
    """build_app's choices for this place. A Space opens on a hosted model, with "Sign in with
    Hugging Face" for visitors; elsewhere the built-in model is the default when it is installed and
    there is no token or no Hub."""
    local_default = local_installed and not settings.on_space and (offline or pick_token(None, None, settings) is None)
    return {"local_default": local_default, "offline": offline, "local_installed": local_installed}


def main() -> None:
    settings = load_settings()
    install_patches(settings)  # after the settings kept HF_TOKEN; see playground/patches
    backend = Backend(policy=RetryPolicy(deadline=settings.retry_deadline), resolve_url=local_model_resolver(shared_service()),
                      on_space=settings.on_space, first_token_timeout=settings.first_token_timeout)
    options = start_options(settings, local_model_installed(), offline=not hub_reachable(settings.hub_endpoint))
    demo = build_app(settings, backend, **options)
    # Without a limit Gradio runs one event at a time; each visitor's wait or stream must not hold up another's.
    demo.queue(default_concurrency_limit=settings.concurrency_limit)
    demo.launch(**LAUNCH_OPTIONS, app_kwargs=app_kwargs())


if __name__ == "__main__":
    main()
