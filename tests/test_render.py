"""Rendering safety: escaping, the restricted fetcher, atomic writes, the system check."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from paperfit.forms.errors import PaperfitError
from paperfit.forms.instrument import Catalog
from paperfit.generator import render
from paperfit.generator.markers import code_svg, marker_svg
from paperfit.generator.output import write_atomic
from paperfit.generator.render import group_runs, layout, run_count, split_for_workers
from paperfit.generator.sheets import Header, Packet, PrintOptions, page_code, write_forms

from paperfit.doctor import check_system
from tests.conftest import pdf_text

HOSTILE = '<img src="file:///etc/passwd"><link rel="stylesheet" href="http://example.com/x.css">'


def test_untrusted_text_prints_as_text_and_fetches_nothing(
    tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetched: list[str] = []
    original = render.ProjectFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(render.ProjectFetcher, "fetch", spy)
    # the clinician's name is also put into the CSRS anchors, which print whole
    header = Header(client_id="<b>C-1</b>", name="<script>x</script>", clinician=HOSTILE)
    out = write_forms(tmp_path / "f.pdf", [Packet((catalog.get("CSRS"),), header)], PrintOptions())
    text = pdf_text(out)[0]
    assert "<b>C-1</b>" in text
    assert "<script>x</script>" in text
    assert 'src="file:///etc/passwd">' in "".join(text.split())
    # besides the templates' own files, only the sheet's own drawings: markers and page code
    code = page_code(catalog.get("CSRS"), header, 1).payload()
    drawings = {render.svg_data_uri(marker_svg(ident)) for ident in range(4)}
    drawings.add(render.svg_data_uri(code_svg(code)))
    files = [url for url in fetched if not url.startswith(render.DATA_SVG)]
    assert all(url.startswith("file://") and "/templates/" in url for url in files)
    assert set(fetched) - set(files) == drawings


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.com/a.png",
        "https://example.com/a.css",
        "data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ==",
        "data:text/html;base64,PGI+eDwvYj4=",
    ],
)
def test_the_fetcher_refuses_anything_outside_the_project(url: str) -> None:
    with pytest.raises(PaperfitError, match="only paperfit's own files are used"):
        layout(f'<p>x</p><img src="{url}">')


def test_the_fetcher_refuses_a_path_that_climbs_out_of_the_templates() -> None:
    outside = (render.TEMPLATE_DIR / ".." / "pyproject.toml").as_uri()
    with pytest.raises(PaperfitError, match="refused to fetch"):
        layout(f'<link rel="stylesheet" href="{outside}"><p>x</p>')


def test_the_fetcher_serves_the_project_stylesheet() -> None:
    css = (render.TEMPLATE_DIR / "print.css").as_uri()
    assert len(layout(f'<link rel="stylesheet" href="{css}"><p>x</p>').pages) == 1


def test_a_weasyprint_error_fails_the_render() -> None:
    with (
        pytest.raises(PaperfitError, match="Failed to draw something"),
        render._weasyprint_errors(),
    ):
        logging.getLogger("weasyprint").error("Failed to draw %s", "something")


def test_atomic_write_leaves_nothing_behind_when_interrupted(tmp_path: Path) -> None:
    target = tmp_path / "forms.pdf"
    target.write_bytes(b"old")

    def half_then_fail(stream):
        stream.write(b"%PDF-half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, half_then_fail)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["forms.pdf"]


def test_atomic_write_replaces_the_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "forms.pdf"
    write_atomic(target, lambda stream: stream.write(b"new"))
    assert target.read_bytes() == b"new"
    assert [p.name for p in target.parent.iterdir()] == ["forms.pdf"]


def test_an_unwritable_place_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(PaperfitError, match="Cannot write"):
        write_atomic(blocker / "forms.pdf", lambda stream: stream.write(b"x"))


def test_work_is_split_evenly_and_in_order() -> None:
    pages = [f"p{i}" for i in range(100)] + ["blank"] * 50 + [f"q{i}" for i in range(100)]
    runs = split_for_workers(pages, workers=2, minimum=40)
    assert [p for run in runs for p in run] == pages
    assert len(runs) == 2
    assert abs(len(set(runs[0])) - len(set(runs[1]))) <= 2
    assert split_for_workers(["a"] * 500, workers=2, minimum=40) == [["a"] * 500]
    assert len(split_for_workers(pages[:60], workers=2, minimum=40)) == 1


def test_every_worker_gets_the_same_number_of_runs() -> None:
    # 600 pages on 2 workers: 6 runs of 100 (5 runs of 120 would leave one worker alone).
    assert run_count(600, workers=2, minimum=40) == 6
    assert run_count(2000, workers=2, minimum=40) == 18
    assert run_count(79, workers=2, minimum=40) == 1
    assert run_count(100, workers=2, minimum=40) == 2
    clients = [[f"c{n}-1", f"c{n}-2"] for n in range(300)] + [["last-1", "last-2", "last-3"]]
    runs = group_runs(clients, workers=2)
    assert [group for run in runs for group in run] == clients
    assert len(runs) == 6
    sizes = [sum(len(group) for group in run) for run in runs]
    assert max(sizes) - min(sizes) <= 3


def test_parallel_and_single_process_output_have_the_same_pages(
    tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    packets = [
        Packet((catalog.get("ORS"), catalog.get("SRS")), Header(client_id=f"C-{i}"))
        for i in range(25)
    ]
    monkeypatch.setattr(render, "MIN_PAGES_PER_WORKER", 10)
    parallel = pdf_text(write_forms(tmp_path / "a.pdf", packets, PrintOptions()))
    monkeypatch.setattr(render, "MIN_PAGES_PER_WORKER", 1000)
    single = pdf_text(write_forms(tmp_path / "b.pdf", packets, PrintOptions()))
    assert parallel == single
    assert len(parallel) == 50
    assert "C-24" in parallel[-1]


def test_the_system_check_passes_here() -> None:
    check_system()


def test_the_system_check_names_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from paperfit import doctor

    monkeypatch.setattr(doctor, "FONT", "No Such Font Family")
    with pytest.raises(PaperfitError, match=r"apt-get install .*fonts-dejavu-core"):
        doctor.check_system()
