"""How much work one page, file, run or cell may ask for.

Takes and returns plain numbers (paperfit.toml's [limits] table sets them). `paperfit scan`
checks a page or file before decoding it, and refuses one above them with its reason while the
batch goes on; the report quotes at most cell_chars of a cell. So a hostile file cannot take all
of the machine's memory or time.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """The limits in force; every one has a default and a range (LIMIT_RANGES)."""

    # A 600 dpi scan of a legal page is 43 million pixels (a greyscale page: 43 MB).
    page_pixels: int = 60_000_000
    # Every page of one file together: about 500 pages at 300 dpi.
    file_pixels: int = 4_000_000_000
    # The longer side of a page, in points (1/72 inch): 24 in; tabloid paper is 17 in.
    page_points: float = 1_728.0
    # Pages read in one `paperfit scan`; the rest is left for another run.
    pages_per_run: int = 5_000
    # Characters of one cell quoted in a message or the report (Excel allows 32,767).
    cell_chars: int = 80
    # A model.json: a real one is tens of kilobytes (a neighbours table a few hundred).
    model_bytes: int = 5_000_000
    # A de-identified file pooled by `paperfit trajectories`: 100,000 clients of 12 sessions
    # are about 50 MB.
    pooled_bytes: int = 200_000_000

    def page_refusal(self, width: float, height: float, what: str = "the page") -> str | None:
        """Why a page WIDTH x HEIGHT pixels is not read, or None when it may be."""
        if width * height > self.page_pixels:
            return (
                f"{what} is {width:,.0f} x {height:,.0f} pixels, more than the "
                f"{self.page_pixels:,} a page may have (page_pixels in paperfit.toml's "
                "[limits]): not read. Scan it again at 300 dpi."
            )
        return None

    def points_refusal(self, width: float, height: float) -> str | None:
        """Why a PDF page WIDTH x HEIGHT points (1/72 inch) is not read, or None."""
        if max(width, height) > self.page_points:
            return (
                f"the page is {width / 72 * 2.54:,.0f} x {height / 72 * 2.54:,.0f} cm, larger "
                f"than the {self.page_points / 72 * 2.54:,.0f} cm a scanned form may be "
                "(page_points in paperfit.toml's [limits]): not read"
            )
        return None

    def file_refusal(self, pixels: float, pages: int) -> str | None:
        """Why a file of PAGES pages and PIXELS pixels in all is not read, or None."""
        if pixels > self.file_pixels:
            return (
                f"its {pages:,} pages would be {pixels / 1e6:,.0f} million pixels, more than "
                f"the {self.file_pixels / 1e6:,.0f} million one file may have (file_pixels in "
                "paperfit.toml's [limits]): not read. Split it into smaller files."
            )
        return None

    def run_refusal(self, from_page: int) -> str:
        """Why a file's pages from FROM_PAGE on are not read: the run has read pages_per_run."""
        what = f"pages {from_page:,} and after" if from_page > 1 else "the file"
        return (
            f"{what} not read: more than {self.pages_per_run:,} pages in one run "
            "(pages_per_run in paperfit.toml's [limits]). Scan the rest in another run."
        )


DEFAULT_LIMITS = Limits()
# What paperfit.toml may set each limit to.
LIMIT_RANGES = {
    "page_pixels": (1_000_000, 1_000_000_000),
    "file_pixels": (1_000_000, 100_000_000_000),
    "page_points": (100.0, 14_400.0),  # PDF's own largest page is 200 in
    "pages_per_run": (1, 1_000_000),
    "cell_chars": (20, 32_767),
    "model_bytes": (10_000, 1_000_000_000),
    "pooled_bytes": (10_000, 10_000_000_000),
}
