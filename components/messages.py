"""Typed errors and run events turned into words, once, at the UI edge.

Each error message says what happened and what the presenter can do about it.
"""

from __future__ import annotations

import html

from playground import errors as e
from playground.inference.events import RunStats, Silence, Waiting
from playground.local.setup import INSTALL_HINT

# Gradio 6.31's live region announces each finished event as its word for "common.complete", which
# its English words lack: a screen reader read the raw key. English is every locale's fallback.
GRADIO_WORDS = {"en": {"common.complete": "Done"}}

GAP_SHOWN_AFTER = 3.0  # seconds: a pause between tokens shorter than this is not worth a notice

_ADVICE: dict[type[e.PlaygroundError], tuple[str, str]] = {
    e.EmptyPromptError: ("Type a prompt first", "Write something in Prompt, then press Generate (or Ctrl+Enter)."),
    e.InvalidModelError: ("That model name can't be used", "Enter a Hub model ID like `org/name`, or an http(s) endpoint URL."),
    e.InvalidParametersError: ("A setting is out of range", "Fix the setting named above and press Generate again."),
    e.MissingTokenError: ("This model needs a Hugging Face token", "Paste a token in the token field, or set HF_TOKEN and restart the app."),
    e.LocalModelMissingError: ("The built-in model isn't installed here", f"Install it with `{INSTALL_HINT}` and restart the app, or pick a hosted model."),
    e.InvalidTokenError: ("The Hugging Face token was refused", "Check the token (it may be revoked or mistyped), or sign in again."),
    e.EndpointTokenRefusedError: ("The endpoint refused the token", "Check the Endpoint token (for a Hugging Face endpoint, your Hugging Face token); your Hugging Face token is never sent to other hosts."),
    e.GatedModelError: ("This model is gated or private", "Open the model page on the Hub and accept its licence, or use a token that has access."),
    e.OutOfCreditsError: ("No inference credits left", "Add credits or a payment method on your Hugging Face account, or pick another provider or the local model."),
    e.ModelNotFoundError: ("Model not found", "Check the spelling of the model ID, or pick another model."),
    e.NotServedError: ("This model isn't served for this task or provider", "Switch Mode (Chat/Completion), pick another provider, or pick another model."),
    e.NoRouteError: ("No TGI or OpenAI route at this endpoint", "Check the endpoint URL (the server's address, with or without /v1) and the Served model."),
    e.RequestRejectedError: ("The server refused the request", "Lower Max new tokens or shorten the prompt, or adjust the setting it names."),
    e.GenerationFailedError: ("Generation failed part-way", "Press Generate to try again; the text received so far is kept."),
    e.EndpointRedirectError: ("The endpoint answered with a redirect", "Redirects from endpoint URLs are not followed. If you trust the new address, enter it as the model."),
    e.CutOffError: ("The answer was cut off", "The connection closed before the model finished; the text received so far is kept. Press Generate to try again."),
    e.TimedOutError: ("The model did not answer in time", "Try again in a moment, pick another provider, or use the local model."),
    e.ConnectionFailedError: ("The server can't be reached", "Check the endpoint URL or your network, or use the local model."),
    e.RateLimitedError: ("Rate limited", "Wait a minute or sign in with your own token."),
    e.ServiceUnavailableError: ("The service is unavailable", "Try again shortly or pick another provider."),
    e.ModelLoadingError: ("The model is still loading", "Try again in a minute, or use the local model meanwhile."),
    e.ServerError: ("The server answered with an error", "Try again, or pick another provider or model."),
}


# On a Space the visitor can sign in, and HF_TOKEN is the owner's setting, not theirs.
_SPACE_TOKEN_ADVICE = "Sign in with Hugging Face (the button above), or paste a token in the token field."


def error_title_and_advice(error: e.PlaygroundError) -> tuple[str, str]:
    if isinstance(error, e.MissingTokenError) and error.on_space:
        return _ADVICE[e.MissingTokenError][0], _SPACE_TOKEN_ADVICE
    for cls in type(error).__mro__:
        if cls in _ADVICE:
            return _ADVICE[cls]  # type: ignore[index]
    return _ADVICE[e.ServerError]


