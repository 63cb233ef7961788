"""What the page does as it opens: its load events, and the share link it was opened with.

Every event the page runs costs the browser a pass over the loading status of each component any
event has updated so far, and a progress overlay drawn on each of its outputs (Gradio 6.31). Eight
load events with 59 outputs cost ~0.3 s of the page's main thread before Generate works, a fifth
of all it does (benchmarks/bench_page_parts.py). So:

- every load event shows no progress (`ON_OPEN`): what it fills is there before anyone looks;
- the share link's query is read in the browser, into a hidden box outside the tabs (`link_box`),
  and the openers of a link (the Playground's, Compare's or Sweep's, the Arena's) listen to that
  box's change (`on_link`): a plain visit runs none of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import parse_qs

import gradio as gr

from components.on_demand import relay
from components.page import Page

ON_OPEN = {"queue": False, "show_progress": "hidden", "api_visibility": "undocumented"}
READ_QUERY = "() => window.location.search.replace(/^[?]/, '')"  # the page's own address, in a Space's iframe too


def link_box() -> gr.Textbox:
    """The query of the link the page was opened with ("" for a plain visit), built outside the tabs."""
    return relay(gr.Textbox, "")


def wire(page: Page) -> None:
    """Fills the link box as the page opens, in the browser alone: no request, no progress."""
    page.demo.load(None, inputs=None, outputs=page.link, js=READ_QUERY, queue=False, show_progress="hidden")


def on_link(page: Page, opener: Callable[..., Any], inputs: Sequence[gr.components.Component], outputs: Sequence[Any]) -> None:
    """`opener(query, *inputs)` runs when the page was opened with a link (`query`: its parsed query)."""

    def open_link(text: Any, *values: Any) -> Any:
        return opener(link_query(text), *values)

    page.link.change(open_link, inputs=[page.link, *inputs], outputs=list(outputs), **ON_OPEN)


def link_query(text: Any) -> dict[str, list[str]]:
    """A link's query string, parsed as the share-link readers expect (blank values kept)."""
    return parse_qs(text if isinstance(text, str) else "", keep_blank_values=True)
