""""Big text": enlarges the prompt and the output for a projector.

A CSS class toggled through Gradio (`elem_classes` updates); no script edits the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import gradio as gr

BIG_CLASS = "pg-big"


def build_big_text_toggle() -> gr.Checkbox:
    return gr.Checkbox(label="Big text", value=False, elem_id="pg-big-text", info="Larger prompt and output, for a projector.")


def wire_big_text(toggle: gr.Checkbox, targets: Sequence[gr.components.Component]) -> None:
    def enlarge(big: bool) -> list[Any]:
        return [big_text_update(target, big) for target in targets]

    toggle.change(enlarge, inputs=toggle, outputs=list(targets), queue=False, api_visibility="undocumented")


def big_text_update(target: gr.components.Component, big: bool) -> dict:
    """The target's own classes, plus BIG_CLASS when `big`."""
    classes = target.elem_classes or []
    own = [c for c in ([classes] if isinstance(classes, str) else classes) if c != BIG_CLASS]
    return gr.update(elem_classes=[*own, BIG_CLASS] if big else own)
