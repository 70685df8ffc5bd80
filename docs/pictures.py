"""Make the pictures in docs/ from the demo's files, so the README shows what the code prints now.

Takes: the demo's folder (default output/demo/, as `make demo` writes it). Writes each picture
below into docs/, greyscale, the page drawn at the resolution given (the scan proof cut to its
top part). The simulated phone photo (docs/photo-example.jpg) is made by bench/scan.py's
photo set, not here.

Run: make docs (runs the demo first), or .venv/bin/python docs/pictures.py [DEMO_FOLDER]
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pypdfium2

DOCS = Path(__file__).parent
# picture, the demo's PDF it shows, page (from 0), dots per inch, share of the page kept (top)
PICTURES = (
    ("sheet-ors.png", "forms-blank.pdf", 0, 100, 1.0),
    ("sheet-srs.png", "forms-blank.pdf", 1, 100, 1.0),
    ("graph-page.png", "graphs/C-1001.pdf", 0, 100, 1.0),
    ("graph-expected.png", "graphs/C-1003.pdf", 0, 110, 1.0),
    ("trajectories-page.png", "trajectories/trajectories.pdf", 0, 110, 1.0),
    ("scan-proof.png", "scan/proof.pdf", 0, 110, 0.55),
)


def draw(pdf: Path, page: int, dpi: int, kept: float) -> bytes:
    """PAGE of PDF as a greyscale PNG at DPI, its top KEPT share only."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[page].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    finally:
        document.close()
    image = image.crop((0, 0, image.width, round(image.height * kept)))
    data = io.BytesIO()
    image.save(data, format="PNG", optimize=True)
    return data.getvalue()


def main(demo: Path) -> None:
    missing = [source for _, source, *_ in PICTURES if not (demo / source).is_file()]
    if missing:
        sys.exit(f"{demo} lacks {', '.join(missing)}: run make demo first.")
    for picture, source, page, dpi, kept in PICTURES:
        (DOCS / picture).write_bytes(draw(demo / source, page, dpi, kept))
        print(DOCS / picture)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("output/demo"))
