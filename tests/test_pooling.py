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


def test_a_broken_deidentified_row_is_named(practices, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(",".join(COLUMNS) + "\nabc,adult,ORS,two,0,20\n", encoding="utf-8")
    result = run("trajectories", path, "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert "bad.csv › row 2 › column session" in result.output
