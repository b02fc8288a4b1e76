"""Scanned pages print at the paper's size: every page of the scan's PDF is A4, whatever the
camera's resolution and however small the page was in the frame."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pypdf import PdfReader

from kiosk.devices.camera.simulated import SimulatedCamera
from kiosk.scan.document import scan_document
from kiosk.scan.pages import ScannedPages
from tests.conftest import MakeCamera

A4 = (595.28, 841.89)
#: Pillow writes the page size from whole pixels at 150 dpi: within half a pixel of A4.
POINT_TOLERANCE = 0.5


def sizes(pdf: Path) -> list[tuple[float, float]]:
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in PdfReader(pdf).pages]


def is_a4(size: tuple[float, float], *, landscape: bool = False) -> bool:
    width, height = A4[::-1] if landscape else A4
    return abs(size[0] - width) <= POINT_TOLERANCE and abs(size[1] - height) <= POINT_TOLERANCE


@pytest.fixture(params=[(640, 480), (1280, 720), (1920, 1080)], ids=lambda s: f"{s[0]}x{s[1]}")
def camera(request: pytest.FixtureRequest, make_camera: MakeCamera) -> SimulatedCamera:
    width, height = request.param
    return make_camera(width, height, 15, streaming=False)


def frame_of(cam: SimulatedCamera) -> Any:
    cam.start_stream()
    end = time.monotonic() + 30
    while (frame := cam.latest()) is None:
        assert time.monotonic() < end, "the simulated camera gave no picture"
        time.sleep(0.02)
    return frame.data


def test_every_page_scanned_with_the_simulated_camera_is_a4(
    camera: SimulatedCamera, tmp_path: Path
) -> None:
    pages = ScannedPages(tmp_path / "scan")
    for _ in range(2):
        scanned = scan_document(frame_of(camera))
        assert scanned.found
        pages.add(scanned.page)
    pdf = tmp_path / "scan.pdf"

    assert pages.write_pdf(pdf) == 2

    assert all(is_a4(size) for size in sizes(pdf)), sizes(pdf)


def test_a_frame_with_no_page_is_placed_on_a4_landscape(
    tmp_path: Path, make_camera: MakeCamera
) -> None:
    cam = make_camera(1280, 720, 15, streaming=False)
    cam.set_fault("no_page", True)
    scanned = scan_document(frame_of(cam))
    assert not scanned.found  # the whole 16:9 frame comes back
    pages = ScannedPages(tmp_path / "scan")
    pages.add(scanned.page)
    pdf = tmp_path / "scan.pdf"
    pages.write_pdf(pdf)
    [size] = sizes(pdf)
    assert is_a4(size, landscape=True), size


def test_the_picture_is_centred_and_fills_the_sheet_at_its_aspect(tmp_path: Path) -> None:
    # A small, narrow grey page: scaled up to the sheet's height, white on either side.
    pages = ScannedPages(tmp_path / "scan")
    pages.add(np.full((262, 150), 90, dtype=np.uint8))
    pdf = tmp_path / "scan.pdf"
    pages.write_pdf(pdf)
    [size] = sizes(pdf)
    assert is_a4(size)
    [embedded] = PdfReader(pdf).pages[0].images
    assert embedded.image is not None
    pixels = np.asarray(embedded.image.convert("L"), dtype=np.int16)
    height, width = pixels.shape
    grey = np.flatnonzero((pixels < 128).all(axis=0))  # columns of the page, top to bottom
    assert len(grey) / height == pytest.approx(150 / 262, rel=0.02)  # its own aspect
    left, right = int(grey[0]), width - 1 - int(grey[-1])
    assert abs(left - right) <= 2  # centred
    assert (pixels[:, : left - 2] > 240).all() and (pixels[:, width - right + 2 :] > 240).all()
