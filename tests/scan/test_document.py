"""Document scanning on photographed pages (made by make_images.py, true corners in
truth.json): the page is found to within a few pixels, flattened to A4's aspect, and a frame
with no page still gives the citizen a picture."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from kiosk.scan.document import A4_RATIO, order_corners, scan_document

IMAGES = Path(__file__).parent / "images"
TRUTH: dict[str, Any] = json.loads((IMAGES / "truth.json").read_text())
#: How far a found corner may be from the true one, in frame pixels.
CORNER_TOLERANCE = 6.0


def load(name: str) -> Any:
    img = cv2.imread(str(IMAGES / f"{name}.jpg"))
    assert img is not None, f"missing test image {name}.jpg"
    return img


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_the_page_is_found_and_flattened_to_a4(name: str) -> None:
    frame = load(name)
    truth = np.array(TRUTH[name]["corners"], dtype=np.float32)

    scanned = scan_document(frame)

    assert scanned.found
    assert scanned.corners.shape == (4, 2)
    errors = np.linalg.norm(scanned.corners - truth, axis=1)
    assert errors.max() <= CORNER_TOLERANCE, f"corner errors {errors.round(1)} px"
    height, width = scanned.page.shape[:2]
    expected = A4_RATIO if TRUTH[name]["landscape"] else 1 / A4_RATIO
    assert width / height == pytest.approx(expected, rel=0.03)
    assert scanned.page.ndim == 2 and scanned.page.dtype == np.uint8


def test_the_flattened_page_is_mostly_white_paper_with_dark_text() -> None:
    scanned = scan_document(load("wood_desk_turned"), enhance="text")

    page = scanned.page
    inner = page[
        page.shape[0] // 10 : -page.shape[0] // 10, page.shape[1] // 10 : -page.shape[1] // 10
    ]
    white = float((inner == 255).mean())
    assert 0.6 < white < 0.99  # paper, with text on it, and no desk left in the picture


def test_colour_keeps_the_frame_colours() -> None:
    scanned = scan_document(load("grey_desk_straight"), enhance="color")
    assert scanned.found
    assert scanned.page.ndim == 3 and scanned.page.shape[2] == 3


@pytest.mark.parametrize(
    "frame",
    [
        pytest.param(lambda: load("no_page"), id="desk-with-a-sticky-note"),
        pytest.param(lambda: np.zeros((720, 1280, 3), np.uint8), id="black"),
        pytest.param(lambda: np.full((720, 1280, 3), 200, np.uint8), id="flat-grey"),
        pytest.param(
            lambda: np.random.default_rng(1).integers(0, 256, (480, 640, 3), dtype=np.uint8),
            id="noise",
        ),
        pytest.param(lambda: np.zeros((8, 8, 3), np.uint8), id="tiny"),
        pytest.param(lambda: np.full((480, 640), 90, np.uint8), id="grayscale"),
    ],
)
def test_no_page_gives_the_whole_frame(frame: Any) -> None:
    image = frame()

    scanned = scan_document(image)

    assert not scanned.found
    assert scanned.page.shape[:2] == image.shape[:2]
    height, width = image.shape[:2]
    assert scanned.corners.tolist() == [
        [0, 0],
        [width - 1, 0],
        [width - 1, height - 1],
        [0, height - 1],
    ]


def test_corners_are_ordered_clockwise_from_top_left() -> None:
    shuffled = np.array([[90, 210], [10, 20], [100, 10], [5, 200]], dtype=np.float32)
    assert order_corners(shuffled).tolist() == [[10, 20], [100, 10], [90, 210], [5, 200]]


def test_importing_the_scanner_loads_neither_opencv_nor_numpy() -> None:
    import subprocess
    import sys

    code = (
        "import sys; import kiosk.scan.document; "
        "print(sorted(m for m in ('cv2', 'numpy', 'PySide6') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
