"""Reading the day's schedule: parsed values, file order, and every bad cell reported at once."""

import datetime
from pathlib import Path

import openpyxl
import pytest
from paperfit.forms.errors import InputProblem, ScheduleProblems
from paperfit.forms.records import Appointment
from paperfit.scanner.schedule import read_schedule

DAY = datetime.date(2024, 3, 5)


def write_csv(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Monday"
    for values in rows:
        sheet.append(values)
    workbook.save(path)
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ScheduleProblems) as caught:
        read_schedule(path)
    summary, *lines = str(caught.value).splitlines()
    count = len(caught.value.problems)
    assert summary.startswith(f"{count} problem{'s' if count != 1 else ''} in the schedule")
    assert lines == [str(problem) for problem in caught.value.problems]
    return lines


def test_good_csv_in_file_order_with_aliases(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "day.csv",
        [
            " Client ID ;SESSION #;Date;Therapist;Age group;Session type;Name;Forms",
            "1042;3;2024-03-05;Dr\u00a0Ruiz;Adult;INDIVIDUAL;José;ors, srs",
            ";;;;;;;",
            "A-7;1;2024-03-05;Dr Ruiz;child;group;;",
            "B9;12.0;2024-03-05 14:30;Lee;adolescent;Individual;Zoë;CORS",
        ],
        encoding="cp1252",
    )
    appointments = read_schedule(path)
    assert appointments[0] == Appointment(
        client_id="1042",
        date=DAY,
        session=3,
        clinician="Dr Ruiz",
        age_group="adult",
        format="individual",
        name="José",
        instruments=("ORS", "SRS"),
        row=2,
    )
    assert [(a.client_id, a.row) for a in appointments] == [("1042", 2), ("A-7", 4), ("B9", 5)]
    assert appointments[1].name == ""
    assert appointments[1].instruments == ()
    assert appointments[1].format == "group"
    assert appointments[2].session == 12
    assert appointments[2].date == DAY
    assert str(appointments[0].instruments_at) == f'{path} › row 2 › column H "Forms"'


def test_good_xlsx_with_excel_values(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "day.xlsx",
        [
            ["Client", "Session number", "Date", "Counsellor", "Age", "Type", "Forms"],
            [1042, 3, datetime.datetime(2024, 3, 5, 9, 0), "Kim", "ADULT", "group", "GSRS"],
            ["C-2", 2.0, DAY, "Kim", "Child", "individual", "cors csrs"],
        ],
    )
    first, second = read_schedule(path)
    assert (first.client_id, first.session, first.date, first.format) == ("1042", 3, DAY, "group")
    assert first.instruments == ("GSRS",)
    assert (second.session, second.date, second.instruments) == (2, DAY, ("CORS", "CSRS"))


def test_age_group_column_wins_over_age_in_years(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "day.csv",
        ["id,session,date,clinician,age,age group,format", "X,1,2024-03-05,Kim,34,adult,group"],
    )
    (appointment,) = read_schedule(path)
    assert appointment.age_group == "adult"


def test_every_bad_cell_is_reported_with_its_place(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "day.xlsx",
        [
            ["Client ID", "Session", "Date", "Clinician", "Age group", "Format"],
            ["OK1", 1, DAY, "Kim", "adult", "individual"],
            [None, 2.5, "05/03/2024", "Kim", "senior", "couple"],
            ["bad\nid", "x", "2024-02-30", None, 34, "group"],
            ["X" * 65, 0, 45356, "Kim", "child", None],
        ],
    )
    lines = problems(path)
    where = f"{path} › sheet Monday"
    assert lines == [
        f'{where} › row 3 › column A "Client ID": is empty; every appointment needs a client ID.',
        f'{where} › row 3 › column B "Session": 2.5 is not a session number. '
        "It must be a whole number from 1 to 9999.",
        f"{where} › row 3 › column C \"Date\": '05/03/2024' is not a date paperfit can read "
        "without guessing. Write it as YYYY-MM-DD, for example 2024-03-05, or format the cell "
        "as a date.",
        f"{where} › row 3 › column E \"Age group\": 'senior' is not one of adult, adolescent, "
        "child.",
        f"{where} › row 3 › column F \"Format\": 'couple' is not one of individual, group.",
        f"{where} › row 4 › column A \"Client ID\": 'bad\\nid' contains control characters "
        "(such as line breaks or terminal codes); remove them and type the text again.",
        f"{where} › row 4 › column B \"Session\": 'x' is not a number. "
        "It must be a whole number from 1 to 9999.",
        f"{where} › row 4 › column C \"Date\": '2024-02-30' is not a real date on the "
        "calendar. Write it as YYYY-MM-DD, for example 2024-03-05, or format the cell as a date.",
        f'{where} › row 4 › column D "Clinician": is empty; every appointment needs the clinician.',
        f'{where} › row 4 › column E "Age group": 34 is not one of adult, adolescent, child.',
        f'{where} › row 5 › column A "Client ID": is 65 characters long (it starts '
        f"{'X' * 20!r}); the most allowed here is 64.",
        f'{where} › row 5 › column B "Session": 0 is not a session number. '
        "It must be a whole number from 1 to 9999.",
        f'{where} › row 5 › column C "Date": is the number 45356, not a date. '
        "Write it as YYYY-MM-DD, for example 2024-03-05, or format the cell as a date.",
        f'{where} › row 5 › column F "Format": is empty; write one of individual, group.',
    ]


def test_csv_problem_lines_have_no_sheet(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "day.csv",
        ["client,session,date,clinician,age group,format", "A,1,March 5,Kim,adult,group"],
    )
    (line,) = problems(path)
    assert line.startswith(f"{path} › row 2 › column C \"date\": 'March 5' is not a date")
    assert "YYYY-MM-DD" in line


@pytest.mark.parametrize("session", ["3", " 3 ", "3.0"])
def test_session_text_forms(tmp_path: Path, session: str) -> None:
    path = write_csv(
        tmp_path / "day.csv",
        ["client,session,date,clinician,age group,format", f"A,{session},2024-03-05,K,adult,group"],
    )
    assert read_schedule(path)[0].session == 3


def test_missing_column_is_an_input_problem(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "day.csv", ["client,date,clinician,format", "A,2024-03-05,K,group"])
    with pytest.raises(InputProblem) as caught:
        read_schedule(path)
    assert "session, age_group" in caught.value.reason


def test_header_without_appointments_is_a_problem(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "day.csv", ["client,session,date,clinician,age group,format", ""])
    with pytest.raises(InputProblem, match="no appointments"):
        read_schedule(path)
