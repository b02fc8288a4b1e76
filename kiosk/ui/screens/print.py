"""The Print service: this visit's documents to choose from, a preview of their pages, copies,
the price and paying, progress, and a finished print that says so.

The order (kiosk.printing.order) prices the pages, sends the job and settles its payment; this
screen shows it. The job's progress comes through the printer's events and its end through the
job's future, both handed to the Qt thread by the bridge. A job held for paper says so in words
and goes on by itself when paper is back: it is never sent twice. Once printed, the main button
is Done: printing again is a separate choice that states its price, so nobody pays twice by
tapping on. Counting and drawing pages read the PDFs, so they run in a worker thread. Copy uses
this screen too, for its one document, under its own title.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.devices.printer.base import Printer
from kiosk.devices.status import DeviceEvent, PrintJobCompleted, PrintJobProgress, StatusChanged
from kiosk.payments.journal import JournalEntry
from kiosk.payments.prices import format_euros
from kiosk.printing.job import JobEnd
from kiosk.printing.order import NotSent
from kiosk.ui.context import ServiceContext
from kiosk.ui.forms.wrapping import WrapButton
from kiosk.ui.screens.print_texts import (
    ANOTHER,
    CHOOSE,
    COPIED,
    DONE,
    FAILED,
    FREE,
    FREE_FROM_ADVISOR,
    FREE_LEFT,
    HELD,
    MAX_COPIES,
    NO_PRINTER,
    NOTHING,
    PREVIEWING,
    PRICE,
    PRINTED,
    PRINTING,
    RECEIPT_FOR,
    REFUNDED,
    SHOW_PAGES,
    SHOW_RECEIPT,
    TO_COPY,
    TO_SCAN,
    WAITING,
    WORDS,
    YOUR_ADVISOR_DOCUMENT,
    YOUR_DOCUMENT,
    YOUR_FORM,
)
from kiosk.ui.widgets.chooser import DocumentChooser
from kiosk.ui.widgets.copies import CopiesPicker
from kiosk.ui.widgets.payment import PaymentPanel
from kiosk.ui.widgets.receipt import ReceiptPanel

log = logging.getLogger(__name__)


class PrintScreen(QWidget):
    #: Done: back to the home screen (the session frame listens).
    leave = Signal()

    def __init__(
        self,
        ctx: ServiceContext,
        parent: QWidget | None = None,
        *,
        purpose: str = "print",
        documents: list[Path] | None = None,
    ) -> None:
        """`purpose` prices the pages ("print" or "copy"); `documents` are the ones to offer
        (Copy's own scan), by default the visit's."""
        super().__init__(parent)
        self.ctx = ctx
        self.ui = ctx.ui
        session = ctx.sessions.current
        assert session is not None, "the Print screen belongs to a session"
        self.session = session
        printing = ctx.printing
        assert printing is not None, "the back end has started"
        self.printer: Printer | None = printing.printer
        #: Pages, price, paying, the job and its settling.
        self.order = printing.order(session.visit, session_id=session.id, purpose=purpose)
        self.purpose = purpose
        self.words = WORDS[purpose]
        self._status = ""  # message id of what is going on, or "" for the choice
        self._progress: tuple[int, int] = (0, 0)
        self._printed = 0
        #: The journal entry of the payment for the job under way or printed, if it was paid.
        self.paid_entry: JournalEntry | None = None
        self._workers = ThreadPoolExecutor(max_workers=1, thread_name_prefix="print")
        workers = self._workers  # not the screen: it may be gone when the session ends
        ctx.sessions.add_resource("print-worker", lambda: workers.shutdown(wait=True))

        self.outer = QVBoxLayout(self)
        self.outer.setContentsMargins(96, 48, 96, 48)
        self.outer.setSpacing(28)
        self.message = QLabel()
        self.message.setProperty("role", "lead")
        self.message.setWordWrap(True)
        # Room inside the frame when the message turns into a warning (a style-sheet padding
        # is not re-read when the role changes).
        self.message.setMargin(16)
        self.outer.addWidget(self.message)
        self.chooser = DocumentChooser(ctx, self._workers, documents)
        self.chooser.changed.connect(self.retranslate)
        # The documents on the left, and beside them what to do with the chosen one, so that
        # Print stays in sight however many documents the visit has.
        body = QHBoxLayout()
        body.setSpacing(48)
        body.addWidget(self.chooser, 3)
        self.controls = QWidget()
        controls = QVBoxLayout(self.controls)
        controls.setContentsMargins(0, 0, 0, 0)
        controls.setSpacing(28)
        body.addWidget(self.controls, 2)
        self.outer.addLayout(body)
        self.picker = CopiesPicker(self.ui, MAX_COPIES)
        self.picker.changed.connect(self.retranslate)
        #: The picker's parts, as a citizen finds them.
        self.fewer_button = self.picker.fewer_button
        self.copies_label = self.picker.label
        self.more_button = self.picker.more_button
        controls.addWidget(self.picker)
        self.price_label = QLabel()
        self.price_label.setProperty("role", "lead")
        self.price_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.price_label.setWordWrap(True)
        controls.addWidget(self.price_label)
        self.payment = PaymentPanel(ctx)
        self.payment.paid.connect(self._paid)
        self.payment.closed.connect(self._payment_closed)
        self.payment.hide()
        self.outer.addWidget(self.payment)
        self.print_button = WrapButton(role="primary")
        self.print_button.setMinimumHeight(96)
        self.print_button.clicked.connect(self.print_document)
        self.done_button = WrapButton(role="primary")
        self.done_button.setMinimumHeight(96)
        self.done_button.clicked.connect(self.leave.emit)
        self.again_button = WrapButton()
        self.again_button.setMinimumHeight(88)
        self.again_button.clicked.connect(self.print_again)
        self.other_button = WrapButton()
        self.other_button.setMinimumHeight(88)
        self.other_button.clicked.connect(self._choose_again)
        self.receipt_button = WrapButton()
        self.receipt_button.clicked.connect(self._show_receipt)
        self.receipt = ReceiptPanel(ctx)
        self.receipt.hide()
        self.scan_button = WrapButton()
        self.scan_button.clicked.connect(self._go_scan)
        controls.addWidget(self.print_button)
        controls.addStretch(1)
        self.outer.addWidget(self.done_button)
        after = QHBoxLayout()
        after.setSpacing(24)
        after.addWidget(self.again_button, 1)
        after.addWidget(self.other_button, 1)
        self.outer.addLayout(after)
        self.outer.addWidget(self.receipt_button)
        self.outer.addWidget(self.receipt)
        self.outer.addWidget(self.scan_button)
        self.outer.addStretch(1)

        ctx.bridge.device_event.connect(self._on_event)
        self.ui.changed.connect(self.retranslate)
        self.retranslate()

    # ---- the documents ------------------------------------------------------------------------

    @property
    def document(self) -> Path | None:
        return self.chooser.document

    @property
    def pages(self) -> int:
        return self.chooser.pages

    # ---- steps --------------------------------------------------------------------------------

    @property
    def copies(self) -> int:
        return self.picker.copies

    @property
    def cost_cents(self) -> int:
        """What printing the chosen copies costs now, after the session's free pages (nothing
        for a document the advisor's line prints free)."""
        return self.order.cost_cents(self.pages * self.copies, document=self.document)

    @property
    def job_id(self) -> str | None:
        """The printer's id of the job under way, None when none is."""
        job = self.order.job
        return job.job_id if job is not None and not job.done else None

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

    def print_again(self) -> None:
        """The same document and copies once more: paid again if it costs (the button said)."""
        if self._status != "printed":
            return
        self._status = ""
        self.print_document()

    def _choose_again(self) -> None:
        self._status = ""
        self.paid_entry = None
        self.receipt.hide()
        self.retranslate()

    def _paid(self, entry: JournalEntry) -> None:
        self.paid_entry = entry
        self._send(entry)

    def _show_receipt(self) -> None:
        what = self.ui.nt(*RECEIPT_FOR[self.purpose], self._printed).format(n=self._printed)
        receipt = self.order.receipt(what)
        if self.paid_entry is None or receipt is None:
            return
        self.receipt.show_receipt(receipt)
        self.receipt.show()
        self.receipt_button.hide()

    def _payment_closed(self) -> None:
        self._status = ""
        self.payment.hide()
        self.retranslate()

    def _send(self, paid: JournalEntry | None) -> None:
        assert self.document is not None
        self.payment.hide()
        self._status = WAITING
        try:
            job = self.order.send(self.document, pages=self.pages, copies=self.copies, paid=paid)
        except NotSent as not_sent:
            self._status = REFUNDED if not_sent.refunded else FAILED
            self.retranslate()
            return
        self.ctx.bridge.when_done(job.ended, self._job_ended)
        self.retranslate()

    def _on_event(self, event: DeviceEvent) -> None:
        if isinstance(event, StatusChanged) and self.printer is not None:
            if event.device_id == self.printer.device_id:
                self.retranslate()
            return
        job = self.order.job
        if isinstance(event, PrintJobProgress) and job is not None and job.concerns(event):
            if job.done or self._status not in (WAITING, PRINTING, HELD):
                return  # the end is on its way: progress has nothing more to say
            self._status = HELD if event.stage == "held" else PRINTING
            self._progress = (event.pages_done, event.pages_total)
            self.retranslate()

    def _job_ended(self, ended: Future[JobEnd]) -> None:
        end = ended.result()
        if isinstance(end, PrintJobCompleted):
            self._status, self._printed = "printed", end.pages
            self.done_button.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self._status = REFUNDED if self.order.paid is not None else FAILED
        self.retranslate()

    def _go_scan(self) -> None:
        if self.ctx.open_service is not None:
            self.ctx.open_service("scan")

    # ---- text ---------------------------------------------------------------------------------

    def retranslate(self) -> None:
        t, nt = self.ui.t, self.ui.nt
        has_document = self.document is not None
        choosing = self._status in ("", FAILED, REFUNDED)
        printed = self._status == "printed"
        paying = self._status == "paying"
        chooser = self.chooser
        count = len(chooser.documents)
        previewing = chooser.previewing
        usable = self.printer is not None and self.printer.health().state.usable
        if not count:
            text = t(NOTHING)
        elif (choosing or printed) and not usable:
            text = t(NO_PRINTER)
        elif previewing:
            text = t(PREVIEWING)
        elif self._status in ("", "paying"):
            if count > 1:
                text = t(CHOOSE).format(show=t(SHOW_PAGES))
            elif self.purpose == "copy":
                text = nt(*TO_COPY, self.pages).format(n=self.pages)
            else:
                chosen = chooser.documents[chooser.chosen] if chooser.chosen is not None else None
                if chosen is not None and chosen.advisor:
                    said = YOUR_ADVISOR_DOCUMENT
                else:
                    said = YOUR_DOCUMENT if chosen is None or chosen.is_scan else YOUR_FORM
                text = nt(*said, self.pages).format(n=self.pages)
        elif printed:
            done = COPIED if self.purpose == "copy" else PRINTED
            text = "✓ " + nt(*done, self._printed).format(n=self._printed)
        elif self._status == PRINTING:
            done_pages, total = self._progress
            text = t(PRINTING).format(done=min(done_pages + 1, total), total=total)
        else:
            text = t(self._status)
        # A stopped printer or a failure is a warning: a sign and a frame, not colour alone.
        warn = (bool(count) and (choosing or printed) and not usable) or (
            self._status in (HELD, FAILED, REFUNDED)
        )
        self.message.setText(f"⚠ {text}" if warn else text)
        self.message.setAccessibleName(text)
        if self.message.property("role") != ("warning" if warn else "lead"):
            self.message.setProperty("role", "warning" if warn else "lead")
            self.message.style().unpolish(self.message)
            self.message.style().polish(self.message)
        chooser.choosable = choosing
        chooser.retranslate()
        self.picker.retranslate()
        show_choice = has_document and choosing and not previewing
        self.controls.setVisible(show_choice)
        cost = self.cost_cents
        self.price_label.setVisible(show_choice and self.pages > 0)
        self.price_label.setText(self._price_text(cost))
        self.print_button.set_label(t(self.words["pay"]) if cost > 0 else t(self.words["go"]))
        self.print_button.setEnabled(usable and self.pages > 0)
        self.payment.setVisible(paying)
        # Printed: Done first; printing again is a choice of its own, with its price.
        self.done_button.set_label(t(DONE))
        self.done_button.setVisible(printed)
        if cost > 0:
            again = t(self.words["again"]).format(amount=format_euros(cost, self.ui.language))
        else:
            again = t(self.words["again_free"])
        self.again_button.set_label(again)
        self.again_button.setVisible(printed)
        self.again_button.setEnabled(usable)
        self.other_button.set_label(t(ANOTHER))
        self.other_button.setVisible(printed and count > 1)
        self.scan_button.set_label(t(TO_SCAN))
        self.scan_button.setVisible(not count)
        self.receipt_button.set_label(t(SHOW_RECEIPT))
        paid_and_printed = printed and self.paid_entry is not None
        self.receipt_button.setVisible(paid_and_printed and not self.receipt.isVisible())
        if not printed:
            self.receipt.hide()

    def _price_text(self, cost: int) -> str:
        t = self.ui.t
        if cost > 0:
            return t(PRICE).format(amount=format_euros(cost, self.ui.language))
        if self.order.prints_free(self.document):
            return t(FREE_FROM_ADVISOR)
        if self.order.always_free:
            return t(FREE)
        left = self.order.free_left_after(self.pages * self.copies, document=self.document)
        return self.ui.nt(*FREE_LEFT, left).format(n=left)
