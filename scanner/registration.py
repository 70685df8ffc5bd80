"""Where a scanned page's form lies in its image: the second stage of `paperfit scan`.

Takes: a ScanPage (scanner.pages).
Returns: a Registration (the mapping from the form's page millimetres, as laid out by the
generator, to image pixels, and what it tells about the page: paper, orientation, printed
scale, quality) or a PageProblem with the reason; and, given a Registration, points and upright
crops of page regions (to_image, to_page, crop) and the page code (read_code).

Image coordinates are OpenCV's: x to the right, y down, the centre of the top-left pixel at
(0, 0). Page coordinates are millimetres on the paper the form was laid out for, from its top
left corner, x to the right and y down. The mapping uses the layout's millimetres, so printer
and copier scaling are absorbed by it; Registration.scale reports them.

How: the four ArUco corner markers (forms.sheet) are found on a copy of the image at about
DETECT_DPI, their corners refined on the full image (a marker missed there is searched for
again at full size near where the other three put it), and a homography fitted to all 16
corners (an affine mapping when one marker is missing, until the page's line ends give the
perspective: fit). Which id is where gives the orientation (pages may come in any of the four
orientations). The paper is not told from the markers' shape, which a photo's perspective
distorts: the page code says it (format PF2), or for a sheet printed before, the printed
lines do (scanner.lines.paper_by_lines); until then it is provisional.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np
from paperfit.forms.scan_records import POOR_REGISTRATION
from paperfit.forms.sheet import (
    CODE_SQUARE_MM,
    CORNER_IDS,
    MARGIN_SIDE_MM,
    MARGIN_TOP_MM,
    MARKER_INSET_MM,
    MARKER_MM,
    PAPER_SIZES_MM,
    PageCode,
    parse_payload,
)
from paperfit.scanner.pages import PageProblem, ScanPage

DETECT_DPI = 200.0  # markers are searched for at about this resolution
DETECT_PX = 1800  # or, in a picture of unknown resolution (a photo), on a copy this long
POOR_RESIDUAL_MM = 0.5  # above this RMS corner error the page is "poor registration"
SCALE_RANGE = (0.85, 1.10)  # beyond this the stored dpi is not believed (90-105 % expected)
CODE_MARGIN_MM = 4.0
RETAKE = "retake the photo closer, with the whole page in the frame and the phone steady"
NO_MARKERS = (
    "no corner markers found: is this a paperfit form? If it is, scan it again or " + RETAKE
)
PAPER_PROVISIONAL = "markers"  # the marker rectangle's shape: a first guess only
PAPER_FROM_PAGE = "page"  # the page code, the printed lines, or the caller said

OK = "ok"


@dataclass(frozen=True, eq=False)
class Registration:
    """The mapping of one scanned page.

    homography: 3x3, page mm -> image px; inverse: image px -> page mm.
    paper: "letter" or "a4", the paper the form was laid out for.
    rotation_degrees: how far the page is turned in the image, counter-clockwise as seen,
        in (-180, 180] (upright 0, upside down 180, turned left 90); orientation: the same
        rounded to 0, 90, 180 or 270.
    scale: the printed scale (1.0 = 100 %), from the marker spacing and the scan's dpi;
        scale_known: False when the scan stores no dpi or one that gives an implausible scale
        (outside SCALE_RANGE): the page is then sized by its markers and scale is 1.0.
    residual_mm: RMS distance between the detected marker corners and where the mapping puts
        them, in mm.
    markers_found: the marker ids found; corners: id -> its 4 corners (x, y) in image px.
    status: "ok" or "poor registration"; notes: what else the reader should know;
    found_notes: those of them from finding the markers (kept for fitting again).
    paper_source: PAPER_FROM_PAGE, or PAPER_PROVISIONAL while the paper is only guessed from
    the markers' shape; fitted_to_lines: one marker short, the mapping was fitted to the
    printed line ends too (a homography, as with four).
    """

    homography: np.ndarray
    inverse: np.ndarray
    paper: str
    rotation_degrees: float
    scale: float
    residual_mm: float
    scale_known: bool
    markers_found: tuple[int, ...]
    corners: dict[int, np.ndarray] = field(repr=False)
    status: str = OK
    notes: tuple[str, ...] = ()
    found_notes: tuple[str, ...] = ()
    paper_source: str = PAPER_FROM_PAGE
    fitted_to_lines: bool = False

    @property
    def orientation(self) -> int:
        return round(self.rotation_degrees / 90) % 4 * 90

    @property
    def skew_degrees(self) -> float:
        """The rotation beyond the orientation, in [-45, 45]."""
        return (self.rotation_degrees - self.orientation + 180) % 360 - 180

    @property
    def px_per_mm(self) -> float:
        """Image pixels per page mm at the page centre (printed scale included)."""
        width, height = PAPER_SIZES_MM[self.paper]
        return _local_scale(self.homography, width / 2, height / 2)


def marker_corners_mm(paper: str) -> dict[int, np.ndarray]:
    """Marker id -> its four corners in page mm, in the order OpenCV reports them (the
    marker's own top-left, top-right, bottom-right, bottom-left; markers are printed upright)."""
    width, height = PAPER_SIZES_MM[paper]
    near, far = MARKER_INSET_MM, MARKER_INSET_MM + MARKER_MM
    origins = {
        "top-left": (near, near),
        "top-right": (width - far, near),
        "bottom-right": (width - far, height - far),
        "bottom-left": (near, height - far),
    }
    square = np.array([(0, 0), (MARKER_MM, 0), (MARKER_MM, MARKER_MM), (0, MARKER_MM)])
    return {ident: square + origins[corner] for corner, ident in CORNER_IDS.items()}


def marker_centres_mm(paper: str) -> dict[int, np.ndarray]:
    """Marker id -> its centre in page mm."""
    return {ident: quad.mean(axis=0) for ident, quad in marker_corners_mm(paper).items()}


def code_box_mm(paper: str) -> tuple[float, float, float, float]:
    """The square of the page code, (left, top, right, bottom) in page mm."""
    width = PAPER_SIZES_MM[paper][0]
    right = width - MARGIN_SIDE_MM
    return (right - CODE_SQUARE_MM, MARGIN_TOP_MM, right, MARGIN_TOP_MM + CODE_SQUARE_MM)


# ---------------------------------------------------------------------------------------------
# Registration


def register(page: ScanPage, paper: str | None = None) -> Registration | PageProblem:
    """The Registration of PAGE on PAPER, or a PageProblem saying why there is none (fewer
    than 3 markers; a mirrored page). Without PAPER the paper is only provisional (the one
    whose marker rectangle is nearest in shape to the markers found, which a photo's
    perspective can mislead): the reader settles it from the page code or the printed lines
    (settle_paper)."""
    markers, notes = detect_markers(page.image, page.dpi, page.dpi_stored)
    if len(markers) == 3:
        markers, more = _search_missing(page, markers)
        notes += more
    if not markers:
        return PageProblem(page.source, page.page, NO_MARKERS)
    if len(markers) < 3:
        return PageProblem(
            page.source,
            page.page,
            f"only {len(markers)} of the 4 corner squares found: part of the page is outside "
            f"the picture or covered; {RETAKE}",
        )
    source = PAPER_FROM_PAGE if paper else PAPER_PROVISIONAL
    return fit(page, markers, paper or _provisional_paper(markers), tuple(notes), source)


def fit(
    page: ScanPage,
    markers: dict[int, np.ndarray],
    paper: str,
    found_notes: tuple[str, ...] = (),
    paper_source: str = PAPER_FROM_PAGE,
    extra: tuple[np.ndarray, np.ndarray] | None = None,
) -> Registration | PageProblem:
    """The Registration mapping PAPER's page mm onto PAGE through the MARKERS found (id -> 4
    corners in image px): a homography fitted to all their corners, or with one marker short
    an affine mapping, or a homography when EXTRA (page mm points, their image px) gives more
    printed features to fit (a page's line ends). FOUND_NOTES: what the markers' detection
    noted."""
    notes = list(found_notes)
    ids = tuple(sorted(markers))
    page_pts = np.concatenate([marker_corners_mm(paper)[i] for i in ids]).astype(np.float64)
    image_pts = np.concatenate([markers[i] for i in ids]).astype(np.float64)
    if len(ids) == 4:
        homography, _ = cv2.findHomography(page_pts, image_pts, 0)
    elif extra is not None:
        missing = sorted(set(CORNER_IDS.values()) - set(ids))
        notes.append(f"marker {missing[0]} not found: mapped from 3 markers and the line ends")
        homography, _ = cv2.findHomography(
            np.vstack([page_pts, extra[0]]), np.vstack([image_pts, extra[1]]), 0
        )
    else:
        missing = sorted(set(CORNER_IDS.values()) - set(ids))
        notes.append(f"marker {missing[0]} not found: affine mapping from 3 markers")
        homography = _affine(page_pts, image_pts)
    if homography is None or not np.all(np.isfinite(homography)):
        return PageProblem(
            page.source, page.page, f"the corner markers give no usable mapping: {RETAKE}"
        )
    scale_px = _local_scale(homography, *(np.array(PAPER_SIZES_MM[paper]) / 2))
    inverse = np.linalg.inv(homography)
    width, height = PAPER_SIZES_MM[paper]
    cx, cy = width / 2, height / 2
    origin, along_x, along_y = _project(homography, [(cx, cy), (cx + 1, cy), (cx, cy + 1)])
    x_axis, y_axis = along_x - origin, along_y - origin
    if x_axis[0] * y_axis[1] - x_axis[1] * y_axis[0] <= 0:
        return PageProblem(
            page.source,
            page.page,
            "the page is mirrored (scanned through the paper?): scan or photograph its "
            "printed side",
        )
    rotation = -math.degrees(math.atan2(x_axis[1], x_axis[0]))
    rotation = 180.0 if rotation <= -180 else rotation
    # Without a believable stored resolution the markers' spacing is taken as 100 %.
    dpi, scale_known = page.dpi, page.dpi_stored
    if scale_known and not SCALE_RANGE[0] <= scale_px / (dpi / 25.4) <= SCALE_RANGE[1]:
        notes.append(
            f"the file says {dpi:.0f} dpi, but the page measures as if scanned at "
            f"{scale_px * 25.4:.0f} dpi: read at the size of its markers"
        )
        scale_known = False
    if not scale_known:
        dpi = scale_px * 25.4
    scale = scale_px / (dpi / 25.4)
    residual_px = np.sqrt(np.mean(np.sum((_project(homography, page_pts) - image_pts) ** 2, 1)))
    residual_mm = float(residual_px / scale_px)
    status = OK
    if residual_mm > POOR_RESIDUAL_MM:
        status = POOR_REGISTRATION
        notes.append(f"marker corners {residual_mm:.2f} mm off the fitted mapping")
    return Registration(
        homography=homography,
        inverse=inverse,
        paper=paper,
        rotation_degrees=float(rotation),
        scale=float(scale),
        residual_mm=residual_mm,
        scale_known=scale_known,
        markers_found=ids,
        corners=markers,
        status=status,
        notes=tuple(notes),
        found_notes=found_notes,
        paper_source=paper_source,
        fitted_to_lines=extra is not None and len(ids) == 3,
    )


def detect_markers(
    image: np.ndarray, dpi: float, dpi_known: bool = True
) -> tuple[dict[int, np.ndarray], list[str]]:
    """The corner markers (ids 0-3) in IMAGE (greyscale, DPI, or of unknown resolution unless
    DPI_KNOWN): id -> 4x2 corners in image px, sub-pixel refined on IMAGE itself; and notes
    (e.g. a marker found twice)."""
    factor = min(1.0, DETECT_DPI / dpi) if dpi > 0 else 1.0
    if not dpi_known:  # a photo: a page filling 60 % of it still has 4-5 px per mm
        factor = min(factor, DETECT_PX / max(image.shape[:2]))
    small = image
    if factor < 0.95:
        size = (max(1, round(image.shape[1] * factor)), max(1, round(image.shape[0] * factor)))
        while small.shape[1] >= 2 * size[0]:  # halving first: OpenCV's quick case
            small = cv2.resize(small, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
        small = cv2.resize(small, size, interpolation=cv2.INTER_AREA)
        factor = small.shape[1] / image.shape[1]
    else:
        factor = 1.0
    corners, ids, _ = _detector().detectMarkers(small)
    notes: list[str] = []
    found: dict[int, np.ndarray] = {}
    if ids is None:
        return found, notes
    for quad, ident in zip(corners, ids.ravel(), strict=True):
        ident = int(ident)
        if ident not in CORNER_IDS.values():
            continue
        quad = quad.reshape(4, 2).astype(np.float64)
        if ident in found:
            notes.append(f"marker {ident} found twice: the larger one used")
            if cv2.contourArea(quad.astype(np.float32)) <= cv2.contourArea(
                (found[ident] * factor).astype(np.float32)
            ):
                continue
        found[ident] = (quad + 0.5) / factor - 0.5  # pixel-centre coordinates, full image
    if factor < 1.0:
        found = {ident: _refine(image, quad, dpi) for ident, quad in found.items()}
    return found, notes


_DETECTOR: cv2.aruco.ArucoDetector | None = None


def _detector() -> cv2.aruco.ArucoDetector:
    """An ArUco detector for DICT_4X4_50 tuned for 10 mm markers at about 150-200 dpi
    (DETECT_DPI): a marker cell is 10-13 px there."""
    global _DETECTOR
    if _DETECTOR is None:
        params = cv2.aruco.DetectorParameters()
        params.adaptiveThreshWinSizeMin = 5
        params.adaptiveThreshWinSizeMax = 45
        params.adaptiveThreshWinSizeStep = 10
        params.minMarkerPerimeterRate = 0.03
        params.maxMarkerPerimeterRate = 0.6
        params.cornerRefinementMethod = cv2.aruco.CORNER_REFINE_SUBPIX
        params.cornerRefinementWinSize = 4
        params.cornerRefinementMaxIterations = 50
        params.cornerRefinementMinAccuracy = 0.01
        dictionary = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50)
        _DETECTOR = cv2.aruco.ArucoDetector(dictionary, params)
    return _DETECTOR


def _refine(image: np.ndarray, quad: np.ndarray, dpi: float) -> np.ndarray:
    """QUAD's corners refined on the full-resolution IMAGE (a window of about 0.6 mm)."""
    half = max(2, round(0.6 * dpi / 25.4))
    points = quad.astype(np.float32).reshape(-1, 1, 2).copy()
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 50, 0.01)
    refined = cv2.cornerSubPix(image, points, (half, half), (-1, -1), criteria)
    refined = refined.reshape(4, 2).astype(np.float64)
    # a refinement that wandered (more than half the window) is not trusted
    moved = np.linalg.norm(refined - quad, axis=1)
    return np.where((moved <= half / 2)[:, None], refined, quad)


