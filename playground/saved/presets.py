"""Presets: named bundles of generation settings, shipped as YAML and saved by visitors.

One schema (`Preset`) checks both the files in `presets/`, read at start-up, and the YAML a visitor
imports. A broken file never stops the app: each problem is reported by file and field and the
good files still load. Parameters are checked against `GenerationParams`, and the model, mode,
system prompt and examples by `GenerationRequest`'s own field types, so a preset cannot hold a
value Generate would refuse.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from playground.errors import InvalidParametersError
from playground.input.model_ref import ModelId
from playground.input.params import GenerationParams, sendable_text
from playground.input.request import MAX_TURNS, ChatTurn, GenerationRequest, Mode, Prompt, ServedModel, SystemPrompt
from playground.input.response_format import MAX_SCHEMA_CHARS, ResponseFormat, parse_schema

log = logging.getLogger(__name__)

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
MAX_IMPORT_CHARS = 200_000
MAX_IMPORT_PRESETS = 100
Label = Annotated[str, Field(min_length=1, max_length=80), BeforeValidator(sendable_text)]


class Preset(BaseModel):
    """A named preset. `params` holds only the parameters it sets; the rest stay as they are."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=SLUG, max_length=64, description="Stable ID: lowercase words joined by '-'.")
    label: Label
    description: Annotated[str, Field(max_length=1000), BeforeValidator(sendable_text)] = ""
    params: dict[str, Any] = Field(default_factory=dict)
    model: ModelId | None = None
    served_model: ServedModel | None = None  # an OpenAI-compatible endpoint's "Served model"
    mode: Mode | None = None
    system_prompt: SystemPrompt | None = None
    examples: list[Prompt] = Field(default_factory=list, max_length=20)
    # Chat mode: a conversation to start from (few-shot turns), and the answer's format.
    conversation: list[ChatTurn] = Field(default_factory=list, max_length=MAX_TURNS)
    response_format: ResponseFormat | None = None
    json_schema: str | None = Field(None, max_length=MAX_SCHEMA_CHARS)

    @field_validator("json_schema")
    @classmethod
    def _schema_is_json_schema(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                parse_schema(value)
            except InvalidParametersError as error:
                raise ValueError(str(error).removeprefix("Schema: ")) from None
        return value

    @field_validator("params")
    @classmethod
    def _params_are_generation_params(cls, value: dict[str, Any]) -> dict[str, Any]:
        # A ValidationError raised here nests under "params", so a problem reads "params.temperature".
        checked = GenerationParams.model_validate(value)
        return checked.model_dump(mode="json", include=set(value))


@dataclass(frozen=True)
class PresetProblem:
    """Why one file (or imported preset) was refused; `field` is a dotted path such as `params.top_p`."""

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}"


@dataclass
class PresetLoad:
    presets: list[Preset] = field(default_factory=list)
    problems: list[PresetProblem] = field(default_factory=list)


