"""A part of the page drawn the first time a visitor opens it, instead of being sent with the page.

Every component and event in the page's first config is read by each visitor's browser before
Generate works, and copied into each new session; a tab few visitors open should not cost all of
them that. `OnDemand` declares the place (a `gr.render`) where the tab's panels will go. Its
drawing runs once per session, when `opened` turns True: a panel's `wire` opens it from the tab's
`select` and from a share link that names the tab, handing over in `seed` what the drawing needs
from the rest of the page (the Prompt typed so far, Big text, the link's contents). The drawing
itself builds the panel and wires its events, including those that join the rest of the page
(the page's Stop, the mirrored Prompt), since events outside cannot name components not yet drawn.

Three things Gradio 6.31 does with a drawn part that shape this (each found the hard way):
- A drawn event on a trigger the page already listens to (the page's Stop click, the Prompt's
  input) replaces the page's own listeners in the browser. So the page passes such things on
  through a `relay`: a hidden component outside the tabs that the page sets and that only the
  drawing listens to.
- The page sends no `.input` from a drawn box: a drawn box copies its text on `.change`.
- A drawn box is not made interactive by the events it feeds: say `interactive=True`.

    opened = opened_flag()                          # outside the tabs, so it is on the page from the start
    place = OnDemand(opened, stored)                # in build, inside the tab
    place.set_drawing(lambda seed, stored: ...)     # in wire: builds and wires the panel
    tab.select(opener, inputs=place.opened, outputs=[place.seed, place.opened])
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, fields
from typing import Any

import gradio as gr
from gradio.context import get_blocks_context


class OnDemand:
    """The place a tab's panels are drawn in, the first time it is opened (see the module's docstring),
    declared here in the layout. `opened`: `opened_flag()`; `inputs`: components built already that
    the drawing reads too."""

    def __init__(self, opened: gr.Checkbox, *inputs: gr.components.Component) -> None:
        self.opened = opened  # True once opened: the drawing runs when it changes, so once
        self.seed = gr.State(None)  # what the opening event hands to the drawing
        self._drawing: Callable[..., None] | None = None

        @gr.render(inputs=[self.opened, self.seed, *inputs], triggers=[self.opened.change], show_progress="minimal")
        def draw(opened: Any, *values: Any) -> None:
            if opened is True and self._drawing is not None:
                self._drawing(*values)

    def set_drawing(self, drawing: Callable[..., None]) -> None:
        """`drawing(seed, *inputs)` builds the panel's components and wires their events."""
        self._drawing = drawing


def opened_flag() -> gr.Checkbox:
    """Whether the place is drawn, built outside the tabs. A hidden checkbox rather than a State: the page
    reports a checkbox's change exactly when its value changes, once mounted (a tab not shown yet is
    not), while it reports a State's change after any event that lists it as an output, even unchanged,
    and after an unqueued one not at all (Gradio 6.31)."""
    return relay(gr.Checkbox, False)


def relay(kind: type[gr.components.Component], value: Any) -> gr.components.Component:
    """A hidden `kind` (Textbox, Checkbox, Number) outside the tabs, set by the page and listened to
    by a drawing only (see the module's docstring)."""
    return kind(value, visible="hidden", container=False, show_label=False)


def fill_text(fill: Any) -> str:
    """A fill (a dataclass: what a drawn panel is filled with) as a fill relay's text; the stamp makes
    the same fill sent twice a change the page reports."""
    return json.dumps({**asdict(fill), "stamp": time.time_ns()})


def fill_fields(text: Any, kind: type) -> dict[str, Any] | None:
    """The fields of `kind` (a dataclass) in a fill relay's text; None for anything else (the relay is
    a component like any other: anything may arrive)."""
    try:
        values = json.loads(text) if isinstance(text, str) and text else None
    except ValueError:
        return None
    names = {field.name for field in fields(kind)}
    return {k: v for k, v in values.items() if k in names} if isinstance(values, dict) else None


def opening(opened: Any, seed: Any) -> list[Any]:
    """[seed, opened] for an event that opens the place: the seed, once; nothing when already drawn."""
    if opened is True:
        return [gr.skip(), gr.skip()]
    return [seed, True]


@contextmanager
def never_drawn() -> Iterator[list[gr.blocks.Block]]:
    """For the inputs and outputs of a public API endpoint whose panel the page draws on demand (an
    API caller has no page): components built inside are hidden and left out of the page's layout,
    and only those added to the list it yields (the endpoint's trigger, inputs and outputs) stay in
    its config. The page never builds them nor waits for them. A State among them goes in the
    layout where the block is: out of it, the page never finishes loading (Gradio 6.31)."""
    kept: list[gr.blocks.Block] = []
    with gr.Column(render=False) as hidden:
        yield kept
    _hide(hidden, {block._id for block in kept})
    for state in (block for block in kept if isinstance(block, gr.State)):
        get_blocks_context().blocks.pop(state._id)
        state.parent.children.remove(state)
        state.render()


def _hide(block: gr.blocks.Block, kept: set[int]) -> None:
    """`block` and everything inside it, Gradio's own wrappers (forms) included; all but `kept` leave the
    config; none keeps its elem_id, which the drawn panel's own components carry."""
    block.visible, block.elem_id = False, None
    if block._id not in kept:
        get_blocks_context().blocks.pop(block._id, None)
    for child in getattr(block, "children", []):
        _hide(child, kept)
