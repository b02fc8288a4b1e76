"""The e-service test sites in a bare QWebEngineView (no kiosk, no allow-list): the test host
names reach the local servers in this test process, and the site's own scripts do what the
browser tests rely on when nothing stops them (so a count of zero there means blocked, not
broken)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QUrl
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.peers.websites import (  # noqa: F401 - the fixture is used by name
    Websites,
    websites_fixture,
)

WAIT = 30_000


class Browser:
    """A bare view on an off-the-record profile of its own."""

    def __init__(self, qtbot: QtBot) -> None:
        self.qtbot = qtbot
        self.profile = QWebEngineProfile()
        self.page = QWebEnginePage(self.profile)
        self.view = QWebEngineView()
        self.view.setPage(self.page)
        self.view.resize(1280, 800)
        self.view.show()

    def load(self, url: str) -> None:
        with self.qtbot.waitSignal(self.view.loadFinished, timeout=WAIT) as loaded:
            self.view.load(QUrl(url))
        assert loaded.args == [True], url

    def js(self, script: str) -> Any:
        with self.qtbot.waitCallback(timeout=WAIT) as answered:
            self.page.runJavaScript(script, 0, answered)
        return answered.args[0]

    def text_of(self, element_id: str, *, until_not: tuple[str, ...] = ()) -> str:
        """The element's text, once it is none of `until_not`."""
        found: list[str] = []

        def settled() -> bool:
            found[:] = [str(self.js(f"document.getElementById('{element_id}').textContent"))]
            return found[0] not in until_not

        self.qtbot.waitUntil(settled, timeout=WAIT)
        return found[0]

    def close(self) -> None:
        # The page goes before its profile (Chromium warns of a profile released under a page).
        self.view.close()
        self.view.setPage(None)  # type: ignore[arg-type]
        self.page.deleteLater()
        self.view.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        self.profile.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def browser(qtbot: QtBot) -> Iterator[Browser]:
    made = Browser(qtbot)
    yield made
    made.close()


def test_the_test_host_names_reach_the_local_sites(browser: Browser, websites: Websites) -> None:
    assert browser.profile.isOffTheRecord()
    browser.load(websites.url("/"))
    assert browser.js("document.title") == "Demo e-service / Demopalvelu"
    seen = websites.service_log.find("/")[0]
    assert seen.host == f"eservice.test:{websites.ports['service']}"


def test_unguarded_the_site_reaches_the_off_list_site_and_remembers(
    browser: Browser, websites: Websites
) -> None:
    browser.load(websites.url("/offlist-probe"))
    assert browser.text_of("probe-done", until_not=("running",)) == "done"
    outcomes = browser.js(
        "Array.from(document.querySelectorAll('td.result'), td => td.id + '=' + td.textContent)"
        ".join(' ')"
    )
    probes = ("img", "iframe", "script", "fetch", "websocket", "form")
    allowed = ("fetch-allowed", "websocket-allowed")
    assert sorted(outcomes.split()) == sorted(f"{name}-result=loaded" for name in probes + allowed)
    assert sorted(websites.offlist_log.paths()) == sorted(
        ["/probe.png", "/frame", "/probe.js", "/probe.json", "/socket", "/post"]
    )

    browser.load(websites.secure_url("/try"))
    assert browser.text_of("secure-context", until_not=("?",)) == "true"
    browser.load(websites.url("/try"))
    assert browser.text_of("secure-context", until_not=("?",)) == "false"

    browser.load(websites.url("/remember?canary=canary-5678"))
    assert browser.text_of("remember-result", until_not=("no",)) == "stored"
    browser.load(websites.url("/recall"))
    assert browser.text_of("recall-done", until_not=("no",)) == "reported"
    assert browser.text_of("recall-cookie") == "canary-5678"
    assert browser.text_of("recall-storage") == "canary-5678"
    assert browser.text_of("recall-server-cookie") == "canary-5678"
    seen = websites.service_log.find("/seen")[-1]
    assert seen.query == {"cookie": "canary-5678", "storage": "canary-5678"}
