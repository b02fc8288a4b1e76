"""The Scan service: a live preview, capture, the corrected page for approval, then a PDF.

The citizen lays a page under the camera and taps Capture. Finding and flattening the page and
encoding it run in a worker thread; the result comes back through the bridge. Pages and the PDF
are kept in the session folder, which the session wipe deletes; the camera runs only while this
screen is open, and the session stops it too if the citizen walks away.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QImage, QPixmap, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QStackedWidget, QVBoxLayout, QWidget

from kiosk.devices.camera.base import Camera
from kiosk.devices.catalog import DeviceClass
from kiosk.i18n import N_, NP_
from kiosk.scan.pages import ScannedPages
from kiosk.ui.context import ServiceContext
from kiosk.ui.widgets.buttons import BigButton

log = logging.getLogger(__name__)

PREVIEW_MS = 66  # about 15 pictures a second: smooth enough to aim, light on the Qt thread

LAY_PAGE = N_("Lay the page face up under the camera, then tap Capture.")
CAPTURE = N_("Capture")
FINDING = N_("Finding the page…")
CHECK_PAGE = N_("Is the page complete and easy to read?")
NOT_FOUND = N_("The edges of the page were not found, so the whole picture was kept.")
KEEP = N_("Keep this page")
RETAKE = N_("Take again")
DONE = N_("Finish scanning")
PAGES = NP_("{n} page scanned", "{n} pages scanned")
READY = NP_(
    "Your scan is ready: {n} page. It is kept until the session ends.",
    "Your scan is ready: {n} pages. They are kept until the session ends.",
)
SCAN_MORE = N_("Scan more pages")
PRINT = N_("Print")
NO_CAMERA = N_("The camera is not available at the moment. Please ask library staff for help.")
FAILED = N_("Something went wrong with the picture. Please try again.")


def to_pixmap(image: Any, width: int, height: int) -> QPixmap:
    """A BGR (or grey) array as a pixmap fitted into width × height."""
    if image.ndim == 2:
        qimage = QImage(
            image.data,
            image.shape[1],
            image.shape[0],
            image.strides[0],
            QImage.Format.Format_Grayscale8,
        )
    else:
        qimage = QImage(
            image.data,
            image.shape[1],
            image.shape[0],
            image.strides[0],
            QImage.Format.Format_BGR888,
        )
    scaled = qimage.scaled(
        width, height, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation
    )
    return QPixmap.fromImage(scaled)  # copies, so the array may go


def fresh_name(folder: Path, base: str = "scan") -> str:
    """`base`, or `base-2`, `base-3`…: the first that names neither a folder of pages nor a PDF
    in the visit's `folder` yet."""

    def taken(name: str) -> bool:
        return (folder / name).exists() or (folder / f"{name}.pdf").exists()

    if not taken(base):
        return base
    number = 2
    while taken(f"{base}-{number}"):
        number += 1
    return f"{base}-{number}"


