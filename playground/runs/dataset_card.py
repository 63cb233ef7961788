"""The dataset card (`README.md`) of a pushed sweep: YAML metadata, the grid, the prompt, the
summary table and how it was measured. Plain text from plain values; it never sees a token.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from playground.runs.summary import SUMMARY_COLUMNS, ProviderSummary, summary_rows

RUNS_FILE = "runs.jsonl"

METHOD = """\
Each run is one streamed request from the inference playground's Sweep, sent through the Hugging Face
inference router with the visitor's token, several at a time (at most 4 per model).

- **first token**: seconds from sending the request to the first streamed token, measured by the app
  (it includes the network and any queueing at the provider).
- **tokens/s**: tokens after the first, over the time after the first.
- **total time**: seconds from sending to the end of the stream.
- **cost**: the run's tokens (the provider's reported usage, else the streamed count, output only) times
  the router's listed price for that provider (USD per 1M tokens). "auto" has no price.
- **claimed**: what the router's `/v1/models` lists for the provider (first-token latency, throughput).

Medians and ranges (lowest–highest) are over the repeats of each model × provider."""


def runs_jsonl(records: Iterable[Mapping[str, Any]]) -> str:
    """One JSON object per line, one line per run."""
    return "".join(json.dumps(dict(record), ensure_ascii=False) + "\n" for record in records)


def dataset_card(title: str, grid: Mapping[str, str], prompt: str, summaries: Sequence[ProviderSummary], runs: int) -> str:
    """The card's Markdown. `grid` is the sweep's fields as typed, by label ("Models": "org/a, org/b")."""
    return "\n".join([
        _front_matter(title, runs),
        f"# {title}\n",
        "A provider bake-off made with the inference playground's Sweep: the same prompt on each model and",
        f"provider, {runs} runs in all, one line per run in `{RUNS_FILE}`.\n",
        "## Grid\n",
        *[f"- **{label}**: {value or '(the form’s value)'}" for label, value in grid.items()],
        "\n## Prompt\n",
        _fenced(prompt),
        "\n## Summary\n",
        _table(SUMMARY_COLUMNS, summary_rows(summaries)),
        "\n## How it was measured\n",
        METHOD,
        "",
    ])


def _front_matter(title: str, runs: int) -> str:
    # JSON strings are valid YAML scalars, so a title with colons or quotes stays one value.
    return "\n".join([
        "---",
        f"pretty_name: {json.dumps(title)}",
        "tags:", "- inference-providers", "- benchmark", "- inference-playground",
        "size_categories:", f"- {'n<1K' if runs < 1000 else '1K<n<10K'}",
        "configs:", "- config_name: default", "  data_files:", "  - split: train", f"    path: {RUNS_FILE}",
        "---",
        "",
    ])


def _fenced(text: str) -> str:
    """A code block whose fence is longer than any run of backticks inside the text."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    def cell(value: Any) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)
