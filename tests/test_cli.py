"""The paperfit command, driven as a user would, with real files."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from paperfit.cli import cli
from tests.conftest import page_count, pdf_text

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
SCHEDULE_HEADER = "client_id,date,session,clinician,age_group,format,name,instruments\n"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def write_schedule(folder: Path, rows: list[str]) -> Path:
    path = folder / "today.csv"
    path.write_text(SCHEDULE_HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help_and_is_in_the_readme(command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0
    assert len(cli.commands[command].help or "") > 20
    assert f"paperfit {command}" in README


def test_blank_forms_default_to_ors_then_srs(tmp_path: Path) -> None:
    result = run("forms", "-o", tmp_path / "f.pdf")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(tmp_path / "f.pdf")
    text = pdf_text(tmp_path / "f.pdf")
    assert len(text) == 2
    assert "Outcome Rating Scale (ORS)" in text[0]
    assert "Session Rating Scale (SRS V.3.0)" in text[1]
    assert "About this form" in text[0]


def test_copies_and_explain_modes(tmp_path: Path) -> None:
    assert run("forms", "CSRS", "--copies", "3", "-o", tmp_path / "a.pdf").exit_code == 0
    assert page_count(tmp_path / "a.pdf") == 3
    assert run("forms", "--explain", "page", "-o", tmp_path / "b.pdf").exit_code == 0
    pages = pdf_text(tmp_path / "b.pdf")
    assert len(pages) == 3
    assert "Why we ask for your feedback" in pages[0]
    assert "About this form" not in pages[1]
    assert run("forms", "ors", "--explain", "none", "-o", tmp_path / "c.pdf").exit_code == 0
    assert "About this form" not in pdf_text(tmp_path / "c.pdf")[0]


def test_one_clients_forms_carry_the_header(tmp_path: Path) -> None:
    result = run(
        "forms",
        "cors",
        "csrs",
        "--for-client",
        "K-77",
        "--session",
        "4",
        "--date",
        "2026-11-25",
        "--clinician",
        "Sam Lee",
        "--lang",
        "es",
        "--paper",
        "a4",
        "-o",
        tmp_path / "k.pdf",
    )
    assert result.exit_code == 0, result.output
    for page in pdf_text(tmp_path / "k.pdf"):
        assert "K-77" in page and "2026-11-25" in page and "Sam Lee" in page
        assert "Sesión" in page or "sesión" in page
    assert "Sam Lee listened to me." in pdf_text(tmp_path / "k.pdf")[1]


def test_a_schedule_prints_each_clients_forms_in_appointment_order(tmp_path: Path) -> None:
    schedule = write_schedule(
        tmp_path,
        [
            "B-2,2026-11-25,3,Dr. Rivera,adult,individual,,",
            "A-1,2026-11-25,1,Sam Lee,child,individual,Zoë,",
            "C-3,2026-11-25,5,Sam Lee,adolescent,group,,",
            "D-4,2026-11-25,2,Sam Lee,adult,individual,,ORS",
        ],
    )
    result = run("forms", "--schedule", schedule, "--duplex", "-o", tmp_path / "day.pdf")
    assert result.exit_code == 0, result.output
    pages = pdf_text(tmp_path / "day.pdf")
    titles = [re.search(r"Rating Scale \(([A-Z]+)", page).group(1) for page in pages]
    assert titles == ["ORS", "SRS", "CORS", "CSRS", "ORS", "GSRS", "ORS"]
    assert [p.split("Client ID: ")[1].split()[0] for p in pages] == [
        "B-2",
        "B-2",
        "A-1",
        "A-1",
        "C-3",
        "C-3",
        "D-4",
    ]
    assert "Zoë" in pages[2]


def test_duplex_starts_each_client_on_a_new_sheet(tmp_path: Path) -> None:
    schedule = write_schedule(
        tmp_path,
        [
            "A-1,2026-11-25,1,Sam Lee,adult,individual,,ORS",
            "B-2,2026-11-25,1,Sam Lee,adult,individual,,ORS",
        ],
    )
    assert run("forms", "--schedule", schedule, "--duplex", "-o", tmp_path / "d.pdf").exit_code == 0
    pages = pdf_text(tmp_path / "d.pdf")
    assert len(pages) == 3
    assert "A-1" in pages[0] and pages[1] == "" and "B-2" in pages[2]
    assert run("forms", "--schedule", schedule, "-o", tmp_path / "s.pdf").exit_code == 0
    assert page_count(tmp_path / "s.pdf") == 2


def test_a_bad_schedule_names_every_bad_cell_and_writes_nothing(tmp_path: Path) -> None:
    schedule = write_schedule(
        tmp_path,
        [
            "A-1,2026-11-25,1,Sam Lee,adult,individual,,",
            "B-2,25/11/2026,two,Sam Lee,elder,individual,,",
        ],
    )
    out = tmp_path / "day.pdf"
    result = run("forms", "--schedule", schedule, "-o", out)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"{schedule} › row 3 › column B" in result.output
    assert f"{schedule} › row 3 › column C" in result.output
    assert f"{schedule} › row 3 › column E" in result.output
    assert not out.exists()


def test_an_unknown_instrument_in_a_schedule_names_its_cell(tmp_path: Path) -> None:
    schedule = write_schedule(tmp_path, ["A-1,2026-11-25,1,Sam Lee,adult,individual,,ORS PHQ9"])
    result = run("forms", "--schedule", schedule, "-o", tmp_path / "x.pdf")
    assert result.exit_code == 1
    assert f"{schedule} › row 2 › column H" in result.output
    assert "Unknown instrument 'PHQ9'" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ("forms", "PHQ9"),
        ("forms", "--paper", "legal"),
        ("forms", "--copies", "0"),
        ("forms", "--date", "25/11/2026"),
        ("handout", "--audience", "teen"),
    ],
)
def test_wrong_usage_exits_2(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = run(*args, "-o", tmp_path / "x.pdf")
    assert result.exit_code == 2
    assert "Error:" in result.output
    assert not (tmp_path / "x.pdf").exists()


def test_schedule_with_client_options_is_wrong_usage(tmp_path: Path) -> None:
    schedule = write_schedule(tmp_path, ["A-1,2026-11-25,1,Sam Lee,adult,individual,,"])
    result = run("forms", "--schedule", schedule, "--for-client", "X", "-o", tmp_path / "x.pdf")
    assert result.exit_code == 2
    assert "leave out" in result.output


def test_settings_file_is_used_and_checked(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text(
        'practice_name = "Riverside Counselling"\nprivacy = "Only Dr. Rivera '
        'reads these."\npaper = "a4"\n',
        encoding="utf-8",
    )
    assert run("--config", good, "handout", "-o", tmp_path / "h.pdf").exit_code == 0
    text = pdf_text(tmp_path / "h.pdf")[0]
    assert "Riverside Counselling" in text and "Only Dr. Rivera reads these." in text
    bad = tmp_path / "bad.toml"
    bad.write_text('paper_size = "a4"\n', encoding="utf-8")
    result = run("--config", bad, "forms", "-o", tmp_path / "f.pdf")
    assert result.exit_code == 1
    assert "key paper_size: is not a known setting" in result.output


@pytest.mark.parametrize("audience", ["adult", "child", "caretaker"])
@pytest.mark.parametrize("lang", ["en", "es", "fr"])
def test_handouts_are_one_page_with_the_default_privacy_sentence(
    tmp_path: Path, audience: str, lang: str
) -> None:
    from paperfit.generator.texts import texts

    out = tmp_path / "h.pdf"
    assert run("handout", "--audience", audience, "--lang", lang, "-o", out).exit_code == 0
    pages = pdf_text(out)
    assert len(pages) == 1
    expected = texts(lang)["handout"][audience]["title"]
    assert " ".join(expected.split()) in pages[0]
    assert "".join(texts(lang)["privacy_default"].split()) in "".join(pages[0].split())


def test_the_guide_uses_the_srs_alert_values(tmp_path: Path) -> None:
    assert run("guide", "-o", tmp_path / "g.pdf").exit_code == 0
    pages = pdf_text(tmp_path / "g.pdf")
    assert len(pages) == 1
    assert "When the SRS total is below 36" in pages[0]
    assert "{alert" not in pages[0]


def test_demo_writes_every_sample_and_says_each_step(demo: tuple[Path, Result]) -> None:
    work, result = demo
    tmp_path = work / "output"  # the demo is in tmp_path / "demo"
    assert result.exit_code == 0, result.output
    written = [work / line for line in result.stdout.splitlines()]  # relative to where it ran
    steps = result.stderr.splitlines()
    assert len(steps) >= 8 and all(line.startswith("paperfit demo: ") for line in steps)
    assert "Drawing every client's progress graph (48 clients)" in result.stderr
    assert all(path.is_file() for path in written)
    names = {path.name for path in written}
    assert {
        "forms-blank.pdf",
        "forms-schedule.pdf",
        "guide-en.pdf",
        "handout-child-fr.pdf",
        "schedule.csv",
    } <= names
    assert page_count(tmp_path / "demo" / "forms-schedule.pdf") == 10
    assert {"entry-filled.xlsx", "export.csv", "report.pdf", "caseload.pdf"} <= names
    assert len(list((tmp_path / "demo" / "graphs").glob("*.pdf"))) == 49  # 48 clients + bundle
    # the record the desk opens with --db output/demo/paperfit.db, where that says
    assert (tmp_path / "demo" / "paperfit.db").is_file()
    assert not (tmp_path / "demo" / "output").exists()
    curves = tmp_path / "demo" / "trajectories"
    assert {"model.json", "expected.csv", "trajectories.pdf"} <= names
    assert "Made-up past practice" in pdf_text(curves / "trajectories.pdf")[0]
    assert (
        "past clients of the demo's made-up practice who started at"
        in pdf_text(tmp_path / "demo" / "graphs" / "C-1003.pdf")[0]
    )
    graph = pdf_text(tmp_path / "demo" / "graphs" / "C-1003.pdf")[0]
    assert "Made-up clients for the demo" in graph
    assert "Made-up clients for the demo" in pdf_text(tmp_path / "demo" / "report.pdf")[0]


def test_the_demo_prints_child_forms_for_a_child_and_keeps_to_its_client_list(
    demo: tuple[Path, Result],
) -> None:
    import csv

    import openpyxl

    folder = demo[0] / "output" / "demo"
    sheet = openpyxl.load_workbook(folder / "entry-filled.xlsx", read_only=True)["Clients"]
    rows = list(sheet.iter_rows(values_only=True))
    listed = {row[0]: dict(zip(rows[0], row, strict=False)) for row in rows[1:] if row[0]}
    with (folder / "schedule.csv").open(encoding="utf-8") as schedule:
        for appointment in csv.DictReader(schedule):
            client = listed[appointment["client_id"]]
            assert appointment["clinician"] == client["clinician"]
            assert appointment["age_group"] == client["age_group"]
    child = pdf_text(folder / "forms-child.pdf")[0]
    child_id = next(i for i, c in listed.items() if c["age_group"] == "child" and i in child)
    assert listed[child_id]["clinician"] in child


def options_of(command: click.Command) -> list[click.Option]:
    return [p for p in command.params if isinstance(p, click.Option)]


def test_every_option_of_every_command_has_help_in_plain_words() -> None:
    for name, command in cli.commands.items():
        for option in options_of(command):
            assert option.help, f"paperfit {name} {option.opts[0]} has no help"
        text = run(name, "--help").output
        assert "%Y" not in text and "%d" not in text, name
        assert "RANGE" not in text and "<=" not in text and "INTEGER" not in text, name


def test_client_means_only_this_client_wherever_it_is() -> None:
    for name, command in cli.commands.items():
        for option in options_of(command):
            if "--client" in option.opts:
                assert option.help and option.help.startswith("Only this client"), name
    assert "--client" not in {o for p in options_of(cli.commands["forms"]) for o in p.opts}


def test_the_help_lists_the_commands_in_working_order_with_whole_summaries() -> None:
    text = run("--help").output
    names = ("demo", "forms", "scan", "check", "graphs")
    order = [text.index(f"\n  {name} ") for name in names]
    assert order == sorted(order)
    assert "...\n" not in text.split("Getting started:", 1)[1]  # no summary cut off
    summary = cli.commands["graphs"].help.split("\n")[0]
    assert " ".join(summary.split()) in " ".join(text.split())


def test_forms_dates_and_numbers_are_said_in_words(tmp_path: Path) -> None:
    date = run("forms", "--date", "25/11/2026", "-o", tmp_path / "x.pdf")
    assert date.exit_code == 2
    assert "'25/11/2026' is not a date written YYYY-MM-DD, e.g. 2026-11-25." in date.output
    copies = run("forms", "--copies", "0", "-o", tmp_path / "x.pdf")
    assert "'0' is not a whole number from 1 to 1000." in copies.output
    help_text = " ".join(run("forms", "--help").output.split())
    assert "--date YYYY-MM-DD" in help_text and "--copies N" in help_text
    assert "a whole number from 1 to 1000" in help_text


def test_a_refused_output_is_one_plain_line_after_the_arguments(tmp_path: Path) -> None:
    taken = tmp_path / "notes.pdf"
    taken.write_bytes(b"%PDF-1.4 not paperfit's")
    refused = run("forms", "-o", taken)
    assert refused.exit_code == 1
    assert refused.output.startswith(f"Error: {taken} already exists")
    assert "Usage:" not in refused.output and len(refused.output.splitlines()) == 1
    unknown = run("forms", "xyz", "-o", taken)
    assert unknown.exit_code == 2 and "Unknown instrument 'xyz'" in unknown.output


def test_fillable_forms_have_their_own_default_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    fillable = run("forms", "ors", "--fillable")
    assert fillable.exit_code == 0, fillable.output
    assert fillable.output.strip() == str(Path("output") / "forms-fillable.pdf")
    plain = run("forms", "ors")
    assert plain.exit_code == 0, plain.output
    assert plain.output.strip() == str(Path("output") / "forms.pdf")
    again = run("forms", "ors", "--fillable")
    assert again.exit_code == 1 and "fillable forms" in again.output


def test_an_empty_entry_workbook_is_said_to_be_empty(tmp_path: Path) -> None:
    empty = tmp_path / "entry.xlsx"
    assert run("workbook", "-o", empty).exit_code == 0
    for command in ("check", "graphs"):
        result = run(command, empty, *(("-o", tmp_path / "g") if command == "graphs" else ()))
        assert result.exit_code == 1, command
        assert f"Error: {empty} holds no forms yet: nothing was read" in result.output
        assert not (tmp_path / "g").exists()


def test_trajectories_that_fit_nothing_exit_1(tmp_path: Path) -> None:
    rows = [f"C-{n},{s},2026-0{s}-05,{s},5,5,5" for n in range(12) for s in (1, 2, 3)]
    path = tmp_path / "ors.csv"
    path.write_text("client_id,session,date,item1,item2,item3,item4\n" + "\n".join(rows))
    result = run("trajectories", path, "-o", tmp_path / "curves")
    assert result.exit_code == 1
    assert "only 12 clients with at least 3 complete outcome forms" in result.output
    assert "Error: No expected course was fitted" in result.output
    assert (tmp_path / "curves" / "trajectories.pdf").is_file()


def test_lang_says_when_the_instrument_wording_stays_english(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["forms", "--lang", "es", "-o", str(tmp_path / "f.pdf")])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(tmp_path / "f.pdf")
    assert "ORS, SRS: the instrument's own wording is printed in English" in result.stderr
    assert "instrument_dir" in result.stderr
    english = CliRunner().invoke(cli, ["forms", "-o", str(tmp_path / "e.pdf")])
    assert english.stderr == ""


def test_a_date_format_may_be_written_as_people_write_it(tmp_path: Path) -> None:
    path = tmp_path / "ors.csv"
    path.write_text("client_id,session,date,item1,item2,item3,item4\nC-1,1,03/04/2026,5,5,5,5\n")
    guessed = run("check", path)
    assert "--date-format DD/MM/YYYY" in guessed.output
    result = run("export", path, "--date-format", "DD/MM/YYYY", "-o", tmp_path / "x.csv")
    assert result.exit_code == 0, result.output
    assert "2026-04-03" in (tmp_path / "x.csv").read_text(encoding="utf-8")
    wrong = run("check", path, "--date-format", "DD/MM")
    assert wrong.exit_code == 2 and "'DD/MM' is not a date format" in wrong.output


def test_the_arguments_are_checked_before_the_output(tmp_path: Path) -> None:
    taken = tmp_path / "notes.xlsx"
    taken.write_bytes(b"not paperfit's")
    unknown = run("workbook", "--instruments", "ORS XYZ", "-o", taken)
    assert unknown.exit_code == 2 and "Unknown instrument 'XYZ'" in unknown.output
    refused = run("workbook", "-o", taken)
    assert refused.exit_code == 1 and "Usage:" not in refused.output


def test_the_demo_never_replaces_a_practices_record(tmp_path: Path) -> None:
    """paperfit.db is where a practice's record lives by default: a demo written into that
    folder refuses, before any work, and leaves the record as it was."""
    forms = tmp_path / "ors.csv"
    forms.write_text(
        "client_id,session,date,item1,item2,item3,item4\nC-1,1,2026-03-02,5,5,5,5\n",
        encoding="utf-8",
    )
    record = tmp_path / "paperfit.db"
    imported = CliRunner().invoke(cli, ["import", str(forms), "--db", str(record), "--by", "Ana"])
    assert imported.exit_code == 0, imported.output
    before = record.read_bytes()
    result = CliRunner().invoke(cli, ["demo", "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert "is a practice's record, not one the demo made" in result.output
    assert record.read_bytes() == before
    assert not (tmp_path / "forms-blank.pdf").exists()
