"""How sharp a scanned or photographed page is: a quality signal of `paperfit scan`.

Takes: a greyscale picture (a corner marker cut out of a registered page, or a whole page
reduced) and its pixels per mm. Returns: the blur as the sigma, in mm, of the Gaussian that
would soften a sharp edge as much as the picture's sharpest edges are softened.

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
SHARPEST_SHARE = 10.0  # the blur of the sharpest this percent of edge pixels is reported


def blur_mm(grey: np.ndarray, px_per_mm: float) -> float | None:
    """The blur of GREY's sharpest edges as a Gaussian sigma in mm (see the module
    docstring); None when GREY has no edge of MIN_EDGE_CONTRAST."""
    image = grey.astype(np.float32)
    gx = cv2.Sobel(image, cv2.CV_32F, 1, 0, ksize=3) / 8
    gy = cv2.Sobel(image, cv2.CV_32F, 0, 1, ksize=3) / 8
    gradient = np.hypot(gx, gy)
    reach = max(3, round(1.0 * px_per_mm) | 1)  # about 1 mm either side of an edge
    kernel = np.ones((reach, reach), np.uint8)
    contrast = cv2.dilate(image, kernel) - cv2.erode(image, kernel)
    # the steepest point of each edge: a local maximum of the gradient
    ridge = (gradient >= cv2.dilate(gradient, np.ones((3, 3), np.uint8))) & (
        contrast >= MIN_EDGE_CONTRAST
    )
    if ridge.sum() < 10:
        return None
    sigma_px = contrast[ridge] / (np.maximum(gradient[ridge], 1e-3) * math.sqrt(2 * math.pi))
    return float(np.percentile(sigma_px, SHARPEST_SHARE) / px_per_mm)
