"""The Print service: what the session has, its page count, copies, progress and the result.

The job is followed through the printer's events (handed to the Qt thread by the bridge). A job
held for paper says so in words and goes on by itself when paper is back: it is never sent
twice. Counting pages reads the PDF, so it runs in a worker thread.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.devices.catalog import DeviceClass
from kiosk.devices.printer.base import Printer
from kiosk.devices.status import (
    DeviceEvent,
    PrintJobCompleted,
    PrintJobFailed,
    PrintJobProgress,
    StatusChanged,
)
from kiosk.i18n import N_, NP_
from kiosk.payments.journal import JournalEntry
from kiosk.payments.prices import format_euros, page_price
from kiosk.payments.receipt import Receipt
from kiosk.ui.context import ServiceContext
from kiosk.ui.widgets.buttons import BigButton
from kiosk.ui.widgets.payment import PaymentPanel
from kiosk.ui.widgets.receipt import ReceiptPanel

log = logging.getLogger(__name__)

MAX_COPIES = 10

NOTHING = N_("You have nothing to print yet. Scan a document first.")
TO_SCAN = N_("Go to Scan")
YOUR_DOCUMENT = NP_("Your scan: {n} page", "Your scan: {n} pages")
COPIES = NP_("{n} copy", "{n} copies")
FEWER = N_("One copy fewer")
MORE = N_("One copy more")
PRINT = N_("Print")
WAITING = N_("Sending to the printer…")
PRINTING = N_("Printing page {done} of {total}…")
HELD = N_(
    "The printer has stopped: it may be out of paper. Please tell library staff. Your pages "
    "will be printed when the printer is ready, and not twice."
)
PRINTED = NP_(
    "Printed {n} page. Please take it from the printer.",
    "Printed {n} pages. Please take them from the printer.",
)
FAILED = N_("The printing did not succeed. Please ask library staff for help.")
PRINT_AGAIN = N_("Print again")
NO_PRINTER = N_("The printer is not available at the moment. Please ask library staff for help.")
PRICE = N_("Price: {amount}")
FREE = N_("Free of charge")
FREE_LEFT = NP_(
    "Free of charge. After this you have {n} free page left.",
    "Free of charge. After this you have {n} free pages left.",
)
PAY_AND_PRINT = N_("Pay and print")
REFUNDED = N_(
    "The printing did not succeed, so your payment has been returned to your card. Please ask "
    "library staff for help."
)
SHOW_RECEIPT = N_("Show the receipt")
RECEIPT_FOR = {
    "print": NP_("Printing, {n} page", "Printing, {n} pages"),
    "copy": NP_("Copying, {n} page", "Copying, {n} pages"),
}
#: Session.data keys: what the pages are for ("print" or "copy", set by Scan and Copy), and
#: how many pages the session has printed (its free pages are used first).
PURPOSE_KEY = "print_purpose"
PRINTED_KEY = "pages_printed"


class PrintScreen(QWidget):
    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ui = ctx.ui
        session = ctx.kiosk.session.current
        assert session is not None, "the Print screen belongs to a session"
        self.session = session
        device = ctx.kiosk.device(DeviceClass.PRINTER)
        self.printer: Printer | None = device if isinstance(device, Printer) else None
        documents: list[Path] = [Path(p) for p in session.data.get("documents", [])]
        self.document: Path | None = documents[-1] if documents else None
        self.pages = 0
        self.copies = 1
        self.job_id: str | None = None
        self._status = ""  # message id of what is going on, or "" for the choice
        self._progress: tuple[int, int] = (0, 0)
        self._printed = 0
        self.purpose: str = session.data.get(PURPOSE_KEY, "print")
        self._price = page_price(ctx.kiosk.config, self.purpose)
        #: The sale paying for the job under way, if it was paid for, and its journal entry.
        self.sale: str | None = None
        self.paid_entry: JournalEntry | None = None
        self._workers = ThreadPoolExecutor(max_workers=1, thread_name_prefix="print")
        ctx.kiosk.session.add_resource("print-worker", lambda: self._workers.shutdown(wait=True))

        outer = QVBoxLayout(self)
        outer.setContentsMargins(96, 48, 96, 48)
        outer.setSpacing(28)
        self.message = QLabel()
        self.message.setProperty("role", "lead")
        self.message.setWordWrap(True)
        # Room inside the frame when the message turns into a warning (a style-sheet padding
        # is not re-read when the role changes).
        self.message.setMargin(16)
        outer.addWidget(self.message)
        row = QHBoxLayout()
        row.setSpacing(24)
        self.fewer_button = BigButton("−")
        self.fewer_button.clicked.connect(lambda: self._change_copies(-1))
        self.copies_label = QLabel()
        self.copies_label.setProperty("role", "h2")
        self.copies_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.copies_label.setMinimumWidth(260)
        self.more_button = BigButton("+")
        self.more_button.clicked.connect(lambda: self._change_copies(1))
        row.addStretch(1)
        for widget in (self.fewer_button, self.copies_label, self.more_button):
            row.addWidget(widget)
        row.addStretch(1)
        outer.addLayout(row)
        self.price_label = QLabel()
        self.price_label.setProperty("role", "lead")
        self.price_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer.addWidget(self.price_label)
        self.payment = PaymentPanel(ctx)
        self.payment.paid.connect(self._paid)
        self.payment.closed.connect(self._payment_closed)
        self.payment.hide()
        outer.addWidget(self.payment)
        self.print_button = BigButton(role="primary")
        self.print_button.setMinimumHeight(96)
        self.print_button.clicked.connect(self.print_document)
        self.receipt_button = BigButton()
        self.receipt_button.clicked.connect(self._show_receipt)
        self.receipt_button.hide()
        outer.addWidget(self.receipt_button)
        self.receipt = ReceiptPanel(ctx)
        self.receipt.hide()
        outer.addWidget(self.receipt)
        self.scan_button = BigButton()
        self.scan_button.clicked.connect(self._go_scan)
        outer.addWidget(self.print_button)
        outer.addWidget(self.scan_button)
        outer.addStretch(1)

        ctx.bridge.device_event.connect(self._on_event)
        self.ui.changed.connect(self.retranslate)
        if self.document is not None and self.document.exists():
            self.ctx.bridge.when_done(
                self._workers.submit(_count_pages, self.document), self._counted
            )
        self.retranslate()

    # ---- steps --------------------------------------------------------------------------------

    def _counted(self, future: Future[int]) -> None:
        if future.exception() is None:
            self.pages = future.result()
        else:
            log.error(
                "pages could not be counted",
                exc_info=future.exception(),
                extra={"service": "print"},
            )
        self.retranslate()

    def _change_copies(self, step: int) -> None:
        self.copies = max(1, min(MAX_COPIES, self.copies + step))
        self.retranslate()

    @property
    def cost_cents(self) -> int:
        """What printing the chosen copies costs now, after the session's free pages."""
        used = int(self.session.data.get(PRINTED_KEY, 0))
        return self._price.price(self.pages * self.copies, already_used=used)

    def print_document(self) -> None:
        if self.printer is None or self.document is None or self.job_id is not None:
            return
        if self.payment.paying:
            return
        self.paid_entry = None
        self.receipt.hide()
        cost = self.cost_cents
        if cost > 0:
            self._status = "paying"
            self.payment.show()
            self.payment.pay(self.purpose, cost)
            self.retranslate()
            return
        self._send(None)

    def _paid(self, entry: JournalEntry) -> None:
        self.paid_entry = entry
        self._send(entry.sale_reference)

    def _show_receipt(self) -> None:
        entry = self.paid_entry
        if entry is None:
            return
        config = self.ctx.kiosk.config.kiosk
        what = self.ui.nt(*RECEIPT_FOR[self.purpose], self._printed).format(n=self._printed)
        self.receipt.show_receipt(
            Receipt(
                kiosk_name=config.name,
                location=config.location,
                paid_at=datetime.now(UTC),
                what=what,
                amount_cents=entry.amount_cents,
                card_last4=entry.card_last4,
                sale_reference=entry.sale_reference,
            )
        )
        self.receipt.show()
        self.receipt_button.hide()

    def _payment_closed(self) -> None:
        self._status = ""
        self.payment.hide()
        self.retranslate()

    def _send(self, sale: str | None) -> None:
        assert self.printer is not None and self.document is not None
        self.payment.hide()
        self._status = WAITING
        self.sale = sale
        try:
            self.job_id = self.printer.print_file(self.document, copies=self.copies)
        except Exception:
            log.exception("the print job could not be sent", extra={"service": "print"})
            self.job_id = None
            self._status = FAILED
            if sale is not None:
                self._status = REFUNDED
                self.ctx.kiosk.settle_unprinted(sale, "the job could not be sent")
            self.retranslate()
            return
        if sale is not None and self.ctx.kiosk.paid_jobs is not None:
            # The job's end settles the payment, even if the citizen leaves this screen.
            self.ctx.kiosk.paid_jobs.track(self.job_id, sale)
        pages = self.pages * self.copies
        self.session.data[PRINTED_KEY] = int(self.session.data.get(PRINTED_KEY, 0)) + pages
        log.info(
            "print job sent",
            extra={"service": "print", "job_id": self.job_id, "pages": pages, "paid": bool(sale)},
        )
        self.retranslate()

    def _on_event(self, event: DeviceEvent) -> None:
        if isinstance(event, StatusChanged) and self.printer is not None:
            if event.device_id == self.printer.device_id:
                self.retranslate()
            return
        if self.job_id is None or getattr(event, "job_id", None) != self.job_id:
            return
        if isinstance(event, PrintJobProgress):
            self._status = HELD if event.stage == "held" else PRINTING
            self._progress = (event.pages_done, event.pages_total)
        elif isinstance(event, PrintJobCompleted):
            self._status, self.job_id, self._printed = "printed", None, event.pages
            # The page count is what support's usage figures add up (never what was printed).
            self.ctx.kiosk.session.outcome("print", f"printed:{event.pages}")
        elif isinstance(event, PrintJobFailed):
            self._status = REFUNDED if self.sale is not None else FAILED
            self.job_id = None
            self.ctx.kiosk.session.outcome("print", f"failed:{event.reason}")
        self.retranslate()

    def _go_scan(self) -> None:
        if self.ctx.open_service is not None:
            self.ctx.open_service("scan")

    # ---- text ---------------------------------------------------------------------------------

    def retranslate(self) -> None:
        t, nt = self.ui.t, self.ui.nt
        has_document = self.document is not None
        choosing = self._status in ("", "printed", FAILED, REFUNDED)
        paying = self._status == "paying"
        usable = self.printer is not None and self.printer.health().state.usable
        if not has_document:
            text = t(NOTHING)
        elif choosing and not usable:
            text = t(NO_PRINTER)
        elif self._status in ("", "paying"):
            text = nt(*YOUR_DOCUMENT, self.pages).format(n=self.pages)
        elif self._status == "printed":
            text = nt(*PRINTED, self._printed).format(n=self._printed)
        elif self._status == PRINTING:
            done, total = self._progress
            text = t(PRINTING).format(done=min(done + 1, total), total=total)
        else:
            text = t(self._status)
        # A stopped printer or a failure is a warning: a sign and a frame, not colour alone.
        warn = (has_document and choosing and not usable) or self._status in (
            HELD,
            FAILED,
            REFUNDED,
        )
        self.message.setText(f"⚠ {text}" if warn else text)
        self.message.setAccessibleName(text)
        if self.message.property("role") != ("warning" if warn else "lead"):
            self.message.setProperty("role", "warning" if warn else "lead")
            self.message.style().unpolish(self.message)
            self.message.style().polish(self.message)
        self.copies_label.setText(nt(*COPIES, self.copies).format(n=self.copies))
        self.fewer_button.setAccessibleName(t(FEWER))
        self.more_button.setAccessibleName(t(MORE))
        for widget in (self.fewer_button, self.copies_label, self.more_button, self.print_button):
            widget.setVisible(has_document and choosing)
        cost = self.cost_cents
        self.price_label.setVisible(has_document and choosing and self.pages > 0)
        self.price_label.setText(self._price_text(cost))
        if cost > 0:
            self.print_button.set_label(t(PAY_AND_PRINT))
        else:
            self.print_button.set_label(t(PRINT_AGAIN) if self._status == "printed" else t(PRINT))
        self.payment.setVisible(paying)
        self.print_button.setEnabled(usable and self.pages > 0)
        self.scan_button.set_label(t(TO_SCAN))
        self.scan_button.setVisible(not has_document)
        self.receipt_button.set_label(t(SHOW_RECEIPT))
        paid_and_printed = self._status == "printed" and self.paid_entry is not None
        self.receipt_button.setVisible(paid_and_printed and not self.receipt.isVisible())

    def _price_text(self, cost: int) -> str:
        t = self.ui.t
        if cost > 0:
            return t(PRICE).format(amount=format_euros(cost, self.ui.language))
        if self._price.cents_per_page == 0:
            return t(FREE)
        used = int(self.session.data.get(PRINTED_KEY, 0))
        left = max(0, self._price.free_pages - used - self.pages * self.copies)
        return self.ui.nt(*FREE_LEFT, left).format(n=left)


def _count_pages(path: Path) -> Any:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)
