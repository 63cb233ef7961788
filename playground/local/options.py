"""The declared sampler options on the local server's wire.

Every `GenerationParams` field with a llama.cpp name (`Param.llama`) is a sampler option the engine
passes straight to llama.cpp: the server's TGI and chat bodies take it by its wire name, with its
declared bounds, and hand it to the engine by its llama.cpp name. Adding such a parameter to the
declaration is all the local server needs.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel

from playground.input.params import PARAMS, GenerationParams, Wire, field_rules


def declared(name: str, kind: Any) -> Any:
    """`kind` with the bounds GenerationParams declares for field `name`."""
    return Annotated[(kind, *field_rules(name))]


def option_fields(protocol: Wire) -> dict[str, Any]:
    """`create_model` fields: one per declared sampler option this protocol sends, by its wire name,
    optional, with the declared bounds."""
    return {
        param.wire_name(protocol): (declared(name, GenerationParams.model_fields[name].annotation) | None, None)
        for name, param in PARAMS.items()
        if param.llama and param.wire_name(protocol)
    }


def sampler_options(body: BaseModel, protocol: Wire, greedy: bool = False, extra: tuple[str, ...] = ()) -> dict[str, float]:
    """The sampler options `body` sets, by llama.cpp keyword; a greedy run leaves out sampling filters.
    `extra`: options this server takes that the playground does not declare, named as llama.cpp names them."""
    options = {name: getattr(body, name) for name in extra if getattr(body, name) is not None}
    for param in PARAMS.values():
        keyword = param.wire_name(protocol)
        if param.llama and keyword and not (greedy and param.sampling_filter) and getattr(body, keyword) is not None:
            options[param.llama] = getattr(body, keyword)
    return options


def sampling_filters(body: BaseModel) -> list[Any]:
    """The values a TGI body gives the declared sampling filters (None where it gives none)."""
    return [getattr(body, param.tgi) for param in PARAMS.values() if param.sampling_filter and param.tgi]
