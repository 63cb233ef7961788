"""The form's fields, declared once, and the two ways between them and a request.

`FormValues` lists every control of the form in one order: the order of the `/generate` API's
inputs, of `components.form.Form.inputs()`, and of every handler that reads the form. Values
arrive as Gradio's API delivers them (untrusted) and become a `GenerationRequest` through its one
set of rules; a request (from history, a link or a preset) goes back to the form through
`form_values`, keyed by the same field names.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from pydantic import ValidationError

from playground.chat.structured import EXAMPLE_SCHEMA_TEXT, ResponseFormat
from playground.errors import InvalidParametersError
from playground.input.params import GenerationParams
from playground.input.request import GenerationRequest, Mode, describe, parse_request


@dataclass(frozen=True)
class FormValues:
    model: Any = None
    provider: Any = None
    mode: Any = None
    system_prompt: Any = None
    response_format: Any = None
    json_schema: Any = None
    prompt: Any = None
    temperature: Any = None
    max_new_tokens: Any = None
    seed: Any = None
    random_seed: Any = None
    top_p: Any = None
    top_k: Any = None
    repetition_penalty: Any = None
    stop: Any = None


FORM_FIELDS: tuple[str, ...] = tuple(item.name for item in fields(FormValues))
# The form fields that hold generation parameters (everything after the prompt).
PARAMETER_FIELDS: tuple[str, ...] = FORM_FIELDS[FORM_FIELDS.index("prompt") + 1 :]


def request_from_form(form: FormValues, turns: tuple[tuple[str, str], ...] = ()) -> GenerationRequest:
    """A validated request with a concrete seed; `turns` (a conversation's earlier pairs) are
    checked with the rest. Raises InvalidModelError or InvalidParametersError."""
    if isinstance(form.prompt, str) and not form.prompt.strip():
        raise InvalidParametersError("Prompt: type something to send")
    request = parse_request({**_request_data(form, form.prompt), "turns": turns})
    return request.model_copy(update={"params": request.params.with_resolved_seed()})


def settings_from_form(form: FormValues) -> GenerationRequest:
    """Everything but the prompt (left empty), validated; `seed=None` when the form asks for a random one."""
    return parse_request(_request_data(form, ""))


def params_from_form(form: FormValues) -> GenerationParams:
    """The parameters alone. Raises InvalidParametersError."""
    try:
        return GenerationParams.model_validate(_params_data(form))
    except ValidationError as error:
        raise InvalidParametersError(describe(error)) from None


def form_values(request: GenerationRequest) -> dict[str, Any]:
    """Values for every form field that reproduce `request` exactly (its seed included)."""
    return {"model": request.model, "provider": request.provider, "mode": request.mode.value,
            "system_prompt": request.system_prompt, "response_format": request.response_format.value,
            "json_schema": request.json_schema or EXAMPLE_SCHEMA_TEXT, "prompt": request.prompt,
            **parameter_form_values(request.params, random_seed=False)}


def parameter_form_values(params: GenerationParams, random_seed: bool) -> dict[str, Any]:
    """Values for the parameter fields (`PARAMETER_FIELDS`). A parameter's control holds its value
    as is; only the seed (a number plus the "Random seed" box) and the stop sequences (one per line)
    are shown differently."""
    values = {name: getattr(params, name) for name in GenerationParams.model_fields}
    values.update(seed=params.seed if params.seed is not None else 0, random_seed=random_seed or params.seed is None,
                  stop="\n".join(params.stop))
    return {name: values[name] for name in PARAMETER_FIELDS}


def _request_data(form: FormValues, prompt: Any) -> dict[str, Any]:
    return {"model": form.model, "provider": form.provider, "mode": form.mode,
            "system_prompt": form.system_prompt or "", "prompt": prompt, "params": _params_data(form),
            **_format_data(form)}


def _format_data(form: FormValues) -> dict[str, Any]:
    """Response format and schema: Chat mode only, and the schema only when it is used (a broken
    one left in the editor must not block another run)."""
    if form.mode != Mode.CHAT.value or form.response_format in (None, ResponseFormat.TEXT.value):
        return {"response_format": ResponseFormat.TEXT.value, "json_schema": ""}
    schema = form.json_schema if form.response_format == ResponseFormat.JSON_SCHEMA.value else ""
    return {"response_format": form.response_format, "json_schema": schema}


def _params_data(form: FormValues) -> dict[str, Any]:
    """The inverse of `parameter_form_values`: each parameter from the form field of its name."""
    data = {name: getattr(form, name) for name in GenerationParams.model_fields}
    data.update(seed=None if form.random_seed is True or form.seed in (None, "") else form.seed, stop=form.stop or "")
    return data
