"""The pages a citizen has scanned in this session, and the PDF they become.

Pages live in the session folder (tmpfs in production) and in memory only while the session
does; the session wipe deletes the folder. One JPEG a page, so a long scan does not hold every
page in memory, and one PDF for printing or e-mail, written with Pillow (lazily imported). The
page images are BGR arrays as the camera and the document finder produce them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Resolution written into the PDF: an A4 page photographed at 1080p is about 150 dpi.
PDF_DPI = 150.0


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
        from PIL import Image

        pages = self.paths
        if not pages:
            raise ValueError("no pages scanned")
        images = [Image.open(p).convert("RGB") for p in pages]
        try:
            first, rest = images[0], images[1:]
            first.save(path, "PDF", save_all=True, append_images=rest, resolution=PDF_DPI)
        finally:
            for image in images:
                image.close()
        return len(pages)
