"""Progress graphs: the geometry with numbers, and the pages as a clinician will hold them."""

from __future__ import annotations

import datetime
import itertools
import re
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner
from paperfit.forms.errors import Location
from paperfit.forms.instrument import Catalog
from paperfit.forms.records import Client, Form
from paperfit.forms.scoring import FLAG_WORDS, ScoringSettings, Thresholds, score
from paperfit.generator.chart import (
    Frame,
    Place,
    crosses,
    lines_of,
    main_chart,
    markers_of,
    overlaps,
    place_label,
    runs,
    session_scale,
    session_ticks,
    value_scale,
)
from paperfit.generator.graphs import (
    GraphOptions,
    build_graph,
    build_graphs,
    first_page_room,
    safe_name,
    split_rows,
    unique_names,
    write_graphs,
)
from paperfit.generator.texts import texts
from pypdf import PdfReader

from paperfit.cli import cli
from tests.conftest import pdf_text

FRAME = Frame(width=170, height=78, left=10, right=3, top=4, bottom=7)
PRINTED = datetime.date(2026, 11, 25)
BAND_WORDS = "changes inside this band may be chance"


def course(
    client: str,
    totals: list[float | None],
    instrument: str = "ORS",
    alliance: list[float | None] | None = None,
) -> list[Form]:
    """Weekly forms for CLIENT: outcome TOTALS (None: no form that session) and ALLIANCE."""
    forms = []
    start = datetime.date(2026, 1, 5)
    for session, total in enumerate(totals, start=1):
        day = start + datetime.timedelta(weeks=session - 1)
        if total is not None:
            forms.append(
                Form(
                    client,
                    instrument,
                    session,
                    day,
                    (total / 4,) * 4,
                    Location("entry.xlsx", "ORS", session + 1),
                )
            )
    for session, total in enumerate(alliance or [], start=1):
        day = start + datetime.timedelta(weeks=session - 1)
        if total is not None:
            forms.append(
                Form(
                    client,
                    "SRS",
                    session,
                    day,
                    (total / 4,) * 4,
                    Location("entry.xlsx", "SRS", session + 1),
                )
            )
    return forms


@pytest.fixture(scope="module")
def thresholds(catalog: Catalog) -> Thresholds:
    return Thresholds.resolve(catalog, ScoringSettings())


def test_a_score_of_25_sits_on_the_adult_cutoff_line(catalog, thresholds) -> None:
    scored = score(course("C-1", [20, 25, 30]), {}, catalog, thresholds)
    chart = main_chart(scored, 25, thresholds, FRAME, "cutoff 25 (adult)", "band")
    (outcome,) = chart.series
    cutoff = chart.rules[0]
    assert cutoff.value == 25
    assert outcome.points[1].y == pytest.approx(cutoff.y)
    y = value_scale(40, FRAME)
    assert (y(0), y(40)) == (FRAME.plot_bottom, FRAME.plot_top)
    assert cutoff.y == pytest.approx(FRAME.plot_bottom - 25 / 40 * (FRAME.plot_bottom - 4))


def test_points_are_in_session_order_and_evenly_spaced(catalog, thresholds) -> None:
    scored = score(course("C-1", [20, 22, 21, 26]), {}, catalog, thresholds)
    (outcome,) = main_chart(scored, 25, thresholds, FRAME, "cutoff 25 (adult)", "band").series
    xs = [p.x for p in outcome.points]
    assert [p.session for p in outcome.points] == [1, 2, 3, 4]
    steps = {round(b - a, 6) for a, b in itertools.pairwise(xs)}
    assert len(steps) == 1 and steps.pop() > 0
    assert xs[0] - FRAME.plot_left == pytest.approx(FRAME.plot_right - xs[-1])


def test_the_band_is_intake_plus_and_minus_the_rci(catalog, thresholds) -> None:
    scored = score(course("C-1", [18, 24]), {}, catalog, thresholds)
    chart = main_chart(scored, 25, thresholds, FRAME, "cutoff 25 (adult)", "band")
    y = value_scale(40, FRAME)
    assert (chart.band.low, chart.band.high) == (13, 23)
    assert (chart.band.y_top, chart.band.y_bottom) == (pytest.approx(y(23)), pytest.approx(y(13)))
    assert chart.band.label == "band"


