"""Turns the raw values of the form (as Gradio's API delivers them, untrusted) into a request.

Every value is checked here on the server, with messages that name the control by its label.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from huggingface_hub.inference._providers import PROVIDERS
from pydantic import ValidationError

from playground.errors import InvalidParametersError
from playground.model_ref import check_model_syntax
from playground.params import GenerationParams, field_label
from playground.request import DEFAULT_PROVIDER, MAX_PROMPT_CHARS, GenerationRequest, Mode

PROVIDER_CHOICES: tuple[str, ...] = (DEFAULT_PROVIDER, "hf-inference", *sorted(p for p in PROVIDERS if p != "hf-inference"))


@dataclass(frozen=True)
class FormValues:
    model: Any
    provider: Any
    mode: Any
    system_prompt: Any
    prompt: Any
    temperature: Any
    max_new_tokens: Any
    seed: Any
    random_seed: Any
    top_p: Any
    top_k: Any
    repetition_penalty: Any
    stop: Any


def request_from_form(form: FormValues) -> GenerationRequest:
    """A validated request with a concrete seed. Raises InvalidModelError or InvalidParametersError."""
    settings = settings_from_form(form)
    return replace(settings, prompt=_prompt(form.prompt), params=settings.params.with_resolved_seed())


def settings_from_form(form: FormValues) -> GenerationRequest:
    """Everything but the prompt (left empty), validated; `seed=None` when the form asks for a random one."""
    return GenerationRequest(
        model=check_model_syntax(_text(form.model, "Model")),
        prompt="",
        mode=_mode(form.mode),
        provider=_provider(form.provider),
        system_prompt=_bounded(_text(form.system_prompt or "", "System prompt"), "System prompt"),
        params=params_from_form(form),
    )


def params_from_form(form: FormValues) -> GenerationParams:
    values = {
        "temperature": form.temperature,
        "max_new_tokens": form.max_new_tokens,
        "seed": None if form.random_seed is True or form.seed in (None, "") else form.seed,
        "top_p": form.top_p,
        "top_k": form.top_k,
        "repetition_penalty": form.repetition_penalty,
        "stop": form.stop or "",
    }
    try:
        return GenerationParams.model_validate(values)
    except ValidationError as error:
        raise InvalidParametersError(_describe(error)) from error


def _describe(error: ValidationError) -> str:
    problems = []
    for item in error.errors():
        name = str(item["loc"][0]) if item["loc"] else ""
        label = field_label(name) if name in GenerationParams.model_fields else name
        problems.append(f"{label}: {item['msg']}")
    return "; ".join(problems)


def _text(value: Any, label: str) -> str:
    if not isinstance(value, str):
        raise InvalidParametersError(f"{label}: must be text")
    return value


def _prompt(value: Any) -> str:
    prompt = _text(value, "Prompt")
    if not prompt.strip():
        raise InvalidParametersError("Prompt: type something to send")
    return _bounded(prompt, "Prompt")


def _bounded(text: str, label: str) -> str:
    if len(text) > MAX_PROMPT_CHARS:
        raise InvalidParametersError(f"{label}: at most {MAX_PROMPT_CHARS} characters")
    return text


def _mode(value: Any) -> Mode:
    try:
        return Mode(value)
    except ValueError:
        raise InvalidParametersError(f"Mode: must be {Mode.COMPLETION.value} or {Mode.CHAT.value}") from None


def _provider(value: Any) -> str:
    if value not in PROVIDER_CHOICES:
        raise InvalidParametersError("Provider: not a provider huggingface_hub knows")
    return str(value)
