"""Continue from an alternative: a Completion run restarted at one token, with another token in its place.

The new prompt is the original prompt, the answer up to (not including) token N, then the
alternative. It is an ordinary request, run through `Backend.run` like any other (same retries,
same Stop). Only Completion mode can do this: a chat answer's prefix cannot be continued portably.
"""

from __future__ import annotations

from collections.abc import Sequence

from playground.errors import InvalidParametersError
from playground.inference.probabilities import TokenOdds
from playground.input.request import GenerationRequest, Mode, parse_request


def continuation_prompt(prompt: str, tokens: Sequence[TokenOdds], index: int, alternative: str) -> str:
    """The prompt, the answer's tokens before `index` (0-based), then `alternative`."""
    return prompt + "".join(token.text for token in tokens[:index]) + alternative


def continuation_label(index: int, alternative: str) -> str:
    """What status, stats and history call the run: token N counted from 1, the alternative quoted as typed."""
    return f"Continued from token {index + 1} with {alternative!r}"


def continuation_request(request: GenerationRequest, tokens: Sequence[TokenOdds], index: int, alternative: str) -> GenerationRequest:
    """`request` with the continued prompt. Raises InvalidParametersError for Chat mode, a token
    that is not in the answer, or an alternative the token does not have."""
    if request.mode is not Mode.COMPLETION:
        raise InvalidParametersError("Token probabilities: only a Completion answer can be continued from an alternative")
    if not 0 <= index < len(tokens):
        raise InvalidParametersError("Token probabilities: that token is not in the answer shown; run it again")
    if alternative not in {alt.text for alt in tokens[index].alternatives}:
        raise InvalidParametersError("Token probabilities: that alternative is not one the model listed for this token")
    # Checked again: the longer prompt must still be one the form could send.
    return parse_request({**request.model_dump(), "prompt": continuation_prompt(request.prompt, tokens, index, alternative)})
