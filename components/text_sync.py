"""Text boxes that hold one value: what is typed in one appears in the others, in the browser.

The copy runs as a Gradio event with a JavaScript function and no Python one, so typing costs no
request to the server; Gradio still sets the values, as for any event's outputs. `.input` fires
only on typing, never on a programmatic change, so mirrored boxes cannot set each other off.
"""

from __future__ import annotations

import gradio as gr


def mirror_textboxes(boxes: list[gr.Textbox]) -> None:
    for box in boxes:
        others = [other for other in boxes if other is not box]
        copies = "v" if len(others) == 1 else "[" + ", ".join("v" for _ in others) + "]"
        box.input(None, inputs=box, outputs=others, js=f"(v) => {copies}", queue=False, show_progress="hidden",
                  api_visibility="private")  # no Python step: nothing for an API caller
