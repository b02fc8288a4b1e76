"""The pages a citizen has scanned in this session, and the PDF they become.

Pages live in the session folder (tmpfs in production) and in memory only while the session
does; the session wipe deletes the folder. One JPEG a page, so a long scan does not hold every
page in memory, and one PDF for printing or e-mail, written with Pillow (lazily imported). The
page images are BGR arrays as the camera and the document finder produce them.

Every PDF page is A4, whatever the camera's resolution or how much of the frame the page
filled: the picture is scaled to fit A4 (portrait, or landscape for a landscape picture) at its
own aspect, centred on white, so it prints and reads at the paper's size.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Resolution of the PDF's pages: the document finder's pages are at most about 160 dpi on A4.
PDF_DPI = 150.0
#: A4, 210 × 297 mm, in PDF points (1/72 inch).
A4_POINTS = (595.28, 841.89)


@dataclass
class ScannedPages:
    folder: Path
    _paths: list[Path] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __len__(self) -> int:
        with self._lock:
            return len(self._paths)

    @property
    def paths(self) -> tuple[Path, ...]:
        with self._lock:
            return tuple(self._paths)

    def add(self, page_bgr: Any) -> Path:
        """Keep a page (BGR or grey); returns its file. Runs off the Qt thread (JPEG encoding)."""
        from PIL import Image

        with self._lock:
            number = len(self._paths) + 1
            path = self.folder / f"page-{number:03d}.jpg"
            self._paths.append(path)
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        # The document finder gives grey pages (or colour ones when asked): keep what it gives.
        pixels = page_bgr if page_bgr.ndim == 2 else page_bgr[:, :, ::-1]
        Image.fromarray(pixels).save(path, "JPEG", quality=88)
        return path

    def replace_last(self, page_bgr: Any) -> Path:
        """Retake: the newest page is replaced by a new picture."""
        with self._lock:
            if not self._paths:
                raise IndexError("no page to replace")
            last = self._paths.pop()
        last.unlink(missing_ok=True)
        return self.add(page_bgr)

    def remove(self, index: int) -> None:
        with self._lock:
            path = self._paths.pop(index)
        path.unlink(missing_ok=True)

    def write_pdf(self, path: Path) -> int:
        """All pages, in order, as one PDF; returns the page count."""

        pages = self.paths
        if not pages:
            raise ValueError("no pages scanned")
        images = [_on_a4(p) for p in pages]
        try:
            first, rest = images[0], images[1:]
            first.save(path, "PDF", save_all=True, append_images=rest, resolution=PDF_DPI)
        finally:
            for image in images:
                image.close()
        return len(pages)


def _on_a4(path: Path) -> Any:
    """The page picture in `path` scaled to fit an A4 sheet at PDF_DPI, centred on white."""
    from PIL import Image

    with Image.open(path) as opened:
        picture = opened.convert("L" if opened.mode == "L" else "RGB")
    landscape = picture.width > picture.height
    short, long = (round(side / 72 * PDF_DPI) for side in A4_POINTS)
    size = (long, short) if landscape else (short, long)
    scale = min(size[0] / picture.width, size[1] / picture.height)
    fitted = (max(1, round(picture.width * scale)), max(1, round(picture.height * scale)))
    sheet = Image.new(picture.mode, size, "white")
    resized = picture.resize(fitted, Image.Resampling.LANCZOS)
    sheet.paste(resized, ((size[0] - fitted[0]) // 2, (size[1] - fitted[1]) // 2))
    picture.close()
    resized.close()
    return sheet
