"""The page's shape: one contract for every panel, no import circle, short functions and files.

Every panel module exposes `build(...)` (its components, as a small frozen dataclass) and
`wire(ctx, page)`; app.py builds them into a `components.page.Page` and wires them in order.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
from pathlib import Path

import pytest

from components.page import Page

ROOT = Path(__file__).parent.parent.parent
COMPONENTS = ROOT / "components"
MAX_FUNCTION_LINES = 50
MAX_FILE_LINES = 300
MAX_WIRE_PARAMETERS = 4

# Page's shared bits; every other field is a panel, built and wired by its module.
SHARED = {"demo", "tabs", "form", "finished_run", "link"}
PANEL_MODULES = {
    "auth": "auth_panel", "model": "model_panel", "search": "search_panel", "response_format": "format_panel",
    "run": "run_panel", "chat": "chat_panel", "code": "code_panel", "compare": "compare_panel", "sweep": "sweep_panel", "arena": "arena_panel",
    "big_text": "big_text", "preflight": "preflight_panel", "presets": "presets_panel", "params": "parameters_panel",
    "history": "history_panel", "group_history": "group_history_panel", "probs": "probs_panel",
}
# Known exceptions, each owned by another change under way; the integrator empties these lists.
CONTRACT_PENDING: set[str] = set()
LONG_FUNCTIONS = {("components/chat_run.py", "run_conversation")}  # the chat turn moves into playground/
LONG_FILES: set[str] = set()


def product_files() -> list[Path]:
    return [ROOT / "app.py", *sorted(COMPONENTS.glob("*.py")), *sorted((ROOT / "playground").rglob("*.py"))]


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def functions(path: Path) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    tree = ast.parse(path.read_text())
    return [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]


def test_the_page_holds_every_panel_and_the_shared_bits_by_the_agreed_names() -> None:
    assert {field.name for field in dataclasses.fields(Page)} == SHARED | set(PANEL_MODULES)


@pytest.mark.parametrize("field", sorted(PANEL_MODULES))
def test_every_panel_module_has_build_and_wire_ctx_page(field: str) -> None:
    name = PANEL_MODULES[field]
    if name in CONTRACT_PENDING:
        pytest.skip(f"components/{name}.py: contract pending in another change")
    module = importlib.import_module(f"components.{name}")
    assert callable(getattr(module, "build", None)), f"components/{name}.py has no build()"
    assert list(inspect.signature(module.wire).parameters) == ["ctx", "page"], f"components/{name}.py: wire(ctx, page)"


def test_every_module_named_like_a_panel_is_one() -> None:
    named = {path.stem for path in COMPONENTS.glob("*_panel.py")}
    assert named <= set(PANEL_MODULES.values())


def test_no_product_function_is_over_the_limit() -> None:
    long = {(relative(path), node.name) for path in product_files() for node in functions(path)
            if node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES}
    assert long <= LONG_FUNCTIONS, f"over {MAX_FUNCTION_LINES} lines: {sorted(long - LONG_FUNCTIONS)}"


def test_no_product_file_is_over_the_limit() -> None:
    long = {relative(path) for path in product_files() if len(path.read_text().splitlines()) > MAX_FILE_LINES}
    assert long <= LONG_FILES, f"over {MAX_FILE_LINES} lines: {sorted(long - LONG_FILES)}"


def test_no_wire_function_takes_more_than_four_arguments() -> None:
    wide = [(relative(path), node.name) for path in [ROOT / "app.py", *COMPONENTS.glob("*.py")] for node in functions(path)
            if node.name.startswith("wire") and len(node.args.posonlyargs + node.args.args + node.args.kwonlyargs) > MAX_WIRE_PARAMETERS]
    assert wide == []


# ---- imports: no circle, nothing upward, no panel importing another ------------------------------


def imported_modules(path: Path) -> set[str]:
    """The components (and app) modules `path` imports when it runs; names imported for type
    checkers only (`if TYPE_CHECKING:`) are left out."""
    tree = ast.parse(path.read_text())
    type_only = {id(node) for block in ast.walk(tree) if isinstance(block, ast.If) and _is_type_checking(block.test)
                 for statement in block.body for node in ast.walk(statement)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}  # `from components import x`
    return {name for name in found if name == "app" or (name.startswith("components.") and name.count(".") == 1)}


def _is_type_checking(test: ast.expr) -> bool:
    return isinstance(test, ast.Name) and test.id == "TYPE_CHECKING"


def import_graph() -> dict[str, set[str]]:
    modules = {f"components.{path.stem}": path for path in COMPONENTS.glob("*.py") if path.stem != "__init__"}
    graph = {name: imported_modules(path) & set(modules) for name, path in modules.items()}
    graph["app"] = imported_modules(ROOT / "app.py") & set(modules)
    return graph


def test_components_never_import_app() -> None:
    assert [path.name for path in COMPONENTS.glob("*.py") if "app" in imported_modules(path)] == []


def test_components_have_no_import_circle() -> None:
    graph, done, path = import_graph(), set(), []

    def visit(name: str) -> None:
        assert name not in path, f"import circle: {' -> '.join([*path[path.index(name):], name])}"
        if name in done:
            return
        path.append(name)
        for imported in sorted(graph[name]):
            visit(imported)
        path.pop()
        done.add(name)

    for name in sorted(graph):
        visit(name)


def test_only_the_page_names_modules_for_type_checkers_only() -> None:
    """A `TYPE_CHECKING` import hides a circle: the Page, which names every panel, is the one place allowed."""
    hiding = [path.name for path in COMPONENTS.glob("*.py") if "TYPE_CHECKING" in path.read_text() and path.name != "page.py"]
    assert hiding == []


def test_a_panel_never_imports_another_panel() -> None:
    """Shared things come from components/context.py and components/page.py."""
    panels = {f"components.{name}" for name in PANEL_MODULES.values()}
    graph = import_graph()
    crossing = {name: sorted(graph[name] & panels) for name in panels if name in graph and graph[name] & panels}
    assert crossing == {}
