"""Help in a call from end to end: the hub as its own process (`python -m hub serve`), the
kiosk's call client (`HubAdviceClient`, the simulated camera), and the advisor's real console in
headless Chromium. Text goes both ways a character at a time, a paper shown arrives at its full
resolution, what the advisor sends arrives at the kiosk, and none of it is left on the hub.

The kiosk's screens are not here (tests/ui/test_call_help.py taps through them); this is the
protocol of docs/call-help.md between the two real ends.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from playwright.async_api import Page

from eservices.catalogue import parse_catalogue, shipped_bytes
from hub import accounts
from kiosk.devices.camera.simulated import SimulatedCamera
from kiosk.engine import Engine
from kiosk.video.advice import AdvicePhase
from kiosk.video.help import CallHelp, HelpEvent
from kiosk.video.hub_client import HubAdviceClient
from kiosk.video.share import ShareState
from tests.conftest import MakeCamera
from tests.hub.conftest import PASSWORD, QUICK_HASHER
from tests.peers.browser import chromium, log_in, needs_chromium, until, watch
from tests.video.conftest import DEADLINE
from tests.video.resilience_peers import KIOSK_ID, VIRKA, HubProcess, free_port, write_hub

pytestmark = needs_chromium

#: What the citizen and the advisor write, and what the advisor's PDF holds: none of it may be
#: found on the hub afterwards.
CITIZEN_CANARY = "Kanariaa1729"
ADVISOR_CANARY = "Neuvoja8406"
PDF_CANARY = b"PDF-CANARY-5521"
PDF = b"%PDF-1.4\n% " + PDF_CANARY + b"\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "hasher", QUICK_HASHER)


@dataclass
class Hub:
    process: HubProcess
    token: str
    folder: Path
    log: Path


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    port = free_port()
    folder = tmp_path / "hub"
    path, token = write_hub(folder, port)
    log = tmp_path / "hub.log"
    process = HubProcess(path, port, log)
    process.start()
    try:
        yield Hub(process, token, folder, log)
    finally:
        process.stop()


@dataclass
class Kiosk:
    client: HubAdviceClient
    camera: SimulatedCamera
    folder: Path
    events: list[HelpEvent]


@pytest.fixture
def kiosk(engine: Engine, hub: Hub, make_camera: MakeCamera, tmp_path: Path) -> Iterator[Kiosk]:
    camera = make_camera(1280, 720, 15)
    client = HubAdviceClient(
        hub_url=hub.process.url, token=hub.token, kiosk_id=KIOSK_ID, loop=engine.loop, camera=camera
    )
    events: list[HelpEvent] = []
    client.help_listener = lambda _help, event: events.append(event)
    services = {s.id for s in parse_catalogue(shipped_bytes()).catalogue.services}
    client.help_admission = lambda kind, target: (
        None if kind == "pdf" or target in services else f"unknown_{kind}"
    )
    client.documents_folder = tmp_path / "session"
    client.open()
    try:
        yield Kiosk(client, camera, tmp_path / "session", events)
    finally:
        engine.submit(client.aclose()).result(DEADLINE)


async def help_of(kiosk: Kiosk) -> CallHelp:
    help_ = kiosk.client.help
    assert help_ is not None, "the call has its help"
    return help_


async def helped(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = await page.evaluate("callHelp()")
    return result


async def connected_call(page: Page, kiosk: Kiosk) -> CallHelp:
    """The citizen calls Virka-info; the advisor answers; both help channels are open."""
    kiosk.client.start(VIRKA, "fi")
    await until(page, "!document.querySelector('#ringing').hidden")
    await page.click("#accept")
    await until(page, "callHelp().ready")
    help_ = await help_of(kiosk)
    end = asyncio.get_running_loop().time() + DEADLINE
    while not help_.ready:
        assert asyncio.get_running_loop().time() < end, "the kiosk's channels did not open"
        await asyncio.sleep(0.1)
    assert kiosk.client.status.phase is AdvicePhase.CONNECTED
    return help_


async def kiosk_sees(check: Any, what: str) -> None:
    end = asyncio.get_running_loop().time() + DEADLINE
    while not check():
        assert asyncio.get_running_loop().time() < end, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


def with_advisor(hub: Hub, scenario: Any) -> list[str]:
    """Run `scenario(page)` with the advisor's console logged in and available; the page's
    script errors, if any, are returned."""
    problems: list[str] = []

    async def main() -> None:
        async with chromium(viewport={"width": 1280, "height": 900}) as browser:
            page = await browser.new_page()
            watch(page, problems)
            await log_in(page, hub.process.url, "anna", PASSWORD, "/advisor")
            await until(page, "document.body.dataset.socket === 'open'")
            await page.click("#set-available")
            await until(page, "document.querySelector('#set-available').ariaPressed === 'true'")
            await scenario(page)

    asyncio.run(asyncio.wait_for(main(), 5 * DEADLINE))
    return problems


def test_text_goes_both_ways_as_it_is_typed(hub: Hub, kiosk: Kiosk) -> None:
    async def scenario(page: Page) -> None:
        help_ = await connected_call(page, kiosk)
        # The citizen types: the advisor sees every character before the next is typed.
        for n in range(1, len(CITIZEN_CANARY) + 1):
            help_.set_draft(CITIZEN_CANARY[:n])
            await until(page, f"callHelp().remoteCurrent === {json.dumps(CITIZEN_CANARY[:n])}")
        help_.set_draft(CITIZEN_CANARY[:-1])  # a correction
        await until(page, f"callHelp().remoteCurrent === {json.dumps(CITIZEN_CANARY[:-1])}")
        help_.set_draft(CITIZEN_CANARY)
        help_.end_line()
        await until(page, "callHelp().remoteLines.length === 1")
        assert (await helped(page))["remoteLines"] == [CITIZEN_CANARY]
        assert await page.text_content("#rtt-remote-lines") == CITIZEN_CANARY

        # The advisor types: the kiosk sees every character as it comes.
        await page.click("#rtt-input")
        for n, char in enumerate(ADVISOR_CANARY, start=1):
            await page.keyboard.type(char)
            await kiosk_sees(
                lambda n=n: help_.remote_text()[1] == ADVISOR_CANARY[:n],
                f"the kiosk to see {ADVISOR_CANARY[:n]!r}",
            )
        await page.keyboard.press("Enter")
        await kiosk_sees(lambda: help_.remote_text() == ((ADVISOR_CANARY,), ""), "the line")
        assert await page.input_value("#rtt-input") == ""
        assert HelpEvent.TEXT in kiosk.events

    assert with_advisor(hub, scenario) == []


def test_a_paper_shown_arrives_at_its_full_resolution(hub: Hub, kiosk: Kiosk) -> None:
    async def scenario(page: Page) -> None:
        help_ = await connected_call(page, kiosk)
        shown = []
        for number in (1, 2):
            page_shown = await asyncio.wrap_future(help_.show_page(kiosk.camera))
            assert page_shown is not None and page_shown.number == number
            shown.append(page_shown)
            await until(page, f"callHelp().papers.filter(p => p.sha256).length === {number}")
        papers = (await helped(page))["papers"]
        for paper, sent in zip(papers, shown, strict=True):
            # The very bytes the kiosk made: its full resolution, lossless.
            assert paper["sha256"] == hashlib.sha256(sent.png).hexdigest()
            assert (paper["width"], paper["height"]) == (sent.width, sent.height)
        # The console shows the newest, decoded at the size the kiosk made it.
        natural = await page.evaluate(
            "[...document.querySelectorAll('#paper-view img')]"
            ".map(i => [i.naturalWidth, i.naturalHeight])"
        )
        assert natural == [[shown[1].width, shown[1].height]]
        await kiosk_sees(lambda: all(p.delivered for p in help_.shown), "the advisor's receipts")

    assert with_advisor(hub, scenario) == []


def test_an_e_service_and_a_pdf_the_advisor_sends_arrive_and_nothing_stays_on_the_hub(
    hub: Hub, kiosk: Kiosk, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    service = parse_catalogue(shipped_bytes()).catalogue.services[0].id
    pdf_file = tmp_path / "advice.pdf"
    pdf_file.write_bytes(PDF)

    async def scenario(page: Page) -> None:
        help_ = await connected_call(page, kiosk)
        await until(
            page, f"!!document.querySelector('#send-eservice option[value={json.dumps(service)}]')"
        )
        await page.select_option("#send-eservice", service)
        await page.click("#send-eservice-button")
        await kiosk_sees(lambda: len(help_.arrived) == 1, "the e-service at the kiosk")
        [item] = help_.arrived
        assert (item.kind, item.target) == ("eservice", service)
        await until(page, "callHelp().sent.some(s => s.status === 'received')")
        help_.opened(item.id)
        await until(page, "callHelp().sent.some(s => s.status === 'opened')")

        await page.set_input_files("#send-pdf", str(pdf_file))
        await page.click("#send-pdf-button")
        await kiosk_sees(lambda: len(help_.arrived) == 2, "the PDF at the kiosk")
        pdf = help_.arrived[1]
        assert pdf.kind == "pdf" and pdf.target == "advice.pdf" and pdf.print_free
        assert pdf.pdf is not None and pdf.pdf.read_bytes() == PDF
        assert pdf.pdf.parent == kiosk.folder

        # Text and a paper too, then the advisor hangs up.
        help_.set_draft(CITIZEN_CANARY)
        await until(page, f"callHelp().remoteCurrent === {json.dumps(CITIZEN_CANARY)}")
        await page.fill("#rtt-input", ADVISOR_CANARY)
        await kiosk_sees(lambda: help_.remote_text()[1] == ADVISOR_CANARY, "the advisor's text")
        page_shown = await asyncio.wrap_future(help_.show_page(kiosk.camera))
        assert page_shown is not None
        await until(page, "callHelp().papers.some(p => p.sha256)")
        shown_png = page_shown.png
        await page.click("#hang-up")
        await kiosk_sees(lambda: kiosk.client.status.phase is AdvicePhase.ENDED, "the call's end")
        assert kiosk.client.help is None
        # The console forgot it all with the call.
        assert await page.evaluate("callHelp().papers.length") == 0
        assert await page.evaluate("document.querySelectorAll('#papers img').length") == 0
        nowhere_on_the_hub(hub, shown_png)

    assert with_advisor(hub, scenario) == []
    kiosk_log = "\n".join(
        r.getMessage() + json.dumps(r.__dict__, default=str) for r in caplog.records
    )
    for canary in (CITIZEN_CANARY, ADVISOR_CANARY, PDF_CANARY.decode()):
        assert canary not in kiosk_log


def nowhere_on_the_hub(hub: Hub, png: bytes) -> None:
    """Neither side's text, the advisor's PDF nor the shown page is in any file the hub wrote
    (its database and its write-ahead log included) or in its log."""
    files = [p for p in hub.folder.rglob("*") if p.is_file()] + [hub.log]
    assert any(p.suffix == ".db" for p in files), files  # the hub's database is looked in
    needles = [
        CITIZEN_CANARY.encode(),
        ADVISOR_CANARY.encode(),
        PDF_CANARY,
        png[1000:1064],  # 64 bytes from inside the page's picture
    ]
    for path in files:
        data = path.read_bytes()
        for needle in needles:
            assert needle not in data, f"{needle[:20]!r} found in {path}"


async def screen_frames(page: Page) -> int:
    return int((await page.evaluate("callStats()"))["screenFramesDecoded"])


async def offer_screen_until(page: Page, help_: CallHelp, check: str) -> None:
    """Keep offering changing pictures of the screen (as the kiosk's window would) until
    `check` is true in the console."""
    window = np.zeros((1080, 1920, 3), np.uint8)
    end = asyncio.get_running_loop().time() + DEADLINE
    shade = 0
    while not await page.evaluate(check):
        assert asyncio.get_running_loop().time() < end, f"still false: {check}"
        shade = (shade + 25) % 250
        window[:] = shade
        help_.offer_screen(window.copy())
        await asyncio.sleep(0.1)


def test_the_advisor_sees_the_screen_only_while_the_citizen_allows_it(
    hub: Hub, kiosk: Kiosk
) -> None:
    async def scenario(page: Page) -> None:
        help_ = await connected_call(page, kiosk)
        await until(page, "!document.querySelector('#share-request').disabled")
        # Refused: nothing of the screen reaches the console.
        await page.click("#share-request")
        await kiosk_sees(lambda: help_.share_state is ShareState.ASKED, "the citizen asked")
        help_.answer_share(False)
        await until(page, "callHelp().share === 'refused'")
        help_.offer_screen(np.zeros((1080, 1920, 3), np.uint8))
        await asyncio.sleep(1.0)
        assert await screen_frames(page) == 0

        # Allowed: the second video starts, at least 1280 wide; the citizen stops it.
        await page.click("#share-request")
        await kiosk_sees(lambda: help_.share_state is ShareState.ASKED, "asked again")
        help_.answer_share(True)
        await until(page, "callHelp().share === 'on'")
        await offer_screen_until(page, help_, "callStats().then(s => s.screenFramesDecoded > 20)")
        stats = await page.evaluate("callStats()")
        assert stats["screenWidth"] >= 1280, stats
        assert await page.is_visible("#screen-video")
        help_.stop_share()
        await until(page, "callHelp().share === 'stopped'")
        await asyncio.sleep(1.0)  # what was under way has arrived
        stopped_at = await screen_frames(page)
        help_.offer_screen(np.full((1080, 1920, 3), 99, np.uint8))
        await asyncio.sleep(2.0)
        assert await screen_frames(page) == stopped_at
        assert await page.is_hidden("#screen-video")

        # Allowed again; this time the advisor stops it.
        await page.click("#share-request")
        await kiosk_sees(lambda: help_.share_state is ShareState.ASKED, "asked a third time")
        help_.answer_share(True)
        await offer_screen_until(
            page, help_, f"callStats().then(s => s.screenFramesDecoded > {stopped_at + 10})"
        )
        await page.click("#share-stop")
        await kiosk_sees(lambda: help_.share_state is ShareState.OFF, "the advisor's stop")
        assert help_.share_changed_by == "advisor"
        await asyncio.sleep(1.0)
        stopped_at = await screen_frames(page)
        help_.offer_screen(np.full((1080, 1920, 3), 42, np.uint8))
        await asyncio.sleep(2.0)
        assert await screen_frames(page) == stopped_at
        # The face never left its own place.
        assert (await page.evaluate("callStats()"))["videoFramesDecoded"] > 30

    assert with_advisor(hub, scenario) == []
