"""`paperfit trajectories`: the model, the table and the page, from measurement files."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from paperfit.forms.errors import InputProblem
from paperfit.forms.trajectories import model_from_dict, model_to_dict
from paperfit.scanner.trajectories import read_model

from paperfit.cli import cli
from paperfit.practices import LEVELLING, write_practice
from tests.conftest import pdf_text

HEADER = ["age_group", "intake", "session", "p10", "p25", "p50", "p75", "clients"]


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def practice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("practice")
    write_practice(folder, LEVELLING.courses(160, seed=4))
    return folder


@pytest.fixture(scope="module")
def fitted(practice: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out") / "trajectories"
    result = run("trajectories", practice, "-o", out)
    assert result.exit_code == 0, result.output
    assert "adult: fitted on 1" in result.output
    return out


def test_the_three_files_are_written(fitted: Path) -> None:
    assert sorted(p.name for p in fitted.iterdir()) == [
        "expected.csv",
        "model.json",
        "trajectories.pdf",
    ]


def test_the_model_holds_no_client_id_name_clinician_or_date(practice: Path, fitted: Path) -> None:
    text = (fitted / "model.json").read_text(encoding="utf-8")
    with (practice / "clients.csv").open(encoding="utf-8") as stream:
        clients = list(csv.DictReader(stream))
    with (practice / "ors.csv").open(encoding="utf-8") as stream:
        dates = {row["date"] for row in csv.DictReader(stream)}
    for client in clients:
        for value in (client["client"], client["name"], client["clinician"]):
            assert value not in text
    assert not dates & set(re.findall(r"\d{4}-\d\d-\d\d", text) + re.findall(r"\d{4}-\d\d", text))
    data = json.loads(text)
    group = data["groups"]["adult"]
    assert data["method"] == "quantreg" and data["method_version"] == 1
    assert group["clients"] > 100 and group["forms"] > 500
    assert group["session_range"][0] == 2
    assert len(group["calibration"]["below_percent"]) == 4


def test_the_table_has_one_row_per_whole_intake_and_session(fitted: Path) -> None:
    with (fitted / "expected.csv").open(encoding="utf-8") as stream:
        rows = list(csv.reader(stream))
    assert rows[0] == HEADER
    model = read_model(fitted / "model.json")
    group = model.groups["adult"]
    first, last = group.session_range
    assert len(rows) - 1 == len(group.intakes()) * (last - first + 1)
    for row in rows[1:]:
        values = [float(v) for v in row[3:7]]
        assert values == sorted(values)
        expected = model.expected("adult", int(row[1]), int(row[2]))
        assert expected is not None
        assert [f"{v:.1f}" for v in expected.values] == row[3:7]


def test_the_page_says_what_the_curves_rest_on(fitted: Path) -> None:
    pages = pdf_text(fitted / "trajectories.pdf")
    assert len(pages) == 1
    text = pages[0]
    assert "Expected progress" in text
    assert re.search(r"Rests on 1\d\d clients and \d+ forms", text)
    assert "not a norm" in text and "not a verdict" in text
    assert "Share of held-out sessions below" in text
    assert "intake 15" in text and "intake 20" in text


def test_with_too_few_clients_nothing_is_fitted_and_the_page_says_why(
    tmp_path: Path,
) -> None:
    write_practice(tmp_path / "small", LEVELLING.courses(60, seed=5))
    result = run("trajectories", tmp_path / "small", "-o", tmp_path / "out")
    assert result.exit_code == 1  # the files are written, but nothing was fitted
    assert "(100 needed)" in result.output
    assert "Error: No expected course was fitted" in result.output
    text = pdf_text(tmp_path / "out" / "trajectories.pdf")[0]
    assert "No curve for this group: only" in text
    assert (tmp_path / "out" / "expected.csv").read_text().splitlines() == [",".join(HEADER)]


def test_the_minimum_is_an_option(practice: Path, tmp_path: Path) -> None:
    result = run("trajectories", practice, "-o", tmp_path, "--min-clients", "500")
    assert "(500 needed)" in result.output


def test_a_model_reads_back_as_it_was_written(fitted: Path) -> None:
    model = read_model(fitted / "model.json")
    again = model_from_dict(json.loads(json.dumps(model_to_dict(model))))
    assert again == model


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "is not a model file"),
        ('{"format": "something else"}', "it is not a paperfit model"),
        ('{"format": "paperfit expected courses 1", "method": "quantreg"}', "lacks a part"),
    ],
)
def test_a_bad_model_file_is_named_with_what_to_do(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "model.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputProblem, match=message) as raised:
        read_model(path)
    assert str(path) in str(raised.value)