def test_a_segment_crosses_a_box_only_when_it_runs_through_it() -> None:
    box = (10.0, 10.0, 20.0, 12.0)
    assert crosses((0, 11, 30, 11), box)  # straight through
    assert crosses((15, 0, 15, 30), box)  # down through
    assert crosses((12, 11, 13, 11), box)  # wholly inside
    assert crosses((0, 0, 30, 22), box)  # slanting through the middle
    assert not crosses((0, 13, 30, 13), box)  # under it
    assert not crosses((0, 0, 9, 30), box)  # beside it
    assert not crosses((0, 9, 30, 0), box)  # slanting above it
    assert not crosses((21, 11, 30, 11), box)  # stops short of it


def test_a_label_goes_where_nothing_is_drawn() -> None:
    first, second = Place(10, 20), Place(10, 40)
    assert place_label("band", [first, second], [(0, 50, 50, 50)]) == first
    assert place_label("band", [first, second], [(0, 19.5, 50, 19.5)]) == second
    assert place_label("band", [first, second], [], boxes=[(11, 19, 12, 20)]) == second
    # A label already placed counts most; when every place is covered, the least covered wins.
    assert place_label("band", [first, second], [], taken=[first.box("band")]) == second
    lines = [(0, 19.5, 50, 19.5), (0, 39.5, 50, 39.5), (0, 39, 50, 39)]
    assert place_label("band", [first, second], lines) == first


@pytest.mark.parametrize(
    "totals",
    [
        [18, 24, 28, 30],  # improving: leaves the band through its top
        [18, 22.5, 22.5, 22.5, 22.5, 22.5, 22.5],  # along the top edge, under its label
        [18, 13.5, 13.5, 13.5],  # along the bottom edge
        [24, 24, 24, 24],  # along the cutoff line, under its label
    ],
)
def test_labels_keep_off_the_lines_and_each_other(catalog, thresholds, totals) -> None:
    scored = score(course("C-1", totals, alliance=[36.5] * len(totals)), {}, catalog, thresholds)
    chart = main_chart(scored, 25, thresholds, FRAME, "cutoff 25 (adult)", BAND_WORDS)
    lines, markers = lines_of(chart.series), markers_of(chart.series, chart.marker)
    labels = [(rule.place.box(rule.label), rule) for rule in chart.rules]
    labels.append((chart.band.place.box(chart.band.label), chart.band))
    for box, owner in labels:
        assert not [line for line in lines if crosses(line, box)]
        assert not [marker for marker in markers if overlaps(marker, box)]
        others = [r.y for r in chart.rules if r is not owner]
        if owner is chart.band:
            assert not [y for y in others if box[1] <= y <= box[3]]  # a rule line through it
            assert chart.band.y_top < box[1] and box[3] < chart.band.y_bottom  # inside the band
        assert FRAME.plot_left <= box[0] and box[2] <= FRAME.plot_right
    for (a, _), (b, _) in itertools.combinations(labels, 2):
        assert not overlaps(a, b), (a, b)


def test_missing_sessions_leave_gaps(catalog, thresholds) -> None:
    scored = score(course("C-1", [20, 21, None, 24, 26]), {}, catalog, thresholds)
    (outcome,) = main_chart(scored, 25, thresholds, FRAME, "cutoff 25 (adult)", "band").series
    assert [[p.session for p in run] for run in outcome.runs] == [[1, 2], [4, 5]]
    assert [len(run) for run in runs(outcome.points[:1])] == [1]


def test_alliance_line_the_srs_rule_and_flags(catalog, thresholds) -> None:
    scored = score(course("C-1", [20, 21], alliance=[38, 34]), {}, catalog, thresholds)
    chart = main_chart(scored, 25, thresholds, FRAME, "cutoff 25 (adult)", "band")
    assert [s.kind for s in chart.series] == ["outcome", "alliance"]
    assert chart.rules[1].label == "SRS 36"
    assert [session for session, _x in chart.flags] == [2]


