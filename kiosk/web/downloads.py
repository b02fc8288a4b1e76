"""What becomes of a file an e-service page downloads: a PDF joins the visit's documents (where
Print and E-mail find it), anything else is refused with words saying why.

The browser asks `offered()` before the download starts, with what the page declares, and
`received()` once the file is in the session's folder, which reads it: a file that declares
itself a PDF but is not one, or is larger than allowed, is deleted and refused then.
"""

from __future__ import annotations

import re
from enum import Enum
from pathlib import Path

from kiosk.threads import blocking

PDF_TYPE = "application/pdf"
PDF_MAGIC = b"%PDF-"
#: Browsers send some PDFs as a generic binary with a .pdf name.
GENERIC_TYPES = ("application/octet-stream", "binary/octet-stream", "application/x-download", "")
_UNSAFE = re.compile(r"[^\w .()+-]+")
MAX_NAME = 80


class DownloadRefusal(Enum):
    NOT_PDF = "not_pdf"
    TOO_LARGE = "too_large"
    #: Declared a PDF, but what arrived is not one (or could not be read).
    BROKEN = "broken"


def offered(
    mime_type: str, file_name: str, total_bytes: int, limit_bytes: int
) -> DownloadRefusal | None:
    """None when a download the page offers may start; `total_bytes` < 0 when unknown."""
    mime = mime_type.split(";", 1)[0].strip().lower()
    is_pdf = mime == PDF_TYPE or (mime in GENERIC_TYPES and file_name.lower().endswith(".pdf"))
    if not is_pdf:
        return DownloadRefusal.NOT_PDF
    if total_bytes > limit_bytes:
        return DownloadRefusal.TOO_LARGE
    return None


def file_name(suggested: str, taken: set[str]) -> str:
    """A name for the file in the session's folder: the page's name made safe, ending in .pdf,
    not one already taken."""
    stem = Path(suggested.replace("\\", "/")).name
    stem = _UNSAFE.sub("_", stem).strip(" .") or "document"
    if stem.lower().endswith(".pdf"):
        stem = stem[:-4]
    stem = stem[: MAX_NAME - 8] or "document"
    name, number = f"{stem}.pdf", 1
    while name in taken:
        number += 1
        name = f"{stem} ({number}).pdf"
    return name


@blocking
def received(path: Path, limit_bytes: int) -> DownloadRefusal | None:
    """None when the downloaded file is a PDF within the limit; otherwise it is deleted."""
    refusal: DownloadRefusal | None = None
    try:
        size = path.stat().st_size
        with path.open("rb") as file:
            head = file.read(1024)
        if size > limit_bytes:
            refusal = DownloadRefusal.TOO_LARGE
        elif PDF_MAGIC not in head:
            refusal = DownloadRefusal.BROKEN
    except OSError:
        refusal = DownloadRefusal.BROKEN
    if refusal is not None:
        path.unlink(missing_ok=True)
    return refusal
