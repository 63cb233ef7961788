"""The page's CSS: the status panel must be impossible to miss during a live demo. And the class
"Big text" adds to the prompt and answer areas it enlarges."""

from __future__ import annotations

from typing import Any

import gradio as gr

from components.token_view import CSS as TOKEN_VIEW_CSS

BIG_CLASS = "pg-big"

CSS = """
.pg-status { padding: 0.75rem 1rem; border-radius: 8px; border: 1px solid; }
.pg-status progress { width: 100%; height: 0.6rem; margin-top: 0.4rem; }
.pg-status .pg-detail { font-size: 0.9em; margin-top: 0.2rem; }
/* Every card kind has its own colours in both themes, set on the card and everything in it: in dark
   mode Gradio's prose colours would otherwise put near-white text on the light card (issue 20).
   Each pair is at least 4.5:1 (WCAG AA); tests/browser/test_browser_presenter.py measures it. */
.pg-status, .pg-status * { color: var(--pg-card-text, inherit) !important; }
.pg-waiting { --pg-card-text: #5a3b00; background: #fff7e6; border-color: #f0a020; }
.pg-error { --pg-card-text: #611; background: #fdecec; border-color: #d33; }
.pg-info { --pg-card-text: #123; background: #eef5ff; border-color: #79a6f2; }
.pg-valid { --pg-card-text: #0f3d1e; background: #e9f7ee; border-color: #2e9e4f; }
.pg-invalid { --pg-card-text: #4a2a00; background: #fff4e5; border-color: #e07b00; }
.dark .pg-waiting { --pg-card-text: #ffe3a3; background: #3a2a00; border-color: #f0a020; }
.dark .pg-error { --pg-card-text: #ffd6d6; background: #3d1212; border-color: #ff6b6b; }
.dark .pg-info { --pg-card-text: #dbe8ff; background: #10233f; border-color: #79a6f2; }
.dark .pg-valid { --pg-card-text: #c8f0d4; background: #0f2e1a; border-color: #2e9e4f; }
.dark .pg-invalid { --pg-card-text: #ffe0b3; background: #3a2400; border-color: #e07b00; }
.pg-big textarea, .pg-big .message-content, .pg-big .message-content *, .pg-big td, .pg-big td * {
  font-size: 1.6rem !important; line-height: 1.4 !important; }
/* Big text makes the Prompt taller: the conversation gives up the room, so Generate stays in sight. */
#pg-conversation.pg-big { height: max(180px, calc(100vh - 720px)) !important; }
.pg-preflight { list-style: none; padding: 0; margin: 0; }
.pg-light { padding: 0.35rem 0.5rem; border-left: 6px solid #999; margin: 0.2rem 0; }
.pg-light .pg-dot { display: inline-block; width: 0.75rem; height: 0.75rem; border-radius: 50%; background: #999; margin-right: 0.4rem; }
.pg-light-green { border-color: #2e9e4f; } .pg-light-green .pg-dot { background: #2e9e4f; }
.pg-light-amber { border-color: #f0a020; } .pg-light-amber .pg-dot { background: #f0a020; }
.pg-light-red { border-color: #d33; } .pg-light-red .pg-dot { background: #d33; }
/* The keyboard hint on Generate; the alt text after "/" keeps the button's name "Generate". */
#pg-generate::after, #pg-generate-chat::after { content: "Ctrl+Enter" / ""; font-size: 0.75em; font-weight: normal; opacity: 0.75; margin-left: 0.5em; }
/* A tighter rhythm in the Playground tab: at 1280×800 the Prompt and Generate stay on the first screen. */
#pg-playground { --layout-gap: 10px; --form-gap-width: 10px; }
/* Provider and Mode share a narrow column beside Model and Search (the model's name and the search
   hint stay whole at 1280 px); tighter choices keep the row no taller than the Model beside it. */
#pg-provider-mode > .form { gap: 0 !important; }
#pg-provider-mode label:has(> input[type=radio]) { padding: 2px 10px; }
#pg-provider-mode .wrap { gap: 4px; }
/* Compare: up to 3 panes share one row at 1280 px and 4 at 1600 px, wrapping only below that. */
#pg-pane-a, #pg-pane-b, #pg-pane-c, #pg-pane-d { min-width: min(200px, 100%) !important; }
/* Sweep: a header too long for its column wraps rather than being cut short. */
#pg-sweep-table th, #pg-sweep-table th * { white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }
/* A choice that can't be picked looks it (e.g. JSON for a model without structured output). */
label:has(> input:disabled) { opacity: 0.5; cursor: not-allowed; }
.pg-light-word { text-transform: uppercase; font-size: 0.8em; letter-spacing: 0.04em; opacity: 0.8; }
""" + TOKEN_VIEW_CSS  # once for the page, not once per token view (each view's config would carry a copy)


def big_text_update(target: Any, big: bool) -> dict:
    """An update giving `target` (a component, or None for one being built) its own classes, plus
    BIG_CLASS when `big`."""
    classes = getattr(target, "elem_classes", None) or []
    own = [c for c in ([classes] if isinstance(classes, str) else classes) if c != BIG_CLASS]
    return gr.update(elem_classes=[*own, *big_classes(big)])


def big_classes(big: bool) -> list[str]:
    """The classes Big text gives an area being built."""
    return [BIG_CLASS] if big else []
