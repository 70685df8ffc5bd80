"""The shape of the code that docs/architecture.md describes: the layers point one way (forms/
is the core, generator/ and scanner/ sit on it side by side, paperfit/ is the application on
top), and no function is too long to read at once."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
# What each package may import of the project (besides itself).
ALLOWED = {
    "forms": set(),
    "templates": set(),
    "generator": {"forms", "templates"},
    "scanner": {"forms"},
    "paperfit": {"forms", "templates", "generator", "scanner"},
}


def project_imports(path: Path) -> list[tuple[int, str]]:
    """The project packages PATH imports, with the line of each import."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in ALLOWED:
                found.append((node.lineno, top))
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_no_import_runs_against_the_layers(package: str) -> None:
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {imported}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for line, imported in project_imports(path)
        if imported != package and imported not in ALLOWED[package]
    ]
    assert not wrong, "\n".join(wrong)


def test_the_layer_check_sees_a_wrong_import(tmp_path: Path) -> None:
    module = tmp_path / "wrong.py"
    module.write_text("from generator.render import layout\nimport scanner.pen\n")
    assert project_imports(module) == [(1, "generator"), (2, "scanner")]


MAX_FUNCTION_LINES = 100


def test_no_function_is_over_100_lines() -> None:
    long = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length} lines)"
        for package in ALLOWED
        for path in sorted((ROOT / package).rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and (length := node.end_lineno - node.lineno + 1) > MAX_FUNCTION_LINES
    ]
    assert not long, "\n".join(long)
