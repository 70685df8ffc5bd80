"""The README's examples, run as written on the demo's files: the README is this test's input.

Every line `$ paperfit ...` in a fenced block is run, in order, in a folder holding the demo's
output/demo/, and what it prints (stdout and stderr, as a terminal shows them) must be the lines
the README shows under it. A line `...` stands for any lines, and `...` within a line for any
text (versions, say); a last line `(exit status N)` gives the exit status, otherwise 0.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from paperfit.cli import cli
from paperfit.settings import load_settings

README = Path(__file__).parents[1] / "README.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
STATUS = re.compile(r"^\(exit status (\d+)\)$")


@dataclass(frozen=True)
class Example:
    """One command of the README with what it prints and its exit status."""

    line: int
    command: str
    output: list[str]
    status: int


def examples(text: str) -> list[Example]:
    """Every `$ paperfit ...` command in TEXT's fenced blocks, in order."""
    found: list[Example] = []
    for block in FENCE.finditer(text):
        first = text.count("\n", 0, block.start(2)) + 1
        lines = block.group(2).splitlines()
        starts = [i for i, line in enumerate(lines) if line.startswith("$ paperfit ")]
        for start, end in zip(starts, [*starts[1:], len(lines)][: len(starts)], strict=True):
            output = lines[start + 1 : end]
            status = STATUS.match(output[-1]) if output else None
            found.append(
                Example(
                    first + start,
                    lines[start].removeprefix("$ "),
                    output[:-1] if status else output,
                    int(status.group(1)) if status else 0,
                )
            )
    return found


def matches(expected: list[str], printed: list[str]) -> bool:
    """Whether PRINTED is EXPECTED, with `...` lines and `...` within lines as wildcards."""
    pattern = "".join(
        "(?:.*\n)*" if line == "..." else ".*".join(map(re.escape, line.split("..."))) + "\n"
        for line in expected
    )
    return re.fullmatch(pattern, "".join(line + "\n" for line in printed)) is not None


def test_the_readme_has_examples_and_the_matcher_can_fail() -> None:
    found = examples(README.read_text(encoding="utf-8"))
    assert len(found) >= 12
    assert {e.command.split()[1] for e in found} >= {"forms", "check", "graphs", "report", "scan"}
    assert matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert matches(["ok x: ..., for y"], ["ok x: 8.5.1, for y"])
    assert not matches(["a", "b"], ["a", "b", "c"])
    assert not matches(["48 clients"], ["4 clients"])


@pytest.mark.slow
def test_every_readme_example_runs_as_written_on_the_demo(
    demo: tuple[Path, Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    work, made = demo
    assert made.exit_code == 0, made.output
    monkeypatch.chdir(work)
    failures = []
    for example in examples(README.read_text(encoding="utf-8")):
        args = shlex.split(example.command)[1:]
        result = CliRunner().invoke(cli, args)
        printed = result.output.splitlines()
        if result.exit_code != example.status or not matches(example.output, printed):
            failures.append(
                f"README.md line {example.line}: {example.command}\n"
                f"exit status {result.exit_code} (README: {example.status}); printed:\n"
                + "\n".join(printed)
            )
    assert not failures, "\n\n".join(failures)


def test_the_settings_example_works_as_copied(tmp_path: Path) -> None:
    blocks = [b.group(2) for b in FENCE.finditer(README.read_text(encoding="utf-8"))]
    settings = [block for block in blocks if "practice_name =" in block and "[scoring]" in block]
    assert len(settings) == 1
    path = tmp_path / "paperfit.toml"
    path.write_text(settings[0], encoding="utf-8")
    tomllib.loads(settings[0])
    loaded = load_settings(path)
    assert loaded.practice_name == "Riverside Counselling"
    assert loaded.scoring.rci == 6
