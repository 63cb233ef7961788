"""huggingface_hub's process-wide record of parameters a model refused, and the message that names them.

Checked against huggingface_hub 2.4.0: when a text-generation server answers 400 "The following
`model_kwargs` are not used by the model: [...]", InferenceClient records those names in
`inference._common._UNSUPPORTED_TEXT_GENERATION_KWARGS` (a dict keyed by the call's `model`
argument: None for a client built with its model) and calls again without them; with `stream=True`
that second call raises ValueError instead of sending anything, and every later streamed call in
the process with the same key fails the same way. `playground.hf.refused_params` therefore clears
the record around each call (`forget_refusals`) and reads the names itself, with the pattern the
client uses (`inference._client.MODEL_KWARGS_NOT_USED_REGEX`), so both always agree.
"""

from __future__ import annotations

from huggingface_hub.inference import _common as inference_common
from huggingface_hub.inference._client import MODEL_KWARGS_NOT_USED_REGEX


def names_not_used(message: str) -> frozenset[str] | None:
    """The parameter names a "model_kwargs are not used" message lists; None if `message` is not one."""
    match = MODEL_KWARGS_NOT_USED_REGEX.search(message)
    if match is None:
        return None
    return frozenset(name.strip("' \"") for name in match.group(1).split(",") if name.strip("' \""))


def forget_refusals(model: str | None) -> None:
    """Clears huggingface_hub's process-wide record of refused parameters for these keys."""
    for key in (None, model):
        inference_common._UNSUPPORTED_TEXT_GENERATION_KWARGS.pop(key, None)
