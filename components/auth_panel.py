"""Tokens: "Sign in with Hugging Face" on a Space, and a per-session token field as the fallback.

The field is a password box whose value lives only in the visitor's page and their own requests;
it is never echoed back, logged, or written into links and snippets.
"""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr


@dataclass(frozen=True)
class AuthPanel:
    session_token: gr.Textbox
    login: gr.LoginButton | None


def build_auth_panel(on_space: bool) -> AuthPanel:
    with gr.Row():
        login = gr.LoginButton(scale=1) if on_space else None
        session_token = gr.Textbox(
            label="Hugging Face token", type="password", placeholder="hf_… (optional, kept in this page only)",
            info="Used for your requests only. Or set HF_TOKEN when running locally.", scale=3,
        )
    return AuthPanel(session_token, login)
