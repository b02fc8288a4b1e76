"""Paying on the card terminal: the amount, what the terminal asks for, and how it ended.

The panel asks the payments service to take the payment (on the engine loop), shows the
terminal's prompts in the citizen's language as they come, and lets them cancel. It ends by
emitting `paid` with the journal entry (the caller then delivers), or `closed` when the citizen
gives up. A declined card can be tried again. While the terminal is working the session counts
as in use.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.devices.status import DeviceEvent, PaymentDisplay
from kiosk.i18n import N_
from kiosk.payments.journal import JournalEntry, JournalUnwritable, PaymentState
from kiosk.payments.ledger import PaymentNotRecorded
from kiosk.payments.prices import format_euros
from kiosk.ui.forms.wrapping import WrapButton

if TYPE_CHECKING:
    from kiosk.ui.context import ServiceContext

log = logging.getLogger(__name__)

TO_PAY = N_("To pay: {amount}")
FOLLOW = N_("Pay on the card terminal next to the screen.")
PROMPTS = {
    "insert_card": N_("Insert your card into the card terminal, or hold it against the terminal."),
    "enter_pin": N_("Enter your PIN on the card terminal."),
    "processing": N_("Please wait: the payment is being processed…"),
    "remove_card": N_("Remove your card from the card terminal."),
}
CANCELLING = N_("Cancelling the payment…")
OUTCOMES = {
    PaymentState.APPROVED: N_("Payment accepted."),
    # The words name the buttons shown with them ({again}, {back}), in the same language.
    PaymentState.DECLINED: N_(
        "The card was declined. Nothing was charged. To try again, with another card if you "
        "like, tap “{again}”. To stop, tap “{back}”."
    ),
    PaymentState.CANCELLED: N_("The payment was cancelled. Nothing was charged."),
    PaymentState.FAILED: N_(
        "The payment could not be made: the card terminal is not working. Nothing was charged. "
        "Please ask library staff for help."
    ),
    PaymentState.UNKNOWN: N_(
        "We could not confirm your payment. If your card was charged, the charge will be "
        "cancelled automatically. Library staff have been told."
    ),
}
#: The journal could not be written (a full disk), so the terminal was not asked.
NOT_TAKEN = N_(
    "This kiosk cannot take card payments right now. Nothing was charged. Please ask library "
    "staff how else you can pay."
)
#: The terminal charged, the journal could not record it, and the charge was given back.
NOT_RECORDED = N_(
    "This kiosk could not record your payment, so it was cancelled: nothing was charged. The "
    "kiosk cannot take card payments right now. Please ask library staff how else you can pay."
)
TRY_AGAIN = N_("Try again")
CANCEL = N_("Cancel payment")
BACK = N_("Back")


def _failure_message(error: BaseException) -> str:
    """What the citizen is told when a payment ended in an error rather than an outcome."""
    if isinstance(error, JournalUnwritable):
        return NOT_TAKEN
    if isinstance(error, PaymentNotRecorded):
        return OUTCOMES[PaymentState.UNKNOWN] if error.charge_stands else NOT_RECORDED
    return OUTCOMES[PaymentState.FAILED]


class PaymentPanel(QWidget):
    #: The payment went through: the caller delivers what was paid for.
    paid = Signal(object)
    #: The citizen gave up (or the payment could not be made); nothing was delivered.
    closed = Signal()

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ui = ctx.ui
        self.purpose = ""
        self.amount_cents = 0
        self.entry: JournalEntry | None = None
        self._message = FOLLOW
        self._paying = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(24)
        self.amount = QLabel()
        self.amount.setProperty("role", "h2")
        self.message = QLabel()
        self.message.setProperty("role", "lead")
        self.message.setWordWrap(True)
        self.message.setMargin(16)
        layout.addWidget(self.amount)
        layout.addWidget(self.message)
        row = QHBoxLayout()
        row.setSpacing(24)
        self.again_button = WrapButton(role="primary")
        self.again_button.clicked.connect(self._start)
        self.cancel_button = WrapButton()
        self.cancel_button.clicked.connect(self._cancel)
        row.addWidget(self.again_button, 1)
        row.addWidget(self.cancel_button, 1)
        layout.addLayout(row)
        layout.addStretch(1)
        ctx.bridge.device_event.connect(self._on_event)
        self.ui.changed.connect(self.retranslate)
        self.retranslate()

    # ---- flow ---------------------------------------------------------------------------------

    def pay(self, purpose: str, amount_cents: int) -> None:
        """Ask for `amount_cents` for `purpose` on the terminal."""
        self.purpose, self.amount_cents = purpose, amount_cents
        self._start()

    @property
    def paying(self) -> bool:
        return self._paying

    def _start(self) -> None:
        if self._paying:
            return
        self._paying = True
        self.entry = None
        self._message = FOLLOW
        self.retranslate()
        payments = self.ctx.payments
        if payments is None:
            future: Future[JournalEntry] = Future()
            future.set_exception(RuntimeError("no payment terminal"))
        else:
            future = payments.pay(self.purpose, self.amount_cents)
        self.ctx.bridge.when_done(future, self._finished)

    def _cancel(self) -> None:
        if self._paying:
            self._message = CANCELLING
            if self.ctx.payments is not None:
                self.ctx.payments.abort()
            self.retranslate()
        else:
            self.closed.emit()

    def _finished(self, future: Future[JournalEntry]) -> None:
        self._paying = False
        error = future.exception()
        if error is not None:
            log.error("payment could not be taken", exc_info=error)
            self.entry = None
            self._message = _failure_message(error)
        else:
            entry = future.result()
            self.entry = entry
            self._message = OUTCOMES.get(entry.state, OUTCOMES[PaymentState.UNKNOWN])
            self.ctx.sessions.outcome(self.purpose, f"payment:{entry.state.value}")
        self.retranslate()
        if self.entry is not None and self.entry.state is PaymentState.APPROVED:
            self.paid.emit(self.entry)

    def _on_event(self, event: DeviceEvent) -> None:
        if isinstance(event, PaymentDisplay) and self._paying:
            # The citizen is busy at the terminal: that is use of the kiosk.
            self.ctx.sessions.touch()
            if self._message != CANCELLING:
                self._message = PROMPTS.get(event.message, FOLLOW)
            self.retranslate()

    # ---- text ---------------------------------------------------------------------------------

    def retranslate(self) -> None:
        t = self.ui.t
        amount = format_euros(self.amount_cents, self.ui.language)
        self.amount.setText(t(TO_PAY).format(amount=amount))
        state = self.entry.state if self.entry is not None else None
        bad = not self._paying and state is not PaymentState.APPROVED
        text = t(self._message).format(again=t(TRY_AGAIN), back=t(BACK))
        self.message.setText(f"⚠ {text}" if bad and self._message != FOLLOW else text)
        self.message.setAccessibleName(text)
        role = "warning" if bad and self._message != FOLLOW else "lead"
        if self.message.property("role") != role:
            self.message.setProperty("role", role)
            self.message.style().unpolish(self.message)
            self.message.style().polish(self.message)
        retry = not self._paying and state in (PaymentState.DECLINED, PaymentState.CANCELLED)
        self.again_button.set_label(t(TRY_AGAIN))
        self.again_button.setVisible(retry)
        done = state is PaymentState.APPROVED
        self.cancel_button.setVisible(not done)
        self.cancel_button.set_label(t(CANCEL) if self._paying else t(BACK))
        self.cancel_button.setEnabled(self._message != CANCELLING)
