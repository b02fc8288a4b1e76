"""The app's side of remote actions and its heartbeat: a screenshot only with no session (a
citizen's screen is never captured), self-tests of the devices, the test page on the printer,
and the heartbeat the agent reads — all through the store, as kiosk-agent sees them.

The app looks for actions every 2 seconds; these tests look at once (`RemoteControl.poll`),
and read the store off the Qt thread, as the agent does from its own process."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from kiosk.remote import software_version
from kiosk.store.fleet import CommandResult, Fleet
from kiosk.ui.remote import REFUSED_IN_SESSION, RemoteControl
from kiosk.ui.window import KioskWindow
from tests.ui.conftest import off_ui

T = TypeVar("T")


def fleet_read(read: Callable[[Fleet], T], window: KioskWindow) -> T:
    """`read(fleet)` off the Qt thread, which never reads the store."""
    writer = window.kiosk.writer
    assert writer is not None
    return off_ui(lambda: read(Fleet(writer.store)))


def remote(window: KioskWindow, qtbot: QtBot) -> RemoteControl:
    qtbot.waitUntil(lambda: window.remote is not None)
    assert window.remote is not None
    return window.remote


def ask(window: KioskWindow, action_id: str, kind: str, device_id: str | None = None) -> None:
    """What kiosk-agent does with an action from the hub's answer."""
    fleet_read(
        lambda fleet: fleet.add_command(
            action_id, kind, device_id=device_id, requested_by="support-anna"
        ),
        window,
    )


def outcome(window: KioskWindow, qtbot: QtBot, action_id: str) -> CommandResult:
    """Look for actions now, and wait until the action's outcome is in the store."""
    remote(window, qtbot).poll()
    found: dict[str, CommandResult] = {}

    def done() -> bool:
        for result in fleet_read(lambda fleet: fleet.finished_unreported(100), window):
            found[result.id] = result
        return action_id in found

    qtbot.waitUntil(done, timeout=30_000)
    return found[action_id]


def test_screenshot_without_a_session_is_a_png_of_the_screen(
    window: KioskWindow, qtbot: QtBot
) -> None:
    ask(window, "shot-1", "screenshot")
    result = outcome(window, qtbot, "shot-1")
    assert result.ok, result.message
    assert result.screenshot is not None and result.screenshot.startswith(b"\x89PNG")
    image = QImage.fromData(result.screenshot)
    assert (image.width(), image.height()) == (window.width(), window.height())


def test_screenshot_during_a_session_is_refused(window: KioskWindow, qtbot: QtBot) -> None:
    window.start_session("fi")
    ask(window, "shot-2", "screenshot")
    result = outcome(window, qtbot, "shot-2")
    assert (result.ok, result.message, result.screenshot) == (False, REFUSED_IN_SESSION, None)
    assert window.kiosk.session.current is not None  # the citizen was not disturbed


def test_an_action_is_performed_once(window: KioskWindow, qtbot: QtBot) -> None:
    ask(window, "shot-3", "screenshot")
    first = outcome(window, qtbot, "shot-3")
    control = remote(window, qtbot)
    control.poll()
    qtbot.waitUntil(lambda: not control.looking)
    results = fleet_read(lambda fleet: fleet.finished_unreported(100), window)
    assert [r.id for r in results].count("shot-3") == 1
    assert first.ok


def test_self_test_runs_each_devices_own_test(window: KioskWindow, qtbot: QtBot) -> None:
    ask(window, "test-1", "self-test")
    result = outcome(window, qtbot, "test-1")
    ids = {device.device_id for device in window.kiosk.devices_list()}
    assert result.results is not None and set(result.results) == ids
    assert result.ok == all(line == "ok" for line in result.results.values())
    ask(window, "test-2", "self-test", "no-such-device")
    assert outcome(window, qtbot, "test-2").message == "no device no-such-device"
    # The agent reports the last self-test in its heartbeat.
    writer = window.kiosk.writer
    assert writer is not None
    writer.flush()
    last = fleet_read(lambda fleet: fleet.last_self_test(), window)
    assert last is not None and last[1] == result.results


def test_test_page_is_printed(window: KioskWindow, qtbot: QtBot) -> None:
    ask(window, "page-1", "test-page")
    result = outcome(window, qtbot, "page-1")
    assert result.ok, result.message
    assert result.message.startswith("test page printed")
    assert (window.kiosk.config.data_dir / "test-page.pdf").read_bytes().startswith(b"%PDF")


def test_the_app_writes_its_heartbeat_with_the_session_state(
    window: KioskWindow, qtbot: QtBot
) -> None:
    control = remote(window, qtbot)
    control.poll()  # the first look, once the store is open, writes the first heartbeat
    writer = window.kiosk.writer
    assert writer is not None
    writer.flush()
    beat = fleet_read(lambda fleet: fleet.last_beat(), window)
    assert beat is not None
    assert (beat.version, beat.session_active) == (software_version(), False)
    window.start_session("en")
    control.beat()
    writer.flush()
    after = fleet_read(lambda fleet: fleet.last_beat(), window)
    assert after is not None and after.session_active is True and after.at >= beat.at
