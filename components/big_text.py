""""Big text": enlarges the prompt and every answer area for a projector.

A CSS class toggled through Gradio (`elem_classes` updates); no script edits the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from components.context import RunContext
from components.page import Page
from components.style import big_text_update


@dataclass(frozen=True)
class BigText:
    toggle: gr.Checkbox


def build() -> BigText:
    return BigText(gr.Checkbox(label="Big text", value=False, elem_id="pg-big-text", info="Larger prompt and answers (Output, chat, Compare, Sweep, Arena), for a projector."))


def wire(ctx: RunContext, page: Page) -> None:
    """The toggle enlarges the Prompt and every answer area: the Output, the conversation, the
    Compare panes, the Sweep table and the Arena's two answers."""
    targets = [page.run.prompt, page.run.output, page.chat.conversation]
    relays = [page.compare.hooks.big, page.sweep.hooks.big, page.arena.hooks.big]  # the tabs drawn on demand (components/on_demand.py)

    def enlarge(big: bool) -> list[Any]:
        return [*(big_text_update(target, big) for target in targets), *(big is True for _ in relays)]

    page.big_text.toggle.change(enlarge, inputs=page.big_text.toggle, outputs=[*targets, *relays], queue=False,
                                api_visibility="undocumented")

