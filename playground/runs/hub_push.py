""""Push to Hub": a sweep saved as a dataset in the visitor's own account, with the visitor's token.

    whoami            who the token belongs to, and whether it may write
    create_repo       repo_type="dataset", exist_ok=True, private unless the visitor ticked "Public"
    create_commit     one commit: the runs (JSONL) and the dataset card (README.md)

The token is only ever the visitor's (typed, or from "Sign in with Hugging Face"): the caller never
passes the server's HF_TOKEN, and the token goes nowhere but the Authorization header (the run scope
makes sure of that). Failures become `PushError`, whose message says what to do and never holds
the token or the server's raw answer.
"""

from __future__ import annotations

import re
from datetime import datetime

import httpx2
from huggingface_hub import CommitOperationAdd, HfApi
from huggingface_hub.errors import HfHubHTTPError

from playground.errors import PlaygroundError
from playground.hf.outbound import run_scope
from playground.runs.dataset_card import RUNS_FILE

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}")
TOKENS_PAGE = "https://huggingface.co/settings/tokens"
_WRITE_HINT = f"Make a token with write access at {TOKENS_PAGE} (or sign in with Hugging Face) and press Push to Hub again."
READ_ONLY = f"This token can only read, so it cannot create a dataset. {_WRITE_HINT}"
NO_WRITE = f"This token may not create or write this dataset. {_WRITE_HINT}"


class PushError(PlaygroundError):
    """A push that did not happen; `detail` is the message for the visitor."""


def default_dataset_name(now: datetime) -> str:
    return f"provider-bakeoff-{now:%Y%m%d-%H%M%S}"


def check_dataset_name(name: str) -> str:
    """Raises PushError unless `name` is a repo name the Hub takes (letters, digits, . _ -)."""
    name = (name or "").strip()
    if not _NAME.fullmatch(name) or ".." in name or "--" in name or name.endswith((".", "-")):
        raise PushError("Dataset name: use letters, digits, '-', '_' or '.', up to 96 characters, e.g. provider-bakeoff-1")
    return name


def push_sweep(token: str | None, name: str, private: bool, card: str, runs: str, endpoint: str) -> str:
    """Creates (or reuses) `<user>/<name>` and commits the card and the runs; returns the dataset's URL.
    Raises PushError: no token, a bad name, a read-only token, the Hub refusing or unreachable."""
    if not token:
        raise PushError("Push to Hub needs your own token: sign in with Hugging Face, or type a token with write access.")
    name = check_dataset_name(name)
    api = HfApi(endpoint=endpoint, token=token)
    with run_scope(token):
        try:
            return _push(api, name, private, card, runs)
        except HfHubHTTPError as error:
            raise _refusal(error.response.status_code if error.response is not None else None) from None
        except httpx2.HTTPError:
            raise PushError("The Hub could not be reached; nothing was pushed. Try again in a moment.") from None


def _push(api: HfApi, name: str, private: bool, card: str, runs: str) -> str:
    me = api.whoami()
    if _role(me) == "read":
        raise PushError(READ_ONLY)
    repo = api.create_repo(f"{me['name']}/{name}", repo_type="dataset", private=private, exist_ok=True)
    operations = [CommitOperationAdd("README.md", card.encode("utf-8")), CommitOperationAdd(RUNS_FILE, runs.encode("utf-8"))]
    api.create_commit(repo.repo_id, operations, commit_message="Provider bake-off from the inference playground",
                      repo_type="dataset")
    return str(repo)


def _role(whoami: dict) -> str | None:
    """The token's role ("read", "write", "fineGrained"); None for sign-in tokens, which have scopes."""
    access = (whoami.get("auth") or {}).get("accessToken") or {}
    return access.get("role")


def _refusal(status: int | None) -> PushError:
    if status == 401:
        return PushError("The Hub refused this token (401). Check it, or sign in with Hugging Face again.")
    if status == 403:
        return PushError(NO_WRITE)
    if status == 402:
        return PushError("The Hub asks for payment to create this dataset (402); try a public dataset or another account.")
    return PushError(f"The Hub did not take the dataset (HTTP {status}); nothing was pushed. Try again in a moment.")
