"""No token huggingface_hub would find by itself: the server's token travels only when passed on purpose.

Checked against huggingface_hub 2.4.0: given no token, `get_token()` (utils/_auth.py) looks in the
environment (HF_TOKEN, HUGGING_FACE_HUB_TOKEN, the HF_OIDC_* exchange) and in the token file at
`constants.HF_TOKEN_PATH`, and the Hub lookups inside InferenceClient send what it finds. On a Space
that is the owner's token; locally the server's token must not reach an endpoint URL a visitor
typed. huggingface_hub reads HF_HUB_DISABLE_IMPLICIT_TOKEN and the token path once, at import, into
`constants`, so those module attributes are set here as well as the environment.
The run scope and request guard of `playground.hf.outbound` hold the line for each request.
"""

from __future__ import annotations

import os

from huggingface_hub import constants

# Where huggingface_hub finds a token it was not given (utils/_auth.py `get_token`).
IMPLICIT_TOKEN_VARIABLES = ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_OIDC_RESOURCE", "HF_OIDC_ID_TOKEN")


def isolate_tokens() -> None:
    """Removes every token huggingface_hub would find by itself. Call once at start-up, after the
    settings have read HF_TOKEN: the server's token then only travels when passed explicitly."""
    os.environ["HF_HUB_DISABLE_IMPLICIT_TOKEN"] = "1"
    constants.HF_HUB_DISABLE_IMPLICIT_TOKEN = True  # read at import; build_hf_headers checks this value
    for name in IMPLICIT_TOKEN_VARIABLES:
        os.environ.pop(name, None)
    constants.HF_TOKEN_PATH = os.devnull  # the HF_HOME/token file: reads as empty, which means no token
