"""The library patches (playground/patches): every name they use still exists and is of its kind,
the registry lists them all, nothing else touches a private library name, and one call installs them."""

from __future__ import annotations

import ast
import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

from playground.patches.refusals import names_not_used
from playground.patches.registry import CHECKED_AGAINST, DICT, LIBRARY_NAMES, LRU_CACHED, LibraryName, find_problems

ROOT = Path(__file__).resolve().parent.parent.parent
PATCHES = ROOT / "playground" / "patches"
LIBRARIES = ("huggingface_hub", "gradio")


def run_fresh(code: str, env: dict[str, str] | None = None) -> str:
    """`code`'s standard output, run in a fresh interpreter at the repository root (no patch installed yet)."""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_every_library_name_a_patch_uses_is_still_there_and_of_its_kind() -> None:
    """Run before any patch is installed (this process has installed some: a replaced cache is no
    longer the library's lru_cache). A failure names the patch, the name, and both versions."""
    code = "import json; from playground.patches.registry import find_problems; print(json.dumps(find_problems()))"
    problems = json.loads(run_fresh(code))
    assert problems == [], "\n".join(problems)


def test_a_name_that_is_gone_or_changed_kind_is_reported_with_its_patch() -> None:
    names = [
        LibraryName("hub_lookups", "json", "no_such_name", "replaced", LRU_CACHED),
        LibraryName("refusals", "json", "dumps", "changed", DICT),
        LibraryName("providers", "no_such_module_here", "PROVIDERS", "read", DICT),
        LibraryName("http_client", "json", "JSONDecoder", "read", LRU_CACHED),
    ]
    problems = find_problems(names)
    assert len(problems) == 4
    assert problems[0].startswith("playground.patches.hub_lookups: json.no_such_name (replaced) is gone")
    assert problems[1].startswith("playground.patches.refusals: json.dumps (changed) is no longer a dict (it is a function)")
    assert problems[2].startswith("playground.patches.providers: no_such_module_here.PROVIDERS (read) its module cannot be imported")
    assert "no longer a function wrapped by functools.lru_cache" in problems[3]


def test_each_registered_name_belongs_to_a_patch_module_that_says_what_it_was_checked_against() -> None:
    for name in LIBRARY_NAMES:
        source = (PATCHES / f"{name.patch}.py").read_text(encoding="utf-8")
        assert f"{name.library} {CHECKED_AGAINST[name.library]}" in source, name


def test_the_pinned_versions_are_the_ones_the_patches_were_checked_against() -> None:
    pins = dict(re.findall(r"^([\w-]+)(?:\[[\w,]+\])?==([\w.]+)", (ROOT / "requirements.txt").read_text(), re.M))
    assert {library: pins.get(library) for library in CHECKED_AGAINST} == CHECKED_AGAINST


def test_the_refused_names_are_read_with_huggingface_hubs_own_pattern() -> None:
    message = "400 Bad Request: The following `model_kwargs` are not used by the model: ['seed', \"top_k\"] (note: ...)"
    assert names_not_used(message) == {"seed", "top_k"}
    assert names_not_used("The following `model_kwargs` are not used by the model: []") == frozenset()
    assert names_not_used("400 Bad Request: something else") is None


def _is_module(dotted: str) -> bool:
    try:
        importlib.import_module(dotted)
    except ImportError:
        return False
    return True


def _as_module_attribute(dotted: str) -> str:
    """"a.b.c.d" as "module.attribute", the module being the longest importable prefix."""
    parts = dotted.split(".")
    for end in range(len(parts) - 1, 0, -1):
        if _is_module(".".join(parts[:end])):
            return ".".join(parts[: end + 1])
    return dotted


def _dotted(node: ast.expr, modules: dict[str, str]) -> str | None:
    attributes: list[str] = []
    while isinstance(node, ast.Attribute):
        attributes.insert(0, node.attr)
        node = node.value
    if isinstance(node, ast.Name) and node.id in modules:
        return ".".join([modules[node.id], *attributes])
    return None


