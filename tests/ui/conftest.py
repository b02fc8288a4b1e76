"""A kiosk window on the offscreen platform, with its back end started and stopped."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.app import Kiosk
from kiosk.config import Config
from kiosk.ui.main import build
from kiosk.ui.window import KioskWindow
from kiosk.video.advice import AdviceClient
from tests.conftest import FakeClock

T = TypeVar("T")


def off_ui(fn: Callable[..., T], *args: Any) -> T:
    """Call `fn` off the Qt thread, as the app reads its store (kiosk.threads), and wait."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(fn, *args).result(timeout=30)


def flush_deletes() -> None:
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()


def open_window(
    qtbot: QtBot,
    config: Config,
    clock: Callable[[], float] | None = None,
    advice: AdviceClient | None = None,
) -> Iterator[KioskWindow]:
    """A kiosk window at 1920×1080 with its back end started; stopped when the caller is done.
    `advice` stands in for the hub's video advice."""
    kiosk = Kiosk(config, clock=clock, advice=advice)
    win, _ = build(config, kiosk)
    qtbot.addWidget(win)
    win.resize(1920, 1080)
    win.show()
    qtbot.waitExposed(win)
    kiosk.start_backend(win.bridge.on_device_event)
    yield win
    app = QApplication.instance()
    assert app is not None
    app.removeEventFilter(win)
    kiosk.shutdown()
    flush_deletes()


@pytest.fixture
def window(
    qtbot: QtBot,
    config: Config,
    make_config: Callable[..., Config],
    clock: FakeClock,
    request: pytest.FixtureRequest,
) -> Iterator[KioskWindow]:
    """The kiosk window; `@pytest.mark.kiosk_config("...")` adds TOML to its config."""
    marker = request.node.get_closest_marker("kiosk_config")
    if marker is not None:
        config = make_config(marker.args[0])
    yield from open_window(qtbot, config, clock)
