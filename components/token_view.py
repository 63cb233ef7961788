"""The answer as tokens, in HTML: each token tinted by its probability, its alternatives on click.

Each token is a button tinted by its probability band (a legend names the bands). Clicking,
tapping or focusing it with the keyboard opens its alternatives with their percentages, the
chosen one marked (pure CSS, `:focus-within`). In Completion mode each alternative is a button
too, which `components/probs_panel.py` turns into a continuation. Every text is HTML-escaped: it
is a foreign server's.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import gradio as gr

from playground.inference.probabilities import BANDS, Summary, TokenOdds, asks_for_probabilities, shown_alternatives, summarise, tint_band
from playground.input.request import GenerationRequest

NONE_SENT = "no token probabilities from this model/provider"
CHAT_NOTE = "In Chat mode the alternatives are shown, not offered as continuations: a chat answer can't be continued portably."
# In the page's CSS once (components/style.py), for every token view: Playground, Compare panes, history.
CSS = """
.pg-odds-tokens { line-height: 2; white-space: pre-wrap; font-family: ui-monospace, monospace; }
.pg-tok-wrap { position: relative; display: inline; }
.pg-tok { border: 0; padding: 0 1px; margin: 0; font: inherit; color: #111; border-radius: 3px; cursor: pointer; white-space: pre; }
.pg-tok:focus { outline: 2px solid #1f5fd6; }
.pg-tint-0 { background: #f4a3a3; } .pg-tint-1 { background: #f8c99b; } .pg-tint-2 { background: #f6e7a1; }
.pg-tint-3 { background: #cde9c4; } .pg-tint-4 { background: transparent; }
.pg-alts { display: none; position: absolute; left: 0; top: 1.8em; z-index: 20; min-width: 14rem; background: #fff; color: #111;
           border: 1px solid #999; border-radius: 6px; padding: 0.3rem; box-shadow: 0 2px 8px rgba(0,0,0,0.2); white-space: nowrap;
           line-height: 1.4; }
.pg-tok-wrap:focus-within .pg-alts { display: block; }
.pg-alts ol { margin: 0; padding-left: 0; list-style: none; }
.pg-alt, .pg-alt-text { display: flex; justify-content: space-between; gap: 1rem; width: 100%; border: 0; background: none;
                        font: inherit; padding: 0.1rem 0.3rem; text-align: left; color: inherit; }
.pg-alt { cursor: pointer; } .pg-alt:hover, .pg-alt:focus { background: #e8f0ff; }
.pg-chosen { font-weight: bold; }
.pg-odds-legend { font-size: 0.85em; margin-bottom: 0.3rem; }
.pg-odds-legend span { padding: 0 0.3rem; border-radius: 3px; margin-right: 0.2rem; }
"""


def answer_html(tokens: Sequence[TokenOdds], continuable: bool, note: str | None = CHAT_NOTE) -> str:
    """The tinted answer with its legend; `continuable` makes each alternative a button. `note`:
    the line saying why alternatives are not continuations, when they are not (None: no line)."""
    body = "".join(_token_html(index, token, continuable) for index, token in enumerate(tokens))
    return f"{_head(continuable, note=note)}{body}</div></div>"


def streaming_html(tokens: Sequence[TokenOdds]) -> str:
    """The tinted tokens while the answer streams, without their alternatives (drawn once it is
    done). Each update only adds to the end of the last one, tags left open for the browser to
    close, so Gradio sends only what was added (its diff of a text that grows is an append)."""
    body = "".join(f'<span class="pg-tok pg-tint-{tint_band(token.probability)}">{html.escape(token.text)}</span>' for token in tokens)
    return _head(continuable=False, streaming=True) + body


def _head(continuable: bool, streaming: bool = False, note: str | None = CHAT_NOTE) -> str:
    legend = "".join(f'<span class="pg-tint-{band}">{html.escape(words)}</span>' for band, words in enumerate(BANDS))
    how = "Alternatives once the answer is done." if streaming else (
        "Click a token for its alternatives" + ("; click an alternative to continue from it." if continuable else "."))
    note = "" if continuable or streaming or not note else f'<div class="pg-odds-note">{html.escape(note)}</div>'
    return f'<div class="pg-odds"><div class="pg-odds-legend">Token probabilities: {legend} {how}</div>{note}<div class="pg-odds-tokens">'


def _token_html(index: int, token: TokenOdds, continuable: bool) -> str:
    percent = f"{100 * token.probability:.1f} %"
    label = f"token {index + 1}: {token.text!r}, {percent}"
    items = "".join(_alternative_html(index, line.text, line.percent, line.chosen, continuable) for line in shown_alternatives(token))
    return (f'<span class="pg-tok-wrap"><button type="button" class="pg-tok pg-tint-{tint_band(token.probability)}" '
            f'data-index="{index}" data-probability="{token.probability:.4f}" aria-label="{html.escape(label)}" '
            f'title="{percent}">{html.escape(token.text)}</button>'
            f'<span class="pg-alts" role="group" aria-label="Alternatives for token {index + 1}"><ol>{items}</ol></span></span>')


def _alternative_html(index: int, text: str | None, percent: float, chosen: bool, continuable: bool) -> str:
    shown = "other" if text is None else html.escape(repr(text))
    words = f"<span>{shown}{' (chosen)' if chosen else ''}</span> <span>{percent:.1f} %</span>"
    style = " pg-chosen" if chosen else ""
    if text is None or chosen or not continuable:
        return f'<li><span class="pg-alt-text{style}">{words}</span></li>'
    return (f'<li><button type="button" class="pg-alt" data-index="{index}" data-alt="{html.escape(text, quote=True)}">'
            f"{words}</button></li>")


def summary_text(summary: Summary | None) -> str:
    """The stats line's addition: mean log-probability, perplexity, picks under 10 %; or that none came."""
    if summary is None:
        return NONE_SENT
    return (f"mean log-prob {summary.mean_logprob:.2f} · perplexity {summary.perplexity:.2f} · "
            f"{summary.unlikely} of {summary.tokens} tokens under 10 %")


def view_update(tokens: Sequence[TokenOdds], continuable: bool) -> dict:
    """The view for a run with probabilities on: tinted tokens, or hidden (plain text only) when none came."""
    if not tokens:
        return gr.update(value="", visible=False)
    return gr.update(value=answer_html(tokens, continuable), visible=True)


def finished_summary(request: GenerationRequest, tokens: Sequence[TokenOdds]) -> str | None:
    """The stats line's addition for a finished run, or None when the option was off."""
    return summary_text(summarise(tokens)) if asks_for_probabilities(request.params) else None
