"""`paperfit check` and `paperfit export`, end to end with real files."""

from __future__ import annotations

import csv
import datetime
from pathlib import Path

import openpyxl
from click.testing import CliRunner
from paperfit.generator.export import as_text

from paperfit.cli import cli
from tests.test_measurements import ORS_HEADER, make_workbook

REQUIRED = [
    "client_id",
    "instrument",
    "session",
    "date",
    "age_group",
    "item1",
    "item2",
    "item3",
    "item4",
    "total",
    "change_from_intake",
    "classification",
    "flags",
    "source",
]


def run(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def entry(folder: Path, notes: str = "") -> Path:
    day = datetime.date(2026, 1, 5)
    return make_workbook(
        folder / "entry.xlsx",
        {
            "Clients": [["client_id", "age_group"], ["-C1", "adult"], ["C-2", "child"]],
            "ORS": [
                [*ORS_HEADER, "notes"],
                ["-C1", 1, day, 4, 4, 4, 4, None, notes],
                ["-C1", 2, day + datetime.timedelta(7), 6, 6, 6, 6, None, None],
            ],
            "SRS": [
                [
                    "client_id",
                    "session",
                    "date",
                    "Relationship",
                    "Goals and Topics",
                    "Approach or Method",
                    "Overall",
                ],
                ["C-2", 1, day, 9.5, 8.5, 9.5, 9.5],
            ],
        },
    )


def test_check_a_clean_file_exits_0_with_a_summary(tmp_path: Path) -> None:
    result = run("check", entry(tmp_path))
    assert result.exit_code == 0, result.output
    assert "clients: 2" in result.output
    assert "forms: 3" in result.output
    assert "ORS: 2 sessions from 1 client" in result.output
    assert "problems: 0 errors, 0 warnings" in result.output


def test_check_lists_problems_and_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "ors.csv"
    path.write_text("client,session,date,item1,item2,item3,item4\nC-1,1,2026-01-05,5,5,x,5\n")
    result = run("check", path)
    assert result.exit_code == 1
    assert f"{path} › row 2 › column F \"item3\": 'x' is not a number" in result.output
    assert "Traceback" not in result.output


def test_check_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run("check").exit_code == 2
    assert run("check", tmp_path / "missing.xlsx").exit_code == 2
    assert run("check", "--unit", "inch", entry(tmp_path)).exit_code == 2


def test_export_csv_has_the_named_columns_and_scores(tmp_path: Path) -> None:
    out = tmp_path / "export.csv"
    result = run("export", entry(tmp_path, notes="+1 call back"), "-o", out)
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0])[: len(REQUIRED)] == REQUIRED
    ors = [r for r in rows if r["instrument"] == "ORS"]
    assert [r["total"] for r in ors] == ["16.0", "24.0"]
    assert [r["change_from_intake"] for r in ors] == ["", "8.0"]
    assert [r["classification"] for r in ors] == ["intake", "reliable improvement"]
    assert ors[0]["client_id"] == "'-C1"  # text, never a formula
    assert ors[0]["notes"] == "'+1 call back"
    srs = next(r for r in rows if r["instrument"] == "SRS")
    assert srs["age_group"] == "child"
    assert srs["flags"] == "SRS item below 9"
    assert (srs["cutoff"], srs["rci"], srs["srs_alert_total"]) == ("32.0", "5.0", "36.0")
    assert srs["source"].endswith("entry.xlsx › sheet SRS › row 2")


def test_export_xlsx_writes_text_as_text_and_records_the_values_used(tmp_path: Path) -> None:
    out = tmp_path / "export.xlsx"
    assert run("export", entry(tmp_path, notes="@SUM(A1)"), "-o", out).exit_code == 0
    workbook = openpyxl.load_workbook(out)
    sheet = workbook["Forms"]
    header = [cell.value for cell in sheet[1]]
    assert header[: len(REQUIRED)] == REQUIRED
    first = {key: cell for key, cell in zip(header, sheet[2], strict=True)}
    assert first["client_id"].value == "-C1"
    assert first["client_id"].data_type == "s"
    assert first["notes"].data_type == "s"
    values = {
        row[0]: (row[1], row[2])
        for row in workbook["Scoring values"].iter_rows(min_row=2, values_only=True)
    }
    assert values["cutoff_adult"] == (25, "ors.toml")
    assert values["rci"] == (5, "ors.toml")


def test_formula_looking_text_gets_an_apostrophe_in_csv() -> None:
    assert [as_text(v) for v in ["=1+2", "+1", "-C1", "@x", "\tx", "C-1", -3.5, None]] == [
        "'=1+2",
        "'+1",
        "'-C1",
        "'@x",
        "'\tx",
        "C-1",
        -3.5,
        None,
    ]


def test_export_carries_on_past_bad_rows_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "ors.csv"
    path.write_text(
        "client,session,date,item1,item2,item3,item4\nC-1,1,2026-01-05,5,5,5,5\n"
        "C-1,x,2026-01-12,5,5,5,5\n"
    )
    result = CliRunner().invoke(cli, ["export", str(path), "-o", str(tmp_path / "e.csv")])
    assert result.exit_code == 0
    assert "row 3 › column B \"session\": 'x' is not a session number" in result.output
    assert len((tmp_path / "e.csv").read_text(encoding="utf-8-sig").splitlines()) == 2


def test_export_to_an_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    assert run("export", entry(tmp_path), "-o", tmp_path / "x.json").exit_code == 2
