"""Help in a call, in the advisor's console: headless Chromium against the real hub.

Without a call the console lists what it can send (the hub's e-services and forms) and keeps its
buttons off. In a call, the kiosk's end here is a second peer connection in the same page, made
by the test like the kiosk makes its own (the two data channels in its offer, signalled through
the hub's kiosk socket), so that the console's side of docs/call-help.md is checked to the byte:
text both ways, a page shown, and what the advisor sends.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
from playwright.async_api import Page

from hub.app import make_app
from hub.calls.lines import DEFAULT_LINES
from hub.config import HubConfig
from hub.delivery.service import DELIVERY
from hub.eservices import ESERVICES
from hub.store import HubStore
from kiosk.video.rtt import RttReader
from tests.hub.conftest import FixedClock, add_kiosk, add_user, serving
from tests.peers.browser import needs_chromium, until
from tests.peers.console import advisor_console

pytestmark = needs_chromium

Message = dict[str, Any]
DEADLINE = 30.0
BUTTONS = ("#send-eservice-button", "#send-form-button", "#send-pdf-button", "#rtt-send")

# The kiosk's end of the call, in the page: its offer brings the two channels, as the kiosk's
# does (kiosk.video.help.CallHelp.attach), and a canvas stands in for its camera.
KIOSK_OFFER = """async () => {
  const pc = new RTCPeerConnection({iceServers: []});
  const k = {pc, helpIn: [], rttIn: [], bytesIn: 0};
  k.help = pc.createDataChannel("help", {ordered: true, protocol: "kiosk-help/1"});
  k.rtt = pc.createDataChannel("rtt", {ordered: true, protocol: "t140"});
  k.help.binaryType = "arraybuffer";
  k.help.onmessage = (e) => {
    if (typeof e.data === "string") k.helpIn.push(JSON.parse(e.data));
    else k.bytesIn += e.data.byteLength;
  };
  k.rtt.onmessage = (e) => k.rttIn.push(e.data);
  const canvas = document.createElement("canvas");
  canvas.width = 640; canvas.height = 480;
  const g = canvas.getContext("2d");
  let t = 0;
  k.painter = setInterval(() => {
    g.fillStyle = "#6b8cae"; g.fillRect(0, 0, 640, 480);
    g.fillStyle = "#fff"; g.font = "40px sans-serif"; g.fillText("Kioski " + (t++ % 100), 200, 250);
  }, 50);
  const stream = canvas.captureStream(20);
  pc.addTrack(stream.getVideoTracks()[0], stream);
  await pc.setLocalDescription(await pc.createOffer());
  if (pc.iceGatheringState !== "complete") {
    await new Promise((done) => pc.addEventListener("icegatheringstatechange", () => {
      if (pc.iceGatheringState === "complete") done();
    }));
  }
  window.kiosk = k;
  return pc.localDescription.sdp;
}"""

# A paper shown: a PNG of an A4 page at 200 dpi, sent as the kiosk sends it; gives its size and
# SHA-256.
SHOW_PAGE = """async () => {
  const canvas = new OffscreenCanvas(1654, 2339);
  const g = canvas.getContext("2d");
  g.fillStyle = "#fff"; g.fillRect(0, 0, 1654, 2339);
  g.fillStyle = "#111"; g.font = "bold 64px serif"; g.fillText("Päätös / Beslut", 160, 260);
  g.font = "36px serif";
  for (let i = 0; i < 40; i++) {
    g.fillText(`Rivi ${i + 1}: tekstiä paperilla, pientä ja tarkkaa.`, 160, 400 + i * 46);
  }
  const png = await canvas.convertToBlob({type: "image/png"});
  const bytes = new Uint8Array(await png.arrayBuffer());
  const k = window.kiosk;
  k.help.send(JSON.stringify({type: "file", id: "p1", kind: "page", name: "page-1.png",
    mime: "image/png", size: bytes.length, width: 1654, height: 2339, number: 1}));
  for (let at = 0; at < bytes.length; at += 16384) k.help.send(bytes.subarray(at, at + 16384));
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const hex = Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("");
  return {size: bytes.length, sha256: hex};
}"""

# Whether an image URL no longer loads (a revoked object URL).
LOADS_NOT = """(url) => new Promise((answer) => {
  const img = new Image();
  img.onload = () => answer(false);
  img.onerror = () => answer(true);
  img.src = url;
})"""


def _config(config: HubConfig) -> HubConfig:
    lines = tuple(
        replace(line, advisors=("anna",) if line.id == "virka-info" else ())
        for line in DEFAULT_LINES.values()
    )
    return replace(config, lines=lines)


async def _disabled(page: Page, selector: str) -> bool:
    return bool(await page.eval_on_selector(selector, "e => e.disabled"))


def test_without_a_call_the_console_lists_what_it_can_send_and_sends_nothing(
    config: HubConfig, store: HubStore
) -> None:
    add_user(store, "anna", "advisor")
    app = make_app(_config(config), store, clock=FixedClock())
    services = app[ESERVICES].services
    forms = app[DELIVERY].catalogue.forms

    async def scenario() -> None:
        async with (
            serving(app) as base,
            advisor_console(base, strict=True, viewport={"width": 1280, "height": 900}) as (
                page,
                problems,
            ),
        ):
            await until(
                page, f"document.querySelectorAll('#send-form option').length == {len(forms)}"
            )
            ids = await page.eval_on_selector_all(
                "#send-eservice option", "os => os.map(o => o.value)"
            )
            assert sorted(ids) == sorted(s.id for s in services)
            first = services[0]
            label = await page.text_content(f"#send-eservice option[value='{first.id}']")
            assert label == first.names["fi"]  # the Finnish names, grouped by topic
            assert await page.locator("#send-eservice optgroup").count() >= 1
            form_id = next(iter(forms))
            label = await page.text_content(f"#send-form option[value='{form_id}']")
            assert label == forms[form_id].title("fi")
            for button in BUTTONS:
                assert await _disabled(page, button), button
            assert await _disabled(page, "#rtt-input")
            help_now = await page.evaluate("callHelp()")
            assert help_now["ready"] is False
            assert (help_now["papers"], help_now["sent"], help_now["remoteLines"]) == ([], [], [])
        assert not problems, problems

    asyncio.run(scenario())


class KioskSocket:
    """The kiosk's hub socket; its signalling goes to and from the kiosk's end in the page."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, page: Page) -> None:
        self.ws = ws
        self.page = page
        self.inbox: asyncio.Queue[Message] = asyncio.Queue()
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for frame in self.ws:
            message: Message = json.loads(frame.data)
            if message["type"] == "answer":
                await self.page.evaluate(
                    "sdp => kiosk.pc.setRemoteDescription({type: 'answer', sdp})", message["sdp"]
                )
            elif message["type"] == "ice":
                if message["candidate"]:
                    await self.page.evaluate(
                        "c => kiosk.pc.addIceCandidate(c)", message["candidate"]
                    )
            else:
                await self.inbox.put(message)

    async def expect(self, kind: str) -> Message:
        while True:
            message = await asyncio.wait_for(self.inbox.get(), DEADLINE)
            if message["type"] == kind:
                return message

    async def close(self) -> None:
        await self.ws.close()
        self.reader.cancel()


