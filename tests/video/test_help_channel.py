"""The call's help channels between two real WebRTC peers: the kiosk's `CallHelp` on one aiortc
peer connection, and on the other a far end that speaks docs/call-help.md as the advisor's
console does. The console itself, in Chromium, is tested end to end in test_call_help.py."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from aiortc import RTCConfiguration, RTCDataChannel, RTCPeerConnection

from kiosk.devices.camera.simulated import SimulatedCamera
from kiosk.video.help import CHUNK_BYTES, MAX_FILE_BYTES, CallHelp, HelpEvent
from kiosk.video.rtt import LINE_SEPARATOR, RttReader, edits
from kiosk.video.share import SHARE_WIDTH, ScreenTrack, ShareState
from tests.conftest import MakeCamera
from tests.video.conftest import DEADLINE

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class FarEnd:
    """The advisor's side of the channels: what it received, and a way to send."""

    pc: RTCPeerConnection
    channels: dict[str, RTCDataChannel] = field(default_factory=dict)
    blocks: list[str] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    #: Pictures of the kiosk's screen received: (width, height, luma mean).
    screen_frames: list[tuple[int, int, float]] = field(default_factory=list)
    tasks: list[asyncio.Future[None]] = field(default_factory=list)
    _file: tuple[dict[str, Any], bytearray] | None = None

    def on_channel(self, channel: RTCDataChannel) -> None:
        self.channels[channel.label] = channel
        if channel.label == "rtt":
            channel.on("message", lambda m: self.blocks.append(m))
        else:
            channel.on("message", self._on_help)

    def _on_help(self, message: str | bytes) -> None:
        if isinstance(message, bytes):
            assert self._file is not None
            header, data = self._file
            data.extend(message)
            assert len(message) <= CHUNK_BYTES
            if len(data) == header["size"]:
                self.files[header["id"]] = bytes(data)
                self._file = None
            return
        parsed = json.loads(message)
        self.messages.append(parsed)
        if parsed["type"] == "file":
            self._file = (parsed, bytearray())

    def on_track(self, track: Any) -> None:
        async def receive() -> None:
            with contextlib.suppress(Exception):
                while True:
                    frame = await track.recv()
                    luma = frame.to_ndarray(format="gray")
                    self.screen_frames.append((frame.width, frame.height, float(luma.mean())))

        if track.kind == "video":
            self.tasks.append(asyncio.ensure_future(receive()))

    def send(self, message: dict[str, Any] | bytes | str) -> None:
        channel = self.channels["help"]
        channel.send(message if isinstance(message, bytes | str) else json.dumps(message))

    def said(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["type"] == kind]


@dataclass
class Call:
    help: CallHelp
    far: FarEnd
    events: list[HelpEvent]


