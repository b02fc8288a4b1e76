"""A visitor with a keyboard: every key combination that leaves a desktop app, a browser or a
session does nothing in the kiosk. The window stays shown and fullscreen, no other window opens,
the screen and the session stay where they were; in an e-service's page, nothing reloads,
navigates, prints or opens developer tools.

Keys are sent as the platform sends them (to the window, reaching the focused widget through Qt's
shortcut handling), on the offscreen platform: this tests the app. The layers below it (cage
without VT switching, its keymap, logind, the kernel) are tested in tests/provisioning; on a
real VT they were not. docs/lockdown.md lists each combination and what stops it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from kiosk.ui.window import KioskWindow
from tests.peers.websites import Websites, websites_fixture  # noqa: F401 - used by name
from tests.ui.eservices import (
    eservices_config_fixture,  # noqa: F401 - used by name
    go,
    js,
    open_page,
    web_window_fixture,  # noqa: F401 - used by name
)

Key = Qt.Key
Mod = Qt.KeyboardModifier
CTRL, ALT, SHIFT, META = Mod.ControlModifier, Mod.AltModifier, Mod.ShiftModifier, Mod.MetaModifier

#: (what a visitor presses, the key, its modifiers). Ctrl+Alt+F1..F12 reach the app as function
#: keys with both modifiers: the unit's keymap has no VT-switching keys (srvrkeys:none).
COMBINATIONS: list[tuple[str, Key, Mod]] = [
    ("Alt+F4", Key.Key_F4, ALT),
    ("Ctrl+W", Key.Key_W, CTRL),
    ("Ctrl+Q", Key.Key_Q, CTRL),
    ("Ctrl+Shift+W", Key.Key_W, CTRL | SHIFT),
    ("Alt+Tab", Key.Key_Tab, ALT),
    ("Escape", Key.Key_Escape, Mod.NoModifier),
    ("F11", Key.Key_F11, Mod.NoModifier),
    ("Ctrl+Alt+Delete", Key.Key_Delete, CTRL | ALT),
    ("Ctrl+Alt+Backspace", Key.Key_Backspace, CTRL | ALT),
    *[(f"Ctrl+Alt+F{n}", Key(Key.Key_F1.value + n - 1), CTRL | ALT) for n in range(1, 13)],
    ("Super", Key.Key_Super_L, META),
    ("Meta", Key.Key_Meta, META),
    ("Super+D", Key.Key_D, META),
    ("Ctrl+L", Key.Key_L, CTRL),
    ("Ctrl+N", Key.Key_N, CTRL),
    ("Ctrl+T", Key.Key_T, CTRL),
    ("Ctrl+P", Key.Key_P, CTRL),
    ("Ctrl+S", Key.Key_S, CTRL),
    ("Ctrl+O", Key.Key_O, CTRL),
    ("Ctrl+U", Key.Key_U, CTRL),
    ("Ctrl+R", Key.Key_R, CTRL),
    ("F5", Key.Key_F5, Mod.NoModifier),
    ("Alt+Left", Key.Key_Left, ALT),
    ("Alt+Right", Key.Key_Right, ALT),
    ("Alt+Home", Key.Key_Home, ALT),
    ("Backspace", Key.Key_Backspace, Mod.NoModifier),
    ("Ctrl+Shift+I", Key.Key_I, CTRL | SHIFT),
    ("Ctrl+Shift+J", Key.Key_J, CTRL | SHIFT),
    ("F12", Key.Key_F12, Mod.NoModifier),
    ("Menu", Key.Key_Menu, Mod.NoModifier),
    ("Shift+F10", Key.Key_F10, SHIFT),
]


def press(window: KioskWindow, key: Key, modifiers: Mod) -> None:
    """Press and release, as the platform delivers keys to the window."""
    handle = window.windowHandle()
    assert handle is not None
    QTest.keyClick(handle, key, modifiers)


def shown_windows() -> set[QWidget]:
    return {w for w in QApplication.topLevelWidgets() if w.isVisible() and w.isWindow()}


def where(window: KioskWindow) -> tuple[object, ...]:
    """What the citizen sees and has: the screen, the service in it, the session."""
    frame = window.frame
    return (
        window.stack.currentWidget(),
        None if frame is None else frame.service_id,
        None if frame is None else frame.service_screen,
        window.kiosk.session.current,
        window.idle.isVisible() if window.frame is not None else False,
    )


@pytest.fixture
def fullscreen(qtbot: QtBot, window: KioskWindow) -> Iterator[KioskWindow]:
    """The kiosk window fullscreen and active, as the app shows it."""
    yield from _fullscreen(qtbot, window)


def _fullscreen(qtbot: QtBot, window: KioskWindow) -> Iterator[KioskWindow]:
    window.showFullScreen()
    window.activateWindow()
    qtbot.waitUntil(window.isFullScreen)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    yield window


def assert_every_combination_does_nothing(qtbot: QtBot, window: KioskWindow) -> None:
    # The first key shows the focus ring, and the layout that follows makes Qt fit the window
    # to its minimum size, which is wider than the offscreen platform's 800x800 screen (not
    # the kiosk's): leave fullscreen to that, then fullscreen again, before the combinations.
    press(window, Key.Key_Shift, Mod.NoModifier)
    QApplication.processEvents()
    list(_fullscreen(qtbot, window))
    before = (where(window), shown_windows())
    for name, key, modifiers in COMBINATIONS:
        press(window, key, modifiers)
        QApplication.processEvents()
        assert window.isVisible(), name
        assert window.windowState() == Qt.WindowState.WindowFullScreen, name
        assert (where(window), shown_windows()) == before, name
        assert QApplication.activeWindow() is window, name


def test_on_the_attract_screen_no_combination_does_anything(
    qtbot: QtBot, fullscreen: KioskWindow
) -> None:
    assert fullscreen.stack.currentWidget() is fullscreen.attract
    assert_every_combination_does_nothing(qtbot, fullscreen)
    assert fullscreen.kiosk.session.current is None


def test_in_a_session_no_combination_leaves_the_home_screen_or_a_service(
    qtbot: QtBot, fullscreen: KioskWindow
) -> None:
    qtbot.mouseClick(fullscreen.attract.language_buttons["en"], Qt.MouseButton.LeftButton)
    frame = fullscreen.frame
    assert frame is not None and fullscreen.stack.currentWidget() is frame
    frame.home.tiles["forms"].setFocus()
    assert_every_combination_does_nothing(qtbot, fullscreen)

    qtbot.mouseClick(frame.home.tiles["help"], Qt.MouseButton.LeftButton)
    assert frame.service_id == "help"
    assert_every_combination_does_nothing(qtbot, fullscreen)


MARK = "window.lockdownKeysMark"
#: Which keys the page's own scripts are given.
SEEN_BY_PAGE = """
window.lockdownKeysSeen = [];
document.addEventListener("keydown", (e) => {
  if (["Control", "Alt", "Shift", "Meta", "Super", "OS"].includes(e.key)) return;
  const mods = ["ctrl", "alt", "shift", "meta"].filter((m) => e[m + "Key"]);
  const names = mods.map((m) => m[0].toUpperCase() + m.slice(1));
  window.lockdownKeysSeen.push([...names, e.key].join("+"));
}, true);
"""


def test_in_an_e_service_page_no_combination_reloads_navigates_prints_or_opens_tools(
    qtbot: QtBot, web_window: KioskWindow, websites: Websites
) -> None:
    screen = open_page(qtbot, web_window)
    page = screen.browser.page
    # A second page, so that there is somewhere for "back" to go.
    go(qtbot, page, websites.url("/form"))
    url = page.url().toString()
    js(qtbot, page, f"{MARK} = 'still here'")  # gone if the page reloads or navigates
    js(qtbot, page, SEEN_BY_PAGE)
    events: list[str] = []
    page.loadStarted.connect(lambda: events.append("load"))
    page.urlChanged.connect(lambda changed: events.append(f"url {changed.toString()}"))
    page.printRequested.connect(lambda: events.append("print"))
    list(_fullscreen(qtbot, web_window))
    view = screen.browser.view
    view.setFocus()
    proxy = view.focusProxy()
    assert proxy is not None
    qtbot.waitUntil(lambda: QApplication.focusWidget() is proxy)

    assert_every_combination_does_nothing(qtbot, web_window)
    # The page has had every key: what it did with them shows once it answers after them.
    assert js(qtbot, page, MARK) == "still here"
    seen = js(qtbot, page, "window.lockdownKeysSeen.join(' ')").split()
    # The keys reached the page (it may use them: Ctrl+F4 in a text field, say), but not those
    # the window swallows first.
    assert "Ctrl+l" in seen and "Ctrl+Alt+F2" in seen, seen
    assert not {"Alt+F4", "Ctrl+w", "Ctrl+q", "Escape"} & set(seen), seen
    qtbot.wait(300)  # a navigation the keys started would have begun by now
    assert js(qtbot, page, MARK) == "still here"
    assert page.url().toString() == url
    assert events == []
    assert page.devToolsPage() is None
    assert QApplication.focusWidget() is proxy
