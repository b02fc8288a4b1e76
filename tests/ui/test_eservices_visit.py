"""Using an e-service as part of a visit: typing with the kiosk's keyboard, the idle timer, a
downloaded PDF among the visit's documents, Video advice and back to the same page, and nothing
of it left for the next citizen."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.config import Config
from kiosk.session import Phase
from kiosk.ui.screens.eservices.screen import EServicesScreen
from kiosk.ui.screens.video.screen import AdviceScreen
from kiosk.ui.window import KioskWindow
from tests.conftest import FakeClock
from tests.peers.websites import Websites, websites_fixture  # noqa: F401 - used by name
from tests.ui.advice_double import ScriptedAdvice
from tests.ui.conftest import flush_deletes, open_window
from tests.ui.eservices import (
    BROWSER_TOML,
    cache_catalogue,
    eservices_config_fixture,  # noqa: F401 - used by name
    go,
    js,
    open_eservices,
    open_page,
    open_service,
    start_session,
    text_of,
    wait_text,
    web_window_fixture,  # noqa: F401 - used by name
)


def type_on_keyboard(qtbot: QtBot, screen: EServicesScreen, text: str) -> None:
    """Tap the on-screen keyboard's keys, as a citizen does."""
    keyboard = screen.browser.keyboard
    qtbot.waitUntil(keyboard.isVisible)
    for char in text:
        if char.isupper():
            qtbot.mouseClick(keyboard.key("shift"), Qt.MouseButton.LeftButton)
            char = char.lower()
        if char.isdigit() and char not in keyboard.letter_keys:
            qtbot.mouseClick(keyboard.key("symbols"), Qt.MouseButton.LeftButton)
            qtbot.mouseClick(keyboard.key(char), Qt.MouseButton.LeftButton)
            qtbot.mouseClick(keyboard.key("letters"), Qt.MouseButton.LeftButton)
            continue
        name = "space" if char == " " else char
        qtbot.mouseClick(keyboard.key(name), Qt.MouseButton.LeftButton)


def focus_field(qtbot: QtBot, screen: EServicesScreen, field_id: str) -> None:
    """Touch a field of the page: the page's input method says a field wants text."""
    js(qtbot, screen.browser.page, f"document.getElementById('{field_id}').focus(); true")
    screen.browser.view.setFocus()
    qtbot.waitUntil(lambda: screen.browser.web_field() is not None)


def test_the_kiosk_keyboard_types_into_a_web_field_under_it(
    qtbot: QtBot, web_window: KioskWindow, websites: Websites
) -> None:
    screen = open_page(qtbot, web_window)
    page = screen.browser.page
    go(qtbot, page, websites.url("/form"))
    assert screen.browser.keyboard.isHidden()
    focus_field(qtbot, screen, "name")
    type_on_keyboard(qtbot, screen, "Åsa Öberg-Ähtäri")
    qtbot.waitUntil(
        lambda: js(qtbot, page, "document.getElementById('name').value") == "Åsa Öberg-Ähtäri"
    )
    # The keyboard is docked under the page, never over the field being typed in.
    keyboard = screen.browser.keyboard
    view = screen.browser.view
    assert view.geometry().bottom() < keyboard.geometry().top()
    field = js(qtbot, page, "document.getElementById('name').getBoundingClientRect().bottom")
    assert field * view.zoomFactor() <= view.height()
    # Away from a field, the keyboard goes.
    js(qtbot, page, "document.activeElement.blur(); true")
    qtbot.waitUntil(keyboard.isHidden)


def test_a_tap_in_the_page_counts_as_activity(
    qtbot: QtBot, web_window: KioskWindow, websites: Websites, clock: FakeClock
) -> None:
    screen = open_page(qtbot, web_window)
    sessions = web_window.kiosk.session
    proxy = screen.browser.view.focusProxy()
    assert proxy is not None
    clock.advance(50)  # idle_seconds = 60: 10 seconds before the warning
    qtbot.mouseClick(proxy, Qt.MouseButton.LeftButton)
    clock.advance(50)  # 100 seconds since the page opened, 50 since the tap
    assert sessions.poll() is Phase.ACTIVE
    # Keys typed into the page count too.
    qtbot.keyClick(proxy, Qt.Key.Key_A)
    clock.advance(50)
    assert sessions.poll() is Phase.ACTIVE
    # With nothing done in the page, the warning comes as anywhere else, and then the end.
    clock.advance(15)
    assert sessions.poll() is Phase.WARNING
    clock.advance(30)
    assert sessions.poll() is Phase.NONE


