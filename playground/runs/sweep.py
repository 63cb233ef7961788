"""The sweep grid: models × temperatures × seeds, each cell one request derived from the form's.

The three fields are typed text ("1, 2, 3", "0.2, 0.7, 1.2", "org/a, org/b"); every value is
checked like the same value set in the form, and each message names the field by its label. An
empty field means the form's current value. A grid above `MAX_CELLS` is refused before anything
is sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from playground.errors import InvalidModelError, InvalidParametersError
from playground.input.model_ref import check_model_syntax
from playground.input.params import SEED_MAX, GenerationParams
from playground.input.request import GenerationRequest

MAX_CELLS = 24
MAX_VALUES = MAX_CELLS  # per field; more could never fit the grid anyway
_SEPARATORS = re.compile(r"[,;\s]+")


@dataclass(frozen=True)
class Grid:
    """The values to sweep; an empty tuple means "the form's current value"."""

    models: tuple[str, ...] = ()
    temperatures: tuple[float, ...] = ()
    seeds: tuple[int, ...] = ()


@dataclass(frozen=True)
class Cell:
    """One run of the sweep; `key` is its row number, from 1."""

    key: str
    request: GenerationRequest

    @property
    def temperature(self) -> float:
        return self.request.params.temperature

    @property
    def seed(self) -> int | None:
        return self.request.params.seed


def parse_grid(models: Any, temperatures: Any, seeds: Any) -> Grid:
    """The three fields as typed. Raises InvalidParametersError naming the field at fault."""
    return Grid(parse_models(models), parse_temperatures(temperatures), parse_seeds(seeds))


def parse_models(value: Any) -> tuple[str, ...]:
    """Comma-separated text, or a list (a multi-select with typed IDs)."""
    items = _items(value, "Models", split_spaces=False)
    models = []
    for item in items:
        try:
            models.append(check_model_syntax(item))
        except InvalidModelError as error:
            raise InvalidParametersError(f"Models: {error.detail}") from None
    return _unique(models)


def parse_temperatures(value: Any) -> tuple[float, ...]:
    temperatures = []
    for item in _items(value, "Temperatures"):
        try:
            number = float(item)
        except ValueError:
            raise InvalidParametersError(f"Temperatures: {item[:20]!r} is not a number; write them like 0.2, 0.7, 1.2") from None
        _check_param("temperature", number, "Temperatures", item)
        temperatures.append(number)
    return _unique(temperatures)


def parse_seeds(value: Any) -> tuple[int, ...]:
    seeds = []
    for item in _items(value, "Seeds"):
        if not re.fullmatch(r"[0-9]{1,12}", item):
            raise InvalidParametersError(f"Seeds: {item[:20]!r} is not a whole number from 0 to {SEED_MAX}; write them like 1, 2, 3")
        _check_param("seed", int(item), "Seeds", item)
        seeds.append(int(item))
    return _unique(seeds)


def count_cells(grid: Grid) -> int:
    return max(len(grid.models), 1) * max(len(grid.temperatures), 1) * max(len(grid.seeds), 1)


def check_size(grid: Grid) -> None:
    """Raises InvalidParametersError, with the arithmetic, when the grid has too many cells."""
    cells = count_cells(grid)
    if cells > MAX_CELLS:
        raise InvalidParametersError(
            f"Sweep: {_plural(len(grid.models) or 1, 'model')} × {_plural(len(grid.temperatures) or 1, 'temperature')} × "
            f"{_plural(len(grid.seeds) or 1, 'seed')} makes {cells} runs; at most {MAX_CELLS}. Remove some values."
        )


def sweep_cells(base: GenerationRequest, grid: Grid) -> list[Cell]:
    """Every combination, models outermost then temperatures then seeds, as requests derived from
    `base` (the form's validated request: its prompt, mode, provider and other parameters). With no seeds
    listed and a random seed on the form (`base.params.seed is None`) one random seed is drawn for
    the whole grid, so cells differ only in what the sweep varies."""
    check_size(grid)
    params = base.params.with_resolved_seed()
    models = grid.models or (base.model,)
    temperatures = grid.temperatures or (params.temperature,)
    seeds = grid.seeds or (params.seed,)
    cells = []
    for model in models:
        for temperature in temperatures:
            for seed in seeds:
                cell_params = params.model_copy(update={"temperature": temperature, "seed": seed})
                request = base.model_copy(update={"model": model, "params": cell_params})
                cells.append(Cell(str(len(cells) + 1), request))
    return cells


def _items(value: Any, label: str, split_spaces: bool = True) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        parts = _SEPARATORS.split(value) if split_spaces else re.split(r"[,;\n]+", value)
    elif isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
        parts = [piece for item in value for piece in re.split(r"[,;\n]+", item)]
    else:
        raise InvalidParametersError(f"{label}: must be text, e.g. {_EXAMPLES[label]}")
    items = [part.strip() for part in parts if part.strip()]
    if len(items) > MAX_VALUES:
        raise InvalidParametersError(f"{label}: at most {MAX_VALUES} values")
    return items


_EXAMPLES = {"Models": "org/model-a, org/model-b", "Temperatures": "0.2, 0.7, 1.2", "Seeds": "1, 2, 3"}


def _check_param(name: str, value: float, label: str, typed: str) -> None:
    try:
        GenerationParams.model_validate({name: value})
    except ValidationError as error:
        message = error.errors(include_url=False)[0]["msg"]
        raise InvalidParametersError(f"{label}: {typed[:20]} — {message.lower()}") from None


def _unique(values: Iterable[Any]) -> tuple[Any, ...]:
    """In the order typed; a value given twice is run once."""
    return tuple(dict.fromkeys(values))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def describe_values(values: Sequence[Any]) -> str:
    """A field's values as the user types them: "1, 2, 3"."""
    return ", ".join(repr(v) if isinstance(v, float) else str(v) for v in values)
