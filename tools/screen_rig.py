"""A kiosk on simulated devices and its window at 1920×1080, for the screenshots and the screen
checks to drive: the demo's prices and fees, video advice offered through the tests' scripted
stand-in for the hub (tests/ui/advice_double.py), and the e-mail limits a reachable hub tells."""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEvent, QObject, Qt, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from kiosk.app import Kiosk  # noqa: E402
from kiosk.config import Config, load_config  # noqa: E402
from kiosk.speech.engine import SilentEngine  # noqa: E402
from kiosk.ui.main import build  # noqa: E402
from kiosk.ui.window import KioskWindow  # noqa: E402


class _Mute(SilentEngine):
    """A speech engine that speaks but makes no sound: the screens as a kiosk with speech shows
    them."""

    available = True


class Clock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


def demo_hub_key() -> str:
    """A public key to seal the screenshots' form submissions to (nobody keeps its pair)."""
    import base64

    from nacl.public import PrivateKey

    return base64.b64encode(bytes(PrivateKey.generate().public_key)).decode()


def demo_config() -> str:
    """The demo's prices and fees, with the in-process simulated terminal instead of the
    simulator process the demo starts (the terminal's protocol is the tests' business)."""
    text = (ROOT / "demo" / "kiosk.toml").read_text()
    return re.sub(r"\[devices\.payment\][^\[]*", "", text)