async def _kiosk_got(page: Page) -> list[Message]:
    got: list[Message] = await page.evaluate("kiosk.helpIn")
    return got


async def _typed(page: Page) -> RttReader:
    """What the kiosk's reader makes of the advisor's text so far."""
    reader = RttReader()
    reader.feed("".join(await page.evaluate("kiosk.rttIn")))
    return reader


async def _kiosk_reads(page: Page, lines: list[str], current: str) -> None:
    """Wait until the kiosk's reader holds `lines` ended and `current` being written: the
    console's own view of a line is not proof that the kiosk has all of it yet."""
    end = asyncio.get_running_loop().time() + DEADLINE
    while True:
        reader = await _typed(page)
        if (reader.lines, reader.current) == (lines, current):
            return
        assert asyncio.get_running_loop().time() < end, (reader.lines, reader.current)
        await asyncio.sleep(0.05)


def test_in_a_call_text_papers_and_what_the_advisor_sends(
    config: HubConfig, store: HubStore, tmp_path: Path, shots: Path
) -> None:
    add_user(store, "anna", "advisor")
    token = add_kiosk(store, "itakeskus-1")
    app = make_app(_config(config), store, clock=FixedClock())
    pdf = tmp_path / "ohje.pdf"
    # Large enough that the channel's buffer fills and the console waits for it to drain.
    pdf.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 16 * 1024 + b"\n%%EOF\n")
    not_pdf = tmp_path / "kuva.pdf"
    not_pdf.write_bytes(b"\x89PNG\r\n\x1a\n not a PDF at all")
    too_large = tmp_path / "iso.pdf"
    too_large.write_bytes(b"%PDF-1.7\n" + bytes(20 * 1024 * 1024))

    async def scenario() -> None:
        async with (
            serving(app) as base,
            advisor_console(base, strict=True, viewport={"width": 1280, "height": 900}) as (
                page,
                problems,
            ),
            aiohttp.ClientSession() as http,
        ):
            kiosk: KioskSocket | None = None
            try:
                await page.click("#set-available")
                await page.wait_for_selector("#set-available[aria-pressed=true]")
                ws = await http.ws_connect(
                    f"{base}/ws/kiosk",
                    headers={"Authorization": f"Bearer {token}", "X-Kiosk-Id": "itakeskus-1"},
                )
                kiosk = KioskSocket(ws, page)
                await kiosk.expect("hello")
                await ws.send_json({"type": "call", "line": "virka-info", "language": "fi"})
                call = (await kiosk.expect("queued"))["call"]
                await page.click("#accept")
                connected = await kiosk.expect("connected")
                assert connected["documents_print_free"] is True
                sdp = await page.evaluate(KIOSK_OFFER)
                await ws.send_json({"type": "offer", "call": call, "sdp": sdp})
                await until(page, "callHelp().ready")
                for button in BUTTONS:
                    assert not await _disabled(page, button), button

                await _text_both_ways(page)
                await _a_paper_shown(page)
                await page.wait_for_selector("#call-media-state", state="hidden")
                await page.evaluate("window.scrollTo(0, 0)")
                await page.screenshot(path=str(shots / "advisor-console-call-help.png"))
                await _the_advisor_sends(page, pdf, not_pdf, too_large)
                await page.locator("#call").screenshot(path=str(shots / "advisor-call-panel.png"))

                # The call ends: nothing of it stays in the page.
                urls = await page.eval_on_selector_all("#papers img", "is => is.map(i => i.src)")
                await page.click("#hang-up")
                await kiosk.expect("ended")
                await page.wait_for_selector("body[data-state=idle]")
                help_now = await page.evaluate("callHelp()")
                assert help_now["ready"] is False
                assert (help_now["papers"], help_now["sent"], help_now["remoteLines"]) == (
                    [],
                    [],
                    [],
                )
                assert (
                    await page.locator("#papers figure, #sent li, #rtt-remote-lines p").count() == 0
                )
                for button in BUTTONS:
                    assert await _disabled(page, button), button
                revoked = await page.evaluate(LOADS_NOT, urls[0])
                assert revoked, "the paper's object URL outlived the call"
            finally:
                if kiosk is not None:
                    await kiosk.close()
                await page.evaluate(
                    "window.kiosk && (clearInterval(kiosk.painter), kiosk.pc.close())"
                )
        assert not problems, problems

    asyncio.run(scenario())


