"""What a scanner reads on printed sheets: the ArUco corner markers and the QR page code.

Real PDFs are made with write_forms, rasterised with pypdfium2 at 200 dpi and read back with
OpenCV's ArUco detector and zxing-cpp, as the scanner will read them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
import pytest
import segno
import zxingcpp
from paperfit.forms.instrument import Catalog
from paperfit.forms.sheet import (
    CODE_MM,
    CORNER_IDS,
    MARKER_MM,
    PAPER_SIZES_MM,
    PAYLOAD_VERSION,
    PageCode,
    parse_payload,
)
from paperfit.generator.markers import code_svg, marker_bits, marker_svg
from paperfit.generator.sheets import Header, Packet, PrintOptions, write_forms
from pypdf import PdfReader

DPI = 200
IDS = ("ORS", "SRS", "CORS")
PERSONAL = Header(client_id="C|0042%", session="7", date="2026-11-25", clinician="Dr. Rivera")
HEADERS = {"blank": Header(), "personal": PERSONAL}
CASES = [
    (paper, large, header)
    for paper in ("letter", "a4")
    for large in (False, True)
    for header in ("blank", "personal")
]
CASE_IDS = [f"{p}-{'large' if large else 'normal'}-{h}" for p, large, h in CASES]


def mm(pixels: float) -> float:
    return pixels * 25.4 / DPI


def grey_page(path: Path, index: int) -> np.ndarray:
    bitmap = pdfium.PdfDocument(path)[index].render(scale=DPI / 72, grayscale=True)
    grey = bitmap.to_numpy()
    return np.ascontiguousarray(grey[..., 0] if grey.ndim == 3 else grey)


def find_markers(grey: np.ndarray) -> dict[int, np.ndarray]:
    """Marker id -> its four corners (x, y) in pixels, as OpenCV finds them."""
    dictionary = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50)
    detector = cv2.aruco.ArucoDetector(dictionary, cv2.aruco.DetectorParameters())
    corners, ids, _ = detector.detectMarkers(grey)
    if ids is None:
        return {}
    found: dict[int, np.ndarray] = {}
    for quad, ident in zip(corners, ids.ravel(), strict=True):
        assert int(ident) not in found, f"marker {ident} found twice"
        found[int(ident)] = quad.reshape(4, 2)
    return found


def corner_of(centre: np.ndarray, shape: tuple[int, ...]) -> str:
    """Which corner of a page raster of SHAPE the point CENTRE (x, y) is in."""
    x, y = centre
    vertical = "top" if y < shape[0] / 2 else "bottom"
    horizontal = "left" if x < shape[1] / 2 else "right"
    return f"{vertical}-{horizontal}"


@pytest.fixture(scope="module")
def forms(tmp_path_factory: pytest.TempPathFactory, catalog: Catalog) -> Callable[..., Path]:
    folder = tmp_path_factory.mktemp("marks")
    made: dict[tuple, Path] = {}

    def make(paper: str, large: bool, header: str) -> Path:
        key = (paper, large, header)
        if key not in made:
            packet = Packet(tuple(catalog.get(i) for i in IDS), HEADERS[header])
            options = PrintOptions(paper=paper, large_print=large)
            made[key] = write_forms(folder / f"{paper}-{large}-{header}.pdf", [packet], options)
        return made[key]

    return make


# ---------------------------------------------------------------------------------------------
# The markers


@pytest.mark.parametrize(("paper", "large", "header"), CASES, ids=CASE_IDS)
def test_four_markers_one_per_corner(forms, paper: str, large: bool, header: str) -> None:
    path = forms(paper, large, header)
    width, height = PAPER_SIZES_MM[paper]
    for index, ident in enumerate(IDS):
        grey = grey_page(path, index)
        markers = find_markers(grey)
        assert sorted(markers) == [0, 1, 2, 3], f"{ident}: markers {sorted(markers)}"
        for marker, quad in markers.items():
            corner = corner_of(quad.mean(axis=0), grey.shape)
            assert CORNER_IDS[corner] == marker, f"{ident}: marker {marker} in the {corner}"
            # corner points are pixel centres: the outer edges lie half a pixel further out
            left, top = mm(quad[:, 0].min()), mm(quad[:, 1].min())
            right, bottom = mm(quad[:, 0].max() + 1), mm(quad[:, 1].max() + 1)
            for side in (right - left, bottom - top):
                assert abs(side - MARKER_MM) <= 0.3, f"{ident}: marker {marker} {side:.2f} mm"
            edges = {"left": left, "top": top, "right": width - right, "bottom": height - bottom}
            near = {name: round(d, 2) for name, d in edges.items() if d < 10.0}
            assert not near, f"{ident}: marker {marker} nearer than 10 mm to the edge: {near}"


def test_orientation_is_known_upside_down(forms) -> None:
    grey = np.ascontiguousarray(np.rot90(grey_page(forms("letter", False, "personal"), 0), 2))
    markers = find_markers(grey)
    assert sorted(markers) == [0, 1, 2, 3]
    rotated = {"top-left": 2, "top-right": 3, "bottom-right": 0, "bottom-left": 1}
    for marker, quad in markers.items():
        assert rotated[corner_of(quad.mean(axis=0), grey.shape)] == marker


def test_marker_drawing_follows_the_dictionary() -> None:
    dictionary = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50)
    for ident in range(4):
        image = cv2.aruco.generateImageMarker(dictionary, ident, 6)
        assert np.array_equal(np.array(marker_bits(ident)), image < 128)
        svg = marker_svg(ident)
        assert 'width="10.0mm"' in svg and 'viewBox="0 0 6 6"' in svg
    with pytest.raises(ValueError):
        marker_bits(50)


# ---------------------------------------------------------------------------------------------
# The page code


def read_codes(grey: np.ndarray) -> list:
    return [r for r in zxingcpp.read_barcodes(grey) if r.format == zxingcpp.BarcodeFormat.QRCode]


@pytest.mark.parametrize(("paper", "large", "header"), CASES, ids=CASE_IDS)
def test_page_code_reads_back(
    forms, catalog: Catalog, paper: str, large: bool, header: str
) -> None:
    path = forms(paper, large, header)
    texts = [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]
    for index, ident in enumerate(IDS):
        results = read_codes(grey_page(path, index))
        assert len(results) == 1, f"{ident}: {len(results)} QR codes read"
        code = parse_payload(results[0].text)
        instrument = catalog.get(ident)
        assert (code.version, code.instrument, code.layout, code.large_print) == (
            PAYLOAD_VERSION,
            ident,
            instrument.layout,
            large,
        )
        if header == "blank":
            assert code == PageCode(ident, instrument.layout, large, paper=paper)
        else:
            assert (code.client_id, code.session, code.date) == ("C|0042%", "7", "2026-11-25")
            assert code.page == index + 1
        # zxing gives the symbol's outer corners; the quiet zone adds 4 modules on each side
        position = results[0].position
        xs = [position.top_left.x, position.top_right.x, position.bottom_left.x]
        modules = segno.make_qr(results[0].text, error="m").symbol_size(border=0)[0]
        with_quiet_zone = mm(max(xs) - min(xs) + 1) * (modules + 8) / modules
        assert with_quiet_zone >= 16.0, f"{ident}: QR code {with_quiet_zone:.2f} mm"
        for line in code.caption():
            assert " ".join(line.split()) in texts[index], f"{ident}: caption {line!r} missing"


def test_code_svg_is_the_payload_at_its_size() -> None:
    svg = code_svg("PF1|ORS|1|N")
    assert svg.startswith("<svg ") and 'width="16.5mm" height="16.5mm"' in svg
    assert CODE_MM >= 16.0


# ---------------------------------------------------------------------------------------------
# The payload


@pytest.mark.parametrize(
    "code",
    [
        PageCode("ORS", 1, paper="letter"),
        PageCode("ORS", 1, large_print=True, paper="a4"),
        PageCode("SRS", 2, False, "C-0042", "7", "2026-11-25", 3, "a4"),
        PageCode("CORS", 1, True, "a|b", "12", "2026-01-02", 1, "letter"),
        PageCode("GSRS", 1, False, "100%|%7C|%25", "", "", 4, "a4"),
        PageCode("ORS", 1, False, "李四 x", "1", "", None, "letter"),  # a line break is refused
        PageCode("SRS", 2, False, "C-0042", "7", "2026-11-25", 3),  # printed before: PF1
        PageCode("ORS", 1, large_print=True),
    ],
)
def test_payload_round_trip(code: PageCode) -> None:
    text = code.payload()
    assert text.startswith("PF1|" if code.paper is None else PAYLOAD_VERSION + "|")
    assert "\n" not in text
    assert parse_payload(text) == code


def test_payload_format() -> None:
    assert PageCode("ORS", 1).payload() == "PF1|ORS|1|N"
    assert PageCode("ORS", 1, large_print=True).payload() == "PF1|ORS|1|L"
    code = PageCode("ORS", 1, False, "C|1%", "7", "2026-11-25", 2)
    assert code.payload() == "PF1|ORS|1|N|C%7C1%25|7|2026-11-25|2"
    assert parse_payload("PF1|ORS|1|N|C%7c1%25|7|2026-11-25|2").client_id == "C|1%"
    assert parse_payload("PF1|ORS|1|L").large_print
    assert parse_payload("PF1|ORS|1|L").paper is None  # printed before: the reader tells
    assert PageCode("ORS", 1, paper="a4").payload() == "PF2|ORS|1|N|A4"
    code = PageCode("SRS", 1, False, "C-1", "2", "2026-11-25", 1, "letter")
    assert code.payload() == "PF2|SRS|1|N|LT|C-1|2|2026-11-25|1"
    assert parse_payload("PF2|ORS|1|L|LT").paper == "letter"


@pytest.mark.parametrize(
    "text",
    [
        "PF2|ORS|1|N",
        "PF2|ORS|1|N|XX",
        "PF2|ORS|1|N|C|7|2026-11-25|1",
        "PF9|ORS|1|N|C|7|2026-11-25|1",
        "",
        "ORS|1",
        "PF1|ORS|1",
        "PF1|ORS|x|N",
        "PF1||1|N",
        "PF1|ORS|1|X",
        "PF1|ORS|1|N|C|7|2026-11-25",
    ],
)
def test_unknown_or_broken_payloads_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_payload(text)


def test_a_long_client_id_is_shortened_in_the_caption_but_whole_in_the_code() -> None:
    code = PageCode(
        "ORS",
        1,
        client_id="CLIENT-2026-000000000000000042",
        session="3",
        date="2026-11-25",
        page=1,
    )
    assert code.caption()[1] == "CLIENT-2026-00000…"
    assert parse_payload(code.payload()).client_id == "CLIENT-2026-000000000000000042"
