"""Help in a call from end to end, tapped through the kiosk's own window: the real hub, the
kiosk app offscreen with its back end, the advisor's real console in headless Chromium, and a
real CUPS printer.

- The citizen shares the screen while filling in a form: the advisor's decoded picture of the
  screen shows the form, and the identity code's field as one flat grey, however often it is
  read. The citizen stops it from the strip above the screen.
- Text both ways through the call screen, a paper shown with its button, an e-service the
  advisor sends opened with a tap while the call goes on, and a PDF the advisor sends printed
  free on the CUPS printer.
- Afterwards none of the citizen's words, the advisor's, the PDF's or the page's bytes is in the
  hub's files or anyone's log, nor in the kiosk's store.

Playwright's sync API runs on the test's thread and blocks Qt while it runs: the test keeps its
calls short and lets Qt run between them (tests/ui/test_video_call.py explains).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from hub import accounts
from hub.calls.lines import DEFAULT_LINES
from hub.config import load_config
from hub.store import open_configured
from kiosk.config import Config
from kiosk.ui.screen_share import MASK
from kiosk.ui.screens.eservices.screen import EServicesScreen
from kiosk.ui.screens.forms import FormsScreen
from kiosk.ui.screens.print import PrintScreen
from kiosk.ui.window import KioskWindow
from kiosk.video.advice import AdvicePhase
from tests.conftest import FakeClock
from tests.hub.conftest import QUICK_HASHER, FixedClock, add_kiosk, add_user
from tests.peers.browser import needs_chromium
from tests.peers.cups import CupsPeer, cups_peer_fixture, cups_session_fixture  # noqa: F401
from tests.peers.websites import Websites, websites_fixture  # noqa: F401 - used by name
from tests.ui.advisor_console import advisor_fixture  # noqa: F401 - used by name
from tests.ui.conftest import open_window
from tests.ui.eservices import BROWSER_TOML, cache_catalogue
from tests.ui.test_forms import text_field, touch
from tests.ui.test_video_call import ADVISOR, HubServer, call_the_advisor, click, until
from tests.video.conftest import hub_on_thread

pytestmark = needs_chromium

IDENTITY_CODE = "131052-308T"
CITIZEN_WORDS = "Kiitos78"
ADVISOR_WORDS = "Ole hyva"
PDF_CANARY = b"PDF-CANARY-9317"
WAIT = 60_000


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, websites: Websites) -> Iterator[HubServer]:
    """The hub serving, with an advisor on Virka-info, an enrolled kiosk, and the test sites'
    e-services catalogue (the one the kiosk has too)."""
    monkeypatch.setattr(accounts, "hasher", QUICK_HASHER)
    folder = tmp_path / "hub"
    folder.mkdir()
    catalogue = folder / "eservices.json"
    catalogue.write_text(json.dumps(websites.catalogue()))
    path = folder / "hub.toml"
    path.write_text(
        f'[hub]\ndata_dir = "{folder / "data"}"\ncookie_secure = false\n'
        f'[eservices]\ncatalogue = "{catalogue}"\n'
    )
    config = load_config(path)
    lines = tuple(
        replace(line, advisors=(ADVISOR,) if line.id == "virka-info" else ())
        for line in DEFAULT_LINES.values()
    )
    config = replace(config, lines=lines)
    store = open_configured(config)
    add_user(store, ADVISOR, "advisor")
    token = add_kiosk(store, "demo-kiosk")
    try:
        with hub_on_thread(config, store, FixedClock()) as url:
            yield HubServer(url, store, token)
    finally:
        store.close()


@pytest.fixture
def window(
    qtbot: QtBot,
    make_config: Callable[..., Config],
    hub: HubServer,
    websites: Websites,
    cups_peer: CupsPeer,
    clock: FakeClock,
) -> Iterator[KioskWindow]:
    config = make_config(BROWSER_TOML)
    printer = replace(
        config.devices.printer, backend="cups", queue=cups_peer.queue, server=cups_peer.server
    )
    kiosk = replace(config.kiosk, hub_url=hub.url, hub_token=hub.token)
    config = replace(config, kiosk=kiosk, devices=replace(config.devices, printer=printer))
    cache_catalogue(config.data_dir, websites.catalogue())
    yield from open_window(qtbot, config, clock)


def activate(qtbot: QtBot, window: KioskWindow) -> None:
    """The offscreen platform gives a window back no activation on a tap, as a compositor does
    (here the e-services browser's hidden view took it): say so."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def help_ready(qtbot: QtBot, window: KioskWindow, page: Page) -> Any:
    client = window.kiosk.advice
    assert client is not None
    until(qtbot, lambda: client.help is not None and client.help.ready, "the kiosk's help")
    until(qtbot, lambda: bool(page.evaluate("callHelp().ready")), "the console's help")
    return client


def screen_region(
    page: Page, window: KioskWindow, widget: QWidget, inset: int = 6
) -> dict[str, Any]:
    """What the advisor's browser shows of the kiosk's screen where `widget` is: the shared
    video's current frame drawn to a canvas and read back, as its lowest, highest and mean
    value per channel over the widget's area (less a few pixels' edge the codec blurs)."""
    shown = widget.visibleRegion().boundingRect()
    rect = QRect(widget.mapTo(window, shown.topLeft()), shown.size()).adjusted(
        inset, inset, -inset, -inset
    )
    area = {"x": rect.x(), "y": rect.y(), "w": rect.width(), "h": rect.height()}
    result: dict[str, Any] = page.evaluate(
        """([area, windowWidth]) => {
          const video = document.querySelector('#screen-video');
          const scale = video.videoWidth / windowWidth;
          const canvas = document.createElement('canvas');
          canvas.width = video.videoWidth;
          canvas.height = video.videoHeight;
          const ctx = canvas.getContext('2d');
          ctx.drawImage(video, 0, 0);
          const x = Math.round(area.x * scale), y = Math.round(area.y * scale);
          const w = Math.max(1, Math.round(area.w * scale));
          const h = Math.max(1, Math.round(area.h * scale));
          const data = ctx.getImageData(x, y, w, h).data;
          const low = [255, 255, 255], high = [0, 0, 0], sum = [0, 0, 0];
          for (let i = 0; i < data.length; i += 4) {
            for (let c = 0; c < 3; c++) {
              low[c] = Math.min(low[c], data[i + c]);
              high[c] = Math.max(high[c], data[i + c]);
              sum[c] += data[i + c];
            }
          }
          const n = data.length / 4;
          return {low, high, mean: sum.map((s) => s / n), width: video.videoWidth};
        }""",
        [area, window.width()],
    )
    return result


def test_a_shared_screen_shows_the_form_but_never_the_identity_code(
    qtbot: QtBot,
    window: KioskWindow,
    advisor: Page,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    for logger in ("kiosk", "hub"):
        caplog.set_level(logging.DEBUG, logger=logger)
    page = advisor
    call_the_advisor(qtbot, window, page)
    help_ready(qtbot, window, page)
    frame = window.frame
    assert frame is not None
    # The citizen goes on to a form while the call goes on.
    frame.show_home()
    click(qtbot, frame.home.tiles["forms"])
    forms = frame.service_screen
    assert isinstance(forms, FormsScreen)
    click(qtbot, forms.catalogue.buttons["library-card"])
    form = forms.form
    assert form is not None
    code = text_field(form, "identity_code").editor
    name = text_field(form, "last_name").editor
    activate(qtbot, window)
    touch(qtbot, name)
    qtbot.keyClicks(name, "Virtanen")
    touch(qtbot, code)
    qtbot.keyClicks(code, IDENTITY_CODE)
    client = window.kiosk.advice
    assert client is not None and client.status.phase is AdvicePhase.CONNECTED

    # The advisor asks; the citizen is asked on the form's screen, and allows it.
    page.click("#share-request")
    bar = window.share_bar
    assert bar is not None
    until(qtbot, lambda: bar.allow_button.isVisible(), "the citizen to be asked")
    click(qtbot, bar.allow_button)
    until(qtbot, lambda: page.evaluate("callHelp().share") == "on", "sharing on")
    until(
        qtbot,
        lambda: page.evaluate("callStats()")["screenFramesDecoded"] > 10,
        "the screen at the advisor",
    )
    assert bar.stop_button.isVisible()
    assert page.evaluate("callStats()")["screenWidth"] >= 1280
    qtbot.wait(1500)  # the form as it stands now, at the advisor
    for _ in range(3):  # read the advisor's picture now and then: never a glimpse of the code
        covered = screen_region(page, window, code)
        assert covered["width"] >= 1280
        for c, value in enumerate((MASK.red(), MASK.green(), MASK.blue())):
            assert abs(covered["low"][c] - value) <= 16, covered
            assert abs(covered["high"][c] - value) <= 16, covered
        # The name beside it is readable: its field shows dark letters on white.
        plain = screen_region(page, window, name)
        assert min(plain["low"]) < 90 and max(plain["high"]) > 200, plain
        qtbot.wait(300)
    assert code.text() == IDENTITY_CODE  # on the kiosk's own screen it shows

    # The citizen stops it; the advisor's picture stops.
    click(qtbot, bar.stop_button)
    until(qtbot, lambda: page.evaluate("callHelp().share") == "stopped", "sharing stopped")
    assert not bar.isVisible()
    qtbot.wait(1000)
    stopped = page.evaluate("callStats()")["screenFramesDecoded"]
    qtbot.keyClicks(name, "nen")
    qtbot.wait(2000)
    assert page.evaluate("callStats()")["screenFramesDecoded"] == stopped

    # The call ends: what was on the screen is nowhere but on the kiosk's screen.
    page.click("#hang-up")
    until(qtbot, lambda: client.help is None, "the call's end")
    files = [p for p in (tmp_path / "hub").rglob("*") if p.is_file()]
    files += [p for p in window.kiosk.config.data_dir.rglob("*") if p.is_file()]
    for path in files:
        data = path.read_bytes()
        assert IDENTITY_CODE.encode() not in data and b"Virtanen" not in data, path
    logged = "\n".join(r.getMessage() + repr(r.__dict__) for r in caplog.records)
    assert IDENTITY_CODE not in logged and "Virtanen" not in logged


def test_text_a_paper_and_what_the_advisor_sends_through_the_call_screen(
    qtbot: QtBot,
    window: KioskWindow,
    advisor: Page,
    hub: HubServer,
    websites: Websites,
    cups_peer: CupsPeer,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    for name in ("kiosk", "hub", "eservices"):
        caplog.set_level(logging.DEBUG, logger=name)
    page = advisor
    screen = call_the_advisor(qtbot, window, page)
    client = help_ready(qtbot, window, page)
    panel = screen.help_panel

    # Text, a character at a time, both ways.
    activate(qtbot, window)
    touch(qtbot, panel.text_field)
    for n, char in enumerate(CITIZEN_WORDS, start=1):
        qtbot.keyClicks(panel.text_field, char)
        until(
            qtbot,
            lambda n=n: page.evaluate("callHelp().remoteCurrent") == CITIZEN_WORDS[:n],
            f"the advisor to see {CITIZEN_WORDS[:n]!r}",
        )
    click(qtbot, panel.say_button)
    until(qtbot, lambda: page.evaluate("callHelp().remoteLines") == [CITIZEN_WORDS], "the line")
    assert panel.text_field.text() == ""
    page.fill("#rtt-input", ADVISOR_WORDS)
    until(qtbot, lambda: ADVISOR_WORDS in panel.advisor_text.text(), "the advisor's words")

    # A paper: sent as the kiosk made it.
    click(qtbot, panel.show_button)
    until(qtbot, lambda: bool(client.help.shown), "the page shown")
    png = client.help.shown[0].png
    until(
        qtbot,
        lambda: (
            [p["sha256"] for p in page.evaluate("callHelp().papers")]
            == [hashlib.sha256(png).hexdigest()]
        ),
        "the page at the advisor",
    )
    until(qtbot, lambda: "1" in panel.shown_label.text(), "the citizen told it arrived")

    # An e-service: it arrives, the citizen opens it, and the call goes on.
    service = websites.catalogue()["services"][0]["id"]
    page.select_option("#send-eservice", service)
    page.click("#send-eservice-button")
    until(qtbot, lambda: len(panel.arrived_buttons) == 1, "the e-service at the kiosk")
    [opened] = panel.arrived_buttons.values()
    click(qtbot, opened)
    frame = window.frame
    assert frame is not None
    until(qtbot, lambda: isinstance(frame.service_screen, EServicesScreen), "E-services open")
    assert client.status.phase is AdvicePhase.CONNECTED
    assert frame.call_strip.isVisible()
    until(qtbot, lambda: page.evaluate("callHelp().sent[0].status") == "opened", "opened")

    # A PDF: it is the visit's now, and prints free on the CUPS printer.
    pdf = tmp_path / "ohje.pdf"
    pdf.write_bytes(make_pdf(PDF_CANARY))
    page.set_input_files("#send-pdf", str(pdf))
    page.click("#send-pdf-button")
    visit = window.kiosk.session.current.visit  # type: ignore[union-attr]
    until(qtbot, lambda: len(visit.advisor_documents) == 1, "the PDF in the visit")
    document = visit.advisor_documents[0]
    assert document.print_free and document.pdf.read_bytes() == pdf.read_bytes()
    frame.show_home()
    assert client.status.phase is AdvicePhase.CONNECTED
    click(qtbot, frame.home.tiles["print"])
    printing = frame.service_screen
    assert isinstance(printing, PrintScreen)
    chooser = printing.chooser
    until(qtbot, lambda: any("ohje" in r.name.text() for r in chooser.rows), "the PDF listed")
    [index] = [n for n, r in enumerate(chooser.rows) if "ohje" in r.name.text()]
    chooser.choose(index)
    until(qtbot, printing.print_button.isEnabled, "Print to be possible")
    printed = len(cups_peer.documents("kiosk"))
    assert printing.price_label.text() == "Free: sent by the advisor"
    click(qtbot, printing.print_button)
    until(qtbot, lambda: "Printed" in printing.message.text(), "printed")
    until(qtbot, lambda: len(cups_peer.documents("kiosk")) == printed + 1, "at the printer")
    assert cups_peer.documents("kiosk")[-1].read_bytes().startswith(b"%PDF-")

    # The advisor hangs up; nothing of it stays anywhere but in the visit's documents.
    page.click("#hang-up")
    until(qtbot, lambda: client.help is None, "the call's end")
    canaries = [
        CITIZEN_WORDS.encode(),
        ADVISOR_WORDS.encode(),
        PDF_CANARY,
        png[1000:1064],
    ]
    hub_files = [p for p in (tmp_path / "hub").rglob("*") if p.is_file()]
    kiosk_files = [p for p in window.kiosk.config.data_dir.rglob("*") if p.is_file()]
    assert any(p.suffix == ".db" for p in hub_files) and kiosk_files
    for path in hub_files + kiosk_files:
        data = path.read_bytes()
        for canary in canaries:
            assert canary not in data, f"{canary[:16]!r} in {path}"
    logged = "\n".join(r.getMessage() + repr(r.__dict__) for r in caplog.records)
    for canary in (CITIZEN_WORDS, ADVISOR_WORDS, PDF_CANARY.decode()):
        assert canary not in logged


def make_pdf(marker: bytes) -> bytes:
    """A one-page PDF that carries `marker` in a comment (CUPS passes a PDF on as it is)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (200, 280), "white").save(out, "PDF")
    data = out.getvalue()
    return data.replace(b"\n", b"\n%" + marker + b"\n", 1)
