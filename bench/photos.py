"""Benchmark: `paperfit scan` on the second generator's phone photos (paperfit.made_up_photos).

24 easy and 24 hard photos of paperfit's own marked forms, made by a generator that shares no
code with the one the reader was tuned on (paperfit.made_up_scans): a pinhole camera at
24-28 mm anywhere above the page, colour, white balance 2700-6500 K, pens of every colour and
pencil, JPEG and HEIC, EXIF orientations; the hard set tilted up to 25 degrees, curled up to
8 mm, folded, with glare and a hand's shadow. Read on one core: pages read, clean marks within
0.1 (1 mm), clean marks read ok but wrong by more than 0.3, ambiguous marks read ok, and per
pen; every page not read with its reason. Baseline in the same run: 6 of the first
generator's 12 MP photos (grey JPEG), whose time per photo the README gives for an idle
machine, so that the ratio holds when the machine is busy.
Bars: every easy photo read, at least 23 of 24 hard, at least 97 % of clean marks within 0.1,
no ambiguous mark read ok, no clean mark read ok and wrong by more than 0.3.
Run: .venv/bin/python bench/photos.py [PHOTOS] [FOLDER|-] [DRAW]  (FOLDER: keep the photos
there; DRAW: added to the seeds, for another draw of photos than the README's, which is 0)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from paperfit.forms.instrument import Catalog
from paperfit.scanner.scan_reading import scan

from paperfit.made_up_photos import easy_shot, figures, hard_shot, take_photos
from paperfit.made_up_scans import moderate_camera, photo_set


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 24
    keep = Path(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2] != "-" else None
    draw = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    catalog = Catalog.load()
    print(f"load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        root = keep or Path(tmp)
        baseline = root / "first-generator"
        baseline.mkdir(parents=True, exist_ok=True)
        rng = np.random.default_rng(11)
        made = photo_set(baseline, [moderate_camera(rng) for _ in range(6)], seed=5)
        start = time.perf_counter()
        scan([photo.path for photo in made], catalog, workers=1)
        base = (time.perf_counter() - start) / len(made)
        print(f"first generator, 12 MP grey JPEG: {base:.2f} s a photo")
        for title, shot, seed in (("easy", easy_shot, 31 + draw), ("hard", hard_shot, 32 + draw)):
            folder = root / title
            folder.mkdir(parents=True, exist_ok=True)
            rng = np.random.default_rng(seed)
            photos = take_photos(folder, [shot(rng) for _ in range(count)], seed)
            start = time.perf_counter()
            result = scan([photo.path for photo in photos], catalog, workers=1)
            each = (time.perf_counter() - start) / len(photos)
            jpegs = [p for p in photos if p.path.suffix == ".jpg"]
            start = time.perf_counter()
            scan([photo.path for photo in jpegs], catalog, workers=1)
            jpeg = (time.perf_counter() - start) / max(1, len(jpegs))
            found = figures(photos, result.pages)
            print(
                f"{found.line(f'second generator, {title}')}; {each:.2f} s a photo "
                f"(JPEG only {jpeg:.2f} s, {jpeg / base:.1f}x the first generator's)"
            )
            for refusal in found.refusals:
                print(f"  {refusal}")


if __name__ == "__main__":
    main()
