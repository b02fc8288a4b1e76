"""Technician mode: the hidden corner gesture, the PIN and its lock-out, devices and faults."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from kiosk.devices.status import DeviceClass, DeviceState
from kiosk.ui.screens.technician import ALL_SETTLED, SWITCH_FAILED, UNSETTLED
from kiosk.ui.window import KioskWindow


def hold_corner(qtbot: QtBot, window: KioskWindow) -> None:
    corner = window.corner_point()
    qtbot.mousePress(window.attract, Qt.MouseButton.LeftButton, pos=corner)
    # The configured hold is 2 s in the tests; the gesture fires on a real timer.
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.pin_pad, timeout=5000)
    qtbot.mouseRelease(window.attract, Qt.MouseButton.LeftButton, pos=corner)


def enter_pin(qtbot: QtBot, window: KioskWindow, pin: str) -> None:
    for digit in pin:
        qtbot.mouseClick(window.pin_pad.keys[digit], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.pin_pad.ok_button, Qt.MouseButton.LeftButton)


def test_short_press_in_corner_starts_a_session_not_technician_mode(
    qtbot: QtBot, window: KioskWindow
) -> None:
    qtbot.mouseClick(window.attract, Qt.MouseButton.LeftButton, pos=window.corner_point())
    assert window.kiosk.session.current is not None
    assert window.stack.currentWidget() is window.frame


def test_hold_corner_and_pin_open_technician_screen(qtbot: QtBot, window: KioskWindow) -> None:
    hold_corner(qtbot, window)
    # Releasing the hold did not start a session underneath.
    assert window.kiosk.session.current is None
    enter_pin(qtbot, window, "1234")
    tech = window.technician
    assert tech is not None and window.stack.currentWidget() is tech
    assert "demo-kiosk" in tech.identity.text()
    classes = {panel.device.device_class for panel in tech.panels}
    assert classes == set(DeviceClass)


def test_fault_switch_trips_the_simulator_and_the_screen_says_so(
    qtbot: QtBot, window: KioskWindow
) -> None:
    hold_corner(qtbot, window)
    enter_pin(qtbot, window, "1234")
    tech = window.technician
    assert tech is not None
    panel = next(p for p in tech.panels if p.device.device_class is DeviceClass.PRINTER)
    qtbot.waitUntil(lambda: panel.device.health().state is DeviceState.ONLINE)
    qtbot.mouseClick(panel.fault_buttons["paper_out"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "media-empty" in panel.error.text())
    assert panel.device.health().state is DeviceState.USER_ERROR
    assert "library staff" in panel.state.text() or "kirjaston" in panel.state.text()

    qtbot.mouseClick(panel.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.test_button.isEnabled() and panel.test_result.text() != "")
    assert "paper: out" in panel.test_result.text()

    qtbot.mouseClick(panel.fault_buttons["paper_out"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.device.health().state is DeviceState.ONLINE)


def test_three_wrong_pins_lock_the_gesture(qtbot: QtBot, window: KioskWindow) -> None:
    hold_corner(qtbot, window)
    enter_pin(qtbot, window, "0000")
    assert "2" in window.pin_pad.message.text()
    enter_pin(qtbot, window, "1111")
    enter_pin(qtbot, window, "2222")
    assert window.stack.currentWidget() is window.attract
    assert window.gesture_locked
    qtbot.mousePress(window.attract, Qt.MouseButton.LeftButton, pos=window.corner_point())
    qtbot.wait(2600)
    qtbot.mouseRelease(window.attract, Qt.MouseButton.LeftButton, pos=window.corner_point())
    assert window.stack.currentWidget() is not window.pin_pad
    assert window.technician is None


def test_gesture_during_a_session_ends_it_first(qtbot: QtBot, window: KioskWindow) -> None:
    qtbot.mouseClick(window.attract.language_buttons["en"], Qt.MouseButton.LeftButton)
    assert window.frame is not None
    qtbot.mousePress(window.frame, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.pin_pad, timeout=5000)
    assert window.kiosk.session.current is None


def test_unsettled_payments_are_listed_by_reference(qtbot: QtBot, window: KioskWindow) -> None:
    from kiosk.payments.journal import PaymentState

    ledger = window.kiosk.ledger
    assert ledger is not None
    hold_corner(qtbot, window)
    enter_pin(qtbot, window, "1234")
    tech = window.technician
    assert tech is not None
    assert window.ui.t(ALL_SETTLED) in tech.payments.text()

    window.show_attract()
    ledger.journal.open_intent("demo-kiosk-x1", session_id=None, purpose="print", amount_cents=40)
    ledger.journal.move("demo-kiosk-x1", PaymentState.UNKNOWN)
    window.open_technician()
    assert window.ui.t(UNSETTLED).split(":")[0] + ": 1" in tech.payments.text()
    assert "demo-kiosk-x1 (unknown)" in tech.payments.text()
    assert tech.payments.text().startswith("⚠")


def test_a_switch_the_device_refuses_is_said_not_raised(qtbot: QtBot, window: KioskWindow) -> None:
    hold_corner(qtbot, window)
    enter_pin(qtbot, window, "1234")
    tech = window.technician
    assert tech is not None
    panel = next(p for p in tech.panels if p.device.device_class is DeviceClass.PAYMENT)

    def refuse(name: str, on: bool) -> None:
        raise ConnectionError("the terminal simulator did not answer")

    panel.device.set_fault = refuse  # type: ignore[method-assign]
    qtbot.mouseClick(panel.fault_buttons["decline"], Qt.MouseButton.LeftButton)
    assert window.ui.t(SWITCH_FAILED).format(error="the terminal simulator did not answer") == (
        panel.test_result.text()
    )
    assert not panel.fault_buttons["decline"].isChecked()
