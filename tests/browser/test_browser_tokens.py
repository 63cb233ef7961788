"""The canary scan (issue 7, "Done when"): a visitor's typed token and the server's HF_TOKEN appear
nowhere they could surface: logs, page text and field values, snippets, links, browser storage, API answers.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import shutil

import httpx
import pytest
from gradio_client import Client

from tests.conftest import CANARY_HF_TOKEN
from tests.protocol_server import ProtocolServer, Reply

VISITOR_CANARY = "hf_visitorCanaryTypedIntoThePage"
CANARIES = (VISITOR_CANARY, CANARY_HF_TOKEN)

pytestmark = pytest.mark.browser
if not shutil.which("/usr/bin/chromium") and not os.environ.get("CI"):
    pytestmark = [pytest.mark.browser, pytest.mark.skip(reason="/usr/bin/chromium is not installed (apt-get install -y chromium)")]

FORM = {
    "model": "test/tiny-gpt", "provider": "auto", "mode": "Completion", "system_prompt": "", "prompt": "Hello there",
    "temperature": 0.7, "max_new_tokens": 6, "seed": 5, "random_seed": False, "top_p": 1.0, "top_k": 0,
    "repetition_penalty": 1.0, "stop": "",
}


def run_prompt(page, prompt: str) -> None:
    """Generates for `prompt` (the protocol server echoes it) and waits for that answer's stats."""
    page.get_by_label("Prompt").fill(prompt)
    page.get_by_role("button", name="Generate").click()
    page.wait_for_function(
        f"() => (document.querySelector('#pg-output textarea')?.value || '').includes({prompt!r})"
        " && (document.querySelector('#pg-stats')?.innerText || '').includes('tokens/s')", timeout=60_000)


def wait_for_status(page, words: str) -> None:
    page.get_by_role("button", name="Generate").click()
    page.wait_for_function(f"() => (document.querySelector('#pg-status')?.innerText || '').includes({words!r})", timeout=30_000)


def visible_surfaces(page) -> dict[str, str]:
    """Everything the page shows or keeps: text, field values (the token field itself excepted: its
    value is the visitor's own input), links, the address, and browser storage."""
    values = page.evaluate(
        "() => [...document.querySelectorAll('input, textarea')]"
        ".filter(e => !(e.type === 'password' && e.closest('label')?.innerText.includes('Hugging Face token'))).map(e => e.value)"
    )
    return {
        "page text": page.locator("body").inner_text(),
        "field values": "\n".join(values),
        "links": "\n".join(page.evaluate("() => [...document.querySelectorAll('[href], [src]')].map(e => e.href || e.src)")),
        "address": page.url,
        "localStorage": page.evaluate("() => JSON.stringify({...localStorage})"),
        "localStorage, decrypted": decrypted_storage(page.url.split("?")[0], json.loads(page.evaluate("() => JSON.stringify({...localStorage})"))),
        "sessionStorage": page.evaluate("() => JSON.stringify({...sessionStorage})"),
        "cookies": str(page.context.cookies()),
    }


def decrypted_storage(url: str, stored: dict[str, str]) -> str:
    """Gradio's BrowserState keeps values AES-encrypted (CryptoJS, passphrase = SHA-256 of the
    component's secret, OpenSSL key derivation): decrypted here, so the scan sees what is kept."""
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    secrets = {c["props"]["storage_key"]: c["props"]["secret"] for c in httpx.get(f"{url}config", timeout=10).json()["components"]
               if "storage_key" in c.get("props", {})}
    plain = []
    for key, value in stored.items():
        if key not in secrets or ":" not in value:
            plain.append(value)
            continue
        raw = base64.b64decode(value.split(":", 1)[1])
        passphrase, salt = hashlib.sha256(secrets[key].encode()).hexdigest().encode(), raw[8:16]
        derived, block = b"", b""
        while len(derived) < 48:  # OpenSSL EVP_BytesToKey with MD5: 32 bytes of key, 16 of IV
            block = hashlib.md5(block + passphrase + salt).digest()
            derived += block
        decryptor = Cipher(algorithms.AES(derived[:32]), modes.CBC(derived[32:48])).decryptor()
        unpadder = padding.PKCS7(128).unpadder()
        text = unpadder.update(decryptor.update(raw[16:]) + decryptor.finalize()) + unpadder.finalize()
        plain.append(text.decode())
    return "\n".join(plain)