class ScanScreen(QWidget):
    def __init__(
        self, ctx: ServiceContext, parent: QWidget | None = None, *, name: str | None = None
    ) -> None:
        """`name` is what the pages' folder and the PDF are called in the session's folder;
        by default "scan", or "scan-2", "scan-3"… when the visit already has that one, so that
        scanning again never overwrites a document made earlier in the visit."""
        super().__init__(parent)
        self.ctx = ctx
        self.ui = ctx.ui
        session = ctx.sessions.current
        assert session is not None, "the Scan screen belongs to a session"
        self.session = session
        if name is None:
            name = fresh_name(session.folder)
        self.pages = ScannedPages(session.folder / name)
        self.pdf_path = session.folder / f"{name}.pdf"
        self._workers = ThreadPoolExecutor(max_workers=1, thread_name_prefix="scan")
        workers = self._workers  # not the screen: it may be gone when the session ends
        ctx.sessions.add_resource("scan-worker", lambda: workers.shutdown(wait=True))
        device = ctx.device(DeviceClass.CAMERA)
        self.camera: Camera | None = device if isinstance(device, Camera) else None
        if self.camera is not None:
            ctx.sessions.add_resource("camera", self.camera.stop_stream)
        self._candidate: Any = None
        self._state_text = LAY_PAGE

        outer = QVBoxLayout(self)
        outer.setContentsMargins(48, 24, 48, 24)
        outer.setSpacing(16)
        self.instruction = QLabel()
        self.instruction.setProperty("role", "lead")
        self.instruction.setWordWrap(True)
        outer.addWidget(self.instruction)
        self.picture = QLabel()
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.picture.setMinimumHeight(360)
        outer.addWidget(self.picture, 1)
        self.count = QLabel()
        self.count.setProperty("role", "muted")
        outer.addWidget(self.count)

        self.buttons = QStackedWidget()
        self.buttons.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.capture_button = BigButton(role="primary")
        self.capture_button.clicked.connect(self.capture)
        self.done_button = BigButton()
        self.done_button.clicked.connect(self.finish)
        self.keep_button = BigButton(role="primary")
        self.keep_button.clicked.connect(self.keep)
        self.retake_button = BigButton()
        self.retake_button.clicked.connect(self.retake)
        self.more_button = BigButton()
        self.more_button.clicked.connect(self.scan_more)
        self.print_button = BigButton(role="primary")
        self.print_button.clicked.connect(self._to_print)
        self.aim_row = self._row(self.capture_button, self.done_button)
        self.review_row = self._row(self.keep_button, self.retake_button)
        self.ready_row = self._row(self.print_button, self.more_button)
        outer.addWidget(self.buttons)

        self._preview = QTimer(self)
        self._preview.timeout.connect(self._show_frame)
        self.retranslate()
        self.ui.changed.connect(self.retranslate)
        self._aim()

    def _row(self, *buttons: BigButton) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(24)
        for button in buttons:
            layout.addWidget(button, 1)
        self.buttons.addWidget(row)
        return row

    # ---- states -------------------------------------------------------------------------------

    def _aim(self) -> None:
        self._state_text = LAY_PAGE if self.camera is not None else NO_CAMERA
        self.buttons.setCurrentWidget(self.aim_row)
        self.capture_button.setEnabled(self.camera is not None)
        self.done_button.setEnabled(len(self.pages) > 0)
        if self.camera is not None:
            self.camera.start_stream()
            self._preview.start(PREVIEW_MS)
        self.retranslate()

    def _show_frame(self) -> None:
        frame = self.camera.latest() if self.camera is not None else None
        if frame is not None:
            self.picture.setPixmap(
                to_pixmap(frame.data, self.picture.width(), self.picture.height())
            )

    def capture(self) -> None:
        frame = self.camera.latest() if self.camera is not None else None
        if frame is None:
            return
        self._preview.stop()
        self.capture_button.setEnabled(False)
        self._state_text = FINDING
        self.retranslate()
        self._run(_find_page, frame.data, self._review)

    def _review(self, future: Future[Any]) -> None:
        if self._failed(future, "page capture failed"):
            return
        result = future.result()
        self._candidate = result.page
        self._state_text = CHECK_PAGE if result.found else NOT_FOUND
        self.picture.setPixmap(to_pixmap(result.page, self.picture.width(), self.picture.height()))
        self.buttons.setCurrentWidget(self.review_row)
        self.keep_button.setFocus()
        self.retranslate()

    def keep(self) -> None:
        page, self._candidate = self._candidate, None
        self.keep_button.setEnabled(False)
        self._run(self.pages.add, page, self._kept)

    def _kept(self, future: Future[Any]) -> None:
        self.keep_button.setEnabled(True)
        if self._failed(future, "page could not be kept"):
            return
        self._aim()
        self.capture_button.setFocus()

    def _failed(self, future: Future[Any], what: str) -> bool:
        """Tell the citizen to try again when a step failed; the error goes to the log."""
        error = future.exception()
        if error is None:
            return False
        log.error(what, exc_info=error, extra={"service": "scan"})
        self._aim()
        self._state_text = FAILED
        self.retranslate()
        return True

    def retake(self) -> None:
        self._candidate = None
        self._aim()
        self.capture_button.setFocus()

    def finish(self) -> None:
        self._preview.stop()
        if self.camera is not None:
            self.camera.stop_stream()
        self.done_button.setEnabled(False)
        self._run(self.pages.write_pdf, self.pdf_path, self._finished)

    def _finished(self, future: Future[int]) -> None:
        if self._failed(future, "scan PDF could not be written"):
            return
        count = future.result()
        self.session.visit.add_scan(self.pdf_path)
        self.ctx.sessions.outcome("scan", "scanned")
        log.info("scan finished", extra={"service": "scan", "pages": count})
        self._ready()

    def _ready(self) -> None:
        """The PDF is one of this visit's documents: offer to print it or to scan more."""
        self._state_text = ""
        self.buttons.setCurrentWidget(self.ready_row)
        self.print_button.setFocus()
        self.retranslate()

    def scan_more(self) -> None:
        self._aim()

    def _to_print(self) -> None:
        if self.ctx.open_service is not None:
            self.ctx.open_service("print")

    def _run(self, fn: Any, arg: Any, done: Any) -> None:
        self.ctx.bridge.when_done(self._workers.submit(fn, arg), done)

    # ---- Qt ----------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.buttons.currentWidget() is self.aim_row:
            self._aim()

    def hideEvent(self, event: QHideEvent) -> None:
        # Leaving the screen turns the camera off: it runs only while the citizen aims.
        self._preview.stop()
        if self.camera is not None:
            self.camera.stop_stream()
        super().hideEvent(event)

    def retranslate(self) -> None:
        t = self.ui.t
        n = len(self.pages)
        if self.buttons.currentWidget() is self.ready_row:
            self.instruction.setText(self.ui.nt(*READY, n).format(n=n))
        else:
            self.instruction.setText(t(self._state_text))
        self.count.setText(self.ui.nt(*PAGES, n).format(n=n) if n else "")
        self.capture_button.set_label(t(CAPTURE))
        self.done_button.set_label(t(DONE))
        self.keep_button.set_label(t(KEEP))
        self.retake_button.set_label(t(RETAKE))
        self.more_button.set_label(t(SCAN_MORE))
        self.print_button.set_label(t(PRINT))


def _find_page(frame: Any) -> Any:
    from kiosk.scan.document import scan_document

    return scan_document(frame)


class CopyScreen(ScanScreen):
    """Copy: scan the pages, then choose 1–10 copies of them and print, priced as copies, all
    under Copy's own title."""

    #: Done: back to the home screen (the session frame listens).
    leave = Signal()

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        #: The copying step, once the pages are scanned.
        self.printing: QWidget | None = None

    def _finished(self, future: Future[int]) -> None:
        super()._finished(future)
        if future.exception() is not None or self.printing is not None:
            return
        from kiosk.ui.screens.print import PrintScreen

        for widget in (self.instruction, self.picture, self.count, self.buttons):
            widget.hide()
        printing = PrintScreen(self.ctx, purpose="copy", documents=[self.pdf_path])
        printing.outer.setContentsMargins(48, 24, 48, 24)
        printing.leave.connect(self.leave.emit)
        self.printing = printing
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.addWidget(printing, 1)
        printing.print_button.setFocus(Qt.FocusReason.OtherFocusReason)
