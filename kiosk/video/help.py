"""Help in a connected call, beside the video: real-time text, papers shown to the advisor, and
what the advisor sends (an e-service, a form, a PDF). docs/call-help.md is the protocol.

One `CallHelp` per peer connection, made by the hub client when a call connects, closed with the
call. It lives on the engine loop: `attach` adds the call's two data channels before the offer,
messages are handled there, and the listener hears of each change there (a screen hands it on to
the Qt thread). What the screen calls (`set_draft`, `end_line`, `show_page`, `opened`) may come
from any thread and returns at once.

Nothing here is logged but ids and sizes: the text and the papers are the citizen's.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.video.arrivals import MAX_FILE_BYTES as MAX_FILE_BYTES
from kiosk.video.arrivals import Admission as Admission
from kiosk.video.arrivals import Arrivals
from kiosk.video.arrivals import Arrived as Arrived
from kiosk.video.rtt import LINE_SEPARATOR, RttReader, clean, edits

if TYPE_CHECKING:
    from aiortc import RTCDataChannel, RTCPeerConnection

    from kiosk.devices.camera.base import Camera
    from kiosk.video.share import ScreenShare, ScreenTrack, ShareState

log = logging.getLogger(__name__)

CHUNK_BYTES = 16 * 1024
HELP_LABEL, HELP_PROTOCOL = "help", "kiosk-help/1"
RTT_LABEL, RTT_PROTOCOL = "rtt", "t140"


class HelpEvent(StrEnum):
    #: Both channels are open: text can be written and papers shown.
    READY = "ready"
    #: The advisor's text changed (`remote_text`).
    TEXT = "text"
    #: Something the advisor sent has arrived (`arrived`).
    ARRIVED = "arrived"
    #: A page went to the advisor (`shown`).
    PAGE_SHOWN = "page_shown"
    #: The advisor has the page (`shown[-1].delivered`).
    PAGE_DELIVERED = "page_delivered"
    #: Screen sharing changed: the advisor asks, it is on, or it is off (`share_state`).
    SHARE = "share"
    #: The call's channels are gone.
    CLOSED = "closed"


@dataclass(eq=False)
class ShownPage:
    """A page shown to the advisor in this call: the lossless PNG that was sent."""

    number: int
    width: int
    height: int
    png: bytes = field(repr=False)
    #: The console has all of it (its `received`).
    delivered: bool = False


def _page_png(camera: Camera) -> tuple[bytes, int, int] | None:
    """The page under the camera now, straightened and cleaned as Scan makes it, as PNG; None
    when no page is found. Runs in an executor (OpenCV)."""
    import cv2

    from kiosk.scan.document import scan_document

    frame = camera.latest()
    if frame is None:
        return None
    scanned = scan_document(frame.data, enhance="color")
    if not scanned.found:
        return None
    page = scanned.page
    ok, encoded = cv2.imencode(".png", page)
    if not ok:
        return None
    height, width = page.shape[:2]
    return encoded.tobytes(), int(width), int(height)


class CallHelp:
    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        *,
        call_id: str,
        listener: Callable[[CallHelp, HelpEvent], None] | None = None,
        admission: Admission | None = None,
        documents_folder: Path | None = None,
        documents_print_free: bool = False,
        screen: ScreenTrack | None = None,
    ) -> None:
        self._loop = loop
        self.call_id = call_id
        self._listener = listener
        self._lock = threading.Lock()
        self._help: RTCDataChannel | None = None
        self._rtt: RTCDataChannel | None = None
        self._reader = RttReader()
        self._sent_draft = ""
        self._own_lines: list[str] = []
        self._arrived: list[Arrived] = []
        self._shown: list[ShownPage] = []
        self._sending = asyncio.Lock()
        self._tasks: set[asyncio.Future[Any]] = set()
        self._arrivals = Arrivals(
            call_id=call_id,
            send=self._send_json,
            arrive=self._arrive,
            spawn=self._spawn,
            admission=admission,
            folder=documents_folder,
            print_free=documents_print_free,
        )
        self._ready = False
        self._closed = False
        self._pc: RTCPeerConnection | None = None
        self.share: ScreenShare | None = None
        if screen is not None:
            from kiosk.video.share import ScreenShare

            self.share = ScreenShare(screen, self._send_json, self._share_changed)
        #: Who last changed the sharing ("advisor", "citizen", "call").
        self.share_changed_by = ""

    # ---- what a screen reads (any thread) -----------------------------------------------------

    @property
    def ready(self) -> bool:
        return self._ready and not self._closed

    def remote_text(self) -> tuple[tuple[str, ...], str]:
        """The advisor's ended lines and the line being written now."""
        with self._lock:
            return tuple(self._reader.lines), self._reader.current

    def own_lines(self) -> tuple[str, ...]:
        """The citizen's ended lines."""
        with self._lock:
            return tuple(self._own_lines)

    @property
    def share_state(self) -> ShareState | None:
        """Whether the screen is shared, or the citizen is being asked; None: no sharing here."""
        return self.share.state if self.share is not None else None

    @property
    def arrived(self) -> tuple[Arrived, ...]:
        with self._lock:
            return tuple(self._arrived)

    @property
    def shown(self) -> tuple[ShownPage, ...]:
        with self._lock:
            return tuple(self._shown)

    # ---- what a screen does (any thread) ------------------------------------------------------

    def set_draft(self, text: str) -> None:
        """The citizen's text field now holds `text`: the advisor sees it as it is typed."""
        self._call(self._draft, clean(text))

    def end_line(self) -> None:
        """The citizen ends the line (Enter, or Send): it is said, and the field starts afresh."""
        self._call(self._end_line)

    def answer_share(self, allowed: bool) -> None:
        """The citizen's answer to the advisor's asking to see the screen."""
        if self.share is not None:
            self._call(self.share.answer, allowed)

    def stop_share(self) -> None:
        """The citizen stops sharing the screen."""
        if self.share is not None:
            self._call(self.share.stop, "citizen")

    def offer_screen(self, rgb: Any) -> None:
        """The window as it looks now, masked (H×W×3 RGB): sent while sharing is on."""
        if self.share is not None:
            self.share.track.offer(rgb)

    def opened(self, item_id: str) -> None:
        """The citizen opened what the advisor sent: the advisor is told."""
        self._call(self._send_json, {"type": "opened", "id": item_id})

    def show_page(self, camera: Camera) -> Future[ShownPage | None]:
        """Find the page under the camera and send it to the advisor, sharp. The future gives
        the page as sent (None when no page was found; it fails when the call has no channel)."""
        return asyncio.run_coroutine_threadsafe(self._show_page(camera), self._loop)

    def _call(self, fn: Callable[..., Any], *args: Any) -> None:
        if self._loop.is_closed():
            return
        self._loop.call_soon_threadsafe(lambda: self._spawn(fn(*args)))

    def _spawn(self, result: Any) -> None:
        if asyncio.iscoroutine(result):
            task = asyncio.ensure_future(result)
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    # ---- the channels (engine loop) -----------------------------------------------------------

    def attach(self, pc: RTCPeerConnection) -> None:
        """Add the call's channels to `pc` (before its offer is made)."""
        self._pc = pc
        self._help = pc.createDataChannel(HELP_LABEL, ordered=True, protocol=HELP_PROTOCOL)
        self._rtt = pc.createDataChannel(RTT_LABEL, ordered=True, protocol=RTT_PROTOCOL)
        for channel in (self._help, self._rtt):
            channel.on("open", self._opened)
        self._help.on("message", self._on_help)
        self._rtt.on("message", self._on_rtt)

    def _opened(self) -> None:
        channels = (self._help, self._rtt)
        if all(c is not None and c.readyState == "open" for c in channels) and not self._ready:
            self._ready = True
            self._send_json({"type": "hello", "screen_mid": self._screen_mid()})
            self._tell(HelpEvent.READY)

    def _screen_mid(self) -> str | None:
        """The media id of the screen's video, so the console tells it from the camera's."""
        if self._pc is None or self.share is None:
            return None
        for transceiver in self._pc.getTransceivers():
            if transceiver.sender.track is self.share.track:
                return transceiver.mid
        return None

    def _share_changed(self, state: ShareState, by: str) -> None:
        self.share_changed_by = by
        self._tell(HelpEvent.SHARE)

    def _tell(self, event: HelpEvent) -> None:
        if self._listener is not None and not self._closed:
            try:
                self._listener(self, event)
            except Exception:
                log.exception("call help listener failed")

    def _send_rtt(self, block: str) -> None:
        channel = self._rtt
        if block and channel is not None and channel.readyState == "open":
            channel.send(block)

    def _send_json(self, message: dict[str, Any]) -> None:
        channel = self._help
        if channel is not None and channel.readyState == "open":
            channel.send(json.dumps(message))

    def _draft(self, text: str) -> None:
        self._send_rtt(edits(self._sent_draft, text))
        self._sent_draft = text

    def _end_line(self) -> None:
        line = self._sent_draft
        self._send_rtt(LINE_SEPARATOR)
        self._sent_draft = ""
        with self._lock:
            self._own_lines.append(line)

    def _on_rtt(self, message: str | bytes) -> None:
        if isinstance(message, bytes):
            message = message.decode("utf-8", errors="replace")
        with self._lock:
            self._reader.feed(message)
        self._tell(HelpEvent.TEXT)

    # ---- papers -------------------------------------------------------------------------------

    async def _show_page(self, camera: Camera) -> ShownPage | None:
        if self._help is None or self._help.readyState != "open":
            raise ConnectionError("the call has no help channel")
        made = await asyncio.get_running_loop().run_in_executor(None, _page_png, camera)
        if made is None:
            return None
        png, width, height = made
        with self._lock:
            page = ShownPage(len(self._shown) + 1, width, height, png)
            self._shown.append(page)
        await self._send_file(
            {
                "kind": "page",
                "name": f"page-{page.number}.png",
                "mime": "image/png",
                "width": width,
                "height": height,
                "number": page.number,
            },
            png,
            f"p{page.number}",
        )
        log.info(
            "page shown to the advisor",
            extra={"call": self.call_id, "page": page.number, "size": len(png)},
        )
        self._tell(HelpEvent.PAGE_SHOWN)
        return page

    async def _send_file(self, header: dict[str, Any], data: bytes, file_id: str) -> None:
        channel = self._help
        assert channel is not None
        async with self._sending:
            channel.send(json.dumps({"type": "file", "id": file_id, "size": len(data), **header}))
            for start in range(0, len(data), CHUNK_BYTES):
                if channel.readyState != "open":
                    raise ConnectionError("the call's help channel closed")
                channel.send(data[start : start + CHUNK_BYTES])
                # Let aiortc's SCTP transmit as we go: without it every chunk of a large page
                # is queued before the first leaves.
                if channel.bufferedAmount > 8 * CHUNK_BYTES:
                    await asyncio.sleep(0.005)

    # ---- what the advisor sends ---------------------------------------------------------------

    def _on_help(self, message: str | bytes) -> None:
        if isinstance(message, bytes):
            self._arrivals.on_bytes(message)
            return
        try:
            data = json.loads(message)
            kind = data["type"]
            item_id = str(data.get("id") or "")
        except (ValueError, KeyError, TypeError):
            self._send_json({"type": "refused", "id": "", "reason": "bad_message"})
            return
        if kind == "received":
            self._delivered(item_id)
        elif kind in ("share_request", "share_stop"):
            if self.share is not None:
                self.share.on_message(data)
            else:
                self._send_json({"type": "share_answer", "allowed": False})
        elif kind in ("eservice", "form"):
            self._arrivals.on_item(kind, item_id, data)
        elif kind == "file":
            self._arrivals.on_file(item_id, data)
        elif kind in ("refused", "opened"):
            pass  # the kiosk sends no such thing the console could answer
        else:
            self._arrivals.refuse(item_id, "bad_message")

    def _delivered(self, item_id: str) -> None:
        number = item_id.removeprefix("p")
        with self._lock:
            pages = [p for p in self._shown if str(p.number) == number]
            for page in pages:
                page.delivered = True
        if pages:
            self._tell(HelpEvent.PAGE_DELIVERED)

    def _arrive(self, item: Arrived) -> None:
        with self._lock:
            self._arrived.append(item)
        self._send_json({"type": "received", "id": item.id})
        self._tell(HelpEvent.ARRIVED)

    # ---- ending -------------------------------------------------------------------------------

    def close(self) -> None:
        """The call is over: forget the text and the pages (the PDFs are the visit's now)."""
        if self._closed:
            return
        if self.share is not None:
            self.share.stop("call")
        self._tell(HelpEvent.CLOSED)
        self._closed = True
        for channel in (self._help, self._rtt):
            if channel is not None:
                with contextlib.suppress(Exception):
                    channel.close()
        with self._lock:
            self._reader.clear()
            self._own_lines.clear()
            self._shown.clear()
            self._sent_draft = ""
        self._arrivals.forget()