def test_many_sessions_get_fewer_tick_labels() -> None:
    sessions = list(range(1, 46))
    scale = session_scale(sessions, FRAME)
    labels = [t.label for t in session_ticks(sessions, scale)]
    assert labels == ["1", "5", "10", "15", "20", "25", "30", "35", "40", "45"]
    assert [t.label for t in session_ticks([1], session_scale([1], FRAME))] == ["1", "2", "3", "4"]


def test_long_histories_continue_on_more_pages(catalog, thresholds) -> None:
    client = Client("C-1")
    short = build_graph(
        client, score(course("C-1", [20] * 3), {}, catalog, thresholds), thresholds, catalog, "en"
    )
    long = build_graph(
        client, score(course("C-1", [20] * 80), {}, catalog, thresholds), thresholds, catalog, "en"
    )
    assert len(split_rows(short.rows, "letter", first_page_room(short, "letter", "en", ""))) == 1
    pages = split_rows(long.rows, "letter", first_page_room(long, "letter", "en", ""))
    assert len(pages) == 3
    assert [row.session for page in pages for row in page] == list(range(1, 81))


def test_file_names_are_safe_and_distinct() -> None:
    assert safe_name("C-1001") == "C-1001"
    assert safe_name("../../etc/passwd") == "etc_passwd"
    assert safe_name("Zoë / Ñ") == "Zoe_N"
    names = unique_names(["a/b", "a b", "A_B"])
    assert names[2] == "A_B"  # already a portable name: kept as it is
    assert all(re.fullmatch(r"a_b-[0-9a-f]{8}", name) for name in names[:2])
    assert len({name.casefold() for name in names}) == 3


@pytest.fixture(scope="module")
def written(tmp_path_factory, catalog, thresholds):
    folder = tmp_path_factory.mktemp("graphs")
    forms = (
        course("C-1", [18, 21, None, 24.5, 27], alliance=[37, 35.5, 38, 38.5, 39])
        + course("K-2", [26, 28, 31], "CORS")
        + course("C-3", [20 + (s % 3) for s in range(40)], alliance=[38.0] * 40)
    )
    clients = {
        "C-1": Client("C-1", "adult", "Dr. Rivera", name="Zoë"),
        "K-2": Client("K-2", "child", "Sam Lee"),
        "C-3": Client("C-3", "adolescent"),
    }
    graphs = build_graphs(
        score(forms, clients, catalog, thresholds), clients, thresholds, catalog, "en"
    )
    results = {}
    for paper in ("letter", "a4"):
        options = GraphOptions(paper=paper, practice_name="Riverside", printed=PRINTED)
        results[paper] = write_graphs(folder / paper, graphs, options)
    return results


def test_one_pdf_per_client_and_a_bundle_in_client_order(written) -> None:
    files = written["letter"]
    assert [p.name for p in files.clients] == ["C-1.pdf", "C-3.pdf", "K-2.pdf"]
    counts = [len(PdfReader(p).pages) for p in files.clients]
    assert counts == [1, 2, 1]  # 40 sessions: the table runs on
    bundle = pdf_text(files.bundle)
    assert len(bundle) == sum(counts) == files.pages
    assert [
        "Progress: C-1" in bundle[0],
        "Progress: C-3" in bundle[1],
        "Progress: K-2" in bundle[3],
    ] == [True, True, True]


def test_the_page_says_what_it_shows(written) -> None:
    (page,) = pdf_text(written["letter"].clients[0])
    for text in [
        "Riverside",
        "Progress: C-1 · Zoë",
        "Clinician: Dr. Rivera",
        "Age group: adult",
        "2026-01-05 – 2026-02-02",
        "Printed: 2026-11-25",
        "Confidential",
        "page 1 of 1",
        "clinical cutoff 25 for age group adult",
        "intake 18 plus or minus 5",
        "SRS total below 36",
        "SRS lower than last session",
        "+9.0",
        "Source: entry.xlsx",
        "No expected-progress curve is shown",
    ]:
        assert text in page, text
    child = pdf_text(written["letter"].clients[2])[0]
    assert "clinical cutoff 32 for age group child" in child
    long = pdf_text(written["letter"].clients[1])
    assert ["page 1 of 2" in long[0], "page 2 of 2" in long[1]] == [True, True]


