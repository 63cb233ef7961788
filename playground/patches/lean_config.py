"""The page's config without what the page never reads: the API page's JSON schemas, and event
fields at their defaults.

Checked against gradio 6.31.0. `BlocksConfig.get_config` builds the config every browser receives
(in the page, in each `/config` answer, and for each drawn tab). Two parts of it no browser reads:
- Four API entries in every component's config (`api_info`, `api_info_as_input`, `api_info_as_output`,
  `example_inputs`: JSON schemas, some with whole docstrings), ~54 KB of the playground's 263 KB. The
  page's client reads the API's description from `gradio_api_info`, served beside the config (and
  at `/gradio_api/info`), which `Blocks.get_api_info` makes from these schemas: their one reader.
- The `component_class_id` of each of Gradio's own components (a 64-character hash, ~22 KB in all):
  the page finds Gradio's own components by their type, and uses the id only to fetch a custom
  component's code (`/custom_component/<id>/...`).
- Thirteen fields of every event at their default values (`DEFAULT_EVENT_FIELDS`), ~35 KB: the page's
  JavaScript never reads most of them and reads the rest as `x || default` or `x?.y`, where a
  missing field means the default; `gradio_client` reads none of them, and `gr.load` of this app
  fills each one in with its default.

So configs leave them out, and `Blocks.get_api_info` reads a copy of the config with the schemas
written back (built from the same components by Gradio's own `config_for_block`): the API page, its
cache and `gradio_client` see what they saw before. One schema stays: `api_info` where it describes
a file, which `gradio_client` reads from `/config` to tell which values to upload and download.
The classes are handed in (`lean_page_config`), so the core never imports Gradio.
"""

from __future__ import annotations

import json
from typing import Any

_MARK = "_playground_lean_config"
API_SCHEMAS = ("api_info", "api_info_as_input", "api_info_as_output", "example_inputs")
FILE_SCHEMA_MARK = "gradio.FileData"  # in every schema of a value that carries a file (gradio_client's own test agrees)
# Each event field left out when it holds this value (gradio.block_function.BlockFunction.get_config's defaults).
DEFAULT_EVENT_FIELDS: dict[str, Any] = {
    "api_description": None,
    "scroll_to_output": False,
    "show_progress_on": None,
    "batch": False,
    "max_batch_size": 4,
    "collects_event_data": False,
    "rendered_in": None,
    "render_id": None,
    "time_limit": None,
    "stream_every": 0.5,
    "event_specific_args": None,
    "component_prop_inputs": [],
    "js_implementation": None,
}


def lean_page_config(blocks_class: type, blocks_config_class: type) -> None:
    """Configs built by `blocks_config_class` (gradio.blocks.BlocksConfig) leave out what the page
    never reads; `blocks_class` (gradio.blocks.Blocks) writes the schemas back for its API
    description. Idempotent."""
    if getattr(blocks_config_class, _MARK, False):
        return
    build_config = blocks_config_class.get_config
    describe_api = blocks_class.get_api_info

    def get_config(self: Any, *args: Any, **kwargs: Any) -> dict:
        return leaner(build_config(self, *args, **kwargs), self.blocks)

    def get_api_info(self: Any, *args: Any, **kwargs: Any) -> Any:
        return describe_api(_WithApiSchemas(self, blocks_config_class.config_for_block), *args, **kwargs)

    blocks_config_class.get_config = get_config
    blocks_class.get_api_info = get_api_info
    setattr(blocks_config_class, _MARK, True)


def leaner(config: dict, blocks: dict[int, Any]) -> dict:
    """`config` (a page's or a drawn part's, changed in place) without what the page never reads;
    `blocks`: the components it describes, by id."""
    for component in config.get("components", []):
        without_api_schemas(component)
        if is_gradio_own(blocks.get(component.get("id"))):
            component.pop("component_class_id", None)
    for event in config.get("dependencies", []):
        for field, default in DEFAULT_EVENT_FIELDS.items():
            if field in event and event[field] == default:
                del event[field]
    return config


def is_gradio_own(block: Any) -> bool:
    """Whether `block` is one of Gradio's own components (not a custom component's, whose code the page fetches by id)."""
    return block is not None and type(block).__module__.split(".")[0] == "gradio"


def without_api_schemas(component: dict) -> dict:
    """`component`'s config (changed in place) without its API schemas, but a file's `api_info`."""
    keeps_file_schema = FILE_SCHEMA_MARK in json.dumps(component.get("api_info"))
    for key in API_SCHEMAS:
        if not (key == "api_info" and keeps_file_schema):
            component.pop(key, None)
    return component


class _WithApiSchemas:
    """A Blocks whose `config` has every component's API schemas back, for the original
    `get_api_info`; any other attribute is the Blocks' own."""

    def __init__(self, blocks: Any, config_for_block: Any) -> None:
        self._blocks = blocks
        self._config_for_block = config_for_block

    def __getattr__(self, name: str) -> Any:
        return getattr(self._blocks, name)

    @property
    def config(self) -> dict:
        page_config = self._blocks.config
        return {**page_config, "components": [self._with_schemas(component) for component in page_config["components"]]}

    def _with_schemas(self, component: dict) -> dict:
        block = self._blocks.blocks.get(component["id"])
        if block is None or getattr(block, "skip_api", True):
            return component
        full = self._config_for_block(component["id"], [], block)
        return {**component, **{key: full[key] for key in API_SCHEMAS if key in full}}
