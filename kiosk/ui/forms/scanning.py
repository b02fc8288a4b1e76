"""Scanning inside a form: the Scan service's own steps, ending back at the form.

The citizen aims, captures, keeps or retakes each page and taps "Attach to the form"; the PDF
becomes one of this visit's documents exactly as a scan made with the Scan service does, and
the form gets its name. "Back to the form" drops the pages and changes nothing.
"""

from __future__ import annotations

import shutil
from concurrent.futures import Future
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QLabel, QWidget

from kiosk.i18n import N_
from kiosk.ui.context import ServiceContext
from kiosk.ui.forms.wrapping import WrapButton
from kiosk.ui.screens.scan import ScanScreen

HEADING = N_("Scan a document for the form")
BACK = N_("Back to the form")
ATTACH = N_("Attach to the form")


def _discard(folder: Path, pdf: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    pdf.unlink(missing_ok=True)


class FormScanPage(ScanScreen):
    """The scan steps of the Scan service, for a form's attachment field."""

    #: The scan is one of this visit's documents: its PDF and number of pages.
    scanned = Signal(Path, int)
    #: The citizen went back to the form without attaching anything.
    cancelled = Signal()

    def __init__(self, ctx: ServiceContext, name: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent, name=name)
        #: Attached or cancelled: nothing more comes from this page.
        self.closed = False
        self.back_button = WrapButton()
        self.back_button.setMinimumHeight(88)
        self.back_button.clicked.connect(self.cancel)
        self.heading = QLabel()
        self.heading.setProperty("role", "h2")
        self.heading.setWordWrap(True)
        top = QHBoxLayout()
        top.setSpacing(24)
        top.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignVCenter)
        top.addWidget(self.heading, 1)
        outer = self.layout()
        assert isinstance(outer, QBoxLayout)
        outer.insertLayout(0, top)
        self.retranslate()

    def cancel(self) -> None:
        """Back to the form: the camera goes off and the pages kept so far are deleted."""
        if self.closed:
            return
        self.closed = True
        self._preview.stop()
        if self.camera is not None:
            self.camera.stop_stream()
        # After any job still running, so that a PDF being written is deleted too.
        self._workers.submit(_discard, self.pages.folder, self.pdf_path)
        self.cancelled.emit()

    def release(self) -> None:
        """The page is going: its worker ends once its last job is done."""
        self._workers.shutdown(wait=False)

    def _finished(self, future: Future[int]) -> None:
        if not self.closed:  # not cancelled while the PDF was being written
            super()._finished(future)

    def _ready(self) -> None:
        self.closed = True
        self.scanned.emit(self.pdf_path, len(self.pages))

    def retranslate(self) -> None:
        super().retranslate()
        if not hasattr(self, "heading"):
            return  # still being built
        t = self.ui.t
        self.heading.setText(t(HEADING))
        self.back_button.set_label("‹ " + t(BACK))
        self.done_button.set_label(t(ATTACH))
