"""The corner markers and the page code of a printed sheet, drawn as SVG.

Takes: a marker id, or a page code's payload. Returns: SVG drawings as strings. What the
markers and the code are (ids, sizes, the payload) is the sheet's contract in forms/sheet.py;
this only draws it. Pure functions: nothing is written or fetched.
"""

from __future__ import annotations

import io
from functools import cache

import segno
from paperfit.forms.sheet import ARUCO_DICTIONARY, CODE_MM, MARKER_CELLS, MARKER_MM, QUIET_ZONE


@cache
def marker_bits(marker_id: int) -> tuple[tuple[bool, ...], ...]:
    """The MARKER_CELLS x MARKER_CELLS cells of ArUco marker MARKER_ID of ARUCO_DICTIONARY, border
    included, top row first; True is black."""
    import cv2  # only needed here; keeps printing's start-up light

    dictionary = cv2.aruco.getPredefinedDictionary(getattr(cv2.aruco, ARUCO_DICTIONARY))
    if not 0 <= marker_id < len(dictionary.bytesList):
        raise ValueError(f"no marker {marker_id} in {ARUCO_DICTIONARY}")
    image = cv2.aruco.generateImageMarker(dictionary, marker_id, MARKER_CELLS)
    return tuple(tuple(bool(value < 128) for value in row) for row in image)


def marker_svg(marker_id: int, size_mm: float = MARKER_MM) -> str:
    """ArUco marker MARKER_ID as a SIZE_MM square SVG: one filled path, one rectangle per run
    of black cells in a row (one path, so no seams between cells)."""
    runs = []
    for y, row in enumerate(marker_bits(marker_id)):
        x = 0
        while x < len(row):
            if row[x]:
                end = x
                while end < len(row) and row[end]:
                    end += 1
                runs.append(f"M{x} {y}h{end - x}v1h{x - end}z")
                x = end
            else:
                x += 1
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size_mm}mm" height="{size_mm}mm" '
        f'viewBox="0 0 {MARKER_CELLS} {MARKER_CELLS}" shape-rendering="crispEdges">'
        f'<path fill="#000" d="{"".join(runs)}"/></svg>'
    )


def code_svg(payload: str, size_mm: float = CODE_MM) -> str:
    """PAYLOAD as a QR code (error correction M, raised where that costs no size) drawn as an
    SVG of SIZE_MM square including a 4-module quiet zone."""
    qr = segno.make_qr(payload, error="m")
    out = io.BytesIO()
    qr.save(out, kind="svg", scale=1, border=QUIET_ZONE, omitsize=True, xmldecl=False)
    svg = out.getvalue().decode()
    return svg.replace("<svg ", f'<svg width="{size_mm}mm" height="{size_mm}mm" ', 1)
