"""The form's fields, and the two ways between them and a request.

`FormValues` lists every control of the form in one order: the request's own fields, then each
parameter as `GenerationParams` declares it (with its random box, if any). That is the order of the
`/generate` API's inputs, of `components.form.Form.inputs()`, and of every handler that reads the form. Values
arrive as Gradio's API delivers them (untrusted) and become a `GenerationRequest` through its one
set of rules; a request (from history, a link or a preset) goes back to the form through
`form_values`, keyed by the same field names.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, make_dataclass
from typing import Any

from pydantic import ValidationError

from playground.errors import EmptyPromptError, InvalidParametersError
from playground.input.model_ref import is_endpoint_url
from playground.input.params import PARAMS, Control, GenerationParams, field_default
from playground.input.request import GenerationRequest, Mode, describe, parse_request
from playground.input.response_format import EXAMPLE_SCHEMA_TEXT, ResponseFormat


@dataclass(frozen=True)
class _RequestFields:
    """The form's fields before the parameters: what to ask, of which model, and how."""

    model: Any = None
    served_model: Any = None
    provider: Any = None
    mode: Any = None
    system_prompt: Any = None
    response_format: Any = None
    json_schema: Any = None
    prompt: Any = None


def _parameter_fields() -> tuple[str, ...]:
    """Each declared parameter's field, in declaration order, followed by its random box's if it has one."""
    names: list[str] = []
    for name, param in PARAMS.items():
        names += [name, param.random_box.field] if param.random_box else [name]
    return tuple(names)


# The form fields that hold generation parameters (everything after the prompt).
PARAMETER_FIELDS: tuple[str, ...] = _parameter_fields()
FormValues = make_dataclass("FormValues", [(name, Any, None) for name in PARAMETER_FIELDS], bases=(_RequestFields,), frozen=True)
FormValues.__module__ = __name__
FormValues.__doc__ = "Every form field, all optional and unchecked: the request's fields, then `PARAMETER_FIELDS`."
FORM_FIELDS: tuple[str, ...] = tuple(item.name for item in fields(FormValues))


def request_from_form(form: FormValues, turns: tuple[tuple[str, str], ...] = ()) -> GenerationRequest:
    """A validated request with a concrete seed; `turns` (a conversation's earlier pairs) are
    checked with the rest. Raises EmptyPromptError, InvalidModelError or InvalidParametersError."""
    if isinstance(form.prompt, str) and not form.prompt.strip():
        raise EmptyPromptError()
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
    return {"model": request.model, "served_model": request.served_model, "provider": request.provider, "mode": request.mode.value,
            "system_prompt": request.system_prompt, "response_format": request.response_format.value,
            "json_schema": request.json_schema or EXAMPLE_SCHEMA_TEXT, "prompt": request.prompt,
            **parameter_form_values(request.params, random_seed=False)}


def parameter_form_values(params: GenerationParams, random_seed: bool) -> dict[str, Any]:
    """Values for the parameter fields (`PARAMETER_FIELDS`). A control holds its parameter's value as
    is, but for two kinds: a text box shows a list one item per line, and a parameter with a random
    box shows a number beside its box (ticked for None, or whenever `random_seed` asks for a fresh value)."""
    values: dict[str, Any] = {}
    for name, param in PARAMS.items():
        value = getattr(params, name)
        values[name] = "\n".join(value) if param.control is Control.TEXTBOX else value
        if param.random_box:
            values[name] = 0 if value is None else value  # a random value shows 0 beside its ticked box
            values[param.random_box.field] = random_seed or value is None
    return values


def _request_data(form: FormValues, prompt: Any) -> dict[str, Any]:
    return {"model": form.model, "served_model": _served_model(form), "provider": form.provider, "mode": form.mode,
            "system_prompt": form.system_prompt or "", "prompt": prompt, "params": _params_data(form),
            **_format_data(form)}


def _served_model(form: FormValues) -> Any:
    """"Served model" counts for an endpoint URL only: a name left in the hidden dropdown from an
    earlier URL must not travel with a Hub ID."""
    if not isinstance(form.model, str) or not is_endpoint_url(form.model.strip()):
        return ""
    return form.served_model or ""


def _format_data(form: FormValues) -> dict[str, Any]:
    """Response format and schema: Chat mode only, and the schema only when it is used (a broken
    one left in the editor must not block another run)."""
    if form.mode != Mode.CHAT.value or form.response_format in (None, ResponseFormat.TEXT.value):
        return {"response_format": ResponseFormat.TEXT.value, "json_schema": ""}
    schema = form.json_schema if form.response_format == ResponseFormat.JSON_SCHEMA.value else ""
    return {"response_format": form.response_format, "json_schema": schema}


def _params_data(form: FormValues) -> dict[str, Any]:
    """The inverse of `parameter_form_values`: each parameter from the form field of its name."""
    data: dict[str, Any] = {}
    for name, param in PARAMS.items():
        value = getattr(form, name)
        data[name] = (value or "") if param.control is Control.TEXTBOX else value
        if param.control is Control.CHECKBOX and value is None:  # an API caller that left an option out leaves it off
            data[name] = field_default(name)
        if param.random_box and (getattr(form, param.random_box.field) is True or value in (None, "")):
            data[name] = None
    return data
