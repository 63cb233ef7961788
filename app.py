"""Inference playground: builds the page from components/ and launches it.

    python app.py        # http://127.0.0.1:7860 (GRADIO_SERVER_NAME / GRADIO_SERVER_PORT)
"""

from __future__ import annotations

from pathlib import Path

import gradio as gr
from gradio.blocks import Blocks, BlocksConfig
from gradio.state_holder import SessionState
from starlette.middleware import Middleware

from components import (
    arena_panel,
    auth_panel,
    chat_panel,
    code_panel,
    compare_panel,
    compare_tab,
    format_panel,
    group_history_panel,
    history_panel,
    model_panel,
    page_open,
    parameters_panel,
    preflight_panel,
    presets_panel,
    probs_panel,
    run_panel,
    search_panel,
    sweep_panel,
    sweep_tab,
)
from components import big_text as big_text_panel
from components.context import RunContext
from components.form import Form
from components.keyboard import KEYBOARD_HEAD
from components.messages import GRADIO_WORDS
from components.page import ARENA_TAB, COMPARE_TAB, PLAYGROUND_TAB, SWEEP_TAB, Page
from components.press_after_stop import PRESS_AFTER_STOP_HEAD
from components.style import CSS
from components.text_sync import mirror_textboxes
from playground.chat.facts import FactsLookup, router_lookup
from playground.config import DEFAULT_MAX_SESSIONS, Settings, load_settings
from playground.hf.hub import hub_reachable
from playground.hf.tokens import pick_token
from playground.inference.backend import Backend
from playground.inference.retry import RetryPolicy
from playground.local import LOCAL_MODEL_LABEL, LOCAL_MODEL_NAME
from playground.local.resolve import local_model_resolver
from playground.local.setup import local_model_installed
from playground.saved.presets import load_presets
from playground.startup import install_patches
from playground.web.body_limit import BodyLimit
from playground.web.request_errors import EXCEPTION_HANDLERS, DirectCallErrors

PRESETS_DIR = Path(__file__).parent / "presets"
LAUNCH_OPTIONS = {
    "css": CSS,
    # Ctrl/Cmd+Enter sends, Enter sends in Chat mode, Esc stops; a press while a Stop lands is not lost
    "head": KEYBOARD_HEAD + PRESS_AFTER_STOP_HEAD,
    "i18n": gr.I18n(**GRADIO_WORDS),  # words Gradio's own screen-reader text lacks (else it reads the raw key)
    # A value refused by Gradio's own checks (a slider's range, a dropdown's choices, sent straight
    # to the API) reaches the caller in words instead of a generic failure.
    "show_error": True,
    # Gradio's own run history would keep every input, the token field included, in the browser
    # (and offers to upload it to a bucket); the playground keeps its own, token-free history.
    "run_history": False,
    # Gradio keeps up to this many sessions in memory (10,000 by default, about 13 GB at ~1.3 MB each);
    # sized in playground/config.py (DEFAULT_MAX_SESSIONS); main() takes PLAYGROUND_MAX_SESSIONS.
    "state_session_capacity": DEFAULT_MAX_SESSIONS,
}


def launch_options(settings: Settings) -> dict:
    """LAUNCH_OPTIONS with this place's session cap (PLAYGROUND_MAX_SESSIONS)."""
    return {**LAUNCH_OPTIONS, "state_session_capacity": settings.max_sessions}


def app_kwargs() -> dict:
    """For `launch(app_kwargs=...)`, a fresh dict each launch (Gradio adds to it): oversized request
    bodies are refused with 413 before Gradio reads them (see playground.web.body_limit), a
    malformed one gets a 422 that can always be encoded, and so does a value Gradio refuses on its
    direct-call routes (playground.web.request_errors)."""
    return {"middleware": [Middleware(BodyLimit), Middleware(DirectCallErrors)], "exception_handlers": dict(EXCEPTION_HANDLERS)}


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
    with gr.Blocks(title="Inference Playground") as demo:
        # Queued before any panel: each queue() call rebuilds the page's whole config, cheap while it is empty.
        # Without a limit Gradio runs one event at a time; each visitor's wait or stream must not hold up another's.
        demo.queue(default_concurrency_limit=settings.concurrency_limit)
        gr.Markdown("# Inference Playground")
        if local_default:
            gr.Markdown(LOCAL_BANNER.format(offline=" or the Hub can't be reached" if offline else ""), elem_id="pg-banner")
        page = build_page(demo, settings, LOCAL_MODEL_NAME if local_default else settings.default_model, local_installed)
        wire_page(ctx, page)
    return demo


