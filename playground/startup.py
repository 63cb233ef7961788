"""`install_patches`: every library patch (playground/patches), installed at start-up in the order they need.

The order matters twice: the settings must have read HF_TOKEN before `isolate_tokens` removes it
from the environment (so `install_patches` takes the loaded settings), and the stream readers'
response hook goes on the client made by the factory `install_router` sets (a new factory means a
new client; each stream reader checks its hook again, for callers that replace the factory later).
"""

from __future__ import annotations

from playground.config import Settings
from playground.hf.router import install_router
from playground.inference.stream_reader import watch_responses
from playground.patches.absent_modules import skip_absent_matplotlib
from playground.patches.implicit_tokens import isolate_tokens
from playground.patches.lean_config import lean_page_config
from playground.patches.session_configs import build_configs_when_read


def install_patches(settings: Settings, session_state: type | None = None, blocks_classes: tuple[type, type] | None = None) -> None:
    """Installs every patch of playground.patches, in order. Call once at start-up, with the
    settings already loaded. Raises AttributeError if a library lacks a name a patch needs
    (tests/structure/test_library_patches.py says which patch). Handed in by app.py (the core never
    imports Gradio): `session_state`, Gradio's `gradio.state_holder.SessionState`; `blocks_classes`,
    `(gradio.blocks.Blocks, gradio.blocks.BlocksConfig)`, before any page is built."""
    skip_absent_matplotlib()
    isolate_tokens()  # after the settings kept HF_TOKEN: no token travels unless passed on purpose
    install_router(settings.router_url)  # huggingface_hub's client (router, token guard, its own hook), token-scoped lookups
    watch_responses()  # the stream readers' hook, on the client that factory makes
    if session_state is not None:
        build_configs_when_read(session_state)  # a new visitor's session no longer builds ~290 component configs
    if blocks_classes is not None:
        lean_page_config(*blocks_classes)  # the page's config without what the page never reads (~90 KB)
