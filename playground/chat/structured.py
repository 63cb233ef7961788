"""Structured output: checking an answer against the "Response format" it was asked for.

The answer is checked with `jsonschema` (the reference implementation of JSON Schema, also what
the schema editor's text is checked against), and reported valid or invalid with the first error;
JSON that doesn't end, from a run that stopped at Max new tokens, is reported cut off there.
The choice itself, and what it sends, is `playground.input.response_format`. An answer nested
too deeply for Python's stack (reading it or checking it) is reported invalid, not raised.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from playground.input.response_format import ResponseFormat

TOO_DEEP = "nested too deeply to check"


@dataclass(frozen=True)
class Verdict:
    valid: bool
    error: str = ""
    cut_off_at: int | None = None  # the Max new tokens an unfinished JSON answer stopped at: raising it is the fix


def check_answer(answer: str, fmt: ResponseFormat, schema: dict[str, Any] | None, cut_off_at: int | None = None) -> Verdict | None:
    """Whether the answer is the JSON asked for, with the first error; None for plain text.
    `cut_off_at`: the run stopped at this Max new tokens, so JSON that doesn't end was cut off."""
    if fmt is ResponseFormat.TEXT:
        return None
    try:
        value = json.loads(_without_fence(answer))
    except RecursionError:
        return Verdict(False, TOO_DEEP)
    except ValueError as error:
        return Verdict(False, f"not valid JSON: {error}", cut_off_at)
    if fmt is ResponseFormat.JSON:
        return Verdict(True)
    from jsonschema import Draft202012Validator  # at the first schema answer, not at start-up (a slow import)

    try:
        errors = sorted(Draft202012Validator(schema or {}).iter_errors(value), key=lambda e: list(e.path))
    except RecursionError:  # a deep answer to a recursive schema (a tree node's `$ref` to itself)
        return Verdict(False, TOO_DEEP)
    if not errors:
        return Verdict(True)
    first = errors[0]
    where = "/".join(str(part) for part in first.path)
    return Verdict(False, f"{where}: {first.message}" if where else first.message)


def _without_fence(text: str) -> str:
    """Models asked for JSON sometimes wrap it in a ```json fence; the JSON inside is what counts."""
    stripped = text.strip()
    if stripped.startswith("```") and stripped.endswith("```"):
        stripped = stripped[3:-3]
        stripped = stripped[4:] if stripped.startswith("json") else stripped
    return stripped
