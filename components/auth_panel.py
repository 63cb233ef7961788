"""Tokens: "Sign in with Hugging Face" on a Space, a per-session token field as the fallback, and
the "Endpoint token" field, for an endpoint URL that is not a Hugging Face host.

Both fields are password boxes whose values live only in the visitor's page and their own requests;
they are never echoed back, logged, stored in the browser, or written into links and snippets, and
no link, preset or history entry fills them. The words fit the place: on a Space the visitor signs
in (HF_TOKEN is the owner's setting there, never theirs); locally, whoever runs the app can set HF_TOKEN.

`ran_endpoints` is the set of endpoint URLs this visitor pressed Generate with in this session:
"Check models" sends nothing to another host's URL before that (a link, preset or history entry
may have put it in "Model").
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass

import gradio as gr

from components.context import RunContext
from components.page import Page
from components.page_open import ON_OPEN
from playground.input.model_ref import is_endpoint_url

SIGN_IN_PROMPT = (
    "**Sign in with Hugging Face** to run hosted models with your own account "
    "(or paste a token in the token field)."
)
SPACE_TOKEN_INFO = "Used for your requests only, and kept in this page only."
LOCAL_TOKEN_INFO = "Used for your requests only. Or set HF_TOKEN and restart the app."
ENDPOINT_TOKEN_INFO = "Sent only to an endpoint URL on a host that is not Hugging Face's, e.g. a vLLM or TGI server's API key."
SERVER_TOKEN_LINE = "Using the server's token (HF_TOKEN) — paste your own to override"
MAX_RAN_ENDPOINTS = 32  # a session's record of endpoint URLs run; the oldest is forgotten first


@dataclass(frozen=True)
class AuthPanel:
    session_token: gr.Textbox
    endpoint_token: gr.Textbox
    login: gr.LoginButton | None
    sign_in_prompt: gr.Markdown | None
    ran_endpoints: gr.State  # the endpoint URLs this visitor ran in this session (see the module's docstring)

    def inputs(self) -> dict[str, gr.Textbox]:
        """`inputs_kwargs` for a run's tokens, by name: the token field, then the Endpoint token."""
        return {"session_token": self.session_token, "endpoint_token": self.endpoint_token}


def build(on_space: bool, server_token: bool = False) -> AuthPanel:
    """`server_token`: the server's HF_TOKEN is in use, so the token fields fold into one line
    that says so (a presenter rarely needs them, and the first screen is short)."""
    prompt = gr.Markdown(SIGN_IN_PROMPT, elem_id="pg-sign-in") if on_space else None
    fold = gr.Accordion(SERVER_TOKEN_LINE, open=False, elem_id="pg-tokens") if server_token else nullcontext()
    with fold, gr.Row():
        login = gr.LoginButton(scale=1) if on_space else None
        session_token = gr.Textbox(
            label="Hugging Face token", type="password", placeholder="hf_… (optional, kept in this page only)",
            info=SPACE_TOKEN_INFO if on_space else LOCAL_TOKEN_INFO, scale=3,
        )
        # value="": the API's callers may leave `endpoint_token` out (a parameter with a default is optional).
        endpoint_token = gr.Textbox("", label="Endpoint token", type="password", placeholder="optional, kept in this page only",
                                    info=ENDPOINT_TOKEN_INFO, scale=2, elem_id="pg-endpoint-token")
    return AuthPanel(session_token, endpoint_token, login, prompt, gr.State([]))


def wire(ctx: RunContext, page: Page) -> None:
    """Pressing Generate (either mode) with an endpoint URL records it in `ran_endpoints`; on a
    Space, the sign-in call to action shows while the visitor has no token, signed in or typed."""
    panel = page.auth
    for button in (page.run.generate, page.run.generate_chat):
        button.click(remember_endpoint, inputs=[page.form["model"], panel.ran_endpoints], outputs=panel.ran_endpoints,
                     queue=False, api_visibility="undocumented")
    if panel.sign_in_prompt is None:
        return
    page.demo.load(sign_in_prompt_visibility, inputs=panel.session_token, outputs=panel.sign_in_prompt, **ON_OPEN)
    panel.session_token.change(sign_in_prompt_visibility, inputs=panel.session_token, outputs=panel.sign_in_prompt,
                               queue=False, api_visibility="undocumented")


def sign_in_prompt_visibility(session_token: str | None, oauth_token: gr.OAuthToken | None = None) -> dict:
    has_token = bool((session_token or "").strip()) or oauth_token is not None
    return gr.update(visible=not has_token)


def remember_endpoint(model: object, ran: object) -> list[str]:
    """`ran` with `model` added when it is an endpoint URL (most recent last, at most MAX_RAN_ENDPOINTS)."""
    known = [url for url in ran if isinstance(url, str)] if isinstance(ran, list) else []
    if not isinstance(model, str) or not is_endpoint_url(model.strip()):
        return known
    url = model.strip()
    return [*[u for u in known if u != url], url][-MAX_RAN_ENDPOINTS:]
