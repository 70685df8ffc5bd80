"""The pages of scanned forms, as greyscale images: the first stage of `paperfit scan`.

Takes: a path: a PDF (multi-page), a TIFF (multi-page), a PNG or JPEG file, or a folder of them
(searched recursively, in sorted order).
Returns: an iterator of ScanPage (one greyscale uint8 image per page, with its resolution) and
PageProblem (a file or page that could not be read, with the reason). Nothing here raises on bad
input: an unreadable file is reported and the batch goes on. Files are only read.

- A PDF page that is one full-page embedded image (what a copier or scanner makes) yields that
  image as it is, at the resolution implied by the page size; any other page is rasterized with
  pypdfium2 at RASTER_DPI.
- A TIFF, PNG or JPEG keeps the resolution stored in the file; without one, ASSUMED_DPI stands
  in (ScanPage.dpi_stored is False) and ScanPage.notes says so.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from paperfit.forms.limits import DEFAULT_LIMITS, Limits

RASTER_DPI = 300.0
ASSUMED_DPI = 300.0
PLAUSIBLE_DPI = (100.0, 1200.0)  # stored resolutions outside this are taken as missing
FULL_PAGE = 0.95  # an image covering this share of both page sides is "the page"
SUFFIXES = {
    ".pdf": "pdf",
    ".tif": "tiff",
    ".tiff": "tiff",
    ".png": "png",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".heic": "heif",
    ".heif": "heif",
}
_MAGIC = (
    (b"%PDF", "pdf"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"\x89PNG", "png"),
    (b"\xff\xd8", "jpeg"),
)
HEIF_BRANDS = (b"ftypheic", b"ftypheix", b"ftyphevc", b"ftypmif1", b"ftypmsf1", b"ftypheim")
PNG_COLOUR_TYPE = 25  # the byte of a PNG's header that says whether it has an alpha channel
DARK_PAGE = 64  # a page whose lightest 1 % is darker than this grey level shows no paper
PHOTO_PIXELS = 12e6  # larger photos are decoded at a half or a quarter, down to about this
PAPER_PERCENTILE = 90  # a colour photo's paper: this percentile of each channel


@dataclass(frozen=True, eq=False)
class ScanPage:
    """One scanned page: SOURCE (the file), PAGE (1-based within the file), IMAGE (2-D uint8
    greyscale array, rows top first), DPI (pixels per inch of the scan), NOTES (things the
    reader should know) and DPI_STORED (False when the file gave no resolution and DPI is only
    ASSUMED_DPI: the page's own markers then set its scale)."""

    source: str
    page: int
    image: np.ndarray
    dpi: float
    notes: tuple[str, ...] = field(default=())
    dpi_stored: bool = True

    @property
    def px_per_mm(self) -> float:
        return self.dpi / 25.4


@dataclass(frozen=True)
class PageProblem:
    """A file or page that cannot be used: SOURCE, PAGE (1-based; None for the whole file) and
    the REASON, written for the person running the scan."""

    source: str
    page: int | None
    reason: str

    def __str__(self) -> str:
        where = self.source if self.page is None else f"{self.source} › page {self.page}"
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class Batch:
    """A share of the input that is loaded and read together (by one worker): a file, or a run
    of a PDF's or TIFF's pages (0-based indexes in PAGES), or one left unread (REFUSED)."""

    path: Path
    pages: range | None = None
    refused: str = ""  # why none of it is read (a limit), said once for the batch

    @property
    def size(self) -> int:
        """The number of pages, as far as known without decoding (an unreadable file: one)."""
        return len(self.pages) if self.pages is not None else 1


def load_pages(path: Path, limits: Limits = DEFAULT_LIMITS) -> Iterator[ScanPage | PageProblem]:
    """Every page in PATH (a file or a folder, searched recursively in sorted order), in order,
    as ScanPage, or PageProblem where a file or page cannot be read or is above LIMITS. Never
    raises on bad input."""
    for batch in batches(path, limits=limits):
        yield from load_batch(batch, limits)


def batches(path: Path, size: int = 4, limits: Limits = DEFAULT_LIMITS) -> Iterator[Batch]:
    """PATH's files in the order load_pages reads them, each PDF and TIFF cut into runs of SIZE
    pages; a file above LIMITS (all its pages together) is one refused Batch.
    Cheap (no page is decoded) and never raises: a file that cannot be opened is one Batch,
    whose loading reports why."""
    path = Path(path)
    files = [path]
    if path.is_dir():
        files = [
            child
            for child in sorted(p for p in path.rglob("*") if p.is_file())
            if not any(part.startswith(".") for part in child.relative_to(path).parts)
        ]  # hidden files (.DS_Store and the like) are skipped
    for file in files:
        count, pixels = _page_count(file, limits)
        if not count:
            yield Batch(file)
            continue
        refused = limits.file_refusal(pixels, count)
        if refused:
            yield Batch(file, range(count), refused)
            continue
        for start in range(0, count, size):
            yield Batch(file, range(start, min(count, start + size)))


def _page_count(path: Path, limits: Limits = DEFAULT_LIMITS) -> tuple[int, float]:
    """The number of pages of a readable PDF or TIFF at PATH and the pixels of those LIMITS
    let through (a PDF's pages as rasterized), read from its index only; (0, 0) for anything
    else (one Batch of the whole file, whose loading says what is wrong)."""
    try:
        with path.open("rb") as stream:
            head = stream.read(12)
    except OSError:
        return 0, 0
    kind = _kind_of(head)
    try:
        if kind == "pdf":
            import pypdfium2 as pdfium

            document = pdfium.PdfDocument(path)
            try:
                sizes = [document.get_page_size(i) for i in range(len(document))]
            finally:
                document.close()
            scale = RASTER_DPI / 72
            pixels = [(width * scale, height * scale) for width, height in sizes]
            return len(sizes), sum(
                w * h
                for (w, h), size in zip(pixels, sizes, strict=True)
                if not (limits.points_refusal(*size) or limits.page_refusal(w, h))
            )
        if kind == "tiff":
            return _tiff_size(path, limits)
    except Exception:  # load_batch reports it
        return 0, 0
    return 0, 0


def _tiff_size(path: Path, limits: Limits) -> tuple[int, float]:
    """The frames of the TIFF at PATH and the pixels of those LIMITS let through, from its
    headers."""
    from PIL import Image

    with _any_size(), Image.open(path) as picture:
        count = int(getattr(picture, "n_frames", 1))
        pixels = 0.0
        for index in range(count):
            picture.seek(index)
            if not limits.page_refusal(*picture.size):
                pixels += picture.size[0] * picture.size[1]
    return count, pixels


def load_batch(batch: Batch, limits: Limits = DEFAULT_LIMITS) -> Iterator[ScanPage | PageProblem]:
    """The pages of BATCH (see load_pages)."""
    if batch.refused:
        yield PageProblem(str(batch.path), None, batch.refused)
        return
    if not batch.path.exists():
        yield PageProblem(str(batch.path), None, "no such file or folder")
        return
    yield from _load_file(batch.path, batch.pages, limits)


def _load_file(
    path: Path, pages: range | None = None, limits: Limits = DEFAULT_LIMITS
) -> Iterator[ScanPage | PageProblem]:
    source = str(path)
    try:
        with path.open("rb") as stream:
            head = stream.read(12)
    except OSError as error:
        yield PageProblem(source, None, f"cannot be opened: {error.strerror or error}")
        return
    kind = _kind_of(head)
    if kind is None:
        known = SUFFIXES.get(path.suffix.lower())
        reason = (
            f"is named {path.suffix} but is not a {known.upper()} file (empty or damaged?)"
            if known
            else "is not a PDF, TIFF, PNG or JPEG file (nor a HEIC photo)"
        )
        yield PageProblem(source, None, reason)
        return
    try:
        if kind == "pdf":
            loaded = _pdf_pages(path, pages, limits)
        elif kind in ("jpeg", "heif"):
            loaded = _photo_pages(path, kind, limits)
        else:
            loaded = _image_pages(path, kind, pages, limits)
        for each in loaded:
            yield _unless_dark(each) if isinstance(each, ScanPage) else each
    except Exception as error:  # a damaged file must never stop the batch
        yield PageProblem(source, None, f"cannot be read: {error}")


def _unless_dark(page: ScanPage) -> ScanPage | PageProblem:
    """PAGE, or a PageProblem when no part of it is as light as paper (a scan with the lid up,
    an inverted image, a photo in the dark): otherwise taken for a blank page and left out,
    though it may hold a marked form."""
    image = page.image
    step = max(1, max(image.shape[:2]) // 400)  # about 400 pixels a side are enough to say
    brightest = float(np.percentile(image[::step, ::step], 99))
    if brightest >= DARK_PAGE:
        return page
    return PageProblem(
        page.source,
        page.page,
        f"the page is black or nearly (its lightest part is grey level {brightest:.0f} of "
        "255): no paper can be seen. Scan it again with the lid closed, or look at the file: "
        "an inverted or empty image?",
    )


def _kind_of(head: bytes) -> str | None:
    """The kind of file whose first 12 bytes are HEAD (see _MAGIC, HEIF_BRANDS), or None."""
    if head[4:12] in HEIF_BRANDS:
        return "heif"
    return next((name for magic, name in _MAGIC if head.startswith(magic)), None)


# ---------------------------------------------------------------------------------------------
# Photos: JPEG and HEIC


def _photo_pages(path: Path, kind: str, limits: Limits) -> Iterator[ScanPage | PageProblem]:
    """A JPEG or HEIC/HEIF picture (a phone's photo, or a scanner's JPEG) as one page: turned
    as its EXIF orientation says (phones store the picture sideways and say so), in grey (a
    colour picture through ink_grey, so that coloured ink stays dark);
    a JPEG larger than twice PHOTO_PIXELS decoded at a half or a quarter (JPEG's own reduced
    decoding: quick, and a page filling most of a 12 MP photo is still at about 250 dpi, all
    the measuring needs)."""
    from PIL import Image, ImageOps

    source = str(path)
    if kind == "jpeg":
        with path.open("rb") as stream:
            stream.seek(max(0, path.stat().st_size - 1024))
            if b"\xff\xd9" not in stream.read():
                yield PageProblem(
                    source, None, "the JPEG file is cut short (incomplete download or copy?)"
                )
                return
    elif not _heif_opener():
        yield PageProblem(
            source,
            None,
            "is a HEIC/HEIF photo: reading it needs the pillow-heif package "
            "(pip install pillow-heif), or save the photo as JPEG",
        )
        return
    with _any_size(), Image.open(path) as picture:  # only the header is read here for a JPEG
        width, height = picture.size
        stored = picture.info.get("dpi")
        refusal = limits.page_refusal(width, height, "the picture")
        if refusal:
            yield PageProblem(source, None, refusal)
            return
        colour = picture.mode not in ("L", "1", "I", "I;16")
        if kind == "heif":
            image = ink_grey(np.asarray(ImageOps.exif_transpose(picture).convert("RGB")))
    factor = 1.0
    if kind == "jpeg":
        # OpenCV decodes turned as the EXIF orientation says, and a large photo at a half or
        # a quarter (libjpeg's own reduced decoding)
        flags = {
            1.0: (cv2.IMREAD_COLOR, cv2.IMREAD_GRAYSCALE),
            0.5: (cv2.IMREAD_REDUCED_COLOR_2, cv2.IMREAD_REDUCED_GRAYSCALE_2),
            0.25: (cv2.IMREAD_REDUCED_COLOR_4, cv2.IMREAD_REDUCED_GRAYSCALE_4),
        }
        if width * height > 8 * PHOTO_PIXELS:
            factor = 0.25
        elif width * height > 2 * PHOTO_PIXELS:
            factor = 0.5
        with _quiet_opencv():
            decoded = cv2.imdecode(np.fromfile(path, np.uint8), flags[factor][not colour])
        if decoded is None:
            yield PageProblem(source, None, "the JPEG image cannot be decoded (damaged?)")
            return
        image = ink_grey(decoded) if decoded.ndim == 3 else decoded
    image = np.ascontiguousarray(image, dtype=np.uint8)
    dpi = _plausible_dpi(stored, factor)
    notes: tuple[str, ...] = ()
    if dpi is None:
        notes = ("no resolution stored in the file: the printed scale cannot be checked",)
    yield ScanPage(source, 1, image, dpi or ASSUMED_DPI, notes, dpi is not None)


def ink_grey(colour: np.ndarray) -> np.ndarray:
    """A colour photo (H, W, 3, any channel order) in grey, so that a pen's coloured ink is as
    dark as it shows in its darkest channel: each channel scaled so that the paper (its
    PAPER_PERCENTILE brightest) is alike in all three, whatever the lamp's colour, then the
    darkest of the three taken. Blue ink is dark in red, red ink in green and blue, green ink
    in red and blue; printed black and pencil are as dark as in plain grey."""
    sample = colour[::16, ::16].reshape(-1, 3)
    paper = np.percentile(sample, PAPER_PERCENTILE, axis=0).astype(np.float64)
    target = float(paper.max())
    channels = [
        cv2.convertScaleAbs(colour[..., i], alpha=target / max(paper[i], 1.0)) for i in range(3)
    ]
    return cv2.min(cv2.min(channels[0], channels[1]), channels[2])


def _heif_opener() -> bool:
    """Whether HEIC/HEIF pictures can be opened (pillow-heif installed and registered)."""
    try:
        from pillow_heif import register_heif_opener
    except ImportError:
        return False
    register_heif_opener()
    return True


def _plausible_dpi(dpi: tuple | None, factor: float) -> float | None:
    """A picture's stored resolution DPI (x, y), times FACTOR (a reduced decoding), or None
    when there is none or it is outside PLAUSIBLE_DPI (a phone's 72 dpi)."""
    if not dpi:
        return None
    value = float(sum(float(v) for v in dpi[:2]) / len(dpi[:2]))
    if not PLAUSIBLE_DPI[0] <= value <= PLAUSIBLE_DPI[1]:
        return None
    return value * factor


# ---------------------------------------------------------------------------------------------
# PDF


def _pdf_pages(
    path: Path, pages: range | None = None, limits: Limits = DEFAULT_LIMITS
) -> Iterator[ScanPage | PageProblem]:
    import pypdfium2 as pdfium

    source = str(path)
    try:
        document = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as error:
        reason = f"is not a readable PDF ({error})"
        if "password" in str(error).lower():
            reason = "is password-protected: scan it again, or save it without a password"
        yield PageProblem(source, None, reason)
        return
    try:
        count = len(document)
        if count == 0:
            yield PageProblem(source, None, "the PDF has no pages")
        for index in pages if pages is not None else range(count):
            try:
                page = document[index]
                try:
                    yield _pdf_page(source, index + 1, page, limits)
                finally:
                    page.close()
            except TooLarge as refusal:
                yield PageProblem(source, index + 1, str(refusal))
            except Exception as error:
                yield PageProblem(source, index + 1, f"cannot be read: {error}")
    finally:
        document.close()


class TooLarge(Exception):
    """A page above the limits: its message says which, and it is not decoded."""


def _check_pdf_page(page, limits: Limits) -> None:
    """TooLarge when PAGE's size in points, or rasterized at RASTER_DPI, is above LIMITS."""
    width, height = page.get_size()
    scale = RASTER_DPI / 72
    refusal = limits.points_refusal(width, height) or limits.page_refusal(
        width * scale, height * scale, f"rasterized at {RASTER_DPI:.0f} dpi, the page"
    )
    if refusal:
        raise TooLarge(refusal)


def _pdf_page(source: str, number: int, page, limits: Limits = DEFAULT_LIMITS) -> ScanPage:
    """The embedded full-page image of PAGE as it is, else the page rasterized."""
    _check_pdf_page(page, limits)
    embedded = _embedded_image(page, limits)
    if embedded is not None:
        image, dpi, notes = embedded
        return ScanPage(source, number, image, dpi, notes)
    return ScanPage(
        source, number, rasterize(page, RASTER_DPI), RASTER_DPI, ("rasterized at 300 dpi",)
    )


def rasterize(page, dpi: float) -> np.ndarray:
    """A pypdfium2 PAGE drawn at DPI as a 2-D uint8 greyscale array."""
    bitmap = page.render(scale=dpi / 72, grayscale=True)
    try:
        return _grey(bitmap)
    finally:
        bitmap.close()


def _embedded_image(
    page, limits: Limits = DEFAULT_LIMITS
) -> tuple[np.ndarray, float, tuple[str, ...]] | None:
    """(image, dpi, notes) when PAGE is one image covering the page, else None; TooLarge when
    that image is above LIMITS (checked before it is decoded)."""
    import pypdfium2.raw as pdfium_c

    images = list(page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,)))
    if len(images) != 1:
        return None
    image = images[0]
    width_pt, height_pt = page.get_size()
    left, bottom, right, top = image.get_bounds()
    if (right - left) < FULL_PAGE * width_pt or (top - bottom) < FULL_PAGE * height_pt:
        return None
    px_width, px_height = image.get_px_size()
    matrix = image.get_matrix()  # the image's unit square onto the page, in points
    side_x = math.hypot(matrix.a, matrix.b)
    side_y = math.hypot(matrix.c, matrix.d)
    if min(side_x, side_y, px_width, px_height) <= 0:
        return None
    refusal = limits.page_refusal(px_width, px_height, "the page's image")
    if refusal:
        raise TooLarge(refusal)
    dpi_x, dpi_y = px_width * 72 / side_x, px_height * 72 / side_y
    # The image's own pixels: a bitmap PDFium owns, freed with it (closing it early is unsafe).
    grey = _grey(image.get_bitmap(render=False))
    if grey.shape != (px_height, px_width):
        return None
    notes: tuple[str, ...] = ()
    if abs(dpi_x - dpi_y) > 0.01 * max(dpi_x, dpi_y):  # non-square pixels: make them square
        dpi = max(dpi_x, dpi_y)
        size = (round(px_width * dpi / dpi_x), round(px_height * dpi / dpi_y))
        grey = cv2.resize(grey, size, interpolation=cv2.INTER_LINEAR)
        notes = (f"resampled from {dpi_x:.0f} x {dpi_y:.0f} dpi to square pixels",)
        return grey, dpi, notes
    return grey, (dpi_x + dpi_y) / 2, notes


