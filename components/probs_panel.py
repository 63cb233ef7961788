"""The "Token probabilities" panel: the tinted answer (drawn by `components/token_view.py`), and
continuing from an alternative.

In Completion mode clicking an alternative triggers the view's `select` event with the token's
index and the alternative (Gradio's own `trigger`, the one script this panel has); `wire` runs the
continuation through `Backend.run` like Generate, labelled "Continued from token N with ' alt'".
In Chat mode the alternatives are shown, not offered. The plain text stays in "Output" (with its
copy button) right above; in Chat mode, in the conversation.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from typing import Any

import gradio as gr

from components.context import RunContext, Update, visitor_tokens
from components.generation import RAW_VALUES, render_run, run_failure, run_outputs
from components.page import Page
from playground import errors as e
from playground.runs.continuation import continuation_label, continuation_request

# The alternative's button sends its token's index and text; the Python side checks both.
PICK_JS = """
element.addEventListener('click', (event) => {
  const alt = event.target.closest('.pg-alt');
  if (alt) trigger('select', {index: Number(alt.dataset.index), value: alt.dataset.alt});
});
"""

@dataclass(frozen=True)
class ProbsPanel:
    view: gr.HTML  # the tinted answer; hidden until a run carries probabilities
    shown: gr.State  # (request, tokens) of the answer on screen: what a continuation starts from


def build() -> ProbsPanel:
    view = gr.HTML("", visible=False, elem_id="pg-odds", js_on_load=PICK_JS)
    return ProbsPanel(view, gr.State(None))


def wire(ctx: RunContext, page: Page) -> None:
    """Clicking an alternative continues from it (Completion), as one more stream Stop ends."""
    outputs = run_outputs(page)
    inputs = {"shown": page.probs.shown, **page.auth.inputs()}
    ctx.for_history(ctx.streaming(page.probs.view.select(make_continue_handler(ctx, page), inputs_kwargs=inputs,
                                                         outputs=outputs.all(), api_visibility="undocumented", **RAW_VALUES)))


def make_continue_handler(ctx: RunContext, page: Page) -> Any:
    out = run_outputs(page)

    def continue_from(evt: gr.SelectData, oauth_token: gr.OAuthToken | None = None, **values: Any) -> Iterator[Update]:
        shown = values.get("shown")
        try:
            if not shown:
                raise e.InvalidParametersError("Token probabilities: the answer is gone; run it again")
            request, tokens = shown
            index = evt.index if isinstance(evt.index, int) else -1
            continued = continuation_request(request, tokens, index, str(evt.value))
            tokens_for = visitor_tokens(ctx, values, oauth_token)
            tokens_for.check()
        except e.PlaygroundError as error:
            yield run_failure(out, error)
            return
        label = continuation_label(index, str(evt.value))
        events = ctx.backend.run(continued, tokens_for.for_model(continued.model, ctx.settings))
        with closing(events):
            yield from render_run(events, out, continued, label=label, update_interval=ctx.settings.ui_update_interval)

    return continue_from
