"""The "Response format" choice (Text, JSON, JSON schema): the schema as typed, and what is sent.

Text sends nothing. JSON asks for any JSON object (`{"type": "json_object"}`). JSON schema sends
the OpenAI shape huggingface_hub 2.4 takes for `chat_completion(response_format=...)`:
`{"type": "json_schema", "json_schema": {"name", "schema", "strict"}}`; the client rewrites it
for the providers that want another shape (hf-inference and endpoint URLs: TGI's
`{"type": "json_object", "value": schema}`). The schema is checked with `jsonschema`, the
reference implementation of JSON Schema. Checking the answer is `playground.chat.structured`'s.

`jsonschema` walks a schema recursively, so a schema nested deeper than `MAX_SCHEMA_DEPTH` is
refused before it sees it (8 000 characters of brackets would otherwise exhaust Python's stack).
A `$ref` to itself (a tree node) is not nesting: it is followed only as deep as the answer goes.
"""

from __future__ import annotations

import json
from enum import Enum
from typing import Any

from playground.errors import InvalidParametersError

SCHEMA_NAME = "answer"
MAX_SCHEMA_CHARS = 8_000
MAX_SCHEMA_DEPTH = 32  # objects and arrays inside one another; real schemas stay far below
TOO_DEEP = "Schema: nested too deeply"
EXAMPLE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "year": {"type": "integer"},
        "tags": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["name", "year"],
}
EXAMPLE_SCHEMA_TEXT = json.dumps(EXAMPLE_SCHEMA, indent=2)


class ResponseFormat(str, Enum):
    TEXT = "Text"
    JSON = "JSON"
    JSON_SCHEMA = "JSON schema"


def parse_schema(text: Any) -> dict[str, Any]:
    """The schema editor's text as a JSON Schema. Raises InvalidParametersError naming the problem."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidParametersError("Schema: write a JSON schema, or pick another response format")
    if len(text) > MAX_SCHEMA_CHARS:
        raise InvalidParametersError(f"Schema: at most {MAX_SCHEMA_CHARS} characters")
    try:
        schema = json.loads(text)
    except RecursionError:
        raise InvalidParametersError(TOO_DEEP) from None
    except ValueError as error:
        raise InvalidParametersError(f"Schema: not valid JSON ({error})") from None
    if not isinstance(schema, dict):
        raise InvalidParametersError("Schema: must be a JSON object")
    if nesting_depth(schema) > MAX_SCHEMA_DEPTH:
        raise InvalidParametersError(TOO_DEEP)
    # Imported at the first schema, not at start-up: jsonschema and its referencing stack take a while to load.
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        raise InvalidParametersError(f"Schema: not a valid JSON Schema ({error.message})") from None
    except RecursionError:  # the depth limit should prevent it; a page must never get a traceback
        raise InvalidParametersError(TOO_DEEP) from None
    return schema


def nesting_depth(value: Any, stop_above: int = MAX_SCHEMA_DEPTH) -> int:
    """How many objects and arrays lie inside one another in `value` (a scalar is 0), counted
    without recursion; counting stops once it passes `stop_above`."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth)
        if deepest > stop_above:
            break
        pending.extend((child, depth + 1) for child in children)
    return deepest


def response_format_body(fmt: ResponseFormat, schema: dict[str, Any] | None) -> dict[str, Any] | None:
    """The `response_format` argument of `chat_completion`, or None for plain text."""
    if fmt is ResponseFormat.JSON:
        return {"type": "json_object"}
    if fmt is ResponseFormat.JSON_SCHEMA:
        return {"type": "json_schema", "json_schema": {"name": SCHEMA_NAME, "schema": schema or {}, "strict": True}}
    return None
