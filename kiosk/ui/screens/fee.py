"""Pay a fee: the configured fees (a library's lost-card fee, say), paying one on the card
terminal, and its receipt on screen, as a QR code, or printed."""

from __future__ import annotations

import logging
from concurrent.futures import Future
from datetime import UTC, datetime

from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from kiosk.i18n import N_
from kiosk.payments.journal import JournalEntry
from kiosk.payments.prices import Fee, configured_fees, format_euros
from kiosk.payments.receipt import Receipt
from kiosk.ui.context import ServiceContext
from kiosk.ui.widgets.buttons import BigButton
from kiosk.ui.widgets.payment import PaymentPanel
from kiosk.ui.widgets.receipt import ReceiptPanel

log = logging.getLogger(__name__)

CHOOSE = N_("Choose the fee you want to pay.")
PAYING = N_("You are paying: {fee}")
PAID = N_("Thank you, the fee has been paid.")
ANOTHER = N_("Pay another fee")


class FeeScreen(QWidget):
    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ui = ctx.ui
        self.fees = configured_fees(ctx.kiosk.config)
        self.fee: Fee | None = None
        self.entry: JournalEntry | None = None

        outer = QVBoxLayout(self)
        outer.setContentsMargins(96, 48, 96, 48)
        outer.setSpacing(28)
        self.heading = QLabel()
        self.heading.setProperty("role", "lead")
        self.heading.setWordWrap(True)
        outer.addWidget(self.heading)
        self.steps = QStackedWidget()
        outer.addWidget(self.steps, 1)

        self.choose_page = QWidget()
        choose = QVBoxLayout(self.choose_page)
        choose.setContentsMargins(0, 0, 0, 0)
        choose.setSpacing(20)
        self.fee_buttons: dict[str, BigButton] = {}
        for fee in self.fees:
            button = BigButton()
            button.setMinimumHeight(96)
            button.clicked.connect(lambda _=False, fee=fee: self.choose(fee))
            self.fee_buttons[fee.id] = button
            choose.addWidget(button)
        choose.addStretch(1)
        self.steps.addWidget(self.choose_page)

        self.payment = PaymentPanel(ctx)
        self.payment.paid.connect(self._paid)
        self.payment.closed.connect(self._back)
        self.steps.addWidget(self.payment)

        self.done_page = QWidget()
        done = QVBoxLayout(self.done_page)
        done.setContentsMargins(0, 0, 0, 0)
        done.setSpacing(24)
        self.receipt = ReceiptPanel(ctx)
        done.addWidget(self.receipt, 1)
        self.another_button = BigButton()
        self.another_button.clicked.connect(self._back)
        done.addWidget(self.another_button)
        self.steps.addWidget(self.done_page)

        self.ui.changed.connect(self.retranslate)
        self.retranslate()

    def choose(self, fee: Fee) -> None:
        self.fee = fee
        self.steps.setCurrentWidget(self.payment)
        self.payment.pay(f"fee:{fee.id}", fee.cents)
        self.retranslate()

    def _paid(self, entry: JournalEntry) -> None:
        # A fee is delivered the moment it is paid.
        self.entry = entry
        self.ctx.bridge.when_done(self.ctx.kiosk.delivered(entry.sale_reference), self._recorded)
        assert self.fee is not None
        config = self.ctx.kiosk.config.kiosk
        self.receipt.show_receipt(
            Receipt(
                kiosk_name=config.name,
                location=config.location,
                paid_at=datetime.now(UTC),
                what=self.fee.name(self.ui.language),
                amount_cents=entry.amount_cents,
                card_last4=entry.card_last4,
                sale_reference=entry.sale_reference,
                payee_reference=self.fee.reference,
            )
        )
        self.ctx.kiosk.session.outcome("fee", "paid")
        self.steps.setCurrentWidget(self.done_page)
        self.retranslate()

    def _recorded(self, future: Future[JournalEntry]) -> None:
        if future.exception() is not None:
            log.error("a paid fee could not be recorded as delivered", exc_info=future.exception())

    def _back(self) -> None:
        self.fee = None
        self.steps.setCurrentWidget(self.choose_page)
        self.retranslate()

    def retranslate(self) -> None:
        t, language = self.ui.t, self.ui.language
        current = self.steps.currentWidget()
        if current is self.done_page:
            self.heading.setText(t(PAID))
        elif current is self.payment and self.fee is not None:
            self.heading.setText(t(PAYING).format(fee=self.fee.name(language)))
        else:
            self.heading.setText(t(CHOOSE))
        for fee in self.fees:
            amount = format_euros(fee.cents, language)
            self.fee_buttons[fee.id].set_label(f"{fee.name(language)} — {amount}")
        self.another_button.set_label(t(ANOTHER))
        self.receipt.retranslate()
