"""Pay a fee: the configured fees (a library's lost-card fee, say), a step that shows what is
paid, to whom and how much (and takes a reference such as a library card number when the fee
asks for one), paying on the card terminal, and the receipt on screen, as a QR code, or printed.

A reference the citizen types is personal: it lives in this screen and on the receipt the
citizen takes, and is never logged nor written to the payment journal.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from datetime import UTC, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.i18n import N_
from kiosk.payments.journal import JournalEntry
from kiosk.payments.payee import format_vat_rate, vat_included
from kiosk.payments.prices import Fee, format_euros
from kiosk.payments.receipt import AMOUNT, BUSINESS_ID, FOR, PAYEE, VAT, Receipt
from kiosk.payments.tariff import configured_fees
from kiosk.ui.context import ServiceContext
from kiosk.ui.forms.bar import button_bar
from kiosk.ui.forms.wrapping import WrapButton
from kiosk.ui.state import UiState
from kiosk.ui.widgets.buttons import BigButton
from kiosk.ui.widgets.payment import PaymentPanel
from kiosk.ui.widgets.receipt import ReceiptPanel
from kiosk.ui.widgets.typing import TypingScreen

log = logging.getLogger(__name__)

CHOOSE = N_("Choose the fee you want to pay.")
CHECK = N_("Check the payment. You pay on the card terminal in the next step.")
PAY = N_("Pay on the card terminal")
BACK = N_("Back")
PAYING = N_("You are paying: {fee}")
PAID = N_("Thank you, the fee has been paid.")
ANOTHER = N_("Pay another fee")
DONE = N_("Done")


class ConfirmPage(QWidget):
    """What is paid, to whom, how much (with VAT) and, if the fee asks, the citizen's reference;
    then Pay on the card terminal, or Back."""

    pay = Signal()
    back = Signal()

    def __init__(self, ui: UiState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.fee: Fee | None = None
        self._problem: tuple[str | tuple[str, str], dict[str, int]] | None = None
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(20)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(32)
        self.grid.setVerticalSpacing(12)
        self.grid.setColumnStretch(1, 1)
        column.addLayout(self.grid)
        self.rows: dict[str, tuple[QLabel, QLabel]] = {}
        for index, name in enumerate(("what", "payee", "business_id", "amount", "vat")):
            label, value = QLabel(), QLabel()
            label.setProperty("role", "muted")
            label.setWordWrap(True)
            value.setProperty("role", "lead")
            value.setWordWrap(True)
            self.grid.addWidget(label, index, 0, Qt.AlignmentFlag.AlignTop)
            self.grid.addWidget(value, index, 1, Qt.AlignmentFlag.AlignTop)
            self.rows[name] = (label, value)
        self.reference_label = QLabel()
        self.reference_label.setProperty("role", "field")
        self.reference_label.setWordWrap(True)
        self.reference = QLineEdit()
        self.reference.setMaxLength(60)
        self.reference.returnPressed.connect(self.pay.emit)
        self.reference.textEdited.connect(self._edited)
        self.reference_label.setBuddy(self.reference)
        self.error = QLabel()
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        # The error's room is kept while it is empty, so nothing below jumps when it shows.
        policy = self.error.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.error.setSizePolicy(policy)
        for widget in (self.reference_label, self.reference, self.error):
            column.addWidget(widget)
        # Pay and Back in a bar of their own, which the screen keeps in sight under the page and
        # above the keyboard while the reference is typed.
        self.bar, buttons = button_bar(self)
        self.pay_button = WrapButton(role="primary")
        self.pay_button.setMinimumHeight(96)
        self.pay_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.pay_button.clicked.connect(self.pay.emit)
        self.back_button = WrapButton()
        self.back_button.setMinimumHeight(96)
        self.back_button.setProperty("keypad", "back")  # the keypad's Back presses it
        self.back_button.clicked.connect(self.back.emit)
        buttons.addWidget(self.pay_button, 2)
        buttons.addWidget(self.back_button, 1)
        column.addStretch(1)

    def show_fee(self, fee: Fee) -> None:
        self.fee = fee
        self.reference.clear()
        self._problem = None
        asked = fee.ask_reference
        if asked is not None:
            hints = Qt.InputMethodHint.ImhNoPredictiveText
            if asked.digits_only:
                hints |= Qt.InputMethodHint.ImhDigitsOnly
            self.reference.setInputMethodHints(hints)
        self.retranslate()

    @property
    def reference_value(self) -> str:
        """The reference typed, without spaces ("" when the fee asks for none)."""
        asked = self.fee.ask_reference if self.fee is not None else None
        return asked.clean(self.reference.text()) if asked is not None else ""

    def check(self) -> bool:
        """Whether the reference the fee asks for will do; if not, say what it must be."""
        asked = self.fee.ask_reference if self.fee is not None else None
        self._problem = asked.problem(self.reference.text()) if asked is not None else None
        self.retranslate()
        if self._problem is not None:
            self.reference.setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        return True

    def _edited(self) -> None:
        # Once told, the citizen sees the error go as soon as what they type will do.
        asked = self.fee.ask_reference if self.fee is not None else None
        if self._problem is not None and asked and asked.problem(self.reference.text()) is None:
            self._problem = None
            self.retranslate()

    def clear(self) -> None:
        self.reference.clear()
        self._problem = None
        self.fee = None

    def retranslate(self) -> None:
        t, language = self.ui.t, self.ui.language
        fee = self.fee
        self.pay_button.set_label(t(PAY))
        self.back_button.set_label(t(BACK))
        if fee is None:
            return
        payee = fee.payee
        vat = vat_included(fee.cents, payee.vat_basis_points)
        values = {
            "what": (t(FOR), fee.name(language)),
            "payee": (t(PAYEE), payee.name),
            "business_id": (t(BUSINESS_ID), payee.business_id),
            "amount": (t(AMOUNT), format_euros(fee.cents, language)),
            "vat": (
                t(VAT).format(rate=format_vat_rate(payee.vat_basis_points, language)),
                format_euros(vat, language),
            ),
        }
        for name, (label, value) in values.items():
            label_widget, value_widget = self.rows[name]
            label_widget.setText(label)
            value_widget.setText(value)
            value_widget.setAccessibleName(f"{label} {value}")
            label_widget.setVisible(bool(value))
            value_widget.setVisible(bool(value))
        asked = fee.ask_reference
        for widget in (self.reference_label, self.reference):
            widget.setVisible(asked is not None)
        self.error.setVisible(asked is not None and self._problem is not None)
        if asked is not None:
            self.reference_label.setText(asked.label(language))
            self.reference.setAccessibleName(asked.label(language))
        text = ""
        if self._problem is not None:
            message, values_ = self._problem
            if isinstance(message, tuple):
                text = self.ui.nt(*message, values_["n"]).format(**values_)
            else:
                text = t(message).format(**values_)
        self.error.setText(f"⚠ {text}" if text else "")
        self.reference.setAccessibleDescription(text)


class FeeScreen(TypingScreen):
    #: Done: back to the home screen (the session frame listens).
    leave = Signal()

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx.ui, parent)
        self.ctx = ctx
        self.ui = ctx.ui
        self.fees = configured_fees(ctx.config)
        self.fee: Fee | None = None
        self.entry: JournalEntry | None = None

        page = QWidget()
        outer = QVBoxLayout(page)
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
            button = WrapButton()
            button.setMinimumHeight(96)
            button.clicked.connect(lambda _=False, fee=fee: self.choose(fee))
            self.fee_buttons[fee.id] = button
            choose.addWidget(button)
        choose.addStretch(1)
        self.steps.addWidget(self.choose_page)

        self.confirm_page = ConfirmPage(self.ui)
        self.confirm_page.pay.connect(self.pay)
        self.confirm_page.back.connect(self._back)
        self.steps.addWidget(self.confirm_page)

        self.payment = PaymentPanel(ctx)
        self.payment.paid.connect(self._paid)
        self.payment.closed.connect(self._back_to_confirm)
        self.steps.addWidget(self.payment)

        self.done_page = QWidget()
        done = QVBoxLayout(self.done_page)
        done.setContentsMargins(0, 0, 0, 0)
        done.setSpacing(24)
        self.receipt = ReceiptPanel(ctx)
        done.addWidget(self.receipt, 1)
        done_buttons = QHBoxLayout()
        done_buttons.setSpacing(24)
        self.done_button = WrapButton(role="primary")
        self.done_button.clicked.connect(self.leave.emit)
        self.another_button = WrapButton()
        self.another_button.clicked.connect(self._back)
        done_buttons.addWidget(self.done_button, 1)
        done_buttons.addWidget(self.another_button, 1)
        done.addLayout(done_buttons)
        self.steps.addWidget(self.done_page)
        self.set_content(page)
        self.steps.currentChanged.connect(self._page_shown)

        self.ui.changed.connect(self.retranslate)
        self.retranslate()

    # ---- steps --------------------------------------------------------------------------------

    def choose(self, fee: Fee) -> None:
        """The citizen tapped a fee: show what it is, to whom and how much, before paying."""
        self.fee = fee
        self.confirm_page.show_fee(fee)
        self.steps.setCurrentWidget(self.confirm_page)
        self.retranslate()
        # The whole payment in sight first: the keyboard comes up when the field is touched.
        self.confirm_page.pay_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _page_shown(self) -> None:
        confirming = self.steps.currentWidget() is self.confirm_page
        self.show_bar(self.confirm_page.bar if confirming else None)

    def pay(self) -> None:
        """Pay on the card terminal, once the reference (if asked for) will do."""
        if self.fee is None or not self.confirm_page.check():
            return
        self.keyboard.hide()
        self.steps.setCurrentWidget(self.payment)
        # The journal gets the fee's id and amount; never the citizen's reference.
        self.payment.pay(f"fee:{self.fee.id}", self.fee.cents)
        self.retranslate()
        # The one thing to do here while the terminal is used: cancel (not Home, where the
        # focus would fall as the page it was on goes).
        self.payment.cancel_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def enter_pressed(self, field: QWidget) -> None:
        """The keyboard's Enter in the reference: on to paying, as the Pay button."""
        if field is self.confirm_page.reference:
            self.pay()
        else:
            super().enter_pressed(field)

    def _paid(self, entry: JournalEntry) -> None:
        # A fee is delivered the moment it is paid.
        self.entry = entry
        payments = self.ctx.payments
        assert payments is not None, "paid on a terminal that is there"
        self.ctx.bridge.when_done(payments.delivered(entry.sale_reference), self._recorded)
        fee = self.fee
        assert fee is not None
        language = self.ui.language
        config = self.ctx.config.kiosk
        asked = fee.ask_reference
        reference = self.confirm_page.reference_value
        receipt = Receipt(
            kiosk_name=config.name,
            location=config.location,
            paid_at=datetime.now(UTC),
            what=fee.name(language),
            amount_cents=entry.amount_cents,
            card_last4=entry.card_last4,
            sale_reference=entry.sale_reference,
            payee_reference=fee.reference,
            payee=fee.payee,
            customer_reference=(asked.label(language), reference) if asked else None,
        )
        self.confirm_page.clear()
        self.ctx.sessions.outcome("fee", "paid")
        self.steps.setCurrentWidget(self.done_page)
        self.done_button.setFocus(Qt.FocusReason.OtherFocusReason)
        # Drawn once, on the page in sight: Read aloud hears its lines as they come.
        self.receipt.show_receipt(receipt)
        self.retranslate()

    def _recorded(self, future: Future[JournalEntry]) -> None:
        if future.exception() is not None:
            log.error("a paid fee could not be recorded as delivered", exc_info=future.exception())

    def _back_to_confirm(self) -> None:
        """Back from the terminal (declined, cancelled): the fee is still chosen."""
        if self.fee is None:
            self._back()
            return
        self.steps.setCurrentWidget(self.confirm_page)
        self.retranslate()

    def _back(self) -> None:
        chosen, self.fee = self.fee, None
        self.confirm_page.clear()
        self.keyboard.hide()
        self.steps.setCurrentWidget(self.choose_page)
        self.retranslate()
        # The keys' focus back on the fee the citizen came from, not on Home.
        if chosen is not None and chosen.id in self.fee_buttons:
            self.fee_buttons[chosen.id].setFocus(Qt.FocusReason.OtherFocusReason)

    def retranslate(self) -> None:
        t, language = self.ui.t, self.ui.language
        current = self.steps.currentWidget()
        if current is self.done_page:
            self.heading.setText(t(PAID))
        elif current is self.payment and self.fee is not None:
            self.heading.setText(t(PAYING).format(fee=self.fee.name(language)))
        elif current is self.confirm_page:
            self.heading.setText(t(CHECK))
        else:
            self.heading.setText(t(CHOOSE))
        for fee in self.fees:
            amount = format_euros(fee.cents, language)
            self.fee_buttons[fee.id].set_label(f"{fee.name(language)} — {amount}")
        self.confirm_page.retranslate()
        self.done_button.set_label(t(DONE))
        self.another_button.set_label(t(ANOTHER))
        # The receipt redraws itself when shown and when the language changes (its QR code is
        # costly): not again at each step of this screen.
