"""Gradio's per-session config copy, built when read (playground/patches/session_configs.py): a new
visitor's session builds no component config, and the deep link still reads the very configs the
original builds, after a run's updates and an input's value."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import gradio as gr
import pytest
from gradio.blocks import BlocksConfig
from gradio.state_holder import SessionState

from components.messages import FALLBACK_IDLE, STOPPED
from playground.patches.session_configs import build_configs_when_read

ROOT = Path(__file__).resolve().parent.parent.parent


class ConfigsWhenRead(SessionState):
    """The patched class, as a subclass: Gradio's own SessionState stays the original for comparison."""


build_configs_when_read(ConfigsWhenRead)


@pytest.fixture(scope="module")
def page() -> gr.Blocks:
    from app import build_app
    from playground.config import Settings
    from playground.inference.backend import Backend

    return build_app(Settings(), Backend(), local_installed=False)


def completion_event(page: gr.Blocks):
    return next(fn for fn in page.fns.values() if fn.name == "generate" and fn.outputs[-1].elem_id == "pg-stopped")


def outputs_by_id(page: gr.Blocks) -> dict[str, gr.components.Component]:
    return {block.elem_id or f"state-{index}": block for index, block in enumerate(completion_event(page).outputs)}


def run_updates(page: gr.Blocks) -> Iterator[dict]:
    """What a run yields: "Sending…" (updates that show and hide), a token (plain values), Done (a State value)."""
    out = outputs_by_id(page)
    yield {out["pg-status"]: gr.update(value="<p>Sending…</p>", visible=True), out["pg-stats"]: "",
           out["pg-fallback"]: gr.update(value=FALLBACK_IDLE, visible=False), out["pg-stopped"]: gr.update(visible=False)}
    yield {out["pg-output"]: "Once ", out["pg-status"]: gr.update(value="", visible=False), out["pg-stats"]: "",
           out["pg-fallback"]: FALLBACK_IDLE, out["pg-stopped"]: STOPPED}
    state = next(block for block in completion_event(page).outputs if block.stateful)
    yield {out["pg-output"]: "Once upon", out["pg-status"]: "", out["pg-stats"]: "1 token", state: {"text": "Once upon"}}


def session_after_a_run(page: gr.Blocks, session_state: type) -> SessionState:
    """A session of `session_state` after the completion event's inputs and each of a run's updates, through Gradio."""
    event = completion_event(page)
    session = session_state(page)

    async def run() -> None:
        await page.preprocess_data(event, [block.value for block in event.inputs], session, False)
        for update in run_updates(page):
            await page.postprocess_data(event, update, session)

    # In a thread of its own: in the same worker, Playwright's sync API may hold this thread's event loop.
    with ThreadPoolExecutor(max_workers=1) as thread:
        thread.submit(asyncio.run, run()).result()
    return session


def test_the_deep_link_reads_the_same_configs_as_with_gradios_own_session(page: gr.Blocks) -> None:
    original, patched = session_after_a_run(page, SessionState), session_after_a_run(page, ConfigsWhenRead)
    assert list(patched.components) == list(original.components)
    assert patched.state_data == original.state_data and patched.blocks_config.blocks.keys() == original.blocks_config.blocks.keys()
    status = next(block for block in completion_event(page).outputs if block.elem_id == "pg-status")
    shown = next(c for c in patched.components if c["id"] == status._id)
    assert shown["props"]["visible"] is False  # the run's last update to the panel, as the original records it


def test_a_new_session_builds_no_component_config(page: gr.Blocks, monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[int] = []
    original = BlocksConfig.config_for_block

    def counted(_id: int, *args: object, **kwargs: object) -> dict:
        built.append(_id)
        return original(_id, *args, **kwargs)

    monkeypatch.setattr(BlocksConfig, "config_for_block", staticmethod(counted))
    session = ConfigsWhenRead(page)
    assert built == []
    assert len(list(session.components)) == len(list(SessionState(page).components)) > 100  # built when read, every one
    assert len(built) > 200


def test_the_patched_session_has_the_attributes_gradios_own_has() -> None:
    """Gradio's __init__ is replaced: an attribute a later Gradio adds there would be missing (this says so)."""
    with gr.Blocks() as blocks:
        gr.Textbox()
    ours = {"_pending_configs", "_config_value_of"}
    assert set(vars(ConfigsWhenRead(blocks))) - ours == set(vars(SessionState(blocks))) - {"config_values"}


def test_installing_it_twice_changes_nothing_more() -> None:
    class Again(SessionState):
        pass

    build_configs_when_read(Again)
    replaced = Again.__init__
    build_configs_when_read(Again)
    assert Again.__init__ is replaced and SessionState.__init__ is not replaced


MAIN = """
import gradio as gr
from gradio.state_holder import SessionState
import app

gr.Blocks.launch = lambda self, **options: None  # build the page, serve nothing
app.main()
print(SessionState.__init__.__module__)
"""


def test_the_app_installs_it_at_start_up() -> None:
    """`python app.py` (main) hands Gradio's SessionState to install_patches; run in a fresh interpreter."""
    env = {"PATH": "/usr/bin:/bin", "HF_ENDPOINT": "http://127.0.0.1:9", "HF_HUB_DISABLE_TELEMETRY": "1", "HOME": "/tmp"}
    done = subprocess.run([sys.executable, "-c", MAIN], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "playground.patches.session_configs"
