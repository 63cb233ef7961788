"""The code's shape, as a newcomer reads it: the core's map is true, and the core stays small at its root."""

from __future__ import annotations

import re
from pathlib import Path

import playground

CORE = Path(playground.__file__).parent


def mapped_names() -> set[str]:
    """Every name the package docstring's map lists, as a path under playground/ ("input/params")."""
    names: set[str] = set()
    package = ""
    for line in (playground.__doc__ or "").splitlines():
        match = re.match(r"^( {4}| {8})([a-z_]+/?)\s", line + " ")
        if not match:
            continue
        indent, name = match.groups()
        if len(indent) == 4:
            package = name.rstrip("/") if name.endswith("/") else ""
            names.add(name.rstrip("/"))
        elif package:
            names.add(f"{package}/{name}")
    return names


def test_the_core_map_names_every_module_and_nothing_else() -> None:
    on_disk = {str(path.relative_to(CORE).with_suffix("")) for path in CORE.glob("*.py") if path.name != "__init__.py"}
    on_disk |= {path.name for path in CORE.iterdir() if (path / "__init__.py").exists()}
    for package in ("input", "inference", "endpoint", "hf", "web", "saved", "patches", "arena"):
        on_disk |= {f"{package}/{path.stem}" for path in (CORE / package).glob("*.py") if path.name != "__init__.py"}
    assert mapped_names() == on_disk


def test_at_most_six_modules_sit_loose_in_the_core() -> None:
    assert len([path for path in CORE.glob("*.py") if path.name != "__init__.py"]) <= 6
