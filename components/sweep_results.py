"""The sweep's results beyond the table: the progress line, the export files, and a row opened in full.

A table cell can't show a long answer or the whole request, so selecting a row shows both in the
boxes under the table: the answer as it came, and the request that row sent (prompt, system prompt,
mode and every parameter), as the CSV and JSON exports hold it.
"""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import gradio as gr

from components.run_words import status_text
from playground.runs.pricing import Claims
from playground.runs.results import ResultSet, RunState, row_request, to_csv, to_json

PICK_A_ROW = "Select a row of the table to read its answer and request in full."


def build_row_boxes() -> tuple[gr.Textbox, gr.Code]:
    """(the selected row's answer, its request), side by side under the table."""
    with gr.Row(elem_id="pg-sweep-row"):
        output = gr.Textbox(label="Selected run: answer", lines=4, max_lines=20, interactive=False, buttons=["copy"],
                            placeholder=PICK_A_ROW, elem_id="pg-sweep-row-output")
        request = gr.Code(language="json", label="Selected run: request", elem_id="pg-sweep-row-request")
    return output, request


def show_row(records: Any, selected: gr.SelectData) -> list[str]:
    """[the answer, the request as JSON] of the selected row; empty when there is none."""
    index = selected.index[0] if isinstance(selected.index, list | tuple) else selected.index
    if not isinstance(records, list) or not isinstance(index, int) or not 0 <= index < len(records):
        return ["", ""]
    record = records[index]
    return [record.get("output") or "", json.dumps(row_request(record), indent=2, ensure_ascii=False)]


def progress_line(results: ResultSet) -> str:
    """E.g. "4 of 6 runs finished · 1 failed · 2 waiting their turn"."""
    runs = list(results)
    counts = {state: sum(r.state is state for r in runs) for state in RunState}
    finished = sum(counts[s] for s in RunState if s.finished)
    parts = [f"{finished} of {len(runs)} runs finished"]
    parts += [f"{counts[RunState.FAILED]} failed"] if counts[RunState.FAILED] else []
    parts += [f"{counts[RunState.STOPPED]} stopped"] if counts[RunState.STOPPED] else []
    parts += [f"{counts[RunState.QUEUED]} waiting their turn"] if counts[RunState.QUEUED] else []
    return " · ".join(parts)


def export_files(results: ResultSet, claims: Claims) -> tuple[str, str]:
    """(the CSV file, the JSON file) of a finished sweep, named by when it finished."""
    folder = Path(tempfile.mkdtemp(prefix="sweep-"))
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    csv_path, json_path = folder / f"sweep-{stamp}.csv", folder / f"sweep-{stamp}.json"
    csv_path.write_text(to_csv(results, status_text, claims), encoding="utf-8")
    json_path.write_text(to_json(results, status_text, claims), encoding="utf-8")
    return str(csv_path), str(json_path)
