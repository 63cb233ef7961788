"""A finished comparison or sweep, added to the "Compare and sweep history" kept in the visitor's
browser (components/group_history_panel.py shows the list and restores an entry). Compare and the
Sweep, drawn on demand, record their own runs with `record_finished`.
"""

from __future__ import annotations

from typing import Any

import gradio as gr
from pydantic import ValidationError

from playground.runs.saved import GroupEntry, add_group, group_label, parse_groups


def record_finished(event: Any, finished: Any, stored: gr.BrowserState, runs: gr.Radio) -> None:
    """When `event` ends, its finished entry (in `finished`; None: nothing to add) joins the history:
    `stored`, the entries kept in the browser, and `runs`, the list shown."""
    event.then(record_group, inputs=[finished, stored], outputs=[stored, runs], queue=False, api_visibility="undocumented")


def record_group(entry: Any, stored: Any) -> list[Any]:
    """[the stored entries, the list]: adds a finished comparison or sweep (None: it failed or was stopped)."""
    try:
        group = GroupEntry.model_validate(entry) if entry else None
    except ValidationError:  # the step is reachable through the API too: anything may arrive
        group = None
    if group is None:
        return [gr.skip(), gr.skip()]
    updated = add_group(stored, group)
    return [updated, show_groups(updated)]


def show_groups(stored: Any) -> dict:
    """The list as the page shows it; run when the page loads."""
    return gr.update(choices=[(group_label(entry), entry.id) for entry in parse_groups(stored)], value=None)