def _provisional_paper(markers: dict[int, np.ndarray]) -> str:
    """The paper whose marker rectangle is nearest in shape to the one MARKERS span, measured
    as found (no perspective corrected: right for a scan, a first guess for a photo, whose
    page code or printed lines settle it)."""
    centres = {ident: quad.mean(axis=0) for ident, quad in markers.items()}
    lengths: dict[str, list[float]] = {"x": [], "y": []}
    for ident, centre in centres.items():
        after = (ident + 1) % 4  # clockwise: ids 0-1 and 2-3 span the width, 1-2 and 3-0 height
        if after in centres:
            lengths["x" if ident % 2 == 0 else "y"].append(
                float(np.linalg.norm(centres[after] - centre))
            )
    measured = np.mean(lengths["x"]) / np.mean(lengths["y"])

    def misfit(paper: str) -> float:
        expected = marker_centres_mm(paper)
        width = np.linalg.norm(expected[1] - expected[0])
        height = np.linalg.norm(expected[3] - expected[0])
        return abs(math.log(measured / (width / height)))

    return min(PAPER_SIZES_MM, key=misfit)


def _search_missing(
    page: ScanPage, markers: dict[int, np.ndarray]
) -> tuple[dict[int, np.ndarray], list[str]]:
    """MARKERS with the fourth marker added when it is found at full size near where the
    three others put it (the working copy may lose a marker the full image shows clearly)."""
    (missing,) = set(CORNER_IDS.values()) - set(markers)
    ids = sorted(markers)
    paper = _provisional_paper(markers)
    page_pts = np.concatenate([marker_corners_mm(paper)[i] for i in ids])
    image_pts = np.concatenate([markers[i] for i in ids])
    mapping = _affine(page_pts, image_pts)
    predicted = _project(mapping, marker_corners_mm(paper)[missing])
    centre = predicted.mean(axis=0)
    side = float(np.linalg.norm(predicted[1] - predicted[0]))
    spread = float(np.linalg.norm(image_pts.max(axis=0) - image_pts.min(axis=0)))
    reach = 2.5 * side + 0.12 * spread  # the affine guess misses by the page's perspective
    height, width = page.image.shape[:2]
    x0, y0 = max(0, int(centre[0] - reach)), max(0, int(centre[1] - reach))
    x1, y1 = min(width, int(centre[0] + reach)), min(height, int(centre[1] + reach))
    if x1 - x0 < side or y1 - y0 < side:
        return markers, []
    window = page.image[y0:y1, x0:x1]
    for factor in (1.0, 0.5):
        small = window
        if factor < 1.0:
            small = cv2.resize(window, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
        corners, found, _ = _detector().detectMarkers(small)
        for quad, ident in zip(corners, () if found is None else found.ravel(), strict=False):
            if int(ident) == missing:
                quad = (quad.reshape(4, 2).astype(np.float64) + 0.5) / factor - 0.5 + (x0, y0)
                if factor < 1.0:
                    quad = _refine(page.image, quad, page.dpi)
                return {**markers, missing: quad}, [
                    f"marker {missing} found at full size near where the other three put it"
                ]
    return markers, []


def _affine(page_pts: np.ndarray, image_pts: np.ndarray) -> np.ndarray:
    """The least-squares affine mapping PAGE_PTS -> IMAGE_PTS as a 3x3 matrix."""
    design = np.hstack([page_pts, np.ones((len(page_pts), 1))])
    solution, *_ = np.linalg.lstsq(design, image_pts, rcond=None)
    return np.vstack([solution.T, [0.0, 0.0, 1.0]])


def _project(matrix: np.ndarray, points) -> np.ndarray:
    points = np.asarray(points, dtype=np.float64).reshape(-1, 1, 2)
    return cv2.perspectiveTransform(points, matrix).reshape(-1, 2)


def _local_scale(homography: np.ndarray, x_mm: float, y_mm: float) -> float:
    """Image px per page mm around (X_MM, Y_MM): the square root of the local area scale."""
    a, b, c = _project(homography, [(x_mm, y_mm), (x_mm + 1, y_mm), (x_mm, y_mm + 1)])
    u, v = b - a, c - a
    return math.sqrt(abs(u[0] * v[1] - u[1] * v[0]))


def keystone(reg: Registration) -> float:
    """How much the page's mapping narrows across the page: the spread of its local scale at
    the four marker centres against their mean (0 for a scan; a tilted phone gives 0.05-0.2)."""
    centres = marker_centres_mm(reg.paper).values()
    scales = [_local_scale(reg.homography, *centre) for centre in centres]
    return (max(scales) - min(scales)) / (sum(scales) / len(scales))


# ---------------------------------------------------------------------------------------------
# Using a registration


def to_image(reg: Registration, x_mm: float, y_mm: float) -> tuple[float, float]:
    """Page point (X_MM, Y_MM) -> image point (px, py)."""
    ((px, py),) = _project(reg.homography, [(x_mm, y_mm)])
    return float(px), float(py)


def to_page(reg: Registration, px: float, py: float) -> tuple[float, float]:
    """Image point (PX, PY) -> page point (x_mm, y_mm)."""
    ((x, y),) = _project(reg.inverse, [(px, py)])
    return float(x), float(y)


def crop(
    page: ScanPage,
    reg: Registration,
    box_mm: tuple[float, float, float, float],
    px_per_mm: float,
) -> np.ndarray:
    """The page rectangle BOX_MM (left, top, right, bottom, in page mm) as an upright greyscale
    image of PX_PER_MM pixels per mm, whatever the page's orientation and skew in the scan;
    pixel (i, j) of the result is centred on page point (left + (j + 0.5) / PX_PER_MM,
    top + (i + 0.5) / PX_PER_MM). Parts outside the scan are white."""
    left, top, right, bottom = box_mm
    width = max(1, round((right - left) * px_per_mm))
    height = max(1, round((bottom - top) * px_per_mm))
    out_to_page = np.array(
        [
            [1 / px_per_mm, 0, left + 0.5 / px_per_mm],
            [0, 1 / px_per_mm, top + 0.5 / px_per_mm],
            [0, 0, 1],
        ]
    )
    out_to_image = reg.homography @ out_to_page
    return cv2.warpPerspective(
        page.image,
        out_to_image,
        (width, height),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=255,
    )


def read_code(page: ScanPage, reg: Registration | None) -> PageCode | PageProblem:
    """The page code of PAGE: read in the code square where REG puts it (with a margin,
    resampled upright), else anywhere on the page. A PageProblem ("no page code: ...") when no
    QR code is read or the one read is not a paperfit page code."""
    import zxingcpp

    texts: list[str] = []
    if reg is not None:
        left, top, right, bottom = code_box_mm(reg.paper)
        m = CODE_MARGIN_MM
        box = (left - m, top - m, right + m, bottom + m)
        resolution = min(24.0, max(12.0, reg.px_per_mm))
        square = crop(page, reg, box, resolution)
        texts = [r.text for r in zxingcpp.read_barcodes(square, formats=zxingcpp.QRCode)]
    if not texts:
        texts = [r.text for r in zxingcpp.read_barcodes(page.image, formats=zxingcpp.QRCode)]
    if not texts:
        return PageProblem(page.source, page.page, "no page code: the QR code cannot be read")
    reasons = []
    for text in texts:
        try:
            return parse_payload(text)
        except ValueError as error:
            reasons.append(str(error))
    return PageProblem(page.source, page.page, f"no page code: {reasons[0]}")