def test_a_pdf_download_joins_the_visits_documents_and_other_files_are_refused(
    qtbot: QtBot, web_window: KioskWindow, websites: Websites
) -> None:
    screen = open_page(qtbot, web_window)
    page = screen.browser.page
    go(qtbot, page, websites.url("/done"))
    visit = web_window.kiosk.session.current.visit  # type: ignore[union-attr]
    js(qtbot, page, "location.href = '/notes.txt'; true")
    banner = screen.browser.banner
    qtbot.waitUntil(lambda: "only PDF documents" in banner.text())
    assert visit.downloads == []
    js(qtbot, page, "location.href = '/receipt.pdf'; true")
    qtbot.waitUntil(lambda: len(visit.downloads) == 1, timeout=20_000)
    download = visit.downloads[0]
    assert download.name == "receipt.pdf"
    assert download.service_id == "demo-service"
    assert download.pdf.read_bytes().startswith(b"%PDF-")
    session_folder = web_window.kiosk.session.current.folder  # type: ignore[union-attr]
    assert session_folder in download.pdf.parents
    assert "“receipt.pdf” is now among your documents" in banner.text()
    # Nothing but the PDF was kept: the refused text file is nowhere in the session's folder.
    assert [p.name for p in session_folder.rglob("*") if p.is_file()] == ["receipt.pdf"]


