"""The sweep grid: models × providers × temperatures × seeds × repeats, each cell one request
derived from the form's.

The fields are typed text ("1, 2, 3", "0.2, 0.7, 1.2", "org/a, org/b") or a list of providers;
every value is checked like the same value set in the form, and each message names the field by
its label. An empty field means the form's current value. "all live providers" stands for every
provider the router lists as live for each model (handed in: the core asks no one here). A grid
above `MAX_CELLS` runs, repeats included, is refused before anything is sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from playground.errors import InvalidModelError, InvalidParametersError
from playground.input.model_ref import check_model_syntax
from playground.input.params import SEED_MAX, GenerationParams
from playground.input.request import PROVIDER_CHOICES, GenerationRequest

MAX_CELLS = 24
MAX_REPEATS = 5
ALL_LIVE = "all live providers"
LiveProviders = Mapping[str, tuple[str, ...]]  # model -> the live providers the router lists for it
MAX_VALUES = MAX_CELLS  # per field; more could never fit the grid anyway
_SEPARATORS = re.compile(r"[,;\s]+")


@dataclass(frozen=True)
class Grid:
    """The values to sweep; an empty tuple means "the form's current value"."""

    models: tuple[str, ...] = ()
    temperatures: tuple[float, ...] = ()
    seeds: tuple[int, ...] = ()
    providers: tuple[str, ...] = ()  # may hold ALL_LIVE
    repeats: int = 1

    @property
    def all_live(self) -> bool:
        return ALL_LIVE in self.providers

    def providers_for(self, model: str, live: LiveProviders) -> tuple[str, ...]:
        """The providers `model` is run on: those named, plus its live ones for ALL_LIVE; () is the form's."""
        named = tuple(p for p in self.providers if p != ALL_LIVE)
        return _unique((*named, *live.get(model, ()))) if self.all_live else named


@dataclass(frozen=True)
class Cell:
    """One run of the sweep; `key` is its row number, from 1."""

    key: str
    request: GenerationRequest
    repeat: int = 1

    @property
    def temperature(self) -> float:
        return self.request.params.temperature

    @property
    def seed(self) -> int | None:
        return self.request.params.seed


def parse_grid(models: Any, temperatures: Any, seeds: Any, providers: Any = None, repeats: Any = 1) -> Grid:
    """The fields as typed. Raises InvalidParametersError naming the field at fault."""
    return Grid(parse_models(models), parse_temperatures(temperatures), parse_seeds(seeds), parse_providers(providers),
                parse_repeats(repeats))


def parse_providers(value: Any) -> tuple[str, ...]:
    """Provider names huggingface_hub knows, or ALL_LIVE; a list (the multiselect) or comma-separated text."""
    providers = []
    for item in _items(value, "Providers", split_spaces=False):
        if item != ALL_LIVE and item not in PROVIDER_CHOICES:
            raise InvalidParametersError(f"Providers: {item[:30]!r} is not a provider huggingface_hub knows")
        providers.append(item)
    return _unique(providers)


def parse_repeats(value: Any) -> int:
    """1 to MAX_REPEATS runs of each cell; None (an API call that leaves it out) is 1."""
    if value is None or value == "":
        return 1
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InvalidParametersError(f"Repeats: must be a whole number from 1 to {MAX_REPEATS}")
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not number.is_integer() or not 1 <= number <= MAX_REPEATS:
        raise InvalidParametersError(f"Repeats: {str(value)[:20]!r} is not a whole number from 1 to {MAX_REPEATS}")
    return int(number)


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


def count_cells(grid: Grid, live: LiveProviders | None = None, base_model: str = "") -> int:
    """Runs in the grid, repeats included; `live` expands ALL_LIVE per model."""
    pairs = sum(max(len(grid.providers_for(model, live or {})), 1) for model in grid.models or (base_model,))
    return pairs * max(len(grid.temperatures), 1) * max(len(grid.seeds), 1) * grid.repeats


def check_size(grid: Grid, live: LiveProviders | None = None, base_model: str = "") -> None:
    """Raises InvalidParametersError, with the arithmetic, when the grid has too many runs."""
    cells = count_cells(grid, live, base_model)
    if cells > MAX_CELLS:
        pairs = cells // (max(len(grid.temperatures), 1) * max(len(grid.seeds), 1) * grid.repeats)
        axes = [_plural(pairs, "model × provider pair") if grid.providers else _plural(len(grid.models) or 1, "model"),
                _plural(len(grid.temperatures) or 1, "temperature"), _plural(len(grid.seeds) or 1, "seed")]
        axes += [_plural(grid.repeats, "repeat")] if grid.repeats > 1 else []
        raise InvalidParametersError(f"Sweep: {' × '.join(axes)} makes {cells} runs; at most {MAX_CELLS}. Remove some values.")


def check_live(grid: Grid, live: LiveProviders, models: Sequence[str]) -> None:
    """Raises InvalidParametersError when ALL_LIVE finds no provider for a model."""
    for model in models if grid.all_live else ():
        if not grid.providers_for(model, live):
            raise InvalidParametersError(f"Providers: the router lists no live provider for {model[:80]}; pick providers by name")


def sweep_cells(base: GenerationRequest, grid: Grid, live: LiveProviders | None = None) -> list[Cell]:
    """Every combination, models outermost then providers, temperatures, seeds and repeats, as
    requests derived from `base` (the form's validated request: its prompt, mode, provider and other
    parameters). With no seeds listed and a random seed on the form (`base.params.seed is None`) one
    random seed is drawn for the whole grid, so cells differ only in what the sweep varies."""
    live = live or {}
    models = grid.models or (base.model,)
    check_live(grid, live, models)
    check_size(grid, live, base.model)
    params = base.params.with_resolved_seed()
    cells: list[Cell] = []
    for model in models:
        for provider in grid.providers_for(model, live) or (base.provider,):
            for temperature in grid.temperatures or (params.temperature,):
                for seed in grid.seeds or (params.seed,):
                    cell_params = params.model_copy(update={"temperature": temperature, "seed": seed})
                    request = base.for_model(model, provider=provider, params=cell_params)
                    for repeat in range(1, grid.repeats + 1):
                        cells.append(Cell(str(len(cells) + 1), request, repeat))
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


_EXAMPLES = {"Models": "org/model-a, org/model-b", "Temperatures": "0.2, 0.7, 1.2", "Seeds": "1, 2, 3",
             "Providers": "together, novita"}


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
