"""The pure core imports nothing from Django, no I/O-bound or clock/random module state."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "comuna" / "core"
FORBIDDEN_ROOTS = {"django", "ninja", "comuna.people", "comuna.bodies", "comuna.assemblies"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_it_keeps_django_out_of_the_core() -> None:
    offenders = {}
    for path in sorted(CORE.rglob("*.py")):
        bad = {
            name
            for name in imported_modules(path)
            if any(name == root or name.startswith(root + ".") for root in FORBIDDEN_ROOTS)
        }
        if bad:
            offenders[str(path.relative_to(CORE))] = sorted(bad)
    assert offenders == {}


def test_it_finds_the_core_modules() -> None:
    # Guards the test above against walking an empty folder.
    assert (CORE / "errors.py").exists()
    assert len(list(CORE.rglob("*.py"))) >= 3
