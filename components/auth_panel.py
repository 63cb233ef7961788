"""Tokens: "Sign in with Hugging Face" on a Space, and a per-session token field as the fallback.

The field is a password box whose value lives only in the visitor's page and their own requests;
it is never echoed back, logged, or written into links and snippets. Its words fit the place: on a
Space the visitor signs in (HF_TOKEN is the owner's setting there, never theirs); locally, whoever
runs the app can set HF_TOKEN.
"""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from components.context import RunContext
from components.page import Page

SIGN_IN_PROMPT = (
    "**Sign in with Hugging Face** to run hosted models with your own account "
    "(or paste a token in the token field)."
)
SPACE_TOKEN_INFO = "Used for your requests only, and kept in this page only."
LOCAL_TOKEN_INFO = "Used for your requests only. Or set HF_TOKEN and restart the app."


@dataclass(frozen=True)
class AuthPanel:
    session_token: gr.Textbox
    login: gr.LoginButton | None
    sign_in_prompt: gr.Markdown | None


def build(on_space: bool) -> AuthPanel:
    prompt = gr.Markdown(SIGN_IN_PROMPT, elem_id="pg-sign-in") if on_space else None
    with gr.Row():
        login = gr.LoginButton(scale=1) if on_space else None
        session_token = gr.Textbox(
            label="Hugging Face token", type="password", placeholder="hf_… (optional, kept in this page only)",
            info=SPACE_TOKEN_INFO if on_space else LOCAL_TOKEN_INFO, scale=3,
        )
    return AuthPanel(session_token, login, prompt)


def wire(ctx: RunContext, page: Page) -> None:
    """The sign-in call to action shows while the visitor has no token, signed in or typed."""
    panel = page.auth
    if panel.sign_in_prompt is None:
        return
    page.demo.load(sign_in_prompt_visibility, inputs=panel.session_token, outputs=panel.sign_in_prompt, queue=False, api_visibility="undocumented")
    panel.session_token.change(sign_in_prompt_visibility, inputs=panel.session_token, outputs=panel.sign_in_prompt,
                               queue=False, api_visibility="undocumented")


def sign_in_prompt_visibility(session_token: str | None, oauth_token: gr.OAuthToken | None = None) -> dict:
    has_token = bool((session_token or "").strip()) or oauth_token is not None
    return gr.update(visible=not has_token)
