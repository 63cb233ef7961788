"""Generation parameters, declared once.

Each field of `GenerationParams` carries everything about its parameter: bounds, default, label
and help text (pydantic's `Field`), and a `Param` beside its type saying which control shows it,
where, and how it is sent: its keyword for TGI's `text_generation`, for the chat API's
`chat_completion` and for llama.cpp's sampler, and the value that means "off" (not sent). The form,
the controls, the InferenceClient call and the local server are all built from this one
declaration, so a value sent straight to Gradio's HTTP API is checked exactly like one set with a
slider, and adding a parameter is adding a field here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

SEED_MAX = 2**32 - 1
MAX_STOP_SEQUENCES = 4

Wire = Literal["tgi", "chat", "llama"]  # the protocols a parameter is sent by


class Control(str, Enum):
    """The kind of control that shows a parameter."""

    SLIDER = "slider"
    NUMBER = "number"  # a whole number, typed in
    TEXTBOX = "textbox"  # a list of short texts, one per line
    CHECKBOX = "checkbox"  # an option, on or off


@dataclass(frozen=True)
class RandomBox:
    """A box beside a parameter's control that, ticked, asks for None (a fresh random value)."""

    field: str  # its own form field, right after the parameter's
    label: str
    info: str


class _SentAlways:
    def __repr__(self) -> str:
        return "SENT_ALWAYS"


SENT_ALWAYS: Any = _SentAlways()  # `Param.off` for a parameter that has no "off" value


@dataclass(frozen=True)
class Param:
    """How a parameter is shown and sent. A wire name of None means "not sent by that protocol":
    a parameter applies to Completion mode when it has a `tgi` name and to Chat mode when it has a
    `chat` name."""

    control: Control
    step: float = 1  # a slider's step
    advanced: bool = False  # in the "Advanced" accordion, not the main column
    random_box: RandomBox | None = None
    tgi: str | None = None  # InferenceClient.text_generation keyword (TGI's `parameters`)
    chat: str | None = None  # InferenceClient.chat_completion keyword (OpenAI's chat body)
    # llama.cpp's `Llama.generate` keyword, for a sampler option the local engine passes straight
    # on; None for what the engine handles itself (length, temperature, seed, stop sequences).
    llama: str | None = None
    # The value that means "off": not sent, so servers that lack the parameter still answer.
    off: Any = SENT_ALWAYS
    first: bool = False  # sent ahead of the others: the call's length and seed lead, as View code shows them
    # TGI refuses temperature 0: a greedy Completion run sends do_sample=False and leaves this out.
    unsent_when_greedy: bool = False
    # TGI samples whenever a sampling filter is set, and greedy decoding ignores it (the local server's rule).
    sampling_filter: bool = False
    # An option that asks for more than one value on the wire: what each protocol sends when it is on,
    # as (keyword, value) pairs; the `tgi`/`chat` names above then only say that the protocol sends it.
    sends_when_on: tuple[tuple[Wire, tuple[tuple[str, Any], ...]], ...] = ()

    def wire_name(self, protocol: Wire) -> str | None:
        return {"tgi": self.tgi, "chat": self.chat, "llama": self.llama}[protocol]

    @property
    def in_completion(self) -> bool:
        return self.tgi is not None

    @property
    def in_chat(self) -> bool:
        return self.chat is not None

    def is_off(self, value: Any) -> bool:
        return self.off is not SENT_ALWAYS and value == self.off

    def wire_values(self, protocol: Wire, value: Any) -> dict[str, Any]:
        """What this parameter puts on the wire in `protocol` (nothing when off or not sent there)."""
        keyword = self.wire_name(protocol)
        if keyword is None or self.is_off(value):
            return {}
        sends = dict(self.sends_when_on).get(protocol)
        if sends is not None:
            return dict(sends)
        return {keyword: list(value) if isinstance(value, tuple) else value}