class _WindowsShown(QObject):
    """Notes every top-level window shown besides the kiosk's own: on the kiosk's display there
    is only the one, and any other flashes up over it and takes the focus from it.

    It looks every few milliseconds rather than filtering the application's events: a Python
    filter on the whole application crashes on QtWebEngine's Qt Quick objects (see
    kiosk/ui/input_watch.py)."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.kiosk_window: QWidget | None = None
        self.seen: list[str] = []
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.look)
        self._timer.start(5)

    def look(self) -> None:
        for widget in QApplication.topLevelWidgets():
            if widget is self.kiosk_window or not widget.isVisible():
                continue
            name = widget.accessibleName() or widget.objectName()
            seen = f"{type(widget).__name__} {name!r}"
            if seen not in self.seen:
                self.seen.append(seen)

    def stop(self) -> None:
        self._timer.stop()


class Rig:
    """A kiosk on simulated devices and its window at 1920×1080, with its data in `folder`."""

    def __init__(self, folder: Path) -> None:
        from tests.ui.advice_double import ScriptedAdvice

        app = QApplication.instance()
        assert isinstance(app, QApplication), "make the QApplication first"
        self.app = app
        #: Top-level windows shown besides the kiosk's (taken with take_other_windows()).
        self._windows = _WindowsShown(app)
        #: The demo's local e-service site, started when a scenario first wants it.
        self._sites: Any = None
        cfg = folder / "kiosk.toml"
        cfg.write_text(
            f'[kiosk]\ndata_dir = "{folder / "data"}"\nhub_public_key = "{demo_hub_key()}"\n'
            # Video advice is offered (to the scripted hub below); nothing listens on port 9.
            'hub_token = "screenshots"\nhub_url = "http://127.0.0.1:9"\n'
            f'[session]\nfolder = "{folder / "s"}"\n'
            "[ui]\nfullscreen = false\n[browser]\nallow_plain_http = true\n"
            "[devices.printer]\npages_per_minute = 120\n"
            "[devices.payment]\ndelay_seconds = 0.5\n" + demo_config()
        )
        self.config: Config = load_config(cfg)
        self.clock = Clock()
        self.advice = ScriptedAdvice()
        self.kiosk = Kiosk(self.config, clock=self.clock, advice=self.advice)
        #: What the hub says this kiosk may still send by e-mail this hour; None: no answer.
        self.email_remaining: int | None = 9
        #: The hub refuses this kiosk's credentials (its answer to the e-mail policy is 401).
        self.email_refused = False
        window, _ = build(self.config, self.kiosk)
        assert isinstance(window, KioskWindow)
        self.window = window
        window.resize(1920, 1080)
        self._windows.kiosk_window = window
        window.show()
        self.kiosk.start_backend(window.bridge.on_device_event)
        # Speech as on a kiosk that can speak (the attract screen's Read aloud spot, Help's
        # voice buttons), though the pictures need no sound.
        window.start_speech(_Mute())
        assert self.kiosk.submissions is not None
        self.kiosk.submissions.email_policy = self._email_policy  # type: ignore[method-assign]

    def demo_site_catalogue(self) -> dict[str, Any]:
        """The shipped e-services and the demo's local e-service (served on loopback while the
        rig lasts) under a topic of its own."""
        from eservices.demosite import SitesThread, catalogue
        from eservices.demosite.sites import beside_shipped

        if self._sites is None:
            self._sites = SitesThread(
                dict.fromkeys(("service", "identification", "offlist"), "127.0.0.1")
            )
            self._sites.start()
        demo = catalogue(self._sites.sites)
        return beside_shipped({**demo, "services": demo["services"][:1]})

    def take_other_windows(self) -> list[str]:
        """The top-level windows other than the kiosk's shown since last asked."""
        self._windows.look()
        seen, self._windows.seen = self._windows.seen, []
        return seen

    def close(self) -> None:
        """Stop the kiosk and throw its window away (the window refuses to be closed)."""
        self._windows.stop()
        if self._sites is not None:
            self._sites.stop()
        self.kiosk.shutdown()
        self.window.hide()
        self.window.deleteLater()
        self.settle()

    def _email_policy(self) -> Future[Any]:
        """The hub's e-mail limits, as a reachable hub tells them (or as an unreachable one
        does not)."""
        from kiosk.mail import EmailPolicy

        future: Future[Any] = Future()
        if self.email_refused:
            from kiosk.hubclient import HubRefused

            future.set_exception(HubRefused(401))
        elif self.email_remaining is None:
            future.set_exception(ConnectionRefusedError("the hub does not answer"))
        else:
            future.set_result(
                EmailPolicy(
                    remaining_this_hour=self.email_remaining,
                    sender="kirjasto-kioski@example.fi",
                    messages_per_hour=10,
                )
            )
        return future

    # ---- driving --------------------------------------------------------------------------------

    def settle(self) -> None:
        """Let queued events, layouts and deletions run, with the kiosk's window the active one
        (as the compositor keeps it: the only window there is), so that a touched field takes
        the focus and brings up the keyboard."""
        if QApplication.activeWindow() is not self.window and self.window.isVisible():
            self.window.activateWindow()
        for _ in range(5):
            self.app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            self.app.processEvents()

    def wait(self, condition: Callable[[], object], seconds: float = 15) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError(f"the screen never got there: {condition}")
            self.app.processEvents()
            time.sleep(0.01)
        self.settle()

    def pause(self, seconds: float) -> None:
        """Let the app run for a while (pictures drawn in worker threads, say)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.app.processEvents()
            time.sleep(0.01)
        self.settle()

    def click(self, widget: QWidget) -> None:
        QTest.mouseClick(widget, Qt.MouseButton.LeftButton)
        self.settle()

    def set_mode(self, mode: str) -> None:
        self.window.ui.set_large_text(mode == "large-text")
        self.window.ui.set_high_contrast(mode == "high-contrast")
        self.settle()

    def start(self, language: str, mode: str) -> Any:
        """A new session in `language`, the citizen's choice of `mode` made at once."""
        self.click(self.window.attract.language_buttons[language])
        self.set_mode(mode)
        frame = self.window.frame
        assert frame is not None
        return frame

    def open(self, service: str) -> Any:
        frame = self.window.frame
        assert frame is not None
        self.click(frame.home.tiles[service])
        return frame.service_screen

    def end(self) -> None:
        """End the session, and let the "erased" message go."""
        frame = self.window.frame
        if frame is not None:
            self.click(frame.end_button)
        self.window.attract.erased_banner.hide()
        self.settle()
