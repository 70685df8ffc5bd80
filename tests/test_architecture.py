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
    "store": {"forms"},
    "paperfit": {"forms", "templates", "generator", "scanner", "store"},
}


def layer_of(module: str) -> str | None:
    """The layer MODULE belongs to, or None when it is not paperfit's. A folder imported by
    its own name (forms, not paperfit.forms) is named as such: it would load a second copy."""
    parts = module.split(".")
    if parts[0] == "paperfit":
        return parts[1] if len(parts) > 1 and parts[1] in ALLOWED else "paperfit"
    if parts[0] in ALLOWED:
        return f"{parts[0]} by its folder name (import paperfit.{parts[0]})"
    return None


def project_imports(path: Path) -> list[tuple[int, str]]:
    """The layers PATH imports, with the line of each import."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            layer = layer_of(name)
            if layer is not None:
                found.append((node.lineno, layer))
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
    module.write_text(
        "from paperfit.generator.render import layout\nimport paperfit.scanner.pen\n"
        "from paperfit import cli\nfrom forms import sheet\nimport numpy\n"
    )
    assert project_imports(module) == [
        (1, "generator"),
        (2, "scanner"),
        (3, "paperfit"),
        (4, "forms by its folder name (import paperfit.forms)"),
    ]


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
