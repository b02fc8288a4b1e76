"""Technician mode: a PIN pad behind the hidden gesture, then each device's state and tests.

The technician sees every device's state, detail and last error, runs a self-test per device,
trips the simulators' faults, reads the kiosk id and software version, and may quit to the
desktop. Technician text is translated like the rest, so a Swedish-speaking technician can use
it too; it follows the kiosk's default language.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future

from PySide6.QtCore import Qt, Signal
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
from kiosk.devices.status import DeviceEvent, DeviceHealth, SelfTestResult, StatusChanged
from kiosk.i18n import N_
from kiosk.payments.journal import JournalEntry
from kiosk.ui.bridge import Bridge
from kiosk.ui.state import UiState
from kiosk.ui.widgets.buttons import BigButton

log = logging.getLogger(__name__)

ENTER_PIN = N_("Technician PIN")
WRONG_PIN = N_("Wrong PIN. Attempts left: {n}")
OK = N_("OK")
ERASE = N_("Erase")
CANCEL = N_("Cancel")
TECHNICIAN_MODE = N_("Technician mode")
KIOSK_ID = N_("Kiosk {id}, software version {version}")
SELF_TEST = N_("Self-test")
TESTING = N_("Testing…")
TEST_PASSED = N_("Self-test passed")
TEST_FAILED = N_("Self-test failed")
BACK_TO_KIOSK = N_("Back to the kiosk")
QUIT_TO_DESKTOP = N_("Quit to desktop")
STATE = N_("State: {state}")
ATTENTION = N_("Needs: {attention}")
LAST_ERROR = N_("Last error: {error}")
UNSETTLED = N_(
    "Payments not settled: {n}. Support has an alert for each; they are settled by themselves "
    "when the card terminal answers again. Sales: {sales}"
)
ALL_SETTLED = N_("Every card payment is settled.")
SWITCH_FAILED = N_("The switch could not be set: {error}")
NO_ERROR = N_("No errors")
FAULTS = N_("Simulator faults:")

DEVICE_NAMES = {
    "printer": N_("Printer"),
    "cardreader": N_("Card reader"),
    "camera": N_("Camera"),
    "payment": N_("Payment terminal"),
}
STATE_NAMES = {
    "online": N_("online"),
    "offline": N_("offline"),
    "no_device": N_("no device"),
    "hardware_error": N_("hardware error"),
    "user_error": N_("needs attention"),
    "busy": N_("busy"),
}
ATTENTION_NAMES = {
    "none": N_("nothing"),
    "clear": N_("library staff"),
    "maintenance": N_("a technician"),
    "suspend": N_("nothing, it recovers by itself"),
}


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
        self.cancel_button.set_label(t(CANCEL))


class DevicePanel(QFrame):
    """One device: its state in words, detail, last error, self-test and fault switches."""

    def __init__(
        self, ui: UiState, device: Device, bridge: Bridge, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ui = ui
        self.device = device
        self.bridge = bridge
        self.setProperty("role", "card")
        self._test_text = ""
        self._steps = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.setSpacing(8)
        self.name = QLabel()
        self.name.setProperty("role", "h2")
        self.state = QLabel()
        self.state.setWordWrap(True)
        self.detail = QLabel()
        self.detail.setProperty("role", "muted")
        self.detail.setWordWrap(True)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.test_result = QLabel()
        self.test_result.setWordWrap(True)
        for widget in (self.name, self.state, self.detail, self.error):
            layout.addWidget(widget)
        buttons = QHBoxLayout()
        self.test_button = BigButton()
        self.test_button.clicked.connect(self.run_self_test)
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.test_result, 1)
        layout.addLayout(buttons)
        self.faults_label = QLabel()
        self.fault_buttons: dict[str, BigButton] = {}
        switches = device.fault_switches()
        if switches:
            layout.addWidget(self.faults_label)
            grid = QGridLayout()
            grid.setSpacing(8)
            for index, switch in enumerate(switches):
                button = BigButton()
                button.setCheckable(True)
                button.setChecked(switch.name in device.faults())
                button.toggled.connect(lambda on, name=switch.name: self._set_fault(name, on))
                grid.addWidget(button, index // 3, index % 3)
                self.fault_buttons[switch.name] = button
            layout.addLayout(grid)
        layout.addStretch(1)
        self.retranslate()
        ui.changed.connect(self.retranslate)

    def _set_fault(self, name: str, on: bool) -> None:
        log.info(
            "technician switched a fault",
            extra={"device_id": self.device.device_id, "code": name, "state": str(on)},
        )
        try:
            self.device.set_fault(name, on)
        except Exception as exc:  # the terminal simulator is not running, say
            log.warning("a fault switch failed", extra={"device_id": self.device.device_id})
            self.test_result.setText(self.ui.t(SWITCH_FAILED).format(error=exc))
        # Show what the device really has now (one mode at a time on the terminal simulator).
        self.show_health(self.device.health())

    def run_self_test(self) -> None:
        self.test_button.setEnabled(False)
        self._test_text = TESTING
        self.retranslate()
        future: Future[SelfTestResult] = self.device.self_test()
        self.bridge.when_done(future, self._on_test_done)

    def _on_test_done(self, future: Future[SelfTestResult]) -> None:
        self.test_button.setEnabled(True)
        try:
            result = future.result()
        except Exception as exc:
            self._test_text = TEST_FAILED
            self._steps = type(exc).__name__
        else:
            self._test_text = TEST_PASSED if result.passed else TEST_FAILED
            self._steps = "; ".join(result.steps)
        self.retranslate()

    def on_event(self, event: DeviceEvent) -> None:
        if event.device_id == self.device.device_id and isinstance(event, StatusChanged):
            self.show_health(event.health)

    def show_health(self, health: DeviceHealth) -> None:
        t = self.ui.t
        state = t(STATE_NAMES.get(health.state.value, health.state.value))
        # The state is spelled out and marked with a symbol, never shown by colour alone.
        mark = "✓" if health.state.usable else "⚠"
        self.state.setText(
            f"{mark} {t(STATE).format(state=state)} · "
            + t(ATTENTION).format(attention=t(ATTENTION_NAMES[health.attention]))
        )
        self.state.setProperty("role", "" if health.state.usable else "status-bad")
        self.state.style().unpolish(self.state)
        self.state.style().polish(self.state)
        detail = ", ".join(f"{k}: {v}" for k, v in sorted(health.detail.items()))
        self.detail.setText(f"{health.backend} · {detail}" if detail else health.backend)
        self.error.setText(
            t(LAST_ERROR).format(error=health.last_error) if health.last_error else t(NO_ERROR)
        )
        for name, button in self.fault_buttons.items():
            button.blockSignals(True)
            button.setChecked(name in self.device.faults())
            button.blockSignals(False)

    def retranslate(self) -> None:
        t = self.ui.t
        self.name.setText(t(DEVICE_NAMES[self.device.device_class.value]))
        self.test_button.set_label(t(SELF_TEST))
        self.test_button.setAccessibleName(
            f"{t(SELF_TEST)}: {t(DEVICE_NAMES[self.device.device_class.value])}"
        )
        text = t(self._test_text) if self._test_text else ""
        steps = self._steps if self._test_text != TESTING else ""
        self.test_result.setText(f"{text} ({steps})" if text and steps else text)
        self.faults_label.setText(t(FAULTS))
        for switch in self.device.fault_switches():
            self.fault_buttons[switch.name].set_label(t(switch.label))
        self.show_health(self.device.health())


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
        unsettled_payments: Callable[[], list[JournalEntry]] | None = None,
    ) -> None:
        super().__init__(parent)
        self.ui = ui
        self.kiosk_id = kiosk_id
        self._unsettled = unsettled_payments or (lambda: [])
        self._payments: list[JournalEntry] = []
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
        self.identity = QLabel()
        self.identity.setProperty("role", "lead")
        outer.addWidget(self.identity)
        #: Payments the journal could not settle: what support sees as alerts, by reference.
        self.payments = QLabel()
        self.payments.setWordWrap(True)
        outer.addWidget(self.payments)
        grid_host = QWidget()
        grid = QGridLayout(grid_host)
        grid.setSpacing(20)
        self.panels: list[DevicePanel] = []
        for index, device in enumerate(devices):
            panel = DevicePanel(ui, device, bridge)
            grid.addWidget(panel, index // 2, index % 2)
            self.panels.append(panel)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(grid_host)
        outer.addWidget(scroll, 1)
        bridge.device_event.connect(self._on_event)
        self.retranslate()
        ui.changed.connect(self.retranslate)

    def _on_event(self, event: DeviceEvent) -> None:
        for panel in self.panels:
            panel.on_event(event)

    def show_payments(self) -> None:
        """Read the journal again (when the screen is opened)."""
        self._payments = self._unsettled()
        self.retranslate()

    def retranslate(self) -> None:
        t = self.ui.t
        self.heading.setText(t(TECHNICIAN_MODE))
        self.identity.setText(t(KIOSK_ID).format(id=self.kiosk_id, version=__version__))
        self.back_button.set_label(t(BACK_TO_KIOSK))
        self.quit_button.set_label(t(QUIT_TO_DESKTOP))
        if self._payments:
            listed = ", ".join(f"{e.sale_reference} ({e.state.value})" for e in self._payments[:5])
            more = len(self._payments) - 5
            text = t(UNSETTLED).format(n=len(self._payments), sales=listed)
            self.payments.setText("⚠ " + text + (f" (+{more})" if more > 0 else ""))
            self.payments.setProperty("role", "status-bad")
        else:
            self.payments.setText("✓ " + t(ALL_SETTLED))
            self.payments.setProperty("role", "")
        self.payments.style().unpolish(self.payments)
        self.payments.style().polish(self.payments)
