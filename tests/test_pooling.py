"""De-identified exports, and expected courses fitted on several of them pooled together."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from paperfit.forms.deidentify import COLUMNS

from paperfit.cli import cli
from paperfit.practices import LEVELLING, MIXED, write_practice


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def practices(tmp_path: Path) -> tuple[Path, Path, Path]:
    write_practice(tmp_path / "a", LEVELLING.courses(70, seed=21))
    write_practice(tmp_path / "b", MIXED.courses(70, seed=22))
    config = tmp_path / "paperfit.toml"
    config.write_text('practice_name = "Riverside"\n', encoding="utf-8")
    return tmp_path / "a", tmp_path / "b", config


def originals(folder: Path) -> tuple[set[str], set[str]]:
    """Every client ID, name and clinician, and every date, in a made-up practice's files."""
    with (folder / "clients.csv").open(encoding="utf-8") as stream:
        people = {v for row in csv.DictReader(stream) for k, v in row.items() if k != "status"}
    with (folder / "ors.csv").open(encoding="utf-8") as stream:
        dates = {row["date"] for row in csv.DictReader(stream)}
    return people - {"adult"}, dates


def test_no_original_id_name_clinician_or_date_survives(practices, tmp_path: Path) -> None:
    a, _, config = practices
    result = run("--config", config, "export", a, "--deidentify", "-o", tmp_path / "a.csv")
    assert result.exit_code == 0, result.output
    assert "A new de-identification key was kept in" in result.stderr
    text = (tmp_path / "a.csv").read_text(encoding="utf-8")
    people, dates = originals(a)
    assert people and dates
    for value in people | dates:
        assert value not in text
    assert not re.search(r"\d{4}-\d\d-\d\d", text)
    rows = list(csv.reader(text.splitlines()))
    assert tuple(rows[0]) == COLUMNS
    assert all(re.fullmatch(r"[0-9a-f]{16}", row[0]) for row in rows[1:])
    assert {row[4] for row in rows[1:] if row[3] == "1"} == {"0"}  # week 0: the first session


def test_the_key_is_made_once_and_kept(practices, tmp_path: Path) -> None:
    a, _, config = practices
    run("--config", config, "export", a, "--deidentify", "-o", tmp_path / "1.csv")
    assert config.read_text(encoding="utf-8") == 'practice_name = "Riverside"\n'
    kept = (tmp_path / "paperfit.key").read_text(encoding="utf-8")
    assert re.search(r'\nkey = "[0-9a-f]{64}"\n', kept)
    result = run("--config", config, "export", a, "--deidentify", "-o", tmp_path / "2.csv")
    assert "key was kept" not in result.stderr
    assert (tmp_path / "paperfit.key").read_text(encoding="utf-8") == kept
    assert (tmp_path / "1.csv").read_bytes() == (tmp_path / "2.csv").read_bytes()


def test_trajectories_pool_several_deidentified_files(practices, tmp_path: Path) -> None:
    a, b, config = practices
    for folder in (a, b):
        run(
            "--config",
            config,
            "export",
            folder,
            "--deidentify",
            "-o",
            tmp_path / f"{folder.name}.csv",
        )
    alone = run("trajectories", tmp_path / "a.csv", "-o", tmp_path / "alone")
    assert "(100 needed)" in alone.output
    pooled = run("trajectories", tmp_path / "a.csv", tmp_path / "b.csv", "-o", tmp_path / "pooled")
    assert pooled.exit_code == 0, pooled.output
    model = json.loads((tmp_path / "pooled" / "model.json").read_text(encoding="utf-8"))
    group = model["groups"]["adult"]
    assert not group["refusal"]
    assert group["clients"] > 100
    assert model["period"] == ""


CODE = "0123456789abcdef"


def refusal_count(result: Result) -> int:
    """The clients an adult curve would rest on, from the refusal line of `trajectories`."""
    found = re.search(r"adult: only (\d+) clients", result.output)
    assert found, result.output
    return int(found.group(1))


def test_copies_of_a_client_are_counted_once_and_said(practices, tmp_path: Path) -> None:
    a, _, config = practices
    export = tmp_path / "a.csv"
    run("--config", config, "export", a, "--deidentify", "-o", export)
    (tmp_path / "renamed.csv").write_bytes(export.read_bytes())
    once = run("--config", config, "trajectories", export, "-o", tmp_path / "1")
    assert "copies of the same client" not in once.output
    for inputs in ([export, export], [export, tmp_path / "renamed.csv"], [a, export]):
        again = run("--config", config, "trajectories", *inputs, "-o", tmp_path / "2")
        assert again.exit_code == 1, again.output  # 64 clients: no curve, said
        assert refusal_count(again) == refusal_count(once)
        assert "70 copies of the same client counted once" in again.output
        model = json.loads((tmp_path / "2" / "model.json").read_text(encoding="utf-8"))
        assert model["copies_merged"] == 70 and model["kind"] == "pooled"


def test_own_files_without_a_key_are_not_merged_with_an_export(practices, tmp_path) -> None:
    a, b, config = practices
    run("--config", config, "export", b, "--deidentify", "-o", tmp_path / "b.csv")
    result = run("trajectories", a, tmp_path / "b.csv", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "copies of the same client" not in result.output


@pytest.mark.parametrize(
    ("rows", "place", "words"),
    [
        ([f"{CODE},adult,SRS,2,0,30"], "row 2 › column instrument", "not an outcome form"),
        (
            [f"{CODE},adult,ORS,1,0,20", f"{CODE},adult,ORS,2,1,22", f"{CODE},adult,ORS,2,1,25"],
            "row 4 › column total",
            "two different totals at session 2 (rows 3 and 4",
        ),
    ],
)
def test_alliance_rows_and_conflicting_duplicates_are_refused_with_their_rows(
    tmp_path: Path, rows: list[str], place: str, words: str
) -> None:
    path = tmp_path / "pooled.csv"
    path.write_text("\n".join([",".join(COLUMNS), *rows]) + "\n", encoding="utf-8")
    result = run("trajectories", path, "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert f"pooled.csv › {place}" in result.output and words in result.output


def test_a_broken_deidentified_row_is_named(practices, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(",".join(COLUMNS) + f"\n{CODE},adult,ORS,two,0,20\n", encoding="utf-8")
    result = run("trajectories", path, "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert "bad.csv › row 2 › column session" in result.output
