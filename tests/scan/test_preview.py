"""Pictures of the kiosk's own PDFs for the Print screen: drawn by poppler where it is
installed; without it a scanned page is the picture the PDF holds, and drawn text has none."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from kiosk.scan.pages import ScannedPages
from kiosk.scan.preview import page_count, page_picture, page_pictures


@pytest.fixture
def scan_pdf(tmp_path: Path) -> Path:
    """Two scanned pages as the Scan service makes them: a dark band on a light page."""
    pages = ScannedPages(tmp_path / "scan")
    for shade in (40, 90):
        page = np.full((1400, 990), 235, np.uint8)
        page[200:300, 100:890] = shade
        pages.add(page)
    pdf = tmp_path / "scan.pdf"
    pages.write_pdf(pdf)
    return pdf


@pytest.fixture
def text_pdf(tmp_path: Path) -> Path:
    """A page of drawn text, as a form's summary is: no picture in it."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
    )
    stream = DecodedStreamObject()
    stream.set_data(b"BT /F1 24 Tf 72 760 Td (Feedback to the city) Tj ET")
    page.replace_contents(stream)
    path = tmp_path / "form.pdf"
    with path.open("wb") as out:
        writer.write(out)
    return path


def dark_rows(picture: Image.Image) -> list[int]:
    grey = np.asarray(picture.convert("L"))
    return [y for y in range(grey.shape[0]) if grey[y].min() < 128]


def test_a_scan_is_drawn_page_by_page_at_the_size_asked(scan_pdf: Path) -> None:
    assert page_count(scan_pdf) == 2
    pictures = page_pictures(scan_pdf, 300)
    assert len(pictures) == 2
    for picture in pictures:
        assert picture is not None and max(picture.size) <= 300
        # Portrait, with its dark band where it was on the page (a seventh of the way down).
        assert picture.size[1] > picture.size[0]
        rows = dark_rows(picture)
        assert rows and 0.1 < rows[0] / picture.size[1] < 0.2


def test_text_is_drawn_by_poppler(text_pdf: Path) -> None:
    picture = page_picture(text_pdf, 0, 400)
    assert picture is not None and dark_rows(picture)  # the words show


def test_without_poppler_a_scan_still_has_its_pictures_and_text_has_none(
    scan_pdf: Path, text_pdf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "")  # no pdftoppm to be found
    [first, second] = page_pictures(scan_pdf, 300)
    assert first is not None and second is not None
    assert max(first.size) <= 300 and dark_rows(first)
    assert page_picture(text_pdf, 0, 300) is None
