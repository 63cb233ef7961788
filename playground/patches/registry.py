"""Every library name a patch replaces, changes or reads, with the kind of thing it must be.

A library upgrade may drop or reshape a private name without notice; the patch would then fail at
start-up, or worse, silently stop working (a replaced cache that is no longer the one the library
calls). `find_problems` checks each name against the installed libraries and says which patch is
affected; tests/structure/test_library_patches.py runs it in a fresh interpreter, before any patch is
installed. Another test keeps this list complete: every library name a module of this package uses
is listed here.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

# The versions each patch was checked against (requirements.txt pins these; a test keeps them equal).
CHECKED_AGAINST = {"huggingface_hub": "2.4.0", "gradio": "6.31.0"}


@dataclass(frozen=True)
class Kind:
    """What a name must be: `description` in words, `holds` the check."""

    description: str
    holds: Callable[[object], bool]


@dataclass(frozen=True)
class LibraryName:
    """`module.attribute`, which the patch `playground.patches.<patch>` uses as `use` says."""

    patch: str
    module: str
    attribute: str
    use: str  # "replaced", "changed", "read" or "relied on" (a library behaviour the patch is for)
    kind: Kind

    @property
    def library(self) -> str:
        return self.module.split(".")[0]

    @property
    def dotted(self) -> str:
        return f"{self.module}.{self.attribute}"


def _is_lru_cached_function(value: object) -> bool:
    # lru_cache's interface (cache_info; cache_clear, which tests call), and the function it wraps (which the patch keeps)
    has_interface = callable(getattr(value, "cache_info", None)) and callable(getattr(value, "cache_clear", None))
    return has_interface and inspect.isfunction(getattr(value, "__wrapped__", None))


def _is_function(value: object) -> bool:
    return inspect.isfunction(value)


def _is_dict(value: object) -> bool:
    return isinstance(value, dict)


def _is_dict_by_name(value: object) -> bool:
    return isinstance(value, dict) and all(isinstance(key, str) for key in value)


def _is_pattern_with_a_group(value: object) -> bool:
    return isinstance(value, re.Pattern) and value.groups >= 1


def _is_bool(value: object) -> bool:
    return isinstance(value, bool)


def _is_str(value: object) -> bool:
    return isinstance(value, str)


def _is_context_manager_class(value: object) -> bool:
    return inspect.isclass(value) and hasattr(value, "__enter__") and hasattr(value, "__exit__")


def _is_session_state_class(value: object) -> bool:
    # The methods session_configs replaces (Gradio calls them by name) and the one the deep link reads.
    names = ("__init__", "__setitem__", "__getitem__", "_update_config", "_update_value_in_config", "components")
    return inspect.isclass(value) and all(hasattr(value, name) for name in names)


def _has_methods(*names: str) -> Callable[[object], bool]:
    return lambda value: inspect.isclass(value) and all(callable(getattr(value, name, None)) for name in names)


LRU_CACHED = Kind("a function wrapped by functools.lru_cache", _is_lru_cached_function)
FUNCTION = Kind("a function", _is_function)
DICT = Kind("a dict", _is_dict)
DICT_BY_NAME = Kind("a dict keyed by name", _is_dict_by_name)
PATTERN = Kind("a compiled regular expression with a group", _is_pattern_with_a_group)
BOOL = Kind("a bool", _is_bool)
STR = Kind("a str", _is_str)
CONTEXT_MANAGER = Kind("a context manager class", _is_context_manager_class)
SESSION_STATE = Kind("a class with SessionState's config methods", _is_session_state_class)
BUILDS_PAGE_CONFIGS = Kind("a class with get_config and config_for_block", _has_methods("get_config", "config_for_block"))
DESCRIBES_API = Kind("a class with get_api_info", _has_methods("get_api_info"))

_PROVIDERS = "huggingface_hub.inference._providers"
LIBRARY_NAMES: tuple[LibraryName, ...] = (
    LibraryName("hub_lookups", f"{_PROVIDERS}._common", "_fetch_inference_provider_mapping", "replaced", LRU_CACHED),
    LibraryName("hub_lookups", _PROVIDERS, "_fetch_inference_provider_mapping", "replaced", LRU_CACHED),
    LibraryName("hub_lookups", f"{_PROVIDERS}.hf_inference", "_check_supported_task", "replaced", LRU_CACHED),
    LibraryName("refusals", "huggingface_hub.inference._common", "_UNSUPPORTED_TEXT_GENERATION_KWARGS", "changed", DICT),
    LibraryName("refusals", "huggingface_hub.inference._client", "MODEL_KWARGS_NOT_USED_REGEX", "read", PATTERN),
    LibraryName("http_client", "huggingface_hub.utils._http", "hf_request_event_hook", "read", FUNCTION),
    LibraryName("http_client", "huggingface_hub.utils", "get_session", "read", FUNCTION),
    LibraryName("http_client", "huggingface_hub", "set_client_factory", "relied on", FUNCTION),
    LibraryName("implicit_tokens", "huggingface_hub.constants", "HF_HUB_DISABLE_IMPLICIT_TOKEN", "changed", BOOL),
    LibraryName("implicit_tokens", "huggingface_hub.constants", "HF_TOKEN_PATH", "changed", STR),
    LibraryName("providers", _PROVIDERS, "PROVIDERS", "read", DICT_BY_NAME),
    LibraryName("absent_modules", "gradio.utils", "MatplotlibBackendMananger", "relied on", CONTEXT_MANAGER),
    LibraryName("session_configs", "gradio.state_holder", "SessionState", "changed", SESSION_STATE),
    LibraryName("lean_config", "gradio.blocks", "BlocksConfig", "changed", BUILDS_PAGE_CONFIGS),
    LibraryName("lean_config", "gradio.blocks", "Blocks", "changed", DESCRIBES_API),
)


def find_problems(names: Iterable[LibraryName] = LIBRARY_NAMES) -> list[str]:
    """One line for each name that is gone or no longer of its kind, naming its patch; empty if all hold."""
    return [problem for name in names if (problem := _problem(name)) is not None]


def _problem(name: LibraryName) -> str | None:
    try:
        module = importlib.import_module(name.module)
    except ImportError as error:
        return _say(name, f"its module cannot be imported ({error})")
    if not hasattr(module, name.attribute):
        return _say(name, "is gone")
    value = getattr(module, name.attribute)
    if not name.kind.holds(value):
        return _say(name, f"is no longer {name.kind.description} (it is a {type(value).__name__})")
    return None


def _say(name: LibraryName, what: str) -> str:
    checked = CHECKED_AGAINST.get(name.library, "?")
    return (
        f"playground.patches.{name.patch}: {name.dotted} ({name.use}) {what}; "
        f"checked against {name.library} {checked}, installed {_installed_version(name.library)}"
    )


def _installed_version(library: str) -> str:
    try:
        return importlib.metadata.version(library)
    except importlib.metadata.PackageNotFoundError:
        return "none"