def use_the_page(page, server: ProtocolServer, server_token_in_use: bool) -> dict[str, str]:
    """Runs that succeed and fail, View code, the share link, the history; returns the surfaces."""
    if server_token_in_use:
        run_prompt(page, "Canary server run")  # the server's own token is spent on this run
        page.locator("#pg-tokens").get_by_text("Using the server's token (HF_TOKEN)").click()  # the fold opens
    page.get_by_label("Hugging Face token").fill(VISITOR_CANARY)
    run_prompt(page, "Canary run")
    page.get_by_label("Model", exact=True).fill("test/gated-model")
    page.get_by_label("Model", exact=True).press("Enter")
    wait_for_status(page, "gated")
    server.script("tgi/leaky", Reply(status=500, body="internal failure"))
    page.get_by_label("Model", exact=True).fill(f"{server.url}/tgi/leaky")
    page.get_by_label("Model", exact=True).press("Enter")
    wait_for_status(page, "internal failure")
    page.get_by_text("Share and View code").click()
    page.get_by_role("button", name="View code", exact=True).click()
    page.locator("#pg-code-python .cm-content").filter(has_text="InferenceClient").wait_for(timeout=10_000)
    surfaces = visible_surfaces(page)
    for tab, elem in (("cURL", "#pg-code-curl"), ("JavaScript", "#pg-code-js")):
        page.get_by_role("tab", name=tab).click()
        surfaces[f"{tab} snippet"] = page.locator(f"{elem} .cm-content").inner_text()
    page.locator("#pg-history").get_by_text("Canary run").first.wait_for(timeout=10_000)
    page.reload()
    page.locator("#pg-history").get_by_text("Canary run").first.wait_for(timeout=10_000)
    surfaces["after reload"] = "\n".join(visible_surfaces(page).values())
    return surfaces


def api_answers(url: str) -> str:
    client = Client(url, verbose=False)
    answers = [client.predict(**FORM, session_token=VISITOR_CANARY, api_name="/generate"),
               client.predict(**{**FORM, "model": "test/gated-model"}, session_token=VISITOR_CANARY, api_name="/generate")]
    answers.append(client.predict(**FORM, api_name="/view_code"))
    return repr(answers) + repr(client.view_api(print_info=False, return_format="dict"))


@pytest.mark.parametrize("where", ["space", "local"])
def test_a_canary_token_surfaces_nowhere(where: str, request: pytest.FixtureRequest, browser, server: ProtocolServer,
                                         capfd: pytest.CaptureFixture, caplog: pytest.LogCaptureFixture) -> None:
    """Guards issue 7's "Done when": tokens are never logged, shown, linked, stored or answered."""
    caplog.set_level(logging.DEBUG)
    url, _ = request.getfixturevalue("space_app" if where == "space" else "server_token_app")
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url)
        page.get_by_label("Prompt").wait_for()
        surfaces = use_the_page(page, server, server_token_in_use=where == "local")
    finally:
        context.close()
    surfaces["API answers"] = api_answers(url)
    captured = capfd.readouterr()
    surfaces["logs"] = captured.out + captured.err + caplog.text
    # The scan looked at real content: the run in the history and storage, a snippet, the logs.
    assert "Canary run" in surfaces["localStorage, decrypted"] and "Canary run" in surfaces["page text"]
    assert "$HF_TOKEN" in surfaces["cURL snippet"] and "/generate" in surfaces["logs"] + surfaces["API answers"]
    leaks = [(surface, canary) for surface, text in surfaces.items() for canary in CANARIES if canary in text]
    assert leaks == []
    used = {r.headers.get("authorization") for r in server.requests}
    assert f"Bearer {VISITOR_CANARY}" in used  # the canary really was in play
    assert (f"Bearer {CANARY_HF_TOKEN}" in used) == (where == "local")  # the owner's token only off a Space
