"""Parameters a model refuses, and the text-generation call made again without them.

A server that is not TGI (a plain transformers pipeline) answers 400 "The following `model_kwargs`
are not used by the model: ['seed']". huggingface_hub 2.4 then records those names process-wide
(`_UNSUPPORTED_TEXT_GENERATION_KWARGS`, keyed by the `model` argument of the call: None for a
client built with its model, as ours are) and calls again; with `stream=True` that second call
raises ValueError ("Cannot return output as a stream") instead of sending anything. Left alone, the
recorded names would make every later streamed run in the process fail the same way, whatever its
model. So the backend makes the call through `call_without_refused`: it reads the refused names from
the 400, clears the client's record, sends the call again without them, and reports them, so the
user sees "seed ignored by this model" instead of a silent difference. The record and the message's
pattern are huggingface_hub's private names: `playground.patches.refusals` holds both.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from huggingface_hub.errors import BadRequestError

from playground.patches.refusals import forget_refusals, names_not_used

T = TypeVar("T")
NOT_REPORTED = frozenset({"details"})  # asked for by the backend, not by the user


def call_without_refused(call: Callable[..., T], kwargs: dict[str, Any], model: str | None) -> tuple[T, tuple[str, ...]]:
    """`call(**kwargs)`, or, if the model refuses some of them, `call` without those; returns the
    result and the refused names the user had set. Raises whatever `call` raises otherwise."""
    forget_refusals(model)
    try:
        return call(**kwargs), ()
    except ValueError as error:
        refused = refused_params(error)
        forget_refusals(model)
        if not refused:
            raise
    kept = {name: value for name, value in kwargs.items() if name not in refused}
    ignored = tuple(name for name in kwargs if name in refused and name not in NOT_REPORTED)
    return call(**kept), ignored


def refused_params(error: BaseException) -> frozenset[str]:
    """The names a 400 "model_kwargs are not used" answer lists, found in `error` or what it was
    raised from or during; empty for any other error."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, BadRequestError) and (names := names_not_used(str(seen))) is not None:
            return names
        seen = seen.__cause__ or seen.__context__
    return frozenset()

