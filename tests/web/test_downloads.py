"""What becomes of a file an e-service page downloads, without a browser."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.web.downloads import DownloadRefusal, file_name, offered, received

MB = 1024 * 1024


@pytest.mark.parametrize(
    ("mime", "name", "size", "refusal"),
    [
        ("application/pdf", "decision.pdf", 1000, None),
        ("application/pdf; charset=binary", "x", -1, None),  # size unknown: checked on arrival
        ("application/octet-stream", "Päätös.PDF", 1000, None),
        ("application/octet-stream", "data.bin", 1000, DownloadRefusal.NOT_PDF),
        ("text/plain", "notes.pdf", 10, DownloadRefusal.NOT_PDF),
        ("application/msword", "form.doc", 10, DownloadRefusal.NOT_PDF),
        ("application/pdf", "big.pdf", 21 * MB, DownloadRefusal.TOO_LARGE),
    ],
)
def test_what_may_start(mime: str, name: str, size: int, refusal: DownloadRefusal | None) -> None:
    assert offered(mime, name, size, 20 * MB) is refusal


def test_the_file_gets_a_safe_name_of_its_own() -> None:
    assert file_name("päätös 2025.pdf", set()) == "päätös 2025.pdf"
    assert file_name("../../etc/passwd", set()) == "passwd.pdf"
    assert file_name("a\\b\\c.pdf", set()) == "c.pdf"
    assert file_name("", set()) == "document.pdf"
    assert file_name("receipt.pdf", {"receipt.pdf"}) == "receipt (2).pdf"
    assert file_name("receipt.pdf", {"receipt.pdf", "receipt (2).pdf"}) == "receipt (3).pdf"
    assert len(file_name("x" * 500 + ".pdf", set())) <= 80


def test_what_arrives_is_checked_and_a_bad_file_is_deleted(tmp_path: Path) -> None:
    good = tmp_path / "good.pdf"
    good.write_bytes(b"%PDF-1.4\n%%EOF\n")
    assert received(good, MB) is None and good.exists()
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"<html>not a pdf</html>")
    assert received(fake, MB) is DownloadRefusal.BROKEN and not fake.exists()
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * 2048)
    assert received(big, 1024) is DownloadRefusal.TOO_LARGE and not big.exists()
    assert received(tmp_path / "missing.pdf", MB) is DownloadRefusal.BROKEN
