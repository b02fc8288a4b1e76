"""The app's side of remote actions and its heartbeat: a screenshot only with no session (a
citizen's screen is never captured), self-tests of the devices, the test page on the printer,
and the heartbeat the agent reads — all through the store, as kiosk-agent sees them."""

from __future__ import annotations

from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from kiosk.remote import software_version
from kiosk.store.fleet import CommandResult, Fleet
from kiosk.ui.remote import REFUSED_IN_SESSION, RemoteControl
from kiosk.ui.window import KioskWindow


def remote(window: KioskWindow, qtbot: QtBot) -> RemoteControl:
    qtbot.waitUntil(lambda: window.remote is not None)
    assert window.remote is not None
    return window.remote


def fleet(window: KioskWindow) -> Fleet:
    writer = window.kiosk.writer
    assert writer is not None
    return Fleet(writer.store)


def ask(window: KioskWindow, action_id: str, kind: str, device_id: str | None = None) -> None:
    """What kiosk-agent does with an action from the hub's answer."""
    fleet(window).add_command(action_id, kind, device_id=device_id, requested_by="support-anna")


def outcome(window: KioskWindow, qtbot: QtBot, action_id: str) -> CommandResult:
    """Let the app's timers run until the action's outcome is in the store."""
    found: dict[str, CommandResult] = {}

    def done() -> bool:
        for result in fleet(window).finished_unreported(100):
            found[result.id] = result
        return action_id in found

    qtbot.waitUntil(done, timeout=30_000)
    return found[action_id]


def test_screenshot_without_a_session_is_a_png_of_the_screen(
    window: KioskWindow, qtbot: QtBot
) -> None:
    remote(window, qtbot)
    ask(window, "shot-1", "screenshot")
    result = outcome(window, qtbot, "shot-1")
    assert result.ok, result.message
    assert result.screenshot is not None and result.screenshot.startswith(b"\x89PNG")
    image = QImage.fromData(result.screenshot)
    assert (image.width(), image.height()) == (window.width(), window.height())


def test_screenshot_during_a_session_is_refused(window: KioskWindow, qtbot: QtBot) -> None:
    remote(window, qtbot)
    window.start_session("fi")
    ask(window, "shot-2", "screenshot")
    result = outcome(window, qtbot, "shot-2")
    assert (result.ok, result.message, result.screenshot) == (False, REFUSED_IN_SESSION, None)
    assert window.kiosk.session.current is not None  # the citizen was not disturbed


def test_self_test_runs_each_devices_own_test(window: KioskWindow, qtbot: QtBot) -> None:
    remote(window, qtbot)
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
    last = fleet(window).last_self_test()
    assert last is not None and last[1] == result.results


def test_test_page_is_printed(window: KioskWindow, qtbot: QtBot) -> None:
    remote(window, qtbot)
    ask(window, "page-1", "test-page")
    result = outcome(window, qtbot, "page-1")
    assert result.ok, result.message
    assert result.message.startswith("test page printed")
    assert (window.kiosk.config.data_dir / "test-page.pdf").read_bytes().startswith(b"%PDF")


def test_the_app_writes_its_heartbeat_with_the_session_state(
    window: KioskWindow, qtbot: QtBot
) -> None:
    control = remote(window, qtbot)
    qtbot.waitUntil(lambda: fleet(window).last_beat() is not None, timeout=10_000)
    beat = fleet(window).last_beat()
    assert beat is not None
    assert (beat.version, beat.session_active) == (software_version(), False)
    window.start_session("en")
    control.beat()
    writer = window.kiosk.writer
    assert writer is not None
    writer.flush()
    after = fleet(window).last_beat()
    assert after is not None and after.session_active is True and after.at >= beat.at
