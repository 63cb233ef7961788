"""A schema nested too deeply is refused in words before `jsonschema` walks it (its recursion
exhausted Python's stack: RecursionError through /generate, /view_code and /sweep), while a schema
that refers to itself (a tree node) still checks, and so do answers to it."""

from __future__ import annotations

import json

import pytest

from playground import errors as e
from playground.chat.structured import check_answer
from playground.input.request import Mode, parse_request
from playground.input.response_format import MAX_SCHEMA_DEPTH, ResponseFormat, nesting_depth, parse_schema

TREE = {
    "$defs": {"node": {"type": "object", "required": ["value"], "properties": {
        "value": {"type": "integer"}, "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}}}},
    "$ref": "#/$defs/node",
}


def nested_schema(levels: int) -> str:
    """`levels` object schemas inside one another: two JSON levels each (the schema, its properties)."""
    return '{"type": "object", "properties": {"a": ' * levels + "{}" + "}}" * levels


def tree_answer(levels: int, leaf: str = '{"value": 0}') -> str:
    return '{"value": 1, "children": [' * levels + leaf + "]}" * levels


@pytest.mark.parametrize("text", [nested_schema(180), "[" * 7_000, '{"a": ' + "[" * 3_000 + "]" * 3_000 + "}",
                                  '{"allOf": ' + "[" * 40 + "{}" + "]" * 40 + "}"])
def test_a_schema_nested_too_deeply_is_refused_in_words(text: str) -> None:
    with pytest.raises(e.InvalidParametersError) as raised:
        parse_schema(text)
    assert raised.value.detail == "Schema: nested too deeply"


def test_the_limit_is_32_levels_of_objects_and_arrays() -> None:
    assert MAX_SCHEMA_DEPTH == 32
    assert parse_schema(nested_schema(15))  # 31 levels: the outer schema, then 15 × (properties, schema)
    assert nesting_depth(json.loads(nested_schema(16))) == 33
    with pytest.raises(e.InvalidParametersError, match="nested too deeply"):
        parse_schema(nested_schema(16))


def test_depth_is_counted_without_recursion() -> None:
    deep: list = []
    for _ in range(50_000):  # far past Python's recursion limit
        deep = [deep]
    assert nesting_depth(deep, stop_above=10**6) == 50_001
    assert nesting_depth({"a": 1, "b": [1, {"c": []}]}) == 4 and nesting_depth("text") == 0


def test_a_request_with_a_deep_schema_is_refused_by_its_label() -> None:
    with pytest.raises(e.InvalidParametersError) as raised:
        parse_request({"model": "org/m", "prompt": "x", "mode": Mode.CHAT,
                                          "response_format": ResponseFormat.JSON_SCHEMA, "json_schema": nested_schema(180)})
    assert raised.value.detail == "Schema: nested too deeply"


def test_a_schema_that_refers_to_itself_still_checks_and_so_do_answers() -> None:
    schema = parse_schema(json.dumps(TREE))
    assert check_answer(tree_answer(20), ResponseFormat.JSON_SCHEMA, schema).valid
    wrong = check_answer(tree_answer(2, leaf='{"value": "x"}'), ResponseFormat.JSON_SCHEMA, schema)
    assert not wrong.valid and wrong.error == "children/0/children/0/value: 'x' is not of type 'integer'"


@pytest.mark.parametrize("answer", [tree_answer(3_000), "[" * 100_000 + "]" * 100_000])
def test_an_answer_too_deep_to_check_is_invalid_not_a_crash(answer: str) -> None:
    verdict = check_answer(answer, ResponseFormat.JSON_SCHEMA, parse_schema(json.dumps(TREE)))
    assert not verdict.valid and verdict.error == "nested too deeply to check"
    assert not check_answer(answer, ResponseFormat.JSON, None).valid
