"""Scanning stages never raise on whatever a scanner or a user hands them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paperfit.forms.scan_records import LineReading
from paperfit.scanner.pages import PageProblem, ScanPage, load_pages
from paperfit.scanner.pen import measure_line
from paperfit.scanner.registration import Registration, read_code, register

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(st.integers(8, 120), st.integers(8, 400), st.integers(0, 2**32 - 1), st.floats(1.0, 24.0))
def test_measure_line_reads_any_image_without_raising(height, width, seed, ppm) -> None:
    image = np.random.default_rng(seed).integers(0, 256, (height, width), dtype=np.uint8)
    reading = measure_line(image, ppm)
    assert isinstance(reading, LineReading)
    assert reading.value is None or 0.0 <= reading.value <= 10.0


@SETTINGS
@given(st.integers(0, 2**32 - 1), st.sampled_from([0, 255]))
def test_register_any_page_without_raising(seed, background) -> None:
    rng = np.random.default_rng(seed)
    image = np.full((400, 300), background, dtype=np.uint8)
    image[rng.integers(0, 400, 500), rng.integers(0, 300, 500)] = 255 - background
    page = ScanPage("noise.png", 1, image, 50.0)
    result = register(page)
    assert isinstance(result, (Registration, PageProblem))
    code = read_code(page, result if isinstance(result, Registration) else None)
    assert code is not None


@SETTINGS
@given(st.binary(max_size=4000), st.sampled_from([".pdf", ".tif", ".png", ".jpg"]))
def test_load_pages_never_raises_on_any_bytes(tmp_path_factory, data, suffix) -> None:
    path = Path(tmp_path_factory.mktemp("scan")) / f"scan{suffix}"
    path.write_bytes(data)
    for item in load_pages(path):
        assert isinstance(item, (ScanPage, PageProblem))
