"""On a Space (issue 7, part A): detection as Gradio does it, a page that opens ready, words that fit."""

from __future__ import annotations

from pathlib import Path

import gradio as gr
import httpx
import pytest
import yaml
from gradio.utils import get_space
from gradio_client import Client

from app import start_options
from components.auth_panel import sign_in_prompt_visibility
from components.messages import error_text
from playground import errors as e
from playground.config import Settings, is_space, load_settings
from playground.inference.backend import Backend
from playground.input.params import GenerationParams
from playground.input.request import GenerationRequest
from playground.local import LOCAL_MODEL_NAME
from playground.local.resolve import local_model_resolver
from playground.local.service import LocalModelService
from playground.local.setup import INSTALL_HINT, local_model_installed
from tests.conftest import CANARY_HF_TOKEN, SPACE_ENVIRONMENT, launch_from_environment
from tests.protocol_server import ProtocolServer

README = Path(__file__).parent.parent.parent / "README.md"


@pytest.mark.parametrize(
    "environ",
    [{}, {"SPACE_ID": "me/app"}, {"SYSTEM": "spaces"}, {"SYSTEM": "spaces", "SPACE_ID": "me/app"}, {"SYSTEM": "other", "SPACE_ID": "me/app"}],
)
def test_the_app_and_gradio_agree_on_being_a_space(environ: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Guards issue 7, A.3: SPACE_ID alone made the app a Space while Gradio (SYSTEM=spaces) disagreed."""
    monkeypatch.delenv("SYSTEM", raising=False)
    monkeypatch.delenv("SPACE_ID", raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    assert is_space(environ) == (get_space() is not None) == load_settings(environ).on_space


def test_start_up_with_space_id_alone_and_hf_token_does_not_crash(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, protocol_server_session: ProtocolServer, local_service) -> None:
    """Guards issue 7, A.3: start-up crashed, the token removed before Gradio's OAuth mock needed it."""
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(tmp_path / "no-token"))
    monkeypatch.delenv("SYSTEM", raising=False)
    url = protocol_server_session.url
    demo, app_url, settings = launch_from_environment(
        {"SPACE_ID": "me/app", "HF_TOKEN": CANARY_HF_TOKEN, "HF_ENDPOINT": url, "HF_ROUTER_URL": url}, local_service)
    try:
        assert httpx.get(app_url, timeout=10).status_code == 200
        assert not settings.on_space and settings.hf_token == CANARY_HF_TOKEN
        assert not any(isinstance(block, gr.LoginButton) for block in demo.blocks.values())
    finally:
        demo.close()


def test_the_space_front_matter_asks_for_the_inference_scope() -> None:
    """Guards issue 7, A.2: without `inference-api`, a visitor's sign-in token cannot call Inference Providers."""
    front_matter = yaml.safe_load(README.read_text().split("---")[1])
    assert front_matter["hf_oauth"] is True
    assert "inference-api" in front_matter["hf_oauth_scopes"]


def test_a_space_opens_on_a_hosted_model_even_without_a_token() -> None:
    """Guards issue 7, A.1: a Space opened on the built-in model, which it cannot run."""
    space = load_settings({**SPACE_ENVIRONMENT, "PLAYGROUND_DEFAULT_MODEL": "org/hosted"})
    assert start_options(space, local_installed=True, offline=False)["local_default"] is False
    assert space.default_model == "org/hosted"
    assert load_settings(SPACE_ENVIRONMENT).default_model == "meta-llama/Llama-3.1-8B-Instruct"
    local = Settings()
    assert start_options(local, local_installed=True, offline=False)["local_default"] is True
    assert start_options(local, local_installed=False, offline=True)["local_default"] is False


def test_local_model_detection_imports_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import sys

    monkeypatch.setenv("LOCAL_MODEL_PATH", str(tmp_path / "missing.gguf"))
    assert local_model_installed() is False
    monkeypatch.delenv("LOCAL_MODEL_PATH")
    assert "llama_cpp" not in sys.modules or local_model_installed() is True


def test_a_missing_built_in_model_says_so_with_the_command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Guards issue 7, A.1: a picked but missing built-in model said "isn't served for this task or provider"."""
    monkeypatch.setenv("LOCAL_MODEL_PATH", str(tmp_path / "missing.gguf"))
    backend = Backend(resolve_url=local_model_resolver(LocalModelService()))
    request = GenerationRequest(model=LOCAL_MODEL_NAME, prompt="Hi", params=GenerationParams(max_new_tokens=4))
    with pytest.raises(e.LocalModelMissingError) as caught:
        list(backend.run(request, None))
    text = error_text(caught.value)
    assert text.startswith("The built-in model isn't installed here") and INSTALL_HINT.replace("&", "&amp;") in text


def test_on_a_space_the_missing_token_advice_is_to_sign_in_never_hf_token() -> None:
    """Guards issue 7, A.1: a Space told visitors to "set HF_TOKEN and restart"."""
    on_space = error_text(e.MissingTokenError("needs a token", on_space=True))
    assert "Sign in with Hugging Face" in on_space and "HF_TOKEN" not in on_space
    locally = error_text(e.MissingTokenError("needs a token"))
    assert "HF_TOKEN" in locally and "Sign in" not in locally


def test_the_sign_in_prompt_shows_only_while_the_visitor_has_no_token() -> None:
    assert sign_in_prompt_visibility("", None)["visible"] is True
    assert sign_in_prompt_visibility(" hf_typed ", None)["visible"] is False
    assert sign_in_prompt_visibility(None, gr.OAuthToken(token="hf_oauth", scope="inference-api", expires_at=0))["visible"] is False


def test_a_space_lists_no_built_in_model_and_defaults_to_a_hosted_one(space_app: tuple[str, Settings]) -> None:
    url, settings = space_app
    config = httpx.get(f"{url}config", timeout=10).json()
    (model,) = [c["props"] for c in config["components"] if c["props"].get("label") == "Model"]
    assert model["value"] == "test/tiny-gpt"
    assert LOCAL_MODEL_NAME not in [choice[1] for choice in model["choices"]]
    texts = [str(c["props"].get(key, "")) for c in config["components"] for key in ("value", "info", "placeholder")]
    assert any("Sign in with Hugging Face" in text for text in texts)
    assert not any("HF_TOKEN" in text for text in texts)


def test_on_a_space_a_visitor_without_a_token_is_asked_to_sign_in(space_app: tuple[str, Settings], server: ProtocolServer) -> None:
    url, _ = space_app
    client = Client(url, verbose=False)
    form = {"model": "test/tiny-gpt", "provider": "auto", "mode": "Completion", "system_prompt": "", "prompt": "Hi",
            "temperature": 0.7, "max_new_tokens": 4, "seed": 5, "random_seed": False, "top_p": 1.0, "top_k": 0,
            "repetition_penalty": 1.0, "stop": "", "session_token": ""}
    updates = list(client.submit(**form, api_name="/generate"))
    status = " ".join(str(update[1].get("value", "")) for update in updates if isinstance(update[1], dict))
    assert "Sign in with Hugging Face" in status and "HF_TOKEN" not in status
    assert not server.posts()  # the owner's HF_TOKEN was not spent instead