def _grey(bitmap) -> np.ndarray:
    """A pypdfium2 bitmap as a contiguous 2-D uint8 array (a copy: the bitmap is freed after)."""
    array = bitmap.to_numpy()
    if array.ndim == 2 or array.shape[2] == 1:
        return np.array(array.reshape(array.shape[:2]), dtype=np.uint8)
    rgb_order = bool(getattr(bitmap, "rev_byteorder", False))
    if array.shape[2] == 3:
        code = cv2.COLOR_RGB2GRAY if rgb_order else cv2.COLOR_BGR2GRAY
    else:
        code = cv2.COLOR_RGBA2GRAY if rgb_order else cv2.COLOR_BGRA2GRAY
    return cv2.cvtColor(np.ascontiguousarray(array), code)


# ---------------------------------------------------------------------------------------------
# TIFF, PNG, JPEG


def _image_pages(
    path: Path, kind: str, pages: range | None = None, limits: Limits = DEFAULT_LIMITS
) -> Iterator[ScanPage | PageProblem]:
    """The frames of an image file (PAGES of a TIFF only, when given); a frame above LIMITS is
    refused before it is decoded."""
    source = str(path)
    # Mapped, not read: a large multi-page TIFF is paged in as its frames are decoded, so each
    # worker holds only the pages it reads.
    buffer = np.memmap(path, dtype=np.uint8, mode="r")
    if kind == "jpeg" and b"\xff\xd9" not in buffer[-1024:].tobytes():
        yield PageProblem(source, None, "the JPEG file is cut short (incomplete download or copy?)")
        return
    first = pages.start if pages is not None else 0
    wanted = pages if pages is not None else range(1)
    refusals = _size_refusals(path, wanted, limits)
    frames: list[np.ndarray | None] = [None] * len(wanted)
    with _quiet_opencv():  # a damaged file is reported below, not logged by OpenCV
        for place, index in enumerate(wanted):
            if refusals[place]:
                continue
            if kind == "tiff":
                ok, decoded = cv2.imdecodemulti(
                    buffer, cv2.IMREAD_GRAYSCALE, None, (index, index + 1)
                )
                frames[place] = decoded[0] if ok and decoded else None
            elif kind == "png" and _png_alpha(buffer):
                frames[place] = _on_white(cv2.imdecode(buffer, cv2.IMREAD_UNCHANGED))
            else:
                frames[place] = cv2.imdecode(buffer, cv2.IMREAD_GRAYSCALE)
    if not any(
        frame is not None or refusal for frame, refusal in zip(frames, refusals, strict=True)
    ):
        yield PageProblem(source, None, f"the {kind.upper()} image cannot be decoded (damaged?)")
        return
    resolutions = _stored_dpi(path, first + len(frames))[first:]
    for index, frame in enumerate(frames, start=first):
        if refusals[index - first]:
            yield PageProblem(source, index + 1, refusals[index - first] or "")
            continue
        if frame is None:
            yield PageProblem(source, index + 1, f"the {kind.upper()} page cannot be decoded")
            continue
        dpi = resolutions[index - first]
        notes: tuple[str, ...] = ()
        if dpi is None:
            notes = ("no resolution stored in the file: the printed scale cannot be checked",)
        image = np.ascontiguousarray(frame, dtype=np.uint8)
        yield ScanPage(source, index + 1, image, dpi or ASSUMED_DPI, notes, dpi is not None)


