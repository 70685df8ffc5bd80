"""Hostile and careless inputs to expected courses: model files, pooled files, odd practices.

Each case is one from issue 21's list, run on real files in tmp_path as a user would run
paperfit. A case is marked `hostile` and records whether paperfit refused it with a located
message ("refused") or gave the right result ("handled"); tests/conftest.py counts them.
"""

from __future__ import annotations

import copy
import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from paperfit.forms.deidentify import COLUMNS
from paperfit.forms.trajectories import Course

from paperfit.cli import cli
from paperfit.practices import LEVELLING, MIXED, write_practice
from tests import test_trajectory_files
from tests.conftest import pdf_text

pytestmark = pytest.mark.hostile

practice = test_trajectory_files.practice  # the fixture: a practice of 160 clients
JARGON = ("numpy", "LinAlgError", "Singular matrix", "ndarray", "Traceback", "float64")
CODE = "0123456789abcdef"


def run(*args: str | Path) -> Result:
    """Run paperfit; an exception other than a clean exit fails the test."""
    result = CliRunner().invoke(cli, [str(a) for a in args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def clean(result: Result) -> str:
    """The run's whole output, checked for jargon and for long unbroken blobs."""
    text = result.output + (result.stderr if result.stderr_bytes is not None else "")
    for word in JARGON:
        assert word not in text, text
    assert not re.search(r"[A-Za-z0-9+/=]{120,}", text), text
    return text


@pytest.fixture(scope="module")
def model_data(practice: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("fitted")
    result = run("trajectories", practice, "-o", out)
    assert result.exit_code == 0, result.output
    return json.loads((out / "model.json").read_text(encoding="utf-8"))


def with_model(practice: Path, tmp_path: Path, content: str | bytes) -> Result:
    """`report` on PRACTICE with a model.json holding CONTENT."""
    path = tmp_path / "model.json"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return run("report", practice, "--expected", path, "-o", tmp_path / "report.pdf")


def tampered(data: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> str:
    data = copy.deepcopy(data)
    change(data)
    return json.dumps(data)


def coefficient(value: object, every: bool = False) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        rows = data["groups"]["adult"]["parameters"]["coefficients"]
        for p in ("p10", "p25", "p50", "p75") if every else ("p25",):
            rows[p][0] = value

    return change


def group_value(key: str, value: object) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["groups"]["adult"][key] = value

    return change


def top_value(key: str, value: object) -> Callable[[dict[str, Any]], None]:
    return lambda data: data.__setitem__(key, value)


@pytest.mark.parametrize(
    ("change", "raw", "words"),
    [
        (coefficient(float("nan"), every=True), None, "is not a number"),
        (coefficient(float("nan")), None, "is not a number"),
        (coefficient(float("inf")), None, "is not a number"),
        (coefficient(1e308), None, "outside -1000 to 1000"),
        (group_value("clients", -5), None, "outside 0 to"),
        (group_value("intake_range", [-1e400, 1e400]), None, "holds -Infinity"),
        (top_value("fitted_on", "9999-12-31"), None, "is in the future"),
        (top_value("period", "a\u202eb"), None, "control characters"),
        (top_value("period", "x" * 30_000), None, "30000 characters long"),
        (group_value("clients", 10**400), None, "a number of 401 digits"),
        (None, '{"groups": {"adult": {"clients": Infinity}}}', "holds Infinity"),
        (None, "[" * 200_000 + "]" * 200_000, "nested too deeply"),
    ],
    ids=[
        "NaN coefficients",
        "one NaN coefficient",
        "infinite coefficient",
        "1e308 coefficient",
        "-5 clients",
        "infinite intakes",
        "fitted 9999-12-31",
        "U+202E in period",
        "30000-character period",
        "400-digit integer",
        "clients Infinity",
        "200000 nested brackets",
    ],
)
def test_a_model_file_with_a_bad_value_is_refused_naming_the_file(
    practice: Path, model_data, tmp_path: Path, change, raw, words: str, record_property
) -> None:
    content = raw if raw is not None else tampered(model_data, change)
    content = content.replace("NaN", "NaN").replace("Infinity", "Infinity")
    started = time.perf_counter()
    result = with_model(practice, tmp_path, content)
    assert time.perf_counter() - started < 20
    assert result.exit_code == 1, result.output
    text = clean(result)
    assert f"{tmp_path / 'model.json'}" in text and words in text
    assert "Write it again with paperfit trajectories" in text
    assert len(result.stderr) < 400
    assert not (tmp_path / "report.pdf").exists()
    record_property("hostile", "refused")


def test_nan_coefficients_are_refused_by_graphs_without_a_blob(
    practice: Path, model_data, tmp_path: Path, record_property
) -> None:
    path = tmp_path / "model.json"
    path.write_text(tampered(model_data, coefficient(float("nan"), every=True)))
    result = run("graphs", practice, "--expected", path, "-o", tmp_path / "g")
    assert result.exit_code == 1
    text = clean(result)
    assert "model.json" in text and "is not a number" in text
    record_property("hostile", "refused")


@pytest.mark.parametrize("size", ["dev-zero", "120 MB"])
def test_a_huge_model_file_is_refused_without_reading_it(
    practice: Path, tmp_path: Path, size: str, record_property
) -> None:
    if size == "dev-zero":
        path = Path("/dev/zero")
    else:
        path = tmp_path / "model.json"
        with path.open("wb") as stream:
            stream.write(b'{"format": "paperfit expected courses 2", "pad": "')
            stream.truncate(120_000_000)
    started = time.perf_counter()
    result = run("report", practice, "--expected", path, "-o", tmp_path / "report.pdf")
    assert time.perf_counter() - started < 20
    assert result.exit_code == 1
    assert "larger than the 5,000,000 bytes a model file may have" in clean(result)
    record_property("hostile", "refused")


def test_a_21_mb_neighbours_table_is_refused_quickly(
    practice: Path, model_data, tmp_path: Path, record_property
) -> None:
    def neighbours(data: dict[str, Any]) -> None:
        data["method"] = "neighbours"
        data["groups"]["adult"]["parameters"] = {
            "first_session": 2,
            "first_intake": 0,
            "table": [[[10.0, 12.0, 15.0, 18.0]] * 41] * 20_000,
        }

    content = tampered(model_data, neighbours)
    assert len(content) > 20_000_000
    started = time.perf_counter()
    result = with_model(practice, tmp_path, content)
    assert time.perf_counter() - started < 20
    assert result.exit_code == 1 and "larger than the" in clean(result)
    record_property("hostile", "refused")


def test_a_neighbours_table_starting_after_its_first_session_is_refused(
    practice: Path, model_data, tmp_path: Path, record_property
) -> None:
    first, last = model_data["groups"]["adult"]["session_range"]

    def neighbours(data: dict[str, Any]) -> None:
        data["method"] = "neighbours"
        data["groups"]["adult"]["parameters"] = {
            "first_session": first + 2,
            "first_intake": 0,
            "table": [[[10.0, 12.0, 15.0, 18.0]] * 41] * (last - first + 1),
        }

    result = with_model(practice, tmp_path, tampered(model_data, neighbours))
    assert result.exit_code == 1
    assert f"its table starts at session {first + 2}, not the first" in clean(result)
    record_property("hostile", "refused")


def test_a_model_file_with_a_byte_order_mark_is_read(
    practice: Path, model_data, tmp_path: Path, record_property
) -> None:
    result = with_model(practice, tmp_path, b"\xef\xbb\xbf" + json.dumps(model_data).encode())
    assert result.exit_code == 0, result.output
    record_property("hostile", "handled")


def test_the_report_over_the_model_it_reads_is_refused(
    practice: Path, model_data, tmp_path: Path, record_property
) -> None:
    path = tmp_path / "model.json"
    path.write_text(json.dumps(model_data), encoding="utf-8")
    before = path.read_bytes()
    result = run("report", practice, "--expected", path, "-o", path)
    assert result.exit_code == 1
    assert "is one of the files read" in clean(result)
    assert path.read_bytes() == before
    record_property("hostile", "refused")


@pytest.mark.parametrize("command", ["report", "graphs"])
def test_an_empty_expected_is_refused_not_auto(
    practice: Path, tmp_path: Path, command: str, record_property
) -> None:
    result = run(command, practice, "--expected", "", "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert "--expected is empty" in clean(result)
    record_property("hostile", "refused")


def test_min_clients_below_100_is_refused(practice: Path, tmp_path: Path, record_property) -> None:
    result = run("trajectories", practice, "--min-clients", "10", "-o", tmp_path / "t")
    assert result.exit_code == 2 and "100" in clean(result)
    record_property("hostile", "refused")


# ---- practices whose design the data cannot determine --------------------------------------


def brief_practice(folder: Path, clients: int, sessions: int, seed: int) -> Path:
    """A brief-therapy practice: every client comes to sessions 1 to SESSIONS."""
    courses = MIXED.courses(clients, seed=seed, sessions=(sessions, sessions))
    courses = [c for c in courses if len(c.points) == sessions]
    write_practice(folder, courses)
    return folder


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_a_brief_therapy_practice_gets_report_and_graphs(
    tmp_path: Path, seed: int, record_property
) -> None:
    folder = brief_practice(tmp_path / "brief", 110, 3, seed)
    report = run("report", folder, "-o", tmp_path / "report.pdf")
    assert report.exit_code == 0, report.output
    clean(report)
    graphs = run("graphs", folder, "-o", tmp_path / "g", "--client", "MIX-0001")
    assert graphs.exit_code == 0, graphs.output
    clean(graphs)
    record_property("hostile", "handled")


def test_trajectories_of_120_clients_x_3_sessions_say_the_simpler_shape(
    tmp_path: Path, record_property
) -> None:
    folder = brief_practice(tmp_path / "brief", 125, 3, 5)
    result = run("trajectories", folder, "-o", tmp_path / "t")
    assert result.exit_code == 0, result.output
    assert "simpler shape (the data do not determine more)" in clean(result)
    text = " ".join(pdf_text(tmp_path / "t" / "trajectories.pdf"))
    assert "The data did not determine the full shape" in text
    record_property("hostile", "handled")


def test_a_practice_whose_intakes_are_all_equal_is_fitted(tmp_path: Path, record_property) -> None:
    courses = [
        Course(c.key, c.age_group, ((1, 17.0), *c.points[1:]))
        for c in MIXED.courses(150, seed=6, sessions=(4, 8))
    ]
    write_practice(tmp_path / "equal", courses)
    result = run("trajectories", tmp_path / "equal", "-o", tmp_path / "t")
    assert result.exit_code == 0, result.output
    assert "ln(session)" in clean(result)
    record_property("hostile", "handled")


def test_courses_starting_at_session_5_get_no_curve_resting_on_nobody(
    tmp_path: Path, record_property
) -> None:
    courses = [
        Course(c.key, c.age_group, tuple((s + 4, t) for s, t in c.points))
        for c in LEVELLING.courses(150, seed=8)
    ]
    write_practice(tmp_path / "late", courses)
    result = run("trajectories", tmp_path / "late", "-o", tmp_path / "t")
    assert result.exit_code == 1  # no curve fitted: said, and the files say why
    assert "150 clients whose first outcome form is not session 1" in clean(result)
    rows = (tmp_path / "t" / "expected.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 1  # the header: no cell at all
    check = run("check", tmp_path / "late")
    assert "Left out of expected courses: client LEV-0000: the first outcome form is " in (
        check.output
    )
    assert "numbered session 5, not 1" in check.output
    record_property("hostile", "handled")


# ---- de-identified files -------------------------------------------------------------------


def pooled_file(path: Path, body: bytes) -> Path:
    path.write_bytes((",".join(COLUMNS) + "\n").encode() + body)
    return path


def good_rows(count: int) -> bytes:
    return b"".join(
        f"{n:016x},adult,ORS,{s},{s - 1},{15 + s}\n".encode()
        for n in range(count)
        for s in (1, 2, 3)
    )


@pytest.mark.parametrize(
    ("body", "place", "words"),
    [
        (good_rows(100) + b"\xff\xfe,adult,ORS,1,0,20\n", "row 302", "is not UTF-8"),
        (f"{CODE},adult,ORS,1,0,{'9' * 200_000}\n".encode(), "row 2", "is longer than any row"),
        (f"{CODE},adult,ORS,{'4' * 400},0,20\n".encode(), "row 2 › column session", "is not a"),
    ],
    ids=["bad byte after 8 KB", "200000-character field", "400-digit session"],
)
def test_a_bad_pooled_file_is_refused_at_its_row(
    tmp_path: Path, body: bytes, place: str, words: str, record_property
) -> None:
    path = pooled_file(tmp_path / "pooled.csv", body)
    result = run("trajectories", path, "-o", tmp_path / "t")
    assert result.exit_code == 1
    text = clean(result)
    assert f"pooled.csv › {place}" in text and words in text
    assert len(result.stderr) < 400
    record_property("hostile", "refused")


def test_a_210_mb_pooled_file_is_refused_before_reading(tmp_path: Path, record_property) -> None:
    path = pooled_file(tmp_path / "pooled.csv", good_rows(3))
    with path.open("r+b") as stream:
        stream.truncate(210_000_000)
    started = time.perf_counter()
    result = run("trajectories", path, "-o", tmp_path / "t")
    assert time.perf_counter() - started < 10
    assert result.exit_code == 1
    assert "more than the 200,000,000 a pooled file may have" in clean(result)
    record_property("hostile", "refused")
