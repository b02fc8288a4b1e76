"""A receipt on screen: the summary, a QR code a phone can read, and printing it on request."""

from __future__ import annotations

import logging
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPixmap,
)
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.devices.status import PrintJobCompleted
from kiosk.i18n import N_
from kiosk.payments.receipt import Receipt, qr_modules
from kiosk.ui.forms.wrapping import WrapButton

if TYPE_CHECKING:
    from kiosk.printing.job import JobEnd, PrintJob
    from kiosk.ui.context import ServiceContext

log = logging.getLogger(__name__)

PRINT_RECEIPT = N_("Print the receipt")
PRINTING = N_("Printing the receipt…")
PRINTED = N_("Please take your receipt from the printer.")
NOT_PRINTED = N_("The receipt could not be printed. The QR code has the same information.")
QR_HINT = N_("Scan the code with your phone to keep the receipt.")
QR_PIXELS = 8
#: The code on screen is at most about this wide, so the receipt and its buttons fit the screen.
QR_MAX_PX = 400


def qr_image(text: str, scale: int = QR_PIXELS) -> QImage:
    """The QR code of `text`, black on white with the standard four-module quiet zone."""
    modules = qr_modules(text)
    size = (len(modules) + 8) * scale
    image = QImage(size, size, QImage.Format.Format_Grayscale8)
    image.fill(QColor("white"))
    painter = QPainter(image)
    for y, row in enumerate(modules):
        for x, dark in enumerate(row):
            if dark:
                painter.fillRect((x + 4) * scale, (y + 4) * scale, scale, scale, QColor("black"))
    painter.end()
    return image


def write_receipt_pdf(receipt: Receipt, t: object, language: str, path: Path) -> Path:
    """The receipt on an A4 page (top third), with its QR code, as a PDF for the printer."""
    from collections.abc import Callable

    assert callable(t)
    translate: Callable[[str], str] = t
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(20, 20, 20, 20), QPageLayout.Unit.Millimeter)
    writer.setResolution(300)
    painter = QPainter(writer)
    try:
        dpm = 300 / 25.4  # dots per millimetre
        title = QFont("DejaVu Sans", 16, QFont.Weight.Bold)
        body = QFont("DejaVu Sans", 11)
        painter.setFont(title)
        y = 0.0
        painter.drawText(QRectF(0, y, 120 * dpm, 10 * dpm), receipt.title(translate))
        y += 14 * dpm
        painter.setFont(body)
        for label, value in receipt.lines(translate, language):
            line = f"{label}: {value}" if label else value
            painter.drawText(QRectF(0, y, 120 * dpm, 7 * dpm), line)
            y += 7 * dpm
        code = qr_image(receipt.text(translate, language), scale=1)
        side = 40 * dpm
        painter.drawImage(QRectF(130 * dpm, 0, side, side), code)
    finally:
        painter.end()
    return path


class ReceiptPanel(QWidget):
    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ui = ctx.ui
        self.receipt: Receipt | None = None
        self.job: PrintJob | None = None
        self._status = ""
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(48)
        left = QVBoxLayout()
        left.setSpacing(12)
        self.title = QLabel()
        self.title.setProperty("role", "h2")
        left.addWidget(self.title)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(24)
        left.addLayout(self.grid)
        self.status = QLabel()
        self.status.setProperty("role", "lead")
        self.status.setWordWrap(True)
        left.addWidget(self.status)
        self.print_button = WrapButton()
        self.print_button.clicked.connect(self.print_receipt)
        left.addWidget(self.print_button)
        left.addStretch(1)
        row.addLayout(left, 2)
        right = QVBoxLayout()
        self.qr = QLabel()
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr_hint = QLabel()
        self.qr_hint.setWordWrap(True)
        self.qr_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        right.addWidget(self.qr)
        right.addWidget(self.qr_hint)
        right.addStretch(1)
        row.addLayout(right, 1)
        self.ui.changed.connect(self.retranslate)

    def show_receipt(self, receipt: Receipt) -> None:
        self.receipt = receipt
        self._status = ""
        self.retranslate()

    @property
    def can_print(self) -> bool:
        printing = self.ctx.printing
        return printing is not None and printing.usable

    @property
    def printing_now(self) -> bool:
        return self.job is not None and not self.job.done

    def print_receipt(self) -> None:
        session = self.ctx.sessions.current
        printing = self.ctx.printing
        if self.receipt is None or session is None or printing is None or not printing.usable:
            return
        if self.printing_now:
            return
        path = session.folder / f"receipt-{self.receipt.sale_reference}.pdf"
        try:
            write_receipt_pdf(self.receipt, self.ui.t, self.ui.language, path)
            job = printing.send(path)
        except Exception:
            log.exception("the receipt could not be printed")
            self._status = NOT_PRINTED
        else:
            self.job = job
            self._status = PRINTING
            self.ctx.bridge.when_done(job.ended, self._job_ended)
        self._show_status()

    def _job_ended(self, ended: Future[JobEnd]) -> None:
        printed = isinstance(ended.result(), PrintJobCompleted)
        self._status = PRINTED if printed else NOT_PRINTED
        self._show_status()

    def retranslate(self) -> None:
        receipt = self.receipt
        if receipt is None:
            return
        t, language = self.ui.t, self.ui.language
        self.title.setText(receipt.title(t))
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        for index, (label, value) in enumerate(receipt.lines(t, language)):
            name = QLabel(label)
            name.setProperty("role", "muted")
            name.setWordWrap(True)
            text = QLabel(value)
            text.setWordWrap(True)
            text.setAccessibleName(f"{label} {value}".strip())
            self.grid.addWidget(name, index, 0)
            self.grid.addWidget(text, index, 1)
        carried = receipt.text(t, language)
        scale = max(4, min(QR_PIXELS, QR_MAX_PX // (len(qr_modules(carried)) + 8)))
        self.qr.setPixmap(QPixmap.fromImage(qr_image(carried, scale)))
        self.qr.setAccessibleName(t(QR_HINT))
        self.qr_hint.setText(t(QR_HINT))
        self.print_button.set_label(t(PRINT_RECEIPT))
        self._show_status()

    def _show_status(self) -> None:
        """The printing's progress: the receipt's lines stay as they are (Read aloud says what
        changed, not the whole receipt again)."""
        self.status.setText(self.ui.t(self._status) if self._status else "")
        self.status.setVisible(bool(self._status))
        self.print_button.setVisible(self.can_print and not self.printing_now)