def sendable_text(value: Any) -> Any:
    """A pydantic before-validator: refuses text that cannot be sent as UTF-8 (a lone surrogate such
    as "\\ud800") in words, where pydantic would say "unable to parse raw data as a unicode string"."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("holds a character that is not valid Unicode (a lone surrogate); remove it") from None
    return value


# How many alternatives "Token probabilities" asks for per token (TGI's top_n_tokens, chat's top_logprobs).
TOP_ALTERNATIVES = 5
_PROBABILITIES_SENT: tuple[tuple[Wire, tuple[tuple[str, Any], ...]], ...] = (
    ("tgi", (("top_n_tokens", TOP_ALTERNATIVES),)),
    ("chat", (("logprobs", True), ("top_logprobs", TOP_ALTERNATIVES))),
)

_RANDOM_SEED = RandomBox("random_seed", "Random seed", "The seed used is shown after the run.")


class GenerationParams(BaseModel):
    """What the user tunes, in the order of the form. `seed=None` asks for a random seed, chosen by `with_resolved_seed`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    temperature: Annotated[float, Param(Control.SLIDER, step=0.05, tgi="temperature", chat="temperature", unsent_when_greedy=True)] = Field(
        0.7, title="Temperature", ge=0.0, le=2.0, description="Higher is more varied; 0 always picks the likeliest token."
    )
    max_new_tokens: Annotated[int, Param(Control.SLIDER, tgi="max_new_tokens", chat="max_tokens", first=True)] = Field(
        256, title="Max new tokens", ge=1, le=4096, description="Upper bound on the answer's length."
    )
    seed: Annotated[int | None, Param(Control.NUMBER, random_box=_RANDOM_SEED, tgi="seed", chat="seed", first=True)] = Field(
        None, title="Seed", ge=0, le=SEED_MAX, description="Same seed and settings, same text."
    )
    top_p: Annotated[float, Param(Control.SLIDER, step=0.01, advanced=True, tgi="top_p", chat="top_p", llama="top_p", off=1.0,
                                  unsent_when_greedy=True, sampling_filter=True)] = Field(
        1.0, title="Top-p", gt=0.0, le=1.0,
        description="Sample only from the smallest set of tokens whose probability adds up to this; 1 turns it off.",
    )
    top_k: Annotated[int, Param(Control.SLIDER, advanced=True, tgi="top_k", llama="top_k", off=0, sampling_filter=True)] = Field(
        0, title="Top-k", ge=0, le=1000, description="Sample only from the k likeliest tokens; 0 turns it off."
    )
    repetition_penalty: Annotated[float, Param(Control.SLIDER, step=0.01, advanced=True, tgi="repetition_penalty",
                                               llama="repeat_penalty", off=1.0)] = Field(
        1.0, title="Repetition penalty", ge=0.5, le=2.0, description="Above 1 discourages repeating earlier text; 1 turns it off."
    )
    frequency_penalty: Annotated[float, Param(Control.SLIDER, step=0.01, advanced=True, tgi="frequency_penalty", chat="frequency_penalty",
                                              llama="frequency_penalty", off=0.0)] = Field(
        0.0, title="Frequency penalty", ge=-2.0, le=2.0,
        description="Above 0 discourages tokens in proportion to how often they already appeared; 0 turns it off.",
    )
    stop: Annotated[tuple[str, ...], Param(Control.TEXTBOX, advanced=True, tgi="stop", chat="stop", off=())] = Field(
        (), title="Stop sequences", max_length=MAX_STOP_SEQUENCES, description="Generation ends where one of these appears."
    )

    token_probabilities: Annotated[bool, Param(Control.CHECKBOX, advanced=True, tgi="top_n_tokens", chat="logprobs", off=False, sends_when_on=_PROBABILITIES_SENT)] = Field(
        False, title="Token probabilities",
        description="Show each token tinted by its probability, with its top 5 alternatives; many providers send none.",
    )

    @field_validator("stop", mode="before")
    @classmethod
    def _split_stop_text(cls, value: Any) -> Any:
        """Accepts the UI's text box form: one stop sequence per line, blank lines ignored."""
        if isinstance(value, str):
            return tuple(line for line in sendable_text(value).splitlines() if line.strip())
        return tuple(sendable_text(item) for item in value) if isinstance(value, (list, tuple)) else value

    @field_validator("stop")
    @classmethod
    def _stop_sequences_are_short(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(len(item) > 50 for item in value):
            raise ValueError("each stop sequence must be at most 50 characters")
        return value

    @property
    def greedy(self) -> bool:
        """Temperature 0: always the likeliest token."""
        return self.temperature == 0

    def with_resolved_seed(self, rng: random.Random | None = None) -> GenerationParams:
        """Returns a copy with a concrete seed: the one asked for, or a fresh random one."""
        if self.seed is not None:
            return self
        return self.model_copy(update={"seed": (rng or random.SystemRandom()).randint(0, SEED_MAX)})

    def unseeded(self) -> GenerationParams:
        """A copy with no seed: what Random seed sends before the run makes one."""
        return self.model_copy(update={"seed": None})


def _declared_params() -> dict[str, Param]:
    """Each field's `Param`, in declaration order. Raises TypeError for a field declared without one."""
    declared = {}
    for name, info in GenerationParams.model_fields.items():
        found = [rule for rule in info.metadata if isinstance(rule, Param)]
        if len(found) != 1:
            raise TypeError(f"GenerationParams.{name} needs exactly one Param beside its type")
        declared[name] = found[0]
    return declared


PARAMS: dict[str, Param] = _declared_params()


def field_rules(name: str) -> list[Any]:
    """The pydantic constraints of field `name` (bounds, lengths), for a schema that accepts the same values."""
    return [rule for rule in GenerationParams.model_fields[name].metadata if not isinstance(rule, Param)]


def field_bounds(name: str) -> tuple[float | None, float | None]:
    """The (lowest, highest) value a numeric field accepts, for building its slider."""
    low = high = None
    for rule in field_rules(name):
        low = getattr(rule, "ge", None) if getattr(rule, "ge", None) is not None else low
        low = getattr(rule, "gt", None) if getattr(rule, "gt", None) is not None else low
        high = getattr(rule, "le", None) if getattr(rule, "le", None) is not None else high
    return low, high


def lowest_is_excluded(name: str) -> bool:
    """Whether the lowest bound itself is refused (`gt`, as Top-p's 0)."""
    return any(getattr(rule, "gt", None) is not None for rule in field_rules(name))


def field_default(name: str) -> Any:
    return GenerationParams.model_fields[name].default


def field_help(name: str) -> str:
    return GenerationParams.model_fields[name].description or ""


def field_label(name: str) -> str:
    """The visible label of a parameter, e.g. "Max new tokens"."""
    return GenerationParams.model_fields[name].title or name
