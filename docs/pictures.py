"""Make the pictures in docs/ from the demo's files, so the README shows what the code prints now.

Takes: the demo's folder (default output/demo/, as `make demo` writes it). Writes each picture
below into docs/, greyscale, the page drawn at the resolution given (the scan proof cut to its
top part), and photo-example.jpg, a made-up phone photo of a marked form taken the hard way
(paperfit.made_up_scans: tilted, turned, bent, a shadow across it), 800 pixels high.

Run: make docs (runs the demo first), or .venv/bin/python docs/pictures.py [DEMO_FOLDER]
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

import numpy as np
import pypdfium2
from PIL import Image

from paperfit.made_up_scans import hard_camera, photo_set

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


def photo(seed: int = 7) -> bytes:
    """A made-up phone photo of a marked form, taken the hard way, as a small JPEG."""
    with tempfile.TemporaryDirectory() as folder:
        camera = hard_camera(np.random.default_rng(seed))
        taken = photo_set(Path(folder), [camera], seed=seed)[0]
        image = Image.open(taken.path).convert("L")
        image.thumbnail((800, 800))
        data = io.BytesIO()
        image.save(data, format="JPEG", quality=85)
    return data.getvalue()


def main(demo: Path) -> None:
    missing = [source for _, source, *_ in PICTURES if not (demo / source).is_file()]
    if missing:
        sys.exit(f"{demo} lacks {', '.join(missing)}: run make demo first.")
    for picture, source, page, dpi, kept in PICTURES:
        (DOCS / picture).write_bytes(draw(demo / source, page, dpi, kept))
        print(DOCS / picture)
    (DOCS / "photo-example.jpg").write_bytes(photo())
    print(DOCS / "photo-example.jpg")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("output/demo"))
