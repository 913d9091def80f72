"""The layers of docs/architecture.md, as imports: arrows go down, never up or sideways.

Entry points (cli, api) reach io, planning, storage and scenarios only through coprod.app;
the domain imports nothing of coprod but errors; and so on. A module that breaks a rule
fails here with the offending import named."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parents[2] / "src" / "coprod"
FORBIDDEN = {
    "cli": ("coprod.io", "coprod.planning", "coprod.storage", "coprod.scenarios", "coprod.domain"),
    "api": ("coprod.io", "coprod.planning", "coprod.storage", "coprod.scenarios"),
    "app": ("coprod.api", "coprod.cli"),
    "scenarios": ("coprod.io", "coprod.storage", "coprod.app", "coprod.api", "coprod.cli"),
    "planning": (
        "coprod.io",
        "coprod.storage",
        "coprod.app",
        "coprod.api",
        "coprod.cli",
        "coprod.scenarios",
        "coprod.access",
    ),
    "tracking": (
        "coprod.io",
        "coprod.planning",
        "coprod.storage",
        "coprod.app",
        "coprod.api",
        "coprod.cli",
        "coprod.scenarios",
        "coprod.access",
    ),
    "storage": ("coprod.app", "coprod.api", "coprod.cli", "coprod.scenarios", "coprod.planning"),
    "io": ("coprod.planning", "coprod.storage", "coprod.app", "coprod.api", "coprod.cli", "coprod.scenarios"),
    "domain": ("coprod.io", "coprod.planning", "coprod.storage", "coprod.app", "coprod.api", "coprod.cli"),
}
ALLOWED = {"storage": ("coprod.planning.options",)}  # JobStatus: the status of a stored plan job


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names += [a.name for a in node.names]
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_go_down(package: str) -> None:
    broken = []
    for path in sorted((SRC / package).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for name in _imports(path):
            if name in ALLOWED.get(package, ()):
                continue
            if any(name == f or name.startswith(f.rstrip(".") + ".") for f in FORBIDDEN[package]):
                broken.append(f"{path.relative_to(SRC)} imports {name}")
    assert not broken, "\n".join(broken)


def test_leaf_modules_import_no_layer() -> None:
    for leaf in ("access.py", "errors.py", "config.py"):
        for name in _imports(SRC / leaf):
            assert not name.startswith("coprod.") or name == "coprod.errors", f"{leaf} imports {name}"
