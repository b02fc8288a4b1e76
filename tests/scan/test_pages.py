"""Scanned pages become a PDF with one page each, and nothing outlives the folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image
from pypdf import PdfReader

from kiosk.scan.pages import ScannedPages


def page(shade: int) -> np.ndarray:
    image = np.full((1414, 1000, 3), shade, dtype=np.uint8)
    image[100:140, 100:900] = 0  # a line of "text"
    return image


def test_pages_make_one_pdf_in_order(tmp_path: Path) -> None:
    pages = ScannedPages(tmp_path / "scan")
    pages.add(page(250))
    pages.add(page(240))
    pages.add(page(230))
    pdf = tmp_path / "scan.pdf"
    assert pages.write_pdf(pdf) == 3
    reader = PdfReader(pdf)
    assert len(reader.pages) == 3
    # A4 (595 × 842 pt), not the picture's own size.
    assert [round(float(p.mediabox.width)) for p in reader.pages] == [595, 595, 595]
    assert [round(float(p.mediabox.height)) for p in reader.pages] == [842, 842, 842]


def test_retake_replaces_the_last_page(tmp_path: Path) -> None:
    pages = ScannedPages(tmp_path / "scan")
    first = pages.add(page(250))
    pages.add(page(200))
    retaken = pages.replace_last(page(100))
    assert len(pages) == 2
    assert pages.paths == (first, retaken)
    with Image.open(retaken) as image:
        assert abs(float(np.asarray(image).mean()) - 100) < 5  # the new picture, not the old
    assert sorted(p.name for p in (tmp_path / "scan").iterdir()) == [first.name, retaken.name]
    pages.remove(0)
    assert len(pages) == 1 and not first.exists()


def test_pdf_of_nothing_is_refused(tmp_path: Path) -> None:
    pages = ScannedPages(tmp_path / "scan")
    try:
        pages.write_pdf(tmp_path / "x.pdf")
    except ValueError as exc:
        assert "no pages" in str(exc)
    else:
        raise AssertionError("an empty scan must not make a PDF")


def test_grey_pages_from_the_document_finder_are_kept(tmp_path: Path) -> None:
    pages = ScannedPages(tmp_path / "scan")
    pages.add(np.full((1414, 1000), 240, dtype=np.uint8))
    pages.add(page(250))
    assert pages.write_pdf(tmp_path / "mixed.pdf") == 2