def test_a_page_in_spanish_says_its_labels_and_flags_in_spanish(
    tmp_path: Path, catalog: Catalog, thresholds: Thresholds
) -> None:
    forms = course("C-1", [18, 20, 21, 22], alliance=[38, 35, 37, 36])
    scored = score(forms, {}, catalog, thresholds)
    graph = build_graph(Client("C-1"), scored, thresholds, catalog, "es")
    assert graph.main.band.label == "los cambios dentro de esta banda pueden ser azar"
    assert graph.main.rules[0].label == "corte 25 (adulto)"
    assert [row.flags for row in graph.rows] == [
        "",
        "▲ total del SRS por debajo de 36; ▲ un ítem del SRS por debajo de 9; "
        "▲ SRS más bajo que en la sesión anterior",
        "",
        "▲ sin mejora fiable en la sesión 4; ▲ SRS más bajo que en la sesión anterior",
    ]
    files = write_graphs(tmp_path, [graph], GraphOptions(language="es", printed=PRINTED))
    (page,) = pdf_text(files.clients[0])
    assert "sin mejora fiable en la sesión 4" in page
    assert "below" not in page and "reliable" not in page


def test_the_english_page_says_flags_as_records_do() -> None:
    assert texts("en")["graph"]["flag_words"] == FLAG_WORDS


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_every_page_fits_the_paper_with_a_binder_margin(written, paper: str) -> None:
    dpi = 100
    for path in written[paper].clients:
        document = pdfium.PdfDocument(path)
        for index in range(len(document)):
            pixels = np.asarray(
                document[index].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            )
            mm = pixels.shape[1] / (210 if paper == "a4" else 215.9)
            dark = pixels < 200
            assert not dark[:, : int(25 * mm)].any(), f"{path.name} p{index + 1}: binder margin"
            edge = int(6 * mm)
            assert not dark[:edge].any() and not dark[-edge:].any() and not dark[:, -edge:].any()


def test_graphs_command_png_archival_and_client_filter(tmp_path: Path) -> None:
    entry = tmp_path / "ors.csv"
    entry.write_text(
        "client,session,date,item1,item2,item3,item4\n"
        "C-1,1,2026-01-05,5,5,5,5\nC-1,2,2026-01-12,6,6,6,6\n"
        "C-2,1,2026-01-05,4,4,4,4\n",
        encoding="utf-8",
    )
    out = tmp_path / "graphs"
    result = CliRunner().invoke(
        cli, ["graphs", str(entry), "-o", str(out), "--client", "C-1", "--png", "--archival"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["C-1-page1.png", "C-1.pdf"]  # no bundle
    from PIL import Image

    with Image.open(out / "C-1-page1.png") as image:
        width, height = image.size
        assert abs(width - 215.9 / 25.4 * 300) <= 1 and abs(height - 279.4 / 25.4 * 300) <= 1
    reader = PdfReader(out / "C-1.pdf")
    assert reader.xmp_metadata is not None
    assert b"pdfaid" in reader.xmp_metadata.stream.get_data()
    assert "/OutputIntents" in reader.trailer["/Root"]
    missing = CliRunner().invoke(cli, ["graphs", str(entry), "-o", str(out), "--client", "X-9"])
    assert missing.exit_code == 2
    assert "No forms were read for client X-9" in missing.output


def test_graphs_with_no_forms_say_so(tmp_path: Path) -> None:
    clients = tmp_path / "clients.csv"
    clients.write_text("client_id,age_group\nC-1,adult\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["graphs", str(clients), "-o", str(tmp_path / "g")])
    assert result.exit_code == 1
    assert f"{clients} holds no forms yet: nothing was read, and nothing written" in result.output
    assert not (tmp_path / "g").exists()