def build_page(demo: gr.Blocks, settings: Settings, default_model: str, local_installed: bool) -> Page:
    """Every panel, built in its place on the page."""
    shipped = load_presets(PRESETS_DIR)
    choices = [*([(LOCAL_MODEL_LABEL, LOCAL_MODEL_NAME)] if local_installed else []), *settings.suggested_models]
    auth = auth_panel.build(settings.on_space, server_token=pick_token(None, None, settings) is not None)
    finished_run = gr.State(None)
    # Distinct models, so the first two Compare panes never start on the same one.
    starting = list(dict.fromkeys([default_model, *[value for _, value in settings.suggested_models]]))
    arena_hooks, sweep_hooks, compare_hooks = arena_panel.hooks(), sweep_tab.hooks(), compare_tab.hooks(starting)  # outside the tabs
    link = page_open.link_box()  # outside the tabs too
    with gr.Row():
        with gr.Column(scale=3), gr.Tabs(selected=PLAYGROUND_TAB) as tabs:
            with gr.Tab("Playground", id=PLAYGROUND_TAB, elem_id="pg-playground"):
                query = search_panel.search_box()
                model = model_panel.build(choices, default_model, beside_model=query)
                search = search_panel.build(query)
                response_format = format_panel.build(model.mode, model.system_prompt)
                chat = chat_panel.build(model.mode)  # above the Prompt, as in every chat
                run = run_panel.build(model.mode)
                probs = probs_panel.build()
                code = code_panel.build()
            with gr.Tab("Compare", id=COMPARE_TAB) as compare_place:
                compare = compare_panel.build(compare_place, choices, starting, compare_hooks)
            with gr.Tab("Sweep", id=SWEEP_TAB) as sweep_place:
                sweep = sweep_panel.build(sweep_place, choices, sweep_hooks, auth.session_token)
            with gr.Tab("Arena", id=ARENA_TAB) as arena_tab:
                arena = arena_panel.build(arena_tab, [default_model, *[value for _, value in settings.suggested_models]], arena_hooks)
        with gr.Column(scale=2):
            with gr.Accordion("On stage", open=True, elem_id="pg-on-stage"):
                big_text = big_text_panel.build()
                preflight = preflight_panel.build()
            presets = presets_panel.build(shipped)
            params = parameters_panel.build()
            history = history_panel.build()
            group_history = group_history_panel.build()
    form = Form.build(model, params, run.prompt, response_format)
    return Page(demo=demo, tabs=tabs, auth=auth, model=model, search=search, response_format=response_format, run=run,
                probs=probs, chat=chat, code=code, compare=compare, sweep=sweep, arena=arena, big_text=big_text, preflight=preflight, presets=presets,
                params=params, history=history, group_history=group_history, form=form, finished_run=finished_run, link=link)


def wire_page(ctx: RunContext, page: Page) -> None:
    """Each panel's events, in this order: Gradio numbers events as they are wired (the API's
    order), a panel that builds on others' events comes after them, and Stop comes last."""
    page_open.wire(page)  # the link the page was opened with, read in the browser
    auth_panel.wire(ctx, page)
    run_panel.wire_running(ctx, page)  # before every run it counts: a click's events run in wiring order
    model_panel.wire(ctx, page)
    search_panel.wire(ctx, page)
    preflight_panel.wire(ctx, page)
    big_text_panel.wire(ctx, page)
    parameters_panel.wire(ctx, page)
    run_panel.wire(ctx, page)  # Generate, in both modes, and the /generate API
    probs_panel.wire(ctx, page)  # continuing from an alternative
    chat_panel.wire(ctx, page)
    format_panel.wire(ctx, page)
    code_panel.wire(ctx, page)
    presets_panel.wire(ctx, page)
    run_panel.wire_fallback(ctx, page)  # "Run on <model>"
    history_panel.wire(ctx, page)  # after every run it records (ctx.history_runs)
    presets_panel.wire_loading(ctx, page)
    code_panel.wire_share_link(ctx, page)
    # Compare and Sweep are drawn on first open; their public /compare and /sweep endpoints, and the prompts and Stop below, from the start.
    compare_panel.wire(ctx, page)
    sweep_panel.wire(ctx, page)
    group_history_panel.wire(ctx, page)
    # One prompt for every tab: typing in the Prompt (or System prompt) fills the drawn tabs' through their relays.
    first, *relays = page.prompt_boxes()
    mirror_textboxes([first], relays=relays)
    first, *relays = page.system_prompt_boxes()
    mirror_textboxes([first], relays=relays)
    arena_panel.wire(ctx, page)  # drawn on first open, then joins the prompts above and Stop below; its rounds stay out of every history
    run_panel.wire_stop(ctx, page)  # last: Stop cancels every stream wired above


def start_options(settings: Settings, local_installed: bool, offline: bool) -> dict[str, bool]:
    """build_app's choices for this place. A Space opens on a hosted model, with "Sign in with
    Hugging Face" for visitors; elsewhere the built-in model is the default when it is installed and
    there is no token or no Hub."""
    local_default = local_installed and not settings.on_space and (offline or pick_token(None, None, settings) is None)
    return {"local_default": local_default, "offline": offline, "local_installed": local_installed}


def main() -> None:
    settings = load_settings()
    install_patches(settings, SessionState, (Blocks, BlocksConfig))  # after the settings kept HF_TOKEN; see playground/patches
    backend = Backend(policy=RetryPolicy(deadline=settings.retry_deadline), resolve_url=local_model_resolver(),
                      on_space=settings.on_space, endpoint_allowlist=settings.endpoint_allowlist,
                      first_token_timeout=settings.first_token_timeout)
    options = start_options(settings, local_model_installed(), offline=not hub_reachable(settings.hub_endpoint))
    demo = build_app(settings, backend, **options)  # queued already (see build_app)
    demo.launch(**launch_options(settings), app_kwargs=app_kwargs())


if __name__ == "__main__":
    main()