def test_video_advice_from_a_web_page_comes_back_to_the_same_page_with_what_was_typed(
    qtbot: QtBot,
    make_config: Callable[..., Config],
    websites: Websites,
    clock: FakeClock,
) -> None:
    config = make_config(BROWSER_TOML)
    cache_catalogue(config.data_dir, websites.catalogue())
    config = replace(config, kiosk=replace(config.kiosk, hub_token="kiosk-token"))
    advice = ScriptedAdvice()
    opened = open_window(qtbot, config, clock, advice)
    window = next(opened)
    screen = open_page(qtbot, window)
    page = screen.browser.page
    go(qtbot, page, websites.url("/form"))
    focus_field(qtbot, screen, "message")
    type_on_keyboard(qtbot, screen, "kysyn neuvoa")
    frame = window.frame
    assert frame is not None and frame.advice_button is not None
    assert frame.advice_button.isVisible()
    qtbot.mouseClick(frame.advice_button, Qt.MouseButton.LeftButton)
    advice_screen = frame.advice_screen
    assert isinstance(advice_screen, AdviceScreen)
    qtbot.waitUntil(lambda: advice_screen.pages.currentWidget() is not advice_screen.loading_page)
    qtbot.mouseClick(advice_screen.line_buttons["virka-info"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(advice_screen.call_button, Qt.MouseButton.LeftButton)
    advice.answered()
    qtbot.waitUntil(lambda: advice_screen.pages.currentWidget() is advice_screen.call_page)
    qtbot.mouseClick(advice_screen.end_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: advice_screen.pages.currentWidget() is advice_screen.after_page)
    qtbot.mouseClick(advice_screen.done_button, Qt.MouseButton.LeftButton)
    assert frame.service_screen is screen, "the same E-services screen, not a new one"
    assert frame.stack.currentWidget().isAncestorOf(screen) or frame.stack.currentWidget() is screen
    assert page.url().toString() == websites.url("/form")
    assert js(qtbot, page, "document.getElementById('message').value") == "kysyn neuvoa"
    for _ in opened:  # the window's end
        pass


def files_under(folders: list[Path]) -> Iterator[Path]:
    """The regular files under `folders`, each folder's own filesystem only: a file system
    mounted below one (a Debian root's /proc in another test's folder) is not the kiosk's to
    search, and its files may block a read."""
    for folder in folders:
        if not folder.is_dir():
            continue
        for root, dirs, names in os.walk(folder, onerror=lambda _error: None):
            dirs[:] = [name for name in dirs if not os.path.ismount(os.path.join(root, name))]
            for name in names:
                path = Path(root) / name
                if path.is_file() and not path.is_symlink():
                    yield path


def holding(canary: str, folders: list[Path]) -> list[Path]:
    """The files under `folders` whose bytes hold `canary` (as UTF-8 or UTF-16)."""
    needles = (canary.encode(), canary.encode("utf-16-le"))
    found = []
    for path in files_under(folders):
        try:
            if path.stat().st_size > 200_000_000:
                continue
            data = path.read_bytes()
        except OSError:
            continue
        if any(needle in data for needle in needles):
            found.append(path)
    return found


@pytest.mark.parametrize("language", ["fi"])
def test_nothing_typed_into_a_web_page_outlives_the_session(
    qtbot: QtBot, web_window: KioskWindow, websites: Websites, language: str
) -> None:
    canary = "kanarialintu" + uuid.uuid4().hex[:12]
    start_session(qtbot, web_window, language)
    screen = open_eservices(qtbot, web_window)
    open_service(qtbot, screen)
    page = screen.browser.page
    go(qtbot, page, websites.url("/remember"))
    focus_field(qtbot, screen, "canary")
    type_on_keyboard(qtbot, screen, canary)
    # The keys reach the page through its input channel, the button below through a script:
    # wait until the page has every letter.
    qtbot.waitUntil(lambda: js(qtbot, page, "document.getElementById('canary').value") == canary)
    with qtbot.waitSignal(page.loadFinished, timeout=20_000):
        js(qtbot, page, "document.getElementById('remember-button').click(); true")
    assert wait_text(qtbot, page, "remember-result", bool) == "stored"
    # The site has it in a cookie and in localStorage, as a site remembering a visitor would.
    assert js(qtbot, page, "localStorage.getItem('canary')") == canary
    assert canary in js(qtbot, page, "document.cookie")

    frame = web_window.frame
    assert frame is not None
    qtbot.mouseClick(frame.end_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: web_window.kiosk.session.current is None)
    flush_deletes()

    config = web_window.kiosk.config
    home = Path.home()
    folders = [
        config.data_dir,
        config.session_folder,
        Path(os.environ.get("XDG_RUNTIME_DIR", "/run/user/0")),
        Path(os.environ.get("XDG_CACHE_HOME", home / ".cache")),
        home / ".local" / "share",
        Path("/tmp"),
        Path("/var/tmp"),
    ]
    assert holding(canary, folders) == []

    # The next citizen's session: the site finds nothing of the last one.
    start_session(qtbot, web_window, "en")
    screen = open_eservices(qtbot, web_window)
    open_service(qtbot, screen)
    page = screen.browser.page
    websites.clear_logs()
    go(qtbot, page, websites.url("/recall"))
    assert wait_text(qtbot, page, "recall-done", lambda t: t != "no") == "reported"
    assert text_of(qtbot, page, "recall-cookie") == "none"
    assert text_of(qtbot, page, "recall-storage") == "none"
    seen = websites.service_log.find("/seen")
    assert seen and seen[-1].query == {"cookie": "", "storage": ""}
    assert all("canary" not in entry.cookies for entry in websites.service_log.entries())


def test_large_text_zooms_the_page_and_the_citizen_can_change_its_size(
    qtbot: QtBot, web_window: KioskWindow, websites: Websites
) -> None:
    screen = open_page(qtbot, web_window)
    browser = screen.browser
    assert browser.view.zoomFactor() == pytest.approx(1.0)
    frame = web_window.frame
    assert frame is not None
    qtbot.mouseClick(frame.large_text_button, Qt.MouseButton.LeftButton)
    assert browser.view.zoomFactor() == pytest.approx(web_window.ui.scale)
    assert web_window.ui.scale > 1.2
    qtbot.mouseClick(browser.larger_button, Qt.MouseButton.LeftButton)
    assert browser.view.zoomFactor() > web_window.ui.scale
    for _ in range(10):
        qtbot.mouseClick(browser.smaller_button, Qt.MouseButton.LeftButton)
    assert not browser.smaller_button.isEnabled()
    assert browser.view.zoomFactor() < web_window.ui.scale


def click_in_page(qtbot: QtBot, screen: EServicesScreen, element_id: str) -> None:
    """A tap on an element of the page, where it is on the screen (a real click, which pages
    need to open a file field)."""
    browser = screen.browser
    found = js(
        qtbot,
        browser.page,
        f"JSON.stringify((r => [r.left + r.width / 2, r.top + r.height / 2])"
        f"(document.getElementById('{element_id}').getBoundingClientRect()))",
    )
    box = json.loads(found)
    zoom = browser.view.zoomFactor()
    proxy = browser.view.focusProxy()
    assert proxy is not None
    at = QPoint(round(box[0] * zoom), round(box[1] * zoom))
    qtbot.mouseClick(proxy, Qt.MouseButton.LeftButton, pos=at)


def test_a_pages_file_field_is_given_one_of_the_visits_documents(
    qtbot: QtBot, web_window: KioskWindow, websites: Websites
) -> None:
    screen = open_page(qtbot, web_window)
    session = web_window.kiosk.session.current
    assert session is not None
    scan = session.folder / "scan-1.pdf"
    scan.write_bytes(b"%PDF-1.4\n% a scanned page\n%%EOF\n")
    session.visit.add_scan(scan)
    page = screen.browser.page
    js(
        qtbot,
        page,
        "const f = document.createElement('input'); f.type = 'file'; f.id = 'attachment';"
        " f.style = 'position:fixed; left:40px; top:40px; width:300px; height:60px';"
        " f.onchange = () => f.files[0].text().then(t => window.got = f.files[0].name + ':' + t);"
        " document.body.appendChild(f); true",
    )
    browser = screen.browser
    offered: list[list[str]] = []

    def choose() -> None:
        offered.append([b.text() for b in browser.choice.buttons])
        qtbot.mouseClick(browser.choice.buttons[0], Qt.MouseButton.LeftButton)

    QTimer.singleShot(500, choose)
    click_in_page(qtbot, screen, "attachment")
    qtbot.waitUntil(lambda: js(qtbot, page, "window.got || ''") != "", timeout=10_000)
    assert offered == [["Scanned document 1"]]
    assert js(qtbot, page, "window.got") == "scan-1.pdf:%PDF-1.4\n% a scanned page\n%%EOF\n"
    assert browser.stack.currentWidget() is browser.view
    # No file dialog, no window besides the kiosk's.
    assert [w for w in QApplication.topLevelWidgets() if w.isVisible()] == [web_window]