def _png_alpha(buffer: np.ndarray) -> bool:
    """Whether the PNG in BUFFER has an alpha channel (its IHDR's colour type 4 or 6)."""
    return len(buffer) > PNG_COLOUR_TYPE and int(buffer[PNG_COLOUR_TYPE]) in (4, 6)


def _on_white(image: np.ndarray | None) -> np.ndarray | None:
    """A decoded picture with an alpha channel, laid on white paper, in grey (8 bits). What
    background-removal tools export keeps the ink only in the alpha channel (the colour
    under a transparent pixel may be black): read without the alpha, the page is all one
    colour and was left out as blank."""
    if image is None or image.ndim != 3 or image.shape[2] not in (2, 4):
        return image
    if image.dtype == np.uint16:
        image = (image >> 8).astype(np.uint8)
    colour, alpha = image[..., :-1], image[..., -1].astype(np.uint16)
    grey = colour[..., 0] if colour.shape[2] == 1 else cv2.cvtColor(colour, cv2.COLOR_BGR2GRAY)
    return ((grey.astype(np.uint16) * alpha + 255 * (255 - alpha)) // 255).astype(np.uint8)


def _size_refusals(path: Path, frames: range, limits: Limits) -> list[str | None]:
    """For each of FRAMES of the picture at PATH: why it is too large to decode (from its
    header's width and height), or None. A header that cannot be read is left to OpenCV."""
    found: list[str | None] = [None] * len(frames)
    try:
        from PIL import Image

        with _any_size(), Image.open(path) as picture:
            for place, index in enumerate(frames):
                if index:
                    picture.seek(index)
                found[place] = limits.page_refusal(*picture.size, "the picture")
    except Exception:  # PIL cannot read the header: OpenCV's decoding says what is wrong
        pass
    return found


@contextmanager
def _any_size() -> Iterator[None]:
    """PIL's own size guard lifted while only a header is read (paperfit's limits apply)."""
    import warnings

    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        limit, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
        try:
            yield
        finally:
            Image.MAX_IMAGE_PIXELS = limit


@contextmanager
def _quiet_opencv() -> Iterator[None]:
    """OpenCV's own warnings and errors silenced for the duration."""
    logging = cv2.utils.logging
    level = logging.getLogLevel()
    logging.setLogLevel(logging.LOG_LEVEL_SILENT)
    try:
        yield
    finally:
        logging.setLogLevel(level)


def _stored_dpi(path: Path, frames: int) -> list[float | None]:
    """The resolution stored for each of FRAMES images in the file at PATH (PIL's
    info["dpi"]), or None where there is none or it is implausible."""
    found: list[float | None] = [None] * frames
    try:
        from PIL import Image

        with _any_size(), Image.open(path) as picture:
            for index in range(frames):
                if index:
                    picture.seek(index)
                found[index] = _plausible_dpi(picture.info.get("dpi"), 1.0)
    except Exception:  # PIL missing or unable: the resolution is simply unknown
        pass
    return found
