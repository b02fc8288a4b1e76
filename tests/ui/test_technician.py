"""Technician mode: the hidden corner gesture, the PIN and its lock-out, devices and faults."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QPushButton, QStyle, QStyleOptionButton
from pytestqt.qtbot import QtBot

from kiosk.devices.status import DeviceClass, DeviceState, PrintJobCompleted
from kiosk.ui.screens.technician import ALL_SETTLED, SWITCH_FAILED, TechnicianScreen
from kiosk.ui.window import KioskWindow
from tests.conftest import FakeClock

#: [technician] hold_seconds in the tests' config.
HOLD_SECONDS = 2


def hold_corner(qtbot: QtBot, window: KioskWindow, clock: FakeClock) -> None:
    corner = window.gate.corner_point()
    qtbot.mousePress(window.attract, Qt.MouseButton.LeftButton, pos=corner)
    # The hold is measured on the kiosk's clock: moved on, not waited for.
    clock.advance(HOLD_SECONDS)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.pin_pad)
    qtbot.mouseRelease(window.attract, Qt.MouseButton.LeftButton, pos=corner)


def enter_pin(qtbot: QtBot, window: KioskWindow, pin: str) -> None:
    """Type `pin` and press OK; returns once the PIN has been checked (on a worker)."""
    for digit in pin:
        qtbot.mouseClick(window.pin_pad.keys[digit], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.pin_pad.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.gate.checking)


def open_technician(qtbot: QtBot, window: KioskWindow, clock: FakeClock) -> TechnicianScreen:
    hold_corner(qtbot, window, clock)
    enter_pin(qtbot, window, "1234")
    tech = window.technician
    assert tech is not None and window.stack.currentWidget() is tech
    return tech


def test_short_press_in_corner_starts_a_session_not_technician_mode(
    qtbot: QtBot, window: KioskWindow
) -> None:
    qtbot.mouseClick(window.attract, Qt.MouseButton.LeftButton, pos=window.gate.corner_point())
    assert window.kiosk.session.current is not None
    assert window.stack.currentWidget() is window.frame


def test_hold_corner_and_pin_open_technician_screen(
    qtbot: QtBot, window: KioskWindow, clock: FakeClock
) -> None:
    hold_corner(qtbot, window, clock)
    # Releasing the hold did not start a session underneath.
    assert window.kiosk.session.current is None
    enter_pin(qtbot, window, "1234")
    tech = window.technician
    assert tech is not None and window.stack.currentWidget() is tech
    assert "demo-kiosk" in tech.identity.text()
    classes = {panel.device.device_class for panel in tech.panels}
    assert classes == set(DeviceClass)


def test_a_hold_shorter_than_configured_does_not_open_the_pin_pad(
    qtbot: QtBot, window: KioskWindow, clock: FakeClock
) -> None:
    corner = window.gate.corner_point()
    qtbot.mousePress(window.attract, Qt.MouseButton.LeftButton, pos=corner)
    clock.advance(HOLD_SECONDS - 0.5)
    window.gate.check_hold()
    assert window.stack.currentWidget() is window.attract
    qtbot.mouseRelease(window.attract, Qt.MouseButton.LeftButton, pos=corner)
    clock.advance(1)
    window.gate.check_hold()
    assert window.stack.currentWidget() is not window.pin_pad


def test_fault_switch_trips_the_simulator_and_the_screen_says_so(
    qtbot: QtBot, window: KioskWindow, clock: FakeClock
) -> None:
    tech = open_technician(qtbot, window, clock)
    panel = next(p for p in tech.panels if p.device.device_class is DeviceClass.PRINTER)
    qtbot.waitUntil(lambda: panel.device.health().state is DeviceState.ONLINE)
    qtbot.mouseClick(panel.fault_buttons["paper_out"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "media-empty" in panel.error.text())
    assert panel.device.health().state is DeviceState.USER_ERROR
    assert "library staff" in panel.state.text() or "kirjaston" in panel.state.text()

    qtbot.mouseClick(panel.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.test_button.isEnabled() and panel.test_result.text() != "")
    # The steps in words, in the kiosk's default language, Finnish.
    assert panel.test_result.text() == (
        "Itsetestaus epäonnistui (yhteys: toimii; paperia: loppu; väriainetta: riittävästi)"
    )

    qtbot.mouseClick(panel.fault_buttons["paper_out"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.device.health().state is DeviceState.ONLINE)


def test_three_wrong_pins_lock_the_gesture_for_the_lockout(
    qtbot: QtBot, window: KioskWindow, clock: FakeClock
) -> None:
    hold_corner(qtbot, window, clock)
    enter_pin(qtbot, window, "0000")
    assert "2" in window.pin_pad.message.text()
    enter_pin(qtbot, window, "1111")
    enter_pin(qtbot, window, "2222")
    assert window.stack.currentWidget() is window.attract
    assert window.gate.locked
    corner = window.gate.corner_point()
    qtbot.mousePress(window.attract, Qt.MouseButton.LeftButton, pos=corner)
    clock.advance(HOLD_SECONDS + 0.5)
    window.gate.check_hold()
    qtbot.mouseRelease(window.attract, Qt.MouseButton.LeftButton, pos=corner)
    assert window.stack.currentWidget() is not window.pin_pad
    assert window.technician is None

    # [technician] lockout_seconds (60 by default) later the gesture answers again.
    clock.advance(window.kiosk.config.technician.lockout_seconds)
    assert not window.gate.locked
    hold_corner(qtbot, window, clock)
    enter_pin(qtbot, window, "1234")
    assert window.stack.currentWidget() is window.technician


def test_gesture_during_a_session_ends_it_first(
    qtbot: QtBot, window: KioskWindow, clock: FakeClock
) -> None:
    qtbot.mouseClick(window.attract.language_buttons["en"], Qt.MouseButton.LeftButton)
    assert window.frame is not None
    qtbot.mousePress(window.frame, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    clock.advance(HOLD_SECONDS)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.pin_pad)
    assert window.kiosk.session.current is None


def test_unsettled_payments_are_listed_by_reference(
    qtbot: QtBot, window: KioskWindow, clock: FakeClock
) -> None:
    from kiosk.payments.journal import PaymentState

    ledger = window.kiosk.ledger
    engine = window.kiosk.engine
    assert ledger is not None and engine is not None
    tech = open_technician(qtbot, window, clock)
    qtbot.waitUntil(lambda: window.ui.t(ALL_SETTLED) in tech.payments.text())
    assert not tech.payment_rows.isVisible()

    window.show_attract()

    def leave_one_unknown() -> None:
        ledger.journal.open_intent(
            "demo-kiosk-x1", session_id=None, purpose="print", amount_cents=40
        )
        ledger.journal.move("demo-kiosk-x1", PaymentState.UNKNOWN)

    # The journal's durable writes are kept off the Qt thread, in tests too.
    engine.run_blocking(leave_one_unknown).result(timeout=10)
    window.open_technician()
    qtbot.mouseClick(tech.language_buttons["en"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tech.payments.text() == "⚠ 1 card payment is not settled.")
    [row] = tech.payment_rows.text().splitlines()
    assert row.startswith("demo-kiosk-x1 · printing · €0.40 · outcome not known · started ")
    assert tech.payment_rows.isVisible()
    qtbot.mouseClick(tech.language_buttons["fi"], Qt.MouseButton.LeftButton)
    assert tech.payments.text() == "⚠ 1 korttimaksu on selvittämättä."
    assert "tulostus · 0,40\N{NO-BREAK SPACE}€ · lopputulos ei tiedossa" in tech.payment_rows.text()


def test_a_switch_the_device_refuses_is_said_not_raised(
    qtbot: QtBot, window: KioskWindow, clock: FakeClock
) -> None:
    tech = open_technician(qtbot, window, clock)
    panel = next(p for p in tech.panels if p.device.device_class is DeviceClass.PAYMENT)

    def refuse(name: str, on: bool) -> None:
        raise ConnectionError("the terminal simulator did not answer")

    panel.device.set_fault = refuse  # type: ignore[method-assign]
    qtbot.mouseClick(panel.fault_buttons["decline"], Qt.MouseButton.LeftButton)
    said = window.ui.t(SWITCH_FAILED).format(error="the terminal simulator did not answer")
    qtbot.waitUntil(lambda: panel.test_result.text() == said)
    assert not panel.fault_buttons["decline"].isChecked()


# ---- the technician's language, plain words, the test page, nothing clipped ------------------


def test_technician_mode_speaks_fi_sv_and_en_and_opens_in_the_default(
    qtbot: QtBot, window: KioskWindow, clock: FakeClock
) -> None:
    ui = window.ui
    tech = open_technician(qtbot, window, clock)
    assert ui.language == ui.default_language == "fi"
    assert (tech.heading.text(), tech.panels[0].name.text()) == ("Huoltotila", "Tulostin")
    assert tech.language_buttons["fi"].isChecked()

    qtbot.mouseClick(tech.language_buttons["sv"], Qt.MouseButton.LeftButton)
    assert (tech.heading.text(), tech.panels[0].name.text()) == ("Tekniskt läge", "Skrivare")
    assert tech.language_buttons["sv"].isChecked() and not tech.language_buttons["fi"].isChecked()
    qtbot.mouseClick(tech.language_buttons["en"], Qt.MouseButton.LeftButton)
    assert (tech.heading.text(), tech.panels[0].name.text()) == ("Technician mode", "Printer")
    assert tech.panels[0].test_button.text() == "Self-test"

    # The choice lasts for technician mode only: the kiosk and the next visit are in the default.
    qtbot.mouseClick(tech.back_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.attract
    assert ui.language == "fi"
    window.open_technician()
    assert tech.heading.text() == "Huoltotila"


RAW = re.compile(r"\b(fps|login|media|logged_in|logged_out|not_present|no_device|user_error)\b")


def test_every_devices_state_and_detail_are_in_plain_words(
    qtbot: QtBot, window: KioskWindow, clock: FakeClock
) -> None:
    tech = open_technician(qtbot, window, clock)
    qtbot.mouseClick(tech.language_buttons["en"], Qt.MouseButton.LeftButton)
    panels = {panel.device.device_class: panel for panel in tech.panels}
    devices = [panel.device for panel in panels.values()]
    qtbot.waitUntil(lambda: all(d.health().state is DeviceState.ONLINE for d in devices))
    for panel in panels.values():
        panel.show_health(panel.device.health())
        for label in (panel.state, panel.detail, panel.error):
            assert not RAW.search(label.text()), label.text()
        assert panel.state.text() == "✓ State: working · nothing to do"
        assert panel.error.text() == "No errors"
    assert panels[DeviceClass.PRINTER].detail.text() == (
        "simulated device · paper: enough, toner: enough"
    )
    assert panels[DeviceClass.CARD_READER].detail.text().endswith("no card in the reader")
    assert panels[DeviceClass.PAYMENT].detail.text().endswith("logged in")
    camera = panels[DeviceClass.CAMERA]
    assert camera.detail.text().startswith("simulated device · not filming now")
    camera.device.start_stream()  # type: ignore[attr-defined]
    try:
        qtbot.waitUntil(lambda: "pictures a second" in camera.detail.text(), timeout=10_000)
    finally:
        camera.device.stop_stream()  # type: ignore[attr-defined]

    qtbot.mouseClick(camera.fault_buttons["unplugged"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "camera-not-found" in camera.error.text())
    assert camera.state.text() == "⚠ State: not connected · a technician must fix this"
    assert camera.error.text() == "Last error: No camera is connected. (camera-not-found)"
    qtbot.mouseClick(tech.language_buttons["sv"], Qt.MouseButton.LeftButton)
    assert camera.state.text() == "⚠ Status: inte ansluten · kräver service"
    qtbot.mouseClick(camera.fault_buttons["unplugged"], Qt.MouseButton.LeftButton)


def test_print_a_test_page_and_follow_it_to_the_end(
    qtbot: QtBot, window: KioskWindow, clock: FakeClock
) -> None:
    tech = open_technician(qtbot, window, clock)
    qtbot.mouseClick(tech.language_buttons["en"], Qt.MouseButton.LeftButton)
    panel = next(p for p in tech.panels if p.device.device_class is DeviceClass.PRINTER)
    button = panel.test_page_button
    assert button is not None and button.text() == "Print a test page"
    printed: list[PrintJobCompleted] = []
    unsubscribe = panel.device.events.subscribe(
        lambda event: printed.append(event) if isinstance(event, PrintJobCompleted) else None
    )
    try:
        # Out of paper: the page waits for the printer, and prints once paper is back.
        qtbot.mouseClick(panel.fault_buttons["paper_out"], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: panel.device.health().state is DeviceState.USER_ERROR)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert not button.isEnabled()
        qtbot.waitUntil(lambda: "waiting for the printer" in panel.page_result.text())
        assert panel.page_result.isVisible()
        qtbot.mouseClick(panel.fault_buttons["paper_out"], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: panel.page_result.text() == "✓ The test page was printed.")
        assert button.isEnabled()
        assert [event.pages for event in printed] == [1]
    finally:
        unsubscribe()


def test_the_test_page_is_one_a4_page_in_the_technicians_language(
    qtbot: QtBot, window: KioskWindow, tmp_path: Path
) -> None:
    from pypdf import PdfReader

    from kiosk.ui.screens.technician_test_page import write_test_page

    window.ui.set_language("sv")
    path = write_test_page(
        tmp_path / "t.pdf", window.ui.t, "demo-kiosk", window.kiosk.devices_list()
    )
    [page] = PdfReader(path).pages
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    text = " ".join(page.extract_text().split())
    assert "Testsida" in text and "demo-kiosk" in text and "Skrivare: fungerar" in text


def clipped(button: QPushButton) -> bool:
    """True when the button's text is wider than the room its style leaves for it."""
    option = QStyleOptionButton()
    button.initStyleOption(option)
    room = button.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, button)
    return button.fontMetrics().horizontalAdvance(button.text()) > room.width()


def test_no_button_is_clipped_in_any_language_or_in_large_text(
    qtbot: QtBot, window: KioskWindow, clock: FakeClock
) -> None:
    tech = open_technician(qtbot, window, clock)
    buttons = tech.findChildren(QPushButton)
    assert len(buttons) > 20
    seen: dict[str, list[str]] = {}
    for large in (False, True):
        window.ui.set_large_text(large)
        for language in ("fi", "sv", "en"):
            qtbot.mouseClick(tech.language_buttons[language], Qt.MouseButton.LeftButton)
            QApplication.processEvents()
            cut = [b.text() for b in buttons if b.text() and clipped(b)]
            seen[f"{language}{' large' if large else ''}"] = cut
    assert seen == {key: [] for key in seen}
