""""Big text": enlarges the prompt and every answer area for a projector.

A CSS class toggled through Gradio (`elem_classes` updates); no script edits the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from components.context import RunContext
from components.page import Page

BIG_CLASS = "pg-big"


@dataclass(frozen=True)
class BigText:
    toggle: gr.Checkbox


def build() -> BigText:
    return BigText(gr.Checkbox(label="Big text", value=False, elem_id="pg-big-text", info="Larger prompt and answers (Output, chat, Compare, Sweep, Arena), for a projector."))


def wire(ctx: RunContext, page: Page) -> None:
    """The toggle enlarges the Prompt and every answer area: the Output, the conversation, the
    Compare panes, the Sweep table and the Arena's two answers."""
    targets = [page.run.prompt, page.run.output, page.chat.conversation, *(pane.output for pane in page.compare.panes),
               page.sweep.table, *(pane.output for pane in page.arena.panes)]

    def enlarge(big: bool) -> list[Any]:
        return [big_text_update(target, big) for target in targets]

    page.big_text.toggle.change(enlarge, inputs=page.big_text.toggle, outputs=targets, queue=False, api_visibility="undocumented")


def big_text_update(target: gr.components.Component, big: bool) -> dict:
    """The target's own classes, plus BIG_CLASS when `big`."""
    classes = target.elem_classes or []
    own = [c for c in ([classes] if isinstance(classes, str) else classes) if c != BIG_CLASS]
    return gr.update(elem_classes=[*own, BIG_CLASS] if big else own)
