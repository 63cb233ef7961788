"""Text boxes that hold one value: what is typed in one appears in the others, in the browser.

The copy runs as a Gradio event with a JavaScript function and no Python one, so typing costs no
request to the server; Gradio still sets the values, as for any event's outputs. `.input` fires
only on typing, never on a programmatic change, so mirrored boxes cannot set each other off.
"""

from __future__ import annotations

import gradio as gr


def mirror_textboxes(boxes: list[gr.Textbox], relays: list[gr.Textbox] | None = None) -> None:
    """What is typed in any of `boxes` fills the others, and `relays` (hidden boxes nobody types in,
    see `join_mirror`), which so need no listener of their own."""
    for box in boxes:
        others = [other for other in boxes if other is not box] + list(relays or [])
        box.input(None, inputs=box, outputs=others, js=f"(v) => {_copies(len(others))}", queue=False, show_progress="hidden",
                  api_visibility="private")  # no Python step: nothing for an API caller


def join_mirror(boxes: list[gr.Textbox], box: gr.Textbox, relay: gr.Textbox) -> None:
    """Adds `box`, drawn later (components/on_demand.py), to `boxes`, mirrored already with `relay`
    among them: what is typed in `boxes` reaches `box` through the relay, which only the drawing
    listens to (a drawn listener on a box's `.input` would replace the page's own). The page sends
    no `.input` from a drawn box, so `box` copies on `.change`, only while it has the focus (someone
    types in it), and takes the relay's copies only while it has not: an echo either way could
    overwrite keys typed meanwhile. `box` needs an elem_id."""
    copy = {"queue": False, "show_progress": "hidden", "api_visibility": "private"}
    typing = f"document.activeElement?.closest('#{box.elem_id}')"
    box.change(None, inputs=[box, *boxes], outputs=boxes, js=f"(v, ...others) => {typing} ? others.map(() => v) : others", **copy)
    relay.change(None, inputs=[relay, box], outputs=box, js=f"(r, v) => {typing} ? v : r", **copy)


def _copies(count: int) -> str:
    """The JavaScript value that copies one box's text into `count` boxes."""
    return "v" if count == 1 else "[" + ", ".join("v" for _ in range(count)) + "]"