def library_names_used(path: Path) -> set[str]:
    """Each library name ("module.attribute") `path` imports by name or reads off a library module it imported."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules: dict[str, str] = {}  # local name -> library module
    used: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in LIBRARIES:  # `import a.b` binds a; `import a.b as c` binds c to a.b
                    modules[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").split(".")[0] in LIBRARIES:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                if _is_module(full):
                    modules[alias.asname or alias.name] = full
                else:
                    used.add(full)
    inner = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and id(node) not in inner and (dotted := _dotted(node, modules)):
            used.add(_as_module_attribute(dotted))
    return used


def _is_private(dotted: str) -> bool:
    return any(part.startswith("_") and not part.startswith("__") for part in dotted.split("."))


def test_the_registry_lists_every_library_name_the_patches_use() -> None:
    registered = {name.dotted for name in LIBRARY_NAMES}
    for path in sorted(PATCHES.glob("*.py")):
        assert library_names_used(path) <= registered, path.name


def test_no_other_product_module_touches_a_private_library_name() -> None:
    product = [ROOT / "app.py", *(ROOT / "components").rglob("*.py"), *(ROOT / "playground").rglob("*.py")]
    found = {f"{path.relative_to(ROOT)}: {name}" for path in product if PATCHES not in path.parents
             for name in library_names_used(path) if _is_private(name)}
    assert found == set()
    assert any(_is_private(name) for name in library_names_used(PATCHES / "hub_lookups.py"))  # the scan sees them


INSTALL = """
import json, os, sys
from huggingface_hub import constants
from huggingface_hub.inference import _providers as providers
from huggingface_hub.inference._providers import _common, hf_inference
from huggingface_hub.utils import get_session
from playground.config import load_settings
from playground.hf.lookup_cache import TokenScopedCache
from playground.startup import install_patches

settings = load_settings({"HF_TOKEN": os.environ["HF_TOKEN"], "HF_ROUTER_URL": "http://127.0.0.1:9/router"})
install_patches(settings)
install_patches(settings)  # twice changes nothing more
hooks = get_session().event_hooks
print(json.dumps({
    "kept": settings.hf_token, "env": [n for n in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN") if n in os.environ],
    "disabled": [os.environ.get("HF_HUB_DISABLE_IMPLICIT_TOKEN"), constants.HF_HUB_DISABLE_IMPLICIT_TOKEN],
    "token_path": constants.HF_TOKEN_PATH == os.devnull,
    "matplotlib": "matplotlib" in sys.modules and sys.modules["matplotlib"] is None,
    "scoped": [isinstance(f, TokenScopedCache) for f in (_common._fetch_inference_provider_mapping, hf_inference._check_supported_task)],
    "same": providers._fetch_inference_provider_mapping is _common._fetch_inference_provider_mapping,
    "request": [f"{h.__module__}.{h.__name__}" for h in hooks["request"]],
    "response": [f"{h.__module__}.{h.__name__}" for h in hooks["response"]],
}))
"""


def test_install_patches_installs_every_patch_once_in_one_call() -> None:
    """What main() gets from its one start-up call (matplotlib is not installed here)."""
    env = {"PATH": "/usr/bin:/bin", "HF_TOKEN": "hf_server_canary", "HUGGING_FACE_HUB_TOKEN": "hf_legacy_canary", "HF_HUB_DISABLE_TELEMETRY": "1"}
    state = json.loads(run_fresh(INSTALL, env))
    assert state == {
        "kept": "hf_server_canary", "env": [], "disabled": ["1", True], "token_path": True, "matplotlib": True,
        "scoped": [True, True], "same": True,
        "request": ["playground.hf.outbound.guard_request", "huggingface_hub.utils._http.hf_request_event_hook"],
        "response": ["playground.hf.outbound.refuse_endpoint_redirect", "playground.inference.stream_reader.record_response"],
    }
