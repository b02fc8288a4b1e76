"""In a real kiosk window, work that can block fails a test when it lands on the Qt thread.

The window marks the Qt thread at start-up; the PIN pad, the fault switches and the technician's
payment list do their blocking work on workers. Making one of them run its work inline again (a
regression) raises BlockingOnUiThread inside the window's slot, which fails the test.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.config import DEMO_PIN_HASH, verify_pin
from kiosk.devices.payment.nexo.simulator_switches import SimulatorSwitches
from kiosk.threads import BlockingOnUiThread, blocking
from kiosk.ui.window import KioskWindow
from tests.conftest import FakeClock
from tests.ui.test_technician import enter_pin, hold_corner, open_technician


def inline(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
    """What a regression would do: run the work at once, on the calling (Qt) thread."""
    done: Future[Any] = Future()
    done.set_result(fn(*args, **kwargs))
    return done


def test_a_pin_checked_on_the_qt_thread_of_a_window_raises(window: KioskWindow) -> None:
    with pytest.raises(BlockingOnUiThread, match="verify_pin"):
        verify_pin("1234", DEMO_PIN_HASH)


def test_the_pin_pad_checks_on_a_worker_and_opens_technician_mode(
    qtbot: QtBot, window: KioskWindow, clock: FakeClock
) -> None:
    hold_corner(qtbot, window, clock)
    enter_pin(qtbot, window, "1234")
    assert window.technician is not None
    assert window.stack.currentWidget() is window.technician


def test_a_pin_pad_that_checked_inline_would_fail_its_test(
    qtbot: QtBot, window: KioskWindow, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = window.kiosk.engine
    assert engine is not None
    monkeypatch.setattr(engine, "run_blocking", inline)
    hold_corner(qtbot, window, clock)
    for digit in "1234":
        qtbot.mouseClick(window.pin_pad.keys[digit], Qt.MouseButton.LeftButton)
    with qtbot.captureExceptions() as raised:
        qtbot.mouseClick(window.pin_pad.ok_button, Qt.MouseButton.LeftButton)
    assert [type(error) for _, error, _ in raised] == [BlockingOnUiThread]
    assert window.technician is None


def test_the_terminal_simulators_switch_is_http_and_not_for_the_qt_thread(
    window: KioskWindow,
) -> None:
    switches = SimulatorSwitches("http://127.0.0.1:9/control")
    with pytest.raises(BlockingOnUiThread, match=r"SimulatorSwitches\.set"):
        switches.set("decline", True)
    with pytest.raises(BlockingOnUiThread, match=r"SimulatorSwitches\.refresh"):
        switches.refresh()


def test_a_fault_switch_that_blocks_runs_on_the_devices_own_thread(
    qtbot: QtBot, window: KioskWindow, clock: FakeClock
) -> None:
    from kiosk.devices.status import DeviceClass

    tech = open_technician(qtbot, window, clock)
    panel = next(p for p in tech.panels if p.device.device_class is DeviceClass.PAYMENT)
    ran_on: list[str] = []

    @blocking
    def switch_over_http(name: str, on: bool) -> None:
        ran_on.append(threading.current_thread().name)

    panel.device.set_fault = switch_over_http  # type: ignore[method-assign]
    qtbot.mouseClick(panel.fault_buttons["decline"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(ran_on))
    assert ran_on == [f"device-{panel.device.device_id}"]


def test_the_unsettled_payments_are_read_off_the_qt_thread(
    qtbot: QtBot, window: KioskWindow, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kiosk.ui.screens.technician import ALL_SETTLED

    @blocking
    def read_journal() -> list[Any]:
        return []

    monkeypatch.setattr(window.kiosk, "unsettled_payments", read_journal)
    tech = open_technician(qtbot, window, clock)
    qtbot.waitUntil(lambda: window.ui.t(ALL_SETTLED) in tech.payments.text())
