"""Start the Qt side: application, window, and the back end once the first screen is painted."""

from __future__ import annotations

import logging
import signal
import sys
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from kiosk.app import Kiosk
from kiosk.config import Config
from kiosk.i18n import Catalogue
from kiosk.ui.arenas import limit_malloc_arenas
from kiosk.ui.bridge import Bridge
from kiosk.ui.state import UiState
from kiosk.ui.theme import install_focus
from kiosk.ui.window import KioskWindow

log = logging.getLogger(__name__)

#: The app's exit status when its store cannot be opened (a full or read-only disk, say).
EXIT_NO_STORE = 3


def build(
    config: Config, kiosk: Kiosk | None = None, *, filter_input: bool = True
) -> tuple[KioskWindow, Kiosk]:
    """The window and its kiosk, for `run()` and for tests (which start the back end).

    The window filters every input event of its widgets (touch, lockdown keys, context menus,
    the technician gesture), and the theme watches whether keys are in use; `run()` installs
    that watch right after the first paint, when there can first be input, so start-up does
    not pay for it."""
    kiosk = kiosk or Kiosk(config)
    ui = UiState(
        Catalogue(),
        language=config.session.default_language,
        large_text_scale=config.ui.large_text_scale,
        high_contrast=config.ui.high_contrast,
    )
    ui.apply_style()
    bridge = Bridge()
    window = KioskWindow(kiosk, ui, bridge)
    if filter_input:
        install_input_filter(window)
    return window, kiosk


def start_speech(window: KioskWindow, config: Config) -> None:
    """Read aloud and the keypad, with the engine `[speech]` names (after the first paint: the
    engine loads its voices on a thread of its own)."""
    from kiosk.ui.speech.engine import make_engine

    engine = make_engine(config.speech)
    speech = window.start_speech(engine)
    unavailable = getattr(engine, "unavailable", None)
    if unavailable is not None:
        unavailable.connect(speech.engine_lost)


def install_input_filter(window: KioskWindow) -> None:
    from kiosk.ui.input_watch import InputWatch

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    # The window first: it may swallow an event (a lockdown key) before the theme counts it as
    # keys in use.
    window.input_watch = InputWatch(window, [window, install_focus(app)])


def run(
    config: Config,
    *,
    mirror: Path | None = None,
    report_painted: bool = False,
    report_modules: bool = False,
    quit_after_paint: bool = False,
) -> int:
    # Before any thread is started (kiosk.ui.arenas).
    limit_malloc_arenas()
    # QtWebEngine (E-services) shares OpenGL contexts with the window; Qt needs to know before
    # the application exists, and importing QtWebEngine here would slow the first paint.
    QApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    app = QApplication(sys.argv[:1])
    app.setApplicationName("kiosk")
    app.setQuitOnLastWindowClosed(False)
    window, kiosk = build(config, filter_input=False)

    def after_first_paint() -> None:
        install_input_filter(window)
        if report_painted:
            print("painted", flush=True)
        if report_modules:
            # What start-up has imported by now: heavy libraries belong after the first paint.
            print("loaded", " ".join(sorted(sys.modules)), flush=True)
        if quit_after_paint:
            app.exit(0)
            return
        from kiosk.store import StoreError

        try:
            kiosk.start_backend(window.bridge.on_device_event)
        except StoreError as exc:
            # Without its store the kiosk can keep no form, payment or log: rather than a
            # screen that fails at every tap, the app ends and systemd starts it again (the
            # agent's heartbeat tells the hub the app is down meanwhile).
            log.critical(
                "the kiosk cannot start: %s",
                exc,
                extra={"code": "store-unavailable"},
            )
            app.exit(EXIT_NO_STORE)
            return
        start_speech(window, config)

    window.first_painted.connect(after_first_paint)
    screen = app.primaryScreen()
    if config.ui.fullscreen and screen is not None:
        window.setGeometry(screen.geometry())
        window.showFullScreen()
    else:
        window.resize(1920, 1080)
        window.show()
    window.activateWindow()

    screen_mirror = None
    if mirror is not None:
        from kiosk.ui.mirror import ScreenMirror

        screen_mirror = ScreenMirror(window, mirror)

    # exit(), not quit(): Qt 6's quit() asks the windows to close, and the kiosk window refuses.
    # Python signal handlers only run when the interpreter gets control; wake it regularly.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: app.exit(0))
    wake = QTimer(window)
    wake.timeout.connect(lambda: None)
    wake.start(300)

    try:
        return app.exec()
    finally:
        # The speech engine's thread ends before Python tears its objects down (a QThread
        # destroyed while it runs aborts the process); exit() does not emit aboutToQuit.
        if window.speech is not None:
            window.speech.close()
        try:
            kiosk.shutdown()
        finally:
            # Not a picture of the last citizen's screen left behind: the attract screen.
            if screen_mirror is not None:
                screen_mirror.close()
