"""Find a document page in a camera frame and return it flattened, as a scanner would.

The page is the largest convex four-cornered outline that covers a sensible share of the frame
(Canny edges, contours, `approxPolyDP`). Its corners are then refined on the full-resolution
image by fitting a line to the strongest edge along each side, and the page is warped to a
rectangle of its own aspect (A4, 1:1.414, when it is close to that) and its contrast evened out.
When no page is found the whole frame comes back, so the citizen still gets a picture.

These are pure, blocking functions taking tens of milliseconds on a full-HD frame: call them in
an executor (`loop.run_in_executor`), never on the Qt thread or an event loop. `cv2` and numpy
are imported lazily so importing this module stays cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

#: The ratio of an A4 (and every ISO 216) page's long side to its short side.
A4_RATIO = 2**0.5
#: A measured aspect within this fraction of A4 is taken to be A4: perspective blurs it anyway.
_A4_SNAP = 0.12
#: The page must cover at least this share of the frame, and not (all but) the whole of it.
MIN_AREA_SHARE = 0.04
MAX_AREA_SHARE = 0.98
#: Contours are searched on a copy this wide: fast, and the corners are refined afterwards.
_DETECT_WIDTH = 640
#: Longest side of the flattened page, in pixels (about 160 dpi for A4).
MAX_PAGE_SIDE = 1900

Enhance = Literal["gray", "text", "color"]


@dataclass(frozen=True)
class ScannedPage:
    #: 4×2 float32, frame coordinates: top-left, top-right, bottom-right, bottom-left. When no
    #: page was found, the corners of the frame itself.
    corners: Any
    #: The flattened page: H×W uint8 grayscale ("gray", "text") or H×W×3 BGR ("color").
    page: Any
    found: bool


def scan_document(frame: Any, *, enhance: Enhance = "gray") -> ScannedPage:
    """The page in a BGR (or grayscale) frame, flattened and enhanced; blocking, see above."""
    import numpy as np

    height, width = frame.shape[:2]
    corners = find_page(frame)
    if corners is None:
        whole = np.array(
            [[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], dtype=np.float32
        )
        return ScannedPage(whole, enhance_page(frame, enhance), found=False)
    flat = flatten_page(frame, corners)
    return ScannedPage(corners, enhance_page(flat, enhance), found=True)


def find_page(frame: Any) -> Any | None:
    """The page's corners (4×2 float32, ordered top-left, top-right, bottom-right,
    bottom-left) in frame coordinates, or None when no page is in the frame."""
    import cv2
    import numpy as np

    gray = _gray(frame)
    height, width = gray.shape[:2]
    if min(height, width) < 32:
        return None
    scale = min(1.0, _DETECT_WIDTH / width)
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (5, 5), 0)
    # Thresholds follow the picture's own contrast, so a dim or low-contrast desk still works.
    median = float(np.median(small))
    edges = cv2.Canny(small, max(10.0, 0.5 * median), max(30.0, 1.2 * median))
    # Close small gaps in the outline (a finger, a glare spot) so the page is one contour.
    edges = cv2.morphologyEx(edges, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    contours, _ = cv2.findContours(edges, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    frame_area = float(small.shape[0] * small.shape[1])
    best = None
    best_area = 0.0
    for contour in contours:
        hull = cv2.convexHull(contour)
        area = cv2.contourArea(hull)
        if not MIN_AREA_SHARE * frame_area <= area <= MAX_AREA_SHARE * frame_area:
            continue
        if area <= best_area:
            continue
        quad = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
        if len(quad) != 4 or not cv2.isContourConvex(quad):
            continue
        # The outline must fill its hull: a page, not a ring of clutter around something.
        if cv2.contourArea(quad) < 0.9 * area:
            continue
        best, best_area = quad, area
    if best is None:
        return None
    corners = order_corners(best.reshape(4, 2).astype(np.float32) / scale)
    blurred = cv2.GaussianBlur(gray, (0, 0), 1.5).astype(np.float32)
    refined = _refine_corners(blurred, corners, search=max(4.0, 3.0 / scale))
    return refined if refined is not None else corners


def order_corners(points: Any) -> Any:
    """Four points ordered top-left, top-right, bottom-right, bottom-left (clockwise on screen,
    starting with the one nearest the top-left of the frame)."""
    import numpy as np

    pts = np.asarray(points, dtype=np.float32).reshape(4, 2)
    centre = pts.mean(axis=0)
    angles = np.arctan2(pts[:, 1] - centre[1], pts[:, 0] - centre[0])
    pts = pts[np.argsort(angles)]  # clockwise on screen, y pointing down
    start = int(np.argmin(pts.sum(axis=1)))
    return np.roll(pts, -start, axis=0)


def page_size(corners: Any) -> tuple[int, int]:
    """Width and height of the flattened page: its measured sides, with the aspect set to A4
    (portrait or landscape) when it is close."""
    import numpy as np

    tl, tr, br, bl = np.asarray(corners, dtype=np.float64)
    width = float(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height = float(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    long_side, short_side = max(width, height), max(1.0, min(width, height))
    if abs(long_side / short_side - A4_RATIO) <= _A4_SNAP * A4_RATIO:
        short_side = long_side / A4_RATIO
    scale = min(1.0, MAX_PAGE_SIDE / long_side)
    long_px, short_px = max(1, round(long_side * scale)), max(1, round(short_side * scale))
    return (short_px, long_px) if height >= width else (long_px, short_px)


def flatten_page(frame: Any, corners: Any) -> Any:
    """The quadrilateral `corners` of `frame` warped to an upright rectangle (see page_size)."""
    import cv2
    import numpy as np

    width, height = page_size(corners)
    target = np.array(
        [[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], dtype=np.float32
    )
    matrix = cv2.getPerspectiveTransform(np.asarray(corners, dtype=np.float32), target)
    return cv2.warpPerspective(
        frame, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )


def enhance_page(image: Any, enhance: Enhance = "gray") -> Any:
    """Even out a page photo: "gray" is grayscale with local contrast (CLAHE), "text" black on
    white for printed text (lighting removed, adaptive threshold), "color" is left as it is."""
    import cv2

    if enhance == "color":
        return image if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    gray = _gray(image)
    if enhance == "text":
        # Divide out the uneven lighting (a blurred copy is the lighting), then binarise.
        size = max(3, (min(gray.shape[:2]) // 20) | 1)
        background = cv2.medianBlur(gray, min(size, 255))
        flat = cv2.divide(gray, background, scale=255)
        block = max(3, (min(gray.shape[:2]) // 40) | 1)
        return cv2.adaptiveThreshold(
            flat, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, 10
        )
    clahe = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8))
    return clahe.apply(gray)


def _gray(image: Any) -> Any:
    import cv2

    if image.ndim == 2:
        return image
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def _refine_corners(gray: Any, corners: Any, *, search: float) -> Any | None:
    """Corners from lines fitted to the strongest edge found across each side, or None."""
    import cv2
    import numpy as np

    lines: list[tuple[Any, Any] | None] = []
    height, width = gray.shape[:2]
    offsets = np.arange(-search, search + 0.5, 0.5, dtype=np.float32)
    steps = np.linspace(0.12, 0.88, 60, dtype=np.float32)
    for i in range(4):
        p0, p1 = corners[i], corners[(i + 1) % 4]
        direction = p1 - p0
        length = float(np.linalg.norm(direction))
        if length < 10:
            return None
        normal = np.array([-direction[1], direction[0]], dtype=np.float32) / length
        base = p0[None, :] + steps[:, None] * direction[None, :]  # points along the side
        samples = base[:, None, :] + offsets[None, :, None] * normal[None, None, :]
        map_x = np.ascontiguousarray(samples[:, :, 0])
        map_y = np.ascontiguousarray(samples[:, :, 1])
        profile = cv2.remap(gray, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        gradient = np.abs(np.diff(profile, axis=1))
        best = np.argmax(gradient, axis=1)
        strong = gradient[np.arange(len(best)), best] > 4.0
        inside = (
            (base[:, 0] > 1)
            & (base[:, 0] < width - 2)
            & (base[:, 1] > 1)
            & (base[:, 1] < height - 2)
        )
        keep = strong & inside
        if keep.sum() < 8:
            lines.append(None)
            continue
        # The edge lies between the two samples whose difference is largest.
        shift = (offsets[best] + 0.25)[keep]
        points = base[keep] + shift[:, None] * normal[None, :]
        vx, vy, x0, y0 = cv2.fitLine(points, cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        lines.append((np.array([x0, y0]), np.array([vx, vy])))
    refined = corners.astype(np.float64).copy()
    for i in range(4):
        before, after = lines[(i - 1) % 4], lines[i]  # the sides meeting at corner i
        if before is None or after is None:
            continue
        (a, da), (b, db) = before, after
        matrix = np.array([da, -db]).T
        if abs(np.linalg.det(matrix)) < 1e-6:
            continue
        t = np.linalg.solve(matrix, b - a)
        point = a + t[0] * da
        # A refinement that wanders far from the outline found is a wrong edge: keep the outline.
        if np.linalg.norm(point - corners[i]) <= 2 * search:
            refined[i] = point
    return refined.astype(np.float32)
