"""The advisor's voice from end to end: Chromium's fake microphone, through the real hub and the
kiosk app configured with `[call] speaker = "alsa"` on ALSA's null device, to the kiosk's
speaker thread. The hub, the advisor's console and the citizen's steps are test_video_call's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from playwright.sync_api import Page
from pytestqt.qtbot import QtBot

from kiosk.config import Config
from kiosk.ui.window import KioskWindow
from tests.peers.alsa import null_device_missing
from tests.ui.advisor_console import advisor_fixture  # noqa: F401 - used by name
from tests.ui.test_video_call import WAIT, HubServer, call_the_advisor, click, until
from tests.ui.test_video_call import hub as hub

SPEAKER = '[call]\nspeaker = "alsa"\nspeaker_device = "null"\n'


@pytest.fixture
def config(make_config: Callable[..., Config], hub: HubServer) -> Config:
    reason = null_device_missing()
    if reason is not None:
        pytest.skip(reason)
    base = make_config(SPEAKER)
    return replace(base, kiosk=replace(base.kiosk, hub_url=hub.url, hub_token=hub.token))


def played(window: KioskWindow) -> int:
    client = window.kiosk.advice
    stats = client.receive_stats() if client is not None else None
    return stats.audio_frames_played if stats is not None else 0


def test_the_kiosk_plays_the_advisors_voice_on_the_configured_speaker(
    qtbot: QtBot, window: KioskWindow, advisor: Page
) -> None:
    assert window.kiosk.config.call.speaker == "alsa"
    screen = call_the_advisor(qtbot, window, advisor)
    until(qtbot, lambda: played(window) > 10, "the kiosk to play the advisor's voice")
    first = played(window)
    until(qtbot, lambda: played(window) > first + 30, "more of the advisor's voice played")

    click(qtbot, screen.end_button)
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.after_page, timeout=WAIT)
    client = window.kiosk.advice
    assert client is not None and client.receive_stats() is None
