"""In a real kiosk window, work that can block fails a test when it lands on the Qt thread.

The window marks the Qt thread at start-up; the PIN pad, the fault switches and the technician's
payment list do their blocking work on workers. Making one of them run its work inline again (a
regression) raises BlockingOnUiThread inside the window's slot, which fails the test.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.config import DEMO_PIN_HASH, verify_pin
from kiosk.devices.payment.nexo.simulator_switches import SimulatorSwitches
from kiosk.threads import BlockingOnUiThread
from kiosk.ui.window import KioskWindow
from tests.conftest import FakeClock
from tests.ui.test_technician import enter_pin, hold_corner


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
