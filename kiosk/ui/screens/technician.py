"""Technician mode: a PIN pad behind the hidden gesture, then each device's state and tests.

The technician sees every device's state, detail and last error in words, runs a self-test per
device, prints a test page, trips the simulators' faults, reads the card payments that are not
settled, the kiosk id and software version, and may quit to the desktop. The screen speaks
Finnish, Swedish or English: it opens in the kiosk's default language and the technician may
choose another, which lasts until technician mode is left.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kiosk import __version__
from kiosk.devices.base import Device
from kiosk.devices.status import DeviceEvent
from kiosk.i18n import N_, NP_
from kiosk.payments.journal import JournalEntry
from kiosk.payments.prices import format_euros
from kiosk.ui.bridge import Bridge
from kiosk.ui.screens.technician_device import SWITCH_FAILED, DevicePanel
from kiosk.ui.screens.technician_test_page import write_test_page
from kiosk.ui.screens.technician_words import payment_state_words, purpose_words
from kiosk.ui.state import UiState
from kiosk.ui.widgets.buttons import BigButton

__all__ = ["SWITCH_FAILED", "DevicePanel", "PinPad", "TechnicianScreen"]

log = logging.getLogger(__name__)

ENTER_PIN = N_("Technician PIN")
WRONG_PIN = N_("Wrong PIN. Attempts left: {n}")
OK = N_("OK")
#: OK as it is said: what it does, beginning with the word on it.
OK_SPOKEN = N_("OK, check the PIN")
ERASE = N_("Erase")
CANCEL = N_("Cancel")
TECHNICIAN_MODE = N_("Technician mode")
KIOSK_ID = N_("Kiosk {id}, software version {version}")
BACK_TO_KIOSK = N_("Back to the kiosk")
QUIT_TO_DESKTOP = N_("Quit to desktop")
LANGUAGE = N_("Language of this screen:")
#: Each language's name in itself: a technician finds their own whatever is shown.
LANGUAGE_NAMES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}
PAYMENTS = N_("Card payments")
UNSETTLED = NP_("{n} card payment is not settled.", "{n} card payments are not settled.")
UNSETTLED_HELP = N_(
    "Support has an alert for each. A payment whose outcome is not known settles by itself when "
    "the card terminal answers again; a failed refund needs support."
)
PAYMENT_ROW = N_("{reference} · {purpose} · {amount} · {state} · started {started}")
MORE_PAYMENTS = NP_("… and {n} more", "… and {n} more")
ALL_SETTLED = N_("Every card payment is settled.")
#: Unsettled payments listed one a line; the rest are counted.
PAYMENT_ROWS = 8


class PinPad(QWidget):
    """Digits, erase, OK and cancel. Emits the entered PIN; the caller checks it."""

    submitted = Signal(str)
    cancelled = Signal()

    def __init__(self, ui: UiState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.setProperty("role", "screen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self._digits = ""
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 48, 0, 48)
        outer.addStretch(1)
        self.heading = QLabel()
        self.heading.setProperty("role", "h1")
        self.heading.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.display = QLabel()
        self.display.setProperty("role", "countdown")
        self.display.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.display.setMinimumHeight(72)
        self.message = QLabel()
        self.message.setProperty("role", "lead")
        self.message.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        for widget in (self.heading, self.display, self.message):
            outer.addWidget(widget)
        grid = QGridLayout()
        grid.setSpacing(16)
        self.keys: dict[str, BigButton] = {}
        for index, digit in enumerate("123456789"):
            self._add_key(grid, digit, index // 3, index % 3)
        self.erase_button = BigButton(role="key")
        self.erase_button.clicked.connect(self._erase)
        grid.addWidget(self.erase_button, 3, 0)
        self._add_key(grid, "0", 3, 1)
        self.ok_button = BigButton(role="primary")
        self.ok_button.setMinimumSize(140, 88)  # as large as the digit keys beside it
        self.ok_button.clicked.connect(self._submit)
        grid.addWidget(self.ok_button, 3, 2)
        self.cancel_button = BigButton()
        self.cancel_button.clicked.connect(self._cancel)
        grid.addWidget(self.cancel_button, 4, 0, 1, 3)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addLayout(grid)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(1)
        self.retranslate()
        ui.changed.connect(self.retranslate)

    def _add_key(self, grid: QGridLayout, digit: str, r: int, c: int) -> None:
        key = BigButton(digit, role="key")
        key.setProperty("speech_role", "key")  # said "1, key": the digit is its name
        key.clicked.connect(lambda _=False, d=digit: self._press(d))
        grid.addWidget(key, r, c)
        self.keys[digit] = key

    def _press(self, digit: str) -> None:
        if len(self._digits) < 12:
            self._digits += digit
            self.display.setText("●" * len(self._digits))

    def _erase(self) -> None:
        self._digits = self._digits[:-1]
        self.display.setText("●" * len(self._digits))

    def _submit(self) -> None:
        pin, self._digits = self._digits, ""
        self.display.setText("")
        self.submitted.emit(pin)

    def _cancel(self) -> None:
        self.reset()
        self.cancelled.emit()

    def reset(self) -> None:
        self._digits = ""
        self.display.setText("")
        self.message.setText("")

    def show_wrong(self, attempts_left: int) -> None:
        self.message.setText(self.ui.t(WRONG_PIN).format(n=attempts_left))

    def retranslate(self) -> None:
        t = self.ui.t
        self.heading.setText(t(ENTER_PIN))
        self.erase_button.set_label("⌫", t(ERASE))
        self.erase_button.setAccessibleName(t(ERASE))
        self.ok_button.set_label(t(OK))
        self.ok_button.setAccessibleName(t(OK_SPOKEN))
        self.cancel_button.set_label(t(CANCEL))


class TechnicianScreen(QWidget):
    back_requested = Signal()
    quit_requested = Signal()

    def __init__(
        self,
        ui: UiState,
        devices: list[Device],
        bridge: Bridge,
        kiosk_id: str,
        parent: QWidget | None = None,
        *,
        unsettled_payments: Callable[[], Future[list[JournalEntry]]] | None = None,
    ) -> None:
        """`unsettled_payments()` reads the journal away from the Qt thread."""
        super().__init__(parent)
        self.ui = ui
        self.kiosk_id = kiosk_id
        self.bridge = bridge
        self._unsettled = unsettled_payments
        #: None until the journal has answered: nothing is said about payments before then.
        self._payments: list[JournalEntry] | None = None
        self.setProperty("role", "screen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(48, 32, 48, 32)
        outer.setSpacing(16)
        head = QHBoxLayout()
        self.heading = QLabel()
        self.heading.setProperty("role", "h1")
        self.back_button = BigButton(role="primary")
        self.back_button.clicked.connect(self.back_requested.emit)
        self.quit_button = BigButton(role="danger")
        self.quit_button.clicked.connect(self.quit_requested.emit)
        head.addWidget(self.heading, 1)
        head.addWidget(self.back_button)
        head.addWidget(self.quit_button)
        outer.addLayout(head)
        second = QHBoxLayout()
        self.identity = QLabel()
        self.identity.setProperty("role", "lead")
        self.identity.setWordWrap(True)
        second.addWidget(self.identity, 1)
        self.language_label = QLabel()
        second.addWidget(self.language_label)
        self.language_buttons: dict[str, BigButton] = {}
        for code, name in LANGUAGE_NAMES.items():
            button = BigButton(name)
            button.setCheckable(True)
            button.setProperty("lang", code)
            button.clicked.connect(lambda _=False, c=code: self.choose_language(c))
            second.addWidget(button)
            self.language_buttons[code] = button
        outer.addLayout(second)

        scroll_host = QWidget()
        column = QVBoxLayout(scroll_host)
        column.setSpacing(20)
        column.addWidget(self._payments_card())
        self.panels: list[DevicePanel] = []
        for device in devices:
            panel = DevicePanel(ui, device, bridge, write_page=self._page_writer(devices))
            column.addWidget(panel)
            self.panels.append(panel)
        column.addStretch(1)
        self.scroller = QScrollArea()
        self.scroller.setWidgetResizable(True)
        self.scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroller.setWidget(scroll_host)
        outer.addWidget(self.scroller, 1)
        bridge.device_event.connect(self._on_event)
        self.retranslate()
        ui.changed.connect(self.retranslate)

    def _payments_card(self) -> QFrame:
        """The card payments a person must look at, one a line, or that all are settled."""
        card = QFrame()
        card.setProperty("role", "card")
        layout = QVBoxLayout(card)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.setSpacing(8)
        self.payments_heading = QLabel()
        self.payments_heading.setProperty("role", "h2")
        #: The summary: every payment settled, or how many are not.
        self.payments = QLabel()
        self.payments.setWordWrap(True)
        self.payments_help = QLabel()
        self.payments_help.setProperty("role", "muted")
        self.payments_help.setWordWrap(True)
        #: One line per unsettled payment, by the sale reference support's alert names.
        self.payment_rows = QLabel()
        self.payment_rows.setWordWrap(True)
        self.payment_rows.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        for widget in (self.payments_heading, self.payments, self.payments_help):
            layout.addWidget(widget)
        layout.addWidget(self.payment_rows)
        return card

    def choose_language(self, code: str) -> None:
        self.ui.set_language(code)
        # A second tap on the chosen language must not leave it looking unchosen.
        for other, button in self.language_buttons.items():
            button.setChecked(other == self.ui.language)

    def _page_writer(self, devices: Sequence[Device]) -> Callable[[Path], Path]:
        return lambda path: write_test_page(path, self.ui.t, self.kiosk_id, devices)

    def _on_event(self, event: DeviceEvent) -> None:
        for panel in self.panels:
            panel.on_event(event)

    def show_payments(self) -> None:
        """Read the journal again (when the screen is opened); shown once it has answered."""
        if self._unsettled is None:
            self._payments = []
            self.retranslate()
            return
        self._payments = None  # not what the journal said last time: it may have changed since
        self.retranslate()
        self.bridge.when_done(self._unsettled(), self._payments_read)

    def _payments_read(self, future: Future[list[JournalEntry]]) -> None:
        try:
            self._payments = future.result()
        except Exception:
            log.warning("the payment journal could not be read", exc_info=True)
            self._payments = None
        self.retranslate()

    def showEvent(self, event: QShowEvent) -> None:
        # Technician mode opens in the kiosk's default language.
        self.ui.set_language(self.ui.default_language)
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        # The technician's choice of language does not outlast technician mode.
        self.ui.set_language(self.ui.default_language)
        super().hideEvent(event)

    def retranslate(self) -> None:
        t = self.ui.t
        self.heading.setText(t(TECHNICIAN_MODE))
        self.identity.setText(t(KIOSK_ID).format(id=self.kiosk_id, version=__version__))
        self.back_button.set_label(t(BACK_TO_KIOSK))
        self.quit_button.set_label(t(QUIT_TO_DESKTOP))
        self.language_label.setText(t(LANGUAGE))
        for code, button in self.language_buttons.items():
            button.setChecked(code == self.ui.language)
            button.setAccessibleDescription(t(LANGUAGE))
        self.payments_heading.setText(t(PAYMENTS))
        payments = self._payments
        if payments is None:
            self.payments.setText("")
            self.payments.setProperty("role", "")
            self.payments_help.setText("")
            self.payment_rows.setText("")
        elif payments:
            n = len(payments)
            self.payments.setText("⚠ " + self.ui.nt(*UNSETTLED, n).format(n=n))
            self.payments.setProperty("role", "status-bad")
            self.payments_help.setText(t(UNSETTLED_HELP))
            rows = [self._payment_row(entry) for entry in payments[:PAYMENT_ROWS]]
            more = n - PAYMENT_ROWS
            if more > 0:
                rows.append(self.ui.nt(*MORE_PAYMENTS, more).format(n=more))
            self.payment_rows.setText("\n".join(rows))
        else:
            self.payments.setText("✓ " + t(ALL_SETTLED))
            self.payments.setProperty("role", "")
            self.payments_help.setText("")
            self.payment_rows.setText("")
        self.payments_help.setVisible(bool(payments))
        self.payment_rows.setVisible(bool(payments))
        self.payments.style().unpolish(self.payments)
        self.payments.style().polish(self.payments)

    def _payment_row(self, entry: JournalEntry) -> str:
        t = self.ui.t
        return t(PAYMENT_ROW).format(
            reference=entry.sale_reference,
            purpose=purpose_words(t, entry.purpose),
            amount=format_euros(entry.amount_cents, self.ui.language),
            state=payment_state_words(t, entry.state.value),
            started=_local_time(entry.created_at),
        )


def _local_time(stamp: str) -> str:
    """The journal's UTC time as the kiosk's clock shows it, to the minute."""
    try:
        when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    return when.astimezone().strftime("%Y-%m-%d %H:%M")
