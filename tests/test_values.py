"""What people type into cells, read as numbers and dates, or refused with a reason."""

from __future__ import annotations

import datetime

import pytest
from paperfit.scanner.values import (
    ValueProblem,
    parse_date,
    parse_measure,
    parse_session,
    parse_total,
)


@pytest.mark.parametrize("raw", ["6.4", "6,4", "6.4 cm", " 6.4cm ", 6.4, "6.40", "64 mm"])
def test_the_ways_people_type_six_point_four(raw: object) -> None:
    assert parse_measure(raw) == pytest.approx(6.4)


def test_millimetres_only_when_asked() -> None:
    assert parse_measure("64", unit="mm") == pytest.approx(6.4)
    assert parse_measure(100, unit="mm") == 10.0
    with pytest.raises(ValueProblem, match="--unit mm") as refused:
        parse_measure(64)
    assert "--" not in refused.value.message  # the option is a hint, for the terminal only
    assert refused.value.hint.endswith("read the file with --unit mm.")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("abc", "is not a number"),
        (-0.1, "outside the line"),
        (10.1, "outside the line"),
        (float("nan"), "not a number"),
        (True, "not a number"),
        ("6.4 in", "is not a number"),
    ],
)
def test_refused_values_say_why(raw: object, reason: str) -> None:
    with pytest.raises(ValueProblem, match=reason):
        parse_measure(raw)


def test_dates() -> None:
    assert parse_date(datetime.datetime(2026, 3, 4, 10, 30)) == datetime.date(2026, 3, 4)
    assert parse_date("2026-03-04") == datetime.date(2026, 3, 4)
    assert parse_date("03/04/2026", "%d/%m/%Y") == datetime.date(2026, 4, 3)
    assert parse_date("03/04/2026", "%m/%d/%Y") == datetime.date(2026, 3, 4)
    with pytest.raises(ValueProblem, match=r"could be read two ways.*--date-format") as two:
        parse_date("03/04/2026")
    assert two.value.message.endswith("Type it as YYYY-MM-DD.")
    assert "--" not in two.value.message
    with pytest.raises(ValueProblem, match="not a real date"):
        parse_date("2026-02-30")
    with pytest.raises(ValueProblem, match="Format the cell as a date"):
        parse_date(46000)


def test_sessions_and_totals() -> None:
    assert parse_session("3") == 3
    assert parse_session(3.0) == 3
    assert parse_session("#12") == 12
    for bad in ("2.5", "0", "x", True):
        with pytest.raises(ValueProblem):
            parse_session(bad)
    assert parse_total("31,5") == 31.5
    with pytest.raises(ValueProblem, match="0 to 40"):
        parse_total(41)