async def _text_both_ways(page: Page) -> None:
    # The citizen types, erases a character, ends the line, starts another.
    for block in ("Hei", "\ufeffx", "\u0008, tarvitsen apua", "\u2028", "Lomake\u0007"):
        await page.evaluate("b => kiosk.rtt.send(b)", block)
    await until(page, "callHelp().remoteCurrent === 'Lomake'")
    assert await page.eval_on_selector_all(
        "#rtt-remote-lines p", "ps => ps.map(p => p.textContent)"
    ) == ["Hei, tarvitsen apua"]
    assert await page.text_content("#rtt-remote-current") == "Lomake"
    assert await page.get_attribute("#rtt-remote-lines", "aria-live") == "polite"

    # The advisor types: the kiosk sees each keystroke, a change mid-line, and Enter.
    await page.click("#rtt-input")
    await page.keyboard.type("Hyvä päivää")
    await until(page, "kiosk.rttIn.length >= 11")
    assert (await _typed(page)).current == "Hyvä päivää"
    await page.fill("#rtt-input", "Hyvää päivää!")  # one input event: a change in the middle
    await page.keyboard.press("End")
    await page.keyboard.press("Backspace")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#rtt-own-lines p")
    await _kiosk_reads(page, ["Hyvää päivää"], "")
    assert await page.input_value("#rtt-input") == ""
    await page.fill("#rtt-input", "😀 ok")
    await page.click("#rtt-send")
    await until(page, "callHelp().ownLines.length === 2")
    await _kiosk_reads(page, ["Hyvää päivää", "😀 ok"], "")