def error_text(error: e.PlaygroundError) -> str:
    """One line: title, the server's own words, and what to do. HTML-escaped, because a toast
    (gr.Warning) renders HTML and the detail is a foreign server's text."""
    title, advice = error_title_and_advice(error)
    detail = f" ({error.detail})" if error.detail else ""
    return html.escape(f"{title}{detail}. {advice}", quote=False)


def error_html(error: e.PlaygroundError) -> str:
    title, advice = error_title_and_advice(error)
    detail = f"<div class='pg-detail'>{html.escape(error.detail)}</div>" if error.detail else ""
    return f"<div class='pg-status pg-error' role='alert'><strong>{html.escape(title)}</strong>{detail}<div>{html.escape(advice)}</div></div>"


def waiting_text(event: Waiting) -> str:
    """E.g. "Model is loading — attempt 2, about 14 s left"."""
    # The server's estimate counts down with the wait, so the headline never stands still while time passes.
    estimate_left = None if event.estimate is None else event.estimate - (event.wait_length - event.seconds_left)
    left = max(event.seconds_left, estimate_left) if estimate_left is not None else event.seconds_left
    return f"{event.reason.value} — attempt {event.attempt}, about {max(1, round(left))} s left"


def waiting_html(event: Waiting) -> str:
    done = max(0.0, event.wait_length - event.seconds_left)
    return (
        "<div class='pg-status pg-waiting' role='status'>"
        f"<strong>{html.escape(waiting_text(event))}</strong>"
        f"<progress value='{done:.2f}' max='{event.wait_length:.2f}'></progress>"
        f"<div class='pg-detail'>Retrying by itself; waited {event.waited:.0f} s, gives up in {event.deadline_left:.0f} s. Stop cancels.</div>"
        "</div>"
    )


def worth_showing(silence: Silence) -> bool:
    """Whether a pause deserves a notice: a second before the first token, GAP_SHOWN_AFTER between two."""
    return silence.seconds >= (1.0 if silence.first_token else GAP_SHOWN_AFTER)


def silence_text(event: Silence) -> str:
    """E.g. "Waiting for the first token — 12 s"."""
    what = "Waiting for the first token" if event.first_token else "Waiting for the next token"
    return f"{what} — {int(event.seconds)} s"


def silence_html(event: Silence) -> str:
    return (
        "<div class='pg-status pg-waiting' role='status'>"
        f"<strong>{html.escape(silence_text(event))}</strong>"
        f"<div class='pg-detail'>{_silence_detail(event)} Gives up after {event.limit:.0f} s; Stop cancels.</div>"
        "</div>"
    )


def _silence_detail(event: Silence) -> str:
    if event.first_token:
        return "The request was sent; the model has not started answering."
    return "The model paused part-way; the text so far is kept."


def info_html(text: str) -> str:
    return f"<div class='pg-status pg-info' role='status'>{html.escape(text)}</div>"


FALLBACK_IDLE = "Run on …"  # the hidden "Run on <model>" button's label between offers
STOPPED = info_html("Stopped.")  # the "Stopped." panel's only value: Stop and runs only show or hide it


def stats_text(stats: RunStats) -> str:
    """E.g. "First token 0.41 s · total 2.3 s · 57 tokens · 30.2 tokens/s · seed 42"."""
    first = "—" if stats.time_to_first_token is None else f"{stats.time_to_first_token:.2f} s"
    speed = "—" if stats.tokens_per_second is None else f"{stats.tokens_per_second:.1f}"
    parts = [f"First token {first}", f"total {stats.total_time:.2f} s", f"{stats.tokens} tokens", f"{speed} tokens/s"]
    if stats.seed is not None:
        parts.append(f"seed {stats.seed}")
    if stats.attempts > 1:
        parts.append(f"{stats.attempts} attempts")
    if stats.ignored_params:
        parts.append(ignored_text(stats.ignored_params))
    return " · ".join(parts)


def ignored_text(names: tuple[str, ...] | list[str]) -> str:
    """E.g. "seed ignored by this model": parameters the model refused, so the run went without them."""
    return f"{', '.join(names)} ignored by this model"