def load_presets(folder: Path) -> PresetLoad:
    """Reads every `*.yaml` in `folder`, one preset per file, in file-name order. Never raises:
    unreadable files, broken YAML, schema errors and duplicate names become problems (also logged)."""
    result = PresetLoad()
    for path in sorted(folder.glob("*.yaml")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            result.problems.append(PresetProblem(path.name, "(file)", f"cannot be read: {error}"))
            continue
        _collect(result, _parse_one(text, path.name), path.name)
    for problem in result.problems:
        log.warning("Preset skipped: %s", problem)
    return result


def presets_from_yaml(text: str, source: str = "import") -> PresetLoad:
    """Reads a visitor's YAML: a list of presets, or a single one. Never raises (the text is
    untrusted); each refused preset is reported as `source (preset N)` and field."""
    if len(text) > MAX_IMPORT_CHARS:
        return PresetLoad(problems=[PresetProblem(source, "(file)", f"is longer than {MAX_IMPORT_CHARS} characters")])
    data, problems = _load_yaml(text, source)
    if data is None and not problems:
        problems = [PresetProblem(source, "(file)", "holds no preset")]
    return PresetLoad(problems=problems) if problems else presets_from_data(data, source)


def presets_from_data(data: object, source: str = "browser") -> PresetLoad:
    """Checks already-parsed presets: the visitor's own, as the browser hands them back (a list of
    mappings, or one mapping; None on a first visit). Never raises: anyone can edit the browser's copy."""
    result = PresetLoad()
    if data is None:
        return result
    if not isinstance(data, list):
        _collect(result, _validate(data, source), source)
        return result
    if len(data) > MAX_IMPORT_PRESETS:
        return PresetLoad(problems=[PresetProblem(source, "(file)", f"holds more than {MAX_IMPORT_PRESETS} presets")])
    for number, item in enumerate(data, start=1):
        where = f"{source} (preset {number})"
        _collect(result, _validate(item, where), where)
    return result


def presets_to_yaml(presets: list[Preset]) -> str:
    """A YAML list that `presets_from_yaml` reads back to the same presets."""
    return yaml.dump([preset_to_dict(p) for p in presets], Dumper=_Dumper, sort_keys=False, allow_unicode=True)


def preset_to_dict(preset: Preset) -> dict[str, Any]:
    """The preset as plain data, leaving out fields it does not set (what the browser stores)."""
    data = preset.model_dump(mode="json")
    return {key: value for key, value in data.items() if value not in (None, [], {}) or key == "params"}


def preset_from_request(name: str, label: str, request: GenerationRequest) -> Preset:
    """The current settings as a preset (the visitor's "Save preset"). Raises pydantic's
    ValidationError when `name` is not a slug or `label` is empty or too long."""
    return Preset(
        name=name,
        label=label,
        params=request.params.model_dump(mode="json"),
        model=request.model,
        served_model=request.served_model or None,
        mode=request.mode,
        system_prompt=request.system_prompt or None,
        conversation=[list(turn) for turn in request.turns],
        response_format=request.response_format if request.response_format is not ResponseFormat.TEXT else None,
        json_schema=request.json_schema or None,
    )


def apply_preset(preset: Preset, base: GenerationParams) -> GenerationParams:
    """`base` with the preset's parameters laid over it; parameters the preset leaves out are kept."""
    return GenerationParams.model_validate({**base.model_dump(), **preset.params})


def slugify(label: str) -> str:
    """A preset name made from a label the visitor typed, e.g. "My Code (v2)" -> "my-code-v2"."""
    slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:64].strip("-")
    return slug or "preset"


def _parse_one(text: str, file: str) -> Preset | list[PresetProblem]:
    data, problems = _load_yaml(text, file)
    return problems or _validate(data, file)


def _load_yaml(text: str, file: str) -> tuple[object, list[PresetProblem]]:
    try:
        return yaml.safe_load(text), []
    except yaml.YAMLError as error:
        return None, [PresetProblem(file, "(yaml)", _yaml_message(error))]
    except (ValueError, TypeError, RecursionError) as error:
        # PyYAML lets these through: an impossible date ("2020-13-01"), very deep nesting.
        return None, [PresetProblem(file, "(yaml)", f"cannot be read: {error}")]


def _validate(data: object, file: str) -> Preset | list[PresetProblem]:
    if not isinstance(data, dict):
        return [PresetProblem(file, "(root)", f"is {_kind(data)}, not a preset; a preset is a mapping with at least `name:` and `label:`")]
    try:
        return Preset.model_validate(data)
    except ValidationError as error:
        return [_problem(file, detail) for detail in error.errors(include_url=False)]


def _problem(file: str, detail: Any) -> PresetProblem:
    where = ".".join(str(part) for part in detail["loc"]) or "(root)"
    if detail["type"] == "missing":
        return PresetProblem(file, where, "is missing; every preset needs a `name` and a `label`")
    if detail["type"] == "extra_forbidden":
        return PresetProblem(file, where, f"is not a preset field (the fields are {', '.join(Preset.model_fields)})")
    return PresetProblem(file, where, detail["msg"].removeprefix("Value error, "))


def _kind(data: object) -> str:
    """What a YAML value is, in words (for "42", "a number")."""
    if isinstance(data, bool):
        return "true/false"
    if isinstance(data, (int, float)):
        return "a number"
    return {str: "text", list: "a list", type(None): "empty"}.get(type(data), f"a {type(data).__name__}")


def _collect(result: PresetLoad, outcome: Preset | list[PresetProblem], file: str) -> None:
    """Adds a preset, or its problems. A name already taken is a problem: the first one wins, so
    what a visitor picked by name never silently changes."""
    if isinstance(outcome, list):
        result.problems.extend(outcome)
    elif any(preset.name == outcome.name for preset in result.presets):
        result.problems.append(PresetProblem(file, "name", f"another preset is already named {outcome.name!r}"))
    else:
        result.presets.append(outcome)


def _yaml_message(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    return f"line {mark.line + 1}, column {mark.column + 1}: {problem}" if mark else str(problem)


class _Dumper(yaml.SafeDumper):
    """Writes multi-line strings (prompts) as literal blocks, so exported files stay readable."""


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    # Only text with lines of its own; a bare "\n\n" stop sequence reads better quoted.
    style = "|" if "\n" in text.strip() else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_str)