async def until(check: Callable[[], bool], what: str) -> None:
    end = asyncio.get_running_loop().time() + DEADLINE
    while not check():
        if asyncio.get_running_loop().time() > end:
            pytest.fail(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def run_call(
    tmp_path: Path,
    scenario: Callable[[Call], Awaitable[None]],
    *,
    admission: Callable[[str, str], str | None] | None = None,
    print_free: bool = False,
    screen: ScreenTrack | None = None,
) -> None:
    async def main() -> None:
        kiosk = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        advisor = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        if screen is not None:
            kiosk.addTransceiver(screen, direction="sendonly")
        events: list[HelpEvent] = []
        helper = CallHelp(
            asyncio.get_running_loop(),
            call_id="c1",
            listener=lambda _help, event: events.append(event),
            admission=admission,
            documents_folder=tmp_path / "session",
            documents_print_free=print_free,
            screen=screen,
        )
        helper.attach(kiosk)
        far = FarEnd(advisor)
        advisor.on("datachannel", far.on_channel)
        advisor.on("track", far.on_track)
        await kiosk.setLocalDescription(await kiosk.createOffer())
        await advisor.setRemoteDescription(kiosk.localDescription)
        await advisor.setLocalDescription(await advisor.createAnswer())
        await kiosk.setRemoteDescription(advisor.localDescription)
        try:
            await until(lambda: HelpEvent.READY in events, "both channels open")
            assert {c.protocol for c in far.channels.values()} == {"t140", "kiosk-help/1"}
            await scenario(Call(helper, far, events))
        finally:
            helper.close()
            await kiosk.close()
            await advisor.close()
            for task in far.tasks:
                task.cancel()

    asyncio.run(asyncio.wait_for(main(), 3 * DEADLINE))


def test_text_goes_both_ways_a_character_at_a_time(tmp_path: Path) -> None:
    async def scenario(call: Call) -> None:
        for text in ["M", "Mi", "Min", "Mi", "Mik"]:
            call.help.set_draft(text)
            await until(lambda: len(call.far.blocks) >= 1, "a block")
        call.help.end_line()
        await until(lambda: LINE_SEPARATOR in "".join(call.far.blocks), "the line's end")
        assert call.far.blocks == ["M", "i", "n", "\b", "k", LINE_SEPARATOR]
        assert call.help.own_lines() == ("Mik",)
        reader = RttReader()
        reader.feed("".join(call.far.blocks))
        assert reader.lines == ["Mik"]

        rtt = call.far.channels["rtt"]
        typed = ""
        for text in ["H", "He", "Hei"]:
            rtt.send(edits(typed, text))
            typed = text
            shows = functools.partial(lambda t: call.help.remote_text()[1] == t, text)
            await until(shows, f"the kiosk to see {text}")
        rtt.send(LINE_SEPARATOR)
        await until(lambda: call.help.remote_text() == (("Hei",), ""), "the advisor's line")
        assert call.events.count(HelpEvent.TEXT) == 4

    run_call(tmp_path, scenario)


def test_a_page_under_the_camera_reaches_the_advisor_whole_and_lossless(
    tmp_path: Path, make_camera: MakeCamera
) -> None:
    camera = make_camera(1280, 720, 15)

    async def scenario(call: Call) -> None:
        await until(lambda: camera.latest() is not None, "a picture")
        page = await asyncio.wrap_future(call.help.show_page(camera))
        assert page is not None and page.number == 1
        await until(lambda: "p1" in call.far.files, "the page at the advisor")
        [header] = call.far.said("file")
        assert header["kind"] == "page" and header["mime"] == "image/png"
        data = call.far.files["p1"]
        assert hashlib.sha256(data).digest() == hashlib.sha256(page.png).digest()
        picture = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
        assert picture is not None
        assert picture.shape[:2] == (page.height, page.width) == (header["height"], header["width"])
        # The simulated camera's A4 page, straightened: taller than wide.
        assert page.height > page.width
        assert not page.delivered
        call.far.send({"type": "received", "id": "p1"})
        await until(lambda: call.help.shown[0].delivered, "the advisor's receipt")
        assert HelpEvent.PAGE_DELIVERED in call.events

    run_call(tmp_path, scenario)


def test_no_page_under_the_camera_sends_nothing(tmp_path: Path, make_camera: MakeCamera) -> None:
    camera: SimulatedCamera = make_camera(640, 480, 15)
    camera.set_fault("no_page", True)

    async def scenario(call: Call) -> None:
        await asyncio.sleep(0.3)  # a picture of the empty desk
        assert await asyncio.wrap_future(call.help.show_page(camera)) is None
        await asyncio.sleep(0.2)
        assert call.far.said("file") == [] and call.help.shown == ()

    run_call(tmp_path, scenario)


def test_what_the_advisor_sends_arrives_or_is_refused_with_a_reason(tmp_path: Path) -> None:
    known = {("eservice", "kela-asiointi"), ("form", "parking-permit")}

    def admission(kind: str, target: str) -> str | None:
        if kind == "pdf" or (kind, target) in known:
            return None
        return f"unknown_{'service' if kind == 'eservice' else 'form'}"

    async def scenario(call: Call) -> None:
        far = call.far
        far.send({"type": "eservice", "id": "a1", "service": "kela-asiointi"})
        far.send({"type": "eservice", "id": "a2", "service": "no-such"})
        far.send({"type": "form", "id": "a3", "form": "parking-permit"})
        name = "Päätös.pdf"
        far.send({"type": "file", "id": "a4", "kind": "pdf", "name": name, "size": len(PDF)})
        far.send(PDF[:10])
        far.send(PDF[10:])
        not_pdf = b"<html>not a pdf</html>"
        far.send({"type": "file", "id": "a5", "kind": "pdf", "name": "x.pdf", "size": len(not_pdf)})
        far.send(not_pdf)
        far.send({"type": "file", "id": "a6", "kind": "pdf", "size": MAX_FILE_BYTES + 1})
        far.send(b"%PDF-" + bytes(100))  # the sender's first chunk, before it heard
        far.send("{not json")
        await until(lambda: len(far.said("received")) + len(far.said("refused")) == 7, "answers")
        assert [m["id"] for m in far.said("received")] == ["a1", "a3", "a4"]
        assert {m["id"]: m["reason"] for m in far.said("refused")} == {
            "a2": "unknown_service",
            "a5": "not_pdf",
            "a6": "too_large",
            "": "bad_message",
        }
        arrived = {a.id: a for a in call.help.arrived}
        assert (arrived["a1"].kind, arrived["a1"].target) == ("eservice", "kela-asiointi")
        assert (arrived["a3"].kind, arrived["a3"].target) == ("form", "parking-permit")
        pdf = arrived["a4"]
        assert pdf.kind == "pdf" and pdf.target == "Päätös.pdf" and pdf.print_free
        assert pdf.pdf is not None and pdf.pdf.read_bytes() == PDF
        assert pdf.pdf.parent == tmp_path / "session"
        assert call.events.count(HelpEvent.ARRIVED) == 3

        call.help.opened("a1")
        await until(lambda: bool(far.said("opened")), "the advisor to hear it was opened")
        assert far.said("opened") == [{"type": "opened", "id": "a1"}]

    run_call(tmp_path, scenario, admission=admission, print_free=True)


def test_the_calls_end_forgets_the_text_and_the_pages(
    tmp_path: Path, make_camera: MakeCamera
) -> None:
    camera = make_camera(1280, 720, 15)

    async def scenario(call: Call) -> None:
        call.help.set_draft("secret")
        call.help.end_line()
        call.far.channels["rtt"].send("reply")
        await until(lambda: call.help.remote_text()[1] == "reply", "the reply")
        await until(lambda: camera.latest() is not None, "a picture")
        assert await asyncio.wrap_future(call.help.show_page(camera)) is not None
        call.help.close()
        assert call.help.own_lines() == () and call.help.remote_text() == ((), "")
        assert call.help.shown == () and not call.help.ready
        assert call.events[-1] is HelpEvent.CLOSED

    run_call(tmp_path, scenario)


def test_the_screen_is_shared_only_once_the_citizen_allows_it_and_stops_when_told(
    tmp_path: Path,
) -> None:
    screen = ScreenTrack()
    window = np.zeros((1080, 1920, 3), np.uint8)

    async def scenario(call: Call) -> None:
        far = call.far
        hello = far.said("hello")
        assert hello and hello[0]["screen_mid"] is not None
        call.help.offer_screen(window)  # not shared yet: nothing goes
        await asyncio.sleep(1.0)
        assert far.screen_frames == []

        far.send({"type": "share_request"})
        await until(lambda: call.help.share_state is ShareState.ASKED, "the citizen asked")
        call.help.answer_share(False)
        await until(lambda: bool(far.said("share_answer")), "the answer")
        assert far.said("share_answer") == [{"type": "share_answer", "allowed": False}]
        call.help.offer_screen(window)
        await asyncio.sleep(0.5)
        assert far.screen_frames == [] and call.help.share_state is ShareState.OFF

        far.send({"type": "share_request"})
        await until(lambda: call.help.share_state is ShareState.ASKED, "asked again")
        call.help.answer_share(True)
        for shade in range(20, 220, 20):  # the screen changes
            window[:] = shade
            call.help.offer_screen(window.copy())
            await asyncio.sleep(0.1)
        await until(lambda: len(far.screen_frames) >= 5, "the screen at the advisor")
        width, height, _ = far.screen_frames[-1]
        assert (width, height) == (SHARE_WIDTH, 720)
        await until(lambda: far.screen_frames[-1][2] > 150, "the newest picture")

        call.help.stop_share()
        await until(lambda: bool(far.said("share_stopped")), "told it stopped")
        assert far.said("share_stopped") == [{"type": "share_stopped", "by": "citizen"}]
        assert call.help.share_state is ShareState.OFF
        await asyncio.sleep(0.5)
        count = len(far.screen_frames)
        call.help.offer_screen(window)
        await asyncio.sleep(1.5)
        assert len(far.screen_frames) == count  # nothing more after it stopped

        # The advisor may stop it too.
        far.send({"type": "share_request"})
        await until(lambda: call.help.share_state is ShareState.ASKED, "asked a third time")
        call.help.answer_share(True)
        await until(lambda: call.help.share_state is ShareState.ON, "on again")
        far.send({"type": "share_stop"})
        await until(lambda: call.help.share_state is ShareState.OFF, "stopped by the advisor")
        assert call.help.share_changed_by == "advisor"
        assert call.events.count(HelpEvent.SHARE) == 8  # asked, no; asked, on, off; asked, on, off

    run_call(tmp_path, scenario, screen=screen)


def test_an_unchanged_screen_is_sent_again_only_now_and_then(tmp_path: Path) -> None:
    screen = ScreenTrack()
    window = np.full((1080, 1920, 3), 128, np.uint8)

    async def scenario(call: Call) -> None:
        call.far.send({"type": "share_request"})
        await until(lambda: call.help.share_state is ShareState.ASKED, "asked")
        call.help.answer_share(True)
        for _ in range(30):  # the same picture, offered 10 times a second for 3 s
            call.help.offer_screen(window.copy())
            await asyncio.sleep(0.1)
        # One picture, then about one repeat a second: far below the 12 a second of a
        # changing screen.
        assert 1 <= screen.frames_sent <= 6

    run_call(tmp_path, scenario, screen=screen)


def test_the_calls_end_ends_the_sharing(tmp_path: Path) -> None:
    screen = ScreenTrack()

    async def scenario(call: Call) -> None:
        call.far.send({"type": "share_request"})
        await until(lambda: call.help.share_state is ShareState.ASKED, "asked")
        call.help.answer_share(True)
        await until(lambda: screen.sharing, "sharing")
        call.help.close()
        assert call.help.share_state is ShareState.OFF and not screen.sharing
        assert call.help.share_changed_by == "call"
        sent = screen.frames_sent
        call.help.offer_screen(np.zeros((1080, 1920, 3), np.uint8))
        await asyncio.sleep(1.0)
        assert screen.frames_sent == sent

    run_call(tmp_path, scenario, screen=screen)
