"""Cut the nine rating lines out of vas-reader's three sample scans, for test_public_samples.py.

The samples are real scans (600 dpi JPEG inside a Letter PDF) of a printed visual-analogue-scale
form marked with a pen, from https://github.com/koeunlim-nro/vas-reader (MIT licence, see
LICENSE here). The 1.2 MB PDFs are not shipped; this script makes the small crops that are.

Each page is rendered in grey at 300 dpi with pypdfium2 and each line's region is cut as
paperfit cuts a line for scanner.pen.measure_line: 14 mm beyond each end tick and 6.5 mm above
and below the line. Sample 01 is also written whole at 100 dpi (page_01.png), for a test that
`paperfit scan` refuses a page that is not a paperfit form. PLACES holds each line's end ticks
and row on the 300 dpi render, found once (from the dark columns just above and below each
line) to within a few pixels: the crop only needs to hold the line with its margins; the
measuring is done on the crop, by the reader and by hand.

Run from the project root, given the folder holding VAS_sample_01.pdf .. VAS_sample_03.pdf:
    .venv/bin/python tests/corpus/public/vas-reader/cut.py FOLDER [OUT]
(default OUT: the folder of this script). The output is the same on every run with the same
pypdfium2 (PDFium renders the scans; 5.15.2 was used).
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium

HERE = Path(__file__).resolve().parent
DPI = 300
PAGE_DPI = 100
PX_PER_MM = DPI / 25.4
BEYOND_ENDS_MM = 14.0
ACROSS_MM = 6.5
# sample -> the three lines' (left tick x, right tick x, line y) in pixels of the 300 dpi render
PLACES = {
    "01": [(699, 1844, 1441), (697, 1844, 1889), (695, 1842, 2337)],
    "02": [(697, 1840, 1436), (695, 1838, 1884), (691, 1838, 2331)],
    "03": [(683, 1864, 1420), (682, 1864, 1882), (682, 1864, 2345)],
}


def render(pdf_path: Path, dpi: int = DPI) -> np.ndarray:
    """The PDF's first page in grey at DPI."""
    document = pdfium.PdfDocument(str(pdf_path))
    try:
        bitmap = document[0].render(scale=dpi / 72, grayscale=True)
        return bitmap.to_numpy().copy()
    finally:
        document.close()


def cut(folder: Path, out: Path) -> list[Path]:
    """Write sample_NN_line_K.png for every line of every sample, and page_01.png, into OUT;
    return their paths."""
    written = []
    beyond, across = round(BEYOND_ENDS_MM * PX_PER_MM), round(ACROSS_MM * PX_PER_MM)
    for sample, lines in PLACES.items():
        page = render(folder / f"VAS_sample_{sample}.pdf")
        for number, (left, right, y) in enumerate(lines, start=1):
            crop = page[y - across : y + across + 1, left - beyond : right + beyond + 1]
            path = out / f"sample_{sample}_line_{number}.png"
            cv2.imwrite(str(path), crop, [cv2.IMWRITE_PNG_COMPRESSION, 9])
            written.append(path)
    page_path = out / "page_01.png"
    page = render(folder / "VAS_sample_01.pdf", PAGE_DPI)
    cv2.imwrite(str(page_path), page, [cv2.IMWRITE_PNG_COMPRESSION, 9])
    return [*written, page_path]


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    target = Path(sys.argv[2]) if len(sys.argv) == 3 else HERE
    for written in cut(Path(sys.argv[1]), target):
        print(written)
