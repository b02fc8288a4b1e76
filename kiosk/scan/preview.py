"""Pictures of a PDF's pages, for choosing and previewing what to print (no Qt here).

The kiosk makes its PDFs itself: scans are one photographed page per PDF page, forms are drawn
text. A page is drawn by poppler's `pdftoppm` where it is installed (CUPS's filters depend on
it, so a kiosk with a printer has it); without it a scanned page is the picture the PDF holds,
and a page of drawn text has no picture (None). Blocking: call these off the Qt thread.
Nothing is written to disk: the pictures come back through a pipe and stay in memory.
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.Image import Image

log = logging.getLogger(__name__)

#: Longest a page may take to draw; a PDF that takes longer gets no picture.
RENDER_TIMEOUT_S = 30.0


def page_count(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


def page_picture(pdf: Path, index: int, max_side: int) -> Image | None:
    """Page `index` (from 0) of `pdf` as an RGB picture whose longer side is at most
    `max_side` pixels, or None when it cannot be drawn here."""
    picture = _poppler(pdf, index, max_side)
    if picture is None:
        picture = _embedded(pdf, index)
    if picture is None:
        return None
    picture = picture.convert("RGB")
    picture.thumbnail((max_side, max_side))
    return picture


def page_pictures(pdf: Path, max_side: int) -> list[Image | None]:
    """Every page of `pdf`, as page_picture() draws them."""
    return [page_picture(pdf, index, max_side) for index in range(page_count(pdf))]


def _poppler(pdf: Path, index: int, max_side: int) -> Image | None:
    program = shutil.which("pdftoppm")
    if program is None:
        return None
    from PIL import Image

    page = str(index + 1)
    command = [program, "-png", "-f", page, "-l", page, "-scale-to", str(max_side), str(pdf)]
    try:
        done = subprocess.run(
            command, capture_output=True, timeout=RENDER_TIMEOUT_S, check=True, stdin=None
        )
        picture = Image.open(io.BytesIO(done.stdout))
        picture.load()
    except (OSError, subprocess.SubprocessError, ValueError):
        log.warning("a PDF page could not be drawn", exc_info=True)
        return None
    return picture


def _embedded(pdf: Path, index: int) -> Image | None:
    """The one picture a scanned page is made of, or None for a page of anything else."""
    from pypdf import PdfReader

    try:
        page = PdfReader(pdf).pages[index]
        images = list(page.images)
        if len(images) != 1 or page.extract_text().strip():
            return None
        picture = images[0].image
    except Exception:
        log.warning("a PDF page's picture could not be read", exc_info=True)
        return None
    return picture
