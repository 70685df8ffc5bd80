"""How sharp a scanned or photographed page is: a quality signal of `paperfit scan`.

Takes: a greyscale picture (a corner marker cut out of a registered page, or a whole page
reduced) and its pixels per mm. Returns: the blur as the sigma, in mm, of the Gaussian that
would soften a sharp edge as much as the picture's edges are softened.

Why this measure: a step edge of contrast C blurred by a Gaussian of sigma s has a steepest
gradient of C / (s * sqrt(2 pi)); so s follows from the contrast across an edge and its
steepest gradient, whatever the light (a shadow lowers both) and whatever is printed. The
corner markers are the best place to look: black squares with sharp edges on every form.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

MIN_EDGE_CONTRAST = 40.0  # grey levels across an edge for it to count
MAX_BLUR_MM = 1.0  # softer edges than this are not counted (flat ground next to an edge)


def blur_mm(grey: np.ndarray, px_per_mm: float) -> float | None:
    """The blur of GREY's edges (the median over their steepest points) as a Gaussian sigma
    in mm (see the module docstring), up to MAX_BLUR_MM; None when GREY has no edge of
    MIN_EDGE_CONTRAST."""
    image = grey.astype(np.float32)
    gx = cv2.Sobel(image, cv2.CV_32F, 1, 0, ksize=3) / 8
    gy = cv2.Sobel(image, cv2.CV_32F, 0, 1, ksize=3) / 8
    gradient = np.hypot(gx, gy)
    reach = max(3, round(1.0 * px_per_mm) | 1)  # about 1 mm either side of an edge
    kernel = np.ones((reach, reach), np.uint8)
    contrast = cv2.dilate(image, kernel) - cv2.erode(image, kernel)
    # the steepest point of each edge: a local maximum of the gradient, steep enough to be an
    # edge at all (not the flat ground beside one, where the window still sees the edge)
    steep = gradient * (math.sqrt(2 * math.pi) * MAX_BLUR_MM * px_per_mm) >= contrast
    ridge = (
        (gradient >= cv2.dilate(gradient, np.ones((3, 3), np.uint8)))
        & (contrast >= MIN_EDGE_CONTRAST)
        & steep
    )
    if ridge.sum() < 10:
        return None
    sigma_px = contrast[ridge] / (gradient[ridge] * math.sqrt(2 * math.pi))
    return float(np.median(sigma_px) / px_per_mm)
