"""The "Prompt", "Generate" / "Stop", the status panel (with "Run on <model>"), the "Output" and the stats line.

There are two "Generate" buttons, one shown per mode (`show_generate`): Completion streams into
Output, Chat into the conversation. Each event then lists only the outputs its mode touches, and
that matters while it streams: Gradio rebuilds every output an update leaves out.

Every event that streams a run joins `RunContext.streams` (`ctx.streaming(event)`); `wire_stop`,
called once every panel is wired, builds Stop's `cancels` from that list, so Stop ends every
stream the page started.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from components.chat_events import chat_wiring
from components.context import STOP_IDLE, RunContext, run_ended, run_started, visitor_left
from components.generation import RAW_VALUES, generate_inputs, make_chat_handler, make_generate_handler, run_outputs
from components.messages import FALLBACK_IDLE, STOPPED
from components.page import Page
from playground.input.request import Mode


@dataclass(frozen=True)
class RunPanel:
    prompt: gr.Textbox
    generate: gr.Button  # Completion mode; also the `/generate` API
    generate_chat: gr.Button  # Chat mode: the same label, in the same place
    stop: gr.Button
    status: gr.HTML
    stopped: gr.HTML  # "Stopped.": its own panel, which no stream writes to (see wire_stop)
    fallback: gr.Button  # "Run on <model>", shown under an error a retry won't fix
    output: gr.Textbox
    stats: gr.Markdown
    running: gr.State  # how many streams this visitor has going: Stop is prominent, and acts, only above 0


def build(mode: gr.Radio) -> RunPanel:
    """`mode`: the page may open in either mode; its Generate button is the one shown."""
    chat = mode.value == Mode.CHAT.value
    prompt = gr.Textbox(label="Prompt", lines=2, max_lines=12, placeholder="Write a haiku about cold starts.", elem_id="pg-prompt")
    with gr.Row():
        generate = gr.Button("Generate", variant="primary", visible=not chat, elem_id="pg-generate")
        generate_chat = gr.Button("Generate", variant="primary", visible=chat, elem_id="pg-generate-chat")
        stop = gr.Button("Stop", elem_id="pg-stop", **STOP_IDLE)
    status = gr.HTML(visible=False, elem_id="pg-status")
    stopped = gr.HTML(STOPPED, visible=False, elem_id="pg-stopped")
    fallback = gr.Button(FALLBACK_IDLE, visible=False, variant="primary", elem_id="pg-fallback")
    output = gr.Textbox(label="Output", lines=12, interactive=False, buttons=["copy"], elem_id="pg-output", visible=not chat)
    stats = gr.Markdown(elem_id="pg-stats")
    return RunPanel(prompt, generate, generate_chat, stop, status, stopped, fallback, output, stats, gr.State(0))


def wire(ctx: RunContext, page: Page) -> None:
    """Generate streams into Output (Completion mode) or into the conversation (Chat mode). Each
    mode has its own "Generate" button and event, shown with its mode (`show_generate`), so each
    event lists only the outputs its mode touches. Both join `ctx.history_runs`: the page's
    `finished_run` receives the history entry of a run that completed (None otherwise).

    The `/generate` API is the Completion handler on a hidden trigger, with the documented outputs
    (the page's event also hides "Stopped."). It takes no conversation, so in Chat mode it sends the
    one message."""
    run, mode = page.run, page.form["mode"]
    inputs = generate_inputs(page)
    api = gr.Button(visible=False, elem_id="pg-generate-api")
    api_outputs = run_outputs(page, api=True)
    ctx.streaming(api.click(make_generate_handler(ctx, api_outputs), inputs_kwargs=inputs, outputs=api_outputs.all(),
                            api_name="generate", **RAW_VALUES))
    outputs = run_outputs(page)
    ctx.for_history(ctx.streaming(run.generate.click(make_generate_handler(ctx, outputs), inputs_kwargs=inputs,
                                                     outputs=outputs.all(), api_visibility="undocumented", **RAW_VALUES)))
    chat, chat_inputs = chat_wiring(ctx, page), {**inputs, "chat_state": page.chat.state}
    # The Chatbot needs Gradio's postprocess (messages to its data model); the inputs don't.
    ctx.for_history(ctx.streaming(run.generate_chat.click(make_chat_handler(ctx, chat), inputs_kwargs=chat_inputs,
                                                          outputs=chat.outputs.all(), preprocess=False, api_visibility="undocumented")))
    mode.change(show_generate, inputs=mode, outputs=[run.generate, run.generate_chat], queue=False, api_visibility="undocumented")
    page.demo.unload(visitor_left)


def wire_fallback(ctx: RunContext, page: Page) -> None:
    """"Run on <model>" runs the form's request on the fallback model, labelled as such; Stop ends
    it, History records it, and editing "Model" withdraws the offer."""
    outputs = run_outputs(page)
    handler = make_generate_handler(ctx, outputs, fallback=True)
    ctx.for_history(ctx.streaming(page.run.fallback.click(handler, inputs_kwargs=generate_inputs(page), outputs=outputs.all(),
                                                          api_visibility="undocumented", **RAW_VALUES)))
    page.form["model"].input(withdraw_fallback, inputs=None, outputs=page.run.fallback, queue=False, api_visibility="undocumented")


def wire_stop(ctx: RunContext, page: Page) -> None:
    """Stop cancels every stream registered so far: call it after every panel is wired.

    "Stopped." has a panel of its own, whose value never changes: Stop shows it, and each run's
    first update hides it. The page sends the cancel without waiting for it to land, so a stream's
    update may still arrive after Stop's. Token updates give every panel a plain value (a left-out
    output costs a rebuild per update), and a plain value never changes whether a panel is shown:
    so Stop hides the status panel rather than writing there, and an update in flight can neither
    erase "Stopped." nor bring back the status.

    Stop is small and neutral while nothing runs, and prominent while something does: the action
    that starts a run counts it in `running` (wire_running), and its end counts it out. A Stop with
    nothing running does nothing (no "Stopped.")."""
    run, quiet = page.run, {"queue": False, "api_visibility": "undocumented"}
    counted = [run.stop, run.running]
    for event in ctx.streams:
        event.then(run_ended, inputs=run.running, outputs=counted, **quiet)
    run.stop.click(stop_run, inputs=run.running, outputs=[run.status, run.stopped, *counted], cancels=list(ctx.streams), **quiet)
    # Compare, the Sweep and the Arena, drawn on demand, hear of it through a relay each, a count of
    # these clicks: each ends its runs and quiets its own Stop (components/compare_panel.py, ...).
    counts = [page.compare.hooks.stops, page.sweep.hooks.stops, page.arena.hooks.stops]
    run.stop.click(quiet_stops, inputs=counts, outputs=counts, show_progress="hidden", **quiet)


def wire_running(ctx: RunContext, page: Page) -> None:
    """Each action that starts a run counts it in `running` and makes Stop prominent (wire_stop
    counts it out when it ends). Wire this before the runs themselves: the page handles one
    click's events in the order they were wired, and waits for a stream to end before the next."""
    run, chat, history = page.run, page.chat, page.history
    starts = [run.generate.click, run.generate_chat.click, run.fallback.click, chat.regenerate.click, chat.conversation.edit,
              history.rerun.click, history.replay.click]  # and the drawn tabs' own (Generate all, Run sweep, ...)
    for start in starts:
        start(run_started, inputs=run.running, outputs=[run.stop, run.running], queue=False, api_visibility="undocumented")


def quiet_stops(*counts: Any) -> list[Any]:
    """The drawn tabs' counts of Stop clicks, each one more."""
    return [(count if isinstance(count, int | float) else 0) + 1 for count in counts]


def show_generate(mode: str) -> list[dict]:
    """[Generate (Completion), Generate (Chat)]: the one for `mode` is shown."""
    chat = mode == Mode.CHAT.value
    return [gr.update(visible=not chat), gr.update(visible=chat)]


def withdraw_fallback() -> dict:
    return gr.update(visible=False)


def stop_run(running: int) -> list[Any]:
    """[status panel, "Stopped.", Stop, running]; nothing changes when nothing runs."""
    if not running:
        return [gr.skip()] * 4
    return [gr.update(visible=False), gr.update(visible=True), gr.update(**STOP_IDLE), 0]
