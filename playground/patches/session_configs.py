"""Gradio's per-session copy of every component's config, built when it is read instead of at each new session.

Checked against gradio 6.31.0: `gradio.state_holder.SessionState` keeps `config_values`, each
component's config as the session last saw it, for one reader only: the `/gradio_api/deep_link`
route (through its `components` property), which serves `gr.DeepLinkButton`; the playground has
none. Yet every new session builds it whole: `BlocksConfig.config_for_block` (the component's
config and its API info, pydantic JSON schemas included) for every block on the page, on the event
loop, in the session's first event. With ~290 blocks that was 30-40 ms of CPU per new visitor (a
bare app has 6), and each `gr.update(...)` output rebuilt its component's config once more.

Here the session records what the original would have written (which blocks, which values) and
builds the configs the first time `config_values` is read, from the same blocks: the deep link
answers as before. The class is handed in (`build_configs_when_read`), so the core never imports Gradio.
"""

from __future__ import annotations

import datetime
import os
from copy import copy
from typing import Any

_MARK = "_playground_configs_when_read"


def build_configs_when_read(session_state: type) -> None:
    """Makes `session_state` (gradio.state_holder.SessionState, or a subclass) build its configs when read. Idempotent."""
    if getattr(session_state, _MARK, False):
        return
    session_state.__init__ = _init
    session_state.__setitem__ = _setitem
    session_state._update_config = _update_config
    session_state._update_value_in_config = _update_value_in_config
    session_state.config_values = property(_config_values)
    setattr(session_state, _MARK, True)


def _init(self: Any, blocks: Any) -> None:
    """The original's __init__, but each block's config is only noted (None: to build), in the page's order."""
    self.blocks_config = copy(blocks.default_config)
    self._pending_configs = dict.fromkeys(key for key in self.blocks_config.blocks if key in blocks.blocks)
    self._config_value_of = {}  # key -> the value the config's props carry (the original wrote it into them)
    self.state_data = {}
    self._state_ttl = {}
    self.is_closed = False
    # As the original: a closed session's state is kept an hour (1 s in Gradio's own end-to-end tests).
    self.STATE_TTL_WHEN_CLOSED = 1 if os.getenv("GRADIO_IS_E2E_TEST", None) else 3600


def _setitem(self: Any, key: int, value: Any) -> None:
    """As the original; where it rebuilt the block's config (dropping a value written into it), this marks it to build."""
    block = self.blocks_config.blocks.get(key)
    if getattr(block, "stateful", False):  # a gr.State (Gradio's only stateful block; the original asks isinstance)
        self._state_ttl[key] = (block.time_to_live, datetime.datetime.now())
        self.state_data[key] = value
    else:
        self.blocks_config.blocks[key] = value
    if block:
        _invalidate(self, key)


def _update_config(self: Any, key: int) -> None:
    if self[key] is not None:
        _invalidate(self, key)


def _update_value_in_config(self: Any, key: int, value: Any) -> None:
    if key not in self._pending_configs:
        self._pending_configs[key] = None
    self._config_value_of[key] = value


def _config_values(self: Any) -> dict[int, dict]:
    """Every config, each built from its block now if it is not built yet, carrying the latest value written."""
    configs = self._pending_configs
    for key, config in configs.items():
        if config is None:
            block = self.blocks_config.blocks.get(key)
            configs[key] = config = self.blocks_config.config_for_block(key, [], block) if block is not None else {}
        if key in self._config_value_of and "props" in config:
            config["props"]["value"] = self._config_value_of[key]
    return configs


def _invalidate(self: Any, key: int) -> None:
    self._pending_configs[key] = None
    self._config_value_of.pop(key, None)
