"""A list kept in the visitor's browser (run history, Compare and Sweep history): read back
checked, written back bounded.

What the browser sends back is untrusted: a broken or tampered entry is dropped, never raised,
and the work a long list can cause is bounded.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

Entry = TypeVar("Entry", bound=BaseModel)


def parse_stored(raw: object, model: type[Entry], cap: int) -> list[Entry]:
    """The valid entries of a stored list, in stored order (newest first). Never raises."""
    if not isinstance(raw, list):
        return []
    entries = []
    for item in raw[: cap * 4]:  # bounds the work a tampered list can cause
        if not isinstance(item, dict):
            continue
        try:
            entries.append(model.model_validate(item))
        except (ValidationError, ValueError, TypeError):
            continue
    return entries


def add_stored(stored: object, entry: Entry, cap: int, max_bytes: int) -> list[dict[str, Any]]:
    """The new browser value: `entry` first, then the older valid entries (an older one with the
    same id is replaced), at most `cap` and at most `max_bytes` of JSON, oldest dropped first."""
    older = [item for item in parse_stored(stored, type(entry), cap) if item.id != entry.id]
    kept = [item.model_dump(mode="json") for item in [entry, *older][: max(cap, 1)]]
    while len(kept) > 1 and json_bytes(kept) > max_bytes:
        kept.pop()
    return kept


def json_bytes(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass"))