async def _a_paper_shown(page: Page) -> None:
    shown = await page.evaluate(SHOW_PAGE)
    await page.wait_for_selector("#papers figure.paper[data-sha256]")
    figure = page.locator("#papers figure.paper")
    assert await figure.get_attribute("data-number") == "1"
    assert await figure.get_attribute("data-width") == "1654"
    assert await figure.get_attribute("data-height") == "2339"
    assert await figure.get_attribute("data-sha256") == shown["sha256"]
    assert "Sivu 1 / Page 1, 1654×2339" in (await figure.text_content() or "")
    paper = (await page.evaluate("callHelp()"))["papers"][0]
    shown_at = paper.pop("shownAt")  # when it stood decoded in the viewer, if it has yet
    assert shown_at is None or shown_at > 0
    assert paper == {"number": 1, "width": 1654, "height": 2339, **shown}
    await until(page, "kiosk.helpIn.some(m => m.type === 'received' && m.id === 'p1')")

    # It opens at once, fitted to the viewer's width; 100 % is the paper's own pixels.
    await page.wait_for_selector("#paper-view img", state="visible")
    view_width = await page.evaluate("document.getElementById('paper-view').clientWidth")
    image = "document.querySelector('#paper-view img').getBoundingClientRect().width"
    assert abs(await page.evaluate(image) - view_width) <= 1
    for _ in range(10):
        if (await page.evaluate("callHelp()"))["zoom"] == 1:
            break
        await page.click("#paper-zoom-in")
    assert await page.text_content("#paper-zoom-level") == "100 %"
    assert round(await page.evaluate(image)) == 1654
    await page.click("#paper-zoom-out")
    assert (await page.evaluate("callHelp()"))["zoom"] < 1
    await page.click("#paper-fit")
    assert abs(await page.evaluate(image) - view_width) <= 1


async def _the_advisor_sends(page: Page, pdf: Path, not_pdf: Path, too_large: Path) -> None:
    # An e-service: the kiosk has it, and the citizen opens it.
    service = await page.eval_on_selector("#send-eservice", "s => s.value")
    await page.click("#send-eservice-button")
    await until(page, "kiosk.helpIn.some(m => m.type === 'eservice')")
    sent = [m for m in await _kiosk_got(page) if m["type"] == "eservice"]
    assert sent == [{"type": "eservice", "id": "a1", "service": service}]
    assert await page.get_attribute("#sent li[data-id=a1]", "data-status") == "sent"
    await page.evaluate("() => kiosk.help.send(JSON.stringify({type: 'received', id: 'a1'}))")
    await page.wait_for_selector("#sent li[data-id=a1][data-status=received]")
    assert "Perillä / Arrived" in (await page.text_content("#sent li[data-id=a1]") or "")
    await page.evaluate("() => kiosk.help.send(JSON.stringify({type: 'opened', id: 'a1'}))")
    await page.wait_for_selector("#sent li[data-id=a1][data-status=opened]")

    # A form the kiosk does not have.
    form = await page.eval_on_selector("#send-form", "s => s.value")
    await page.click("#send-form-button")
    await until(page, "kiosk.helpIn.some(m => m.type === 'form')")
    assert {"type": "form", "id": "a2", "form": form} in await _kiosk_got(page)
    await page.evaluate(
        "() => kiosk.help.send(JSON.stringify({type: 'refused', id: 'a2', reason: 'unknown_form'}))"
    )
    await page.wait_for_selector("#sent li[data-id=a2][data-status=refused]")
    assert "Refused" in (await page.text_content("#sent li[data-id=a2]") or "")

    # A PDF, in chunks, every byte of it; a file that is no PDF, or too large, is not sent.
    await page.set_input_files("#send-pdf", str(not_pdf))
    await page.click("#send-pdf-button")
    await until(page, "document.getElementById('send-problem').textContent.includes('not a PDF')")
    await page.set_input_files("#send-pdf", str(too_large))
    await page.click("#send-pdf-button")
    await until(page, "document.getElementById('send-problem').textContent.includes('20 MiB')")
    assert await page.locator("#sent li").count() == 2
    size = pdf.stat().st_size
    await page.set_input_files("#send-pdf", str(pdf))
    await page.click("#send-pdf-button")
    await until(page, f"kiosk.bytesIn === {size}")
    header = [m for m in await _kiosk_got(page) if m["type"] == "file"]
    assert header == [
        {
            "type": "file",
            "id": "a3",
            "kind": "pdf",
            "name": "ohje.pdf",
            "mime": "application/pdf",
            "size": size,
        }
    ]
    await page.evaluate("() => kiosk.help.send(JSON.stringify({type: 'received', id: 'a3'}))")
    await page.wait_for_selector("#sent li[data-id=a3][data-status=received]")
    assert [
        (x["id"], x["kind"], x["status"]) for x in (await page.evaluate("callHelp()"))["sent"]
    ] == [
        ("a1", "eservice", "opened"),
        ("a2", "form", "refused"),
        ("a3", "pdf", "received"),
    ]
