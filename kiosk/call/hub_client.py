"""The kiosk's video-advice client of the hub: lines over HTTP, the call over `/ws/kiosk`.

It speaks docs/call-protocol.md. Everything runs on the engine loop; the public methods may be
called from any thread and return at once. A socket to the hub is kept open (re-opened with
backoff when it drops) so that a call starts at once; every network step has a short timeout,
so a hub that is down or silent turns into "not available" within seconds and nothing hangs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Coroutine
from concurrent.futures import Future
from datetime import datetime
from typing import TYPE_CHECKING, Any

import aiohttp
import av
from aiortc.mediastreams import MediaStreamTrack

from kiosk.call.advice import AdviceClient, AdviceLine, AdvicePhase, AdviceStatus
from kiosk.call.media import ToneAudioTrack
from kiosk.call.peer import IceServer, KioskPeer, ReceiveStats, RemoteVideoFrame

if TYPE_CHECKING:
    from kiosk.devices.camera.base import Camera

log = logging.getLogger(__name__)

#: Opening a TCP connection to the hub, and one whole HTTP request (or WebSocket handshake).
CONNECT_TIMEOUT = 3.0
REQUEST_TIMEOUT = 5.0
#: Seconds between attempts to reach the hub again after a failure, the last one repeating.
BACKOFF = (1.0, 2.0, 5.0, 10.0, 30.0)
#: Ping the hub this often; a hub that does not answer within half of it is gone.
HEARTBEAT = 20.0
#: A call refused before an advisor answered, for these reasons, is said as "not now".
REFUSALS = ("line_closed", "no_advisor")
#: Phases in which a call is under way (the hub has it, or is about to).
IN_CALL = (AdvicePhase.REQUESTING, AdvicePhase.QUEUED, AdvicePhase.RINGING, AdvicePhase.CONNECTED)


class HubUnavailable(Exception):
    """The hub could not be reached, or refused this kiosk."""


class MutableAudioTrack(MediaStreamTrack):
    """The citizen's microphone with a mute switch: muted, it sends silence."""

    kind = "audio"

    def __init__(self, source: MediaStreamTrack) -> None:
        super().__init__()
        self._source = source
        self.muted = False

    async def recv(self) -> Any:
        frame = await self._source.recv()
        if self.muted and isinstance(frame, av.AudioFrame):
            for plane in frame.planes:
                plane.update(bytes(plane.buffer_size))
        return frame

    def stop(self) -> None:
        super().stop()
        self._source.stop()


def parse_lines(payload: Any) -> list[AdviceLine]:
    """The lines of a `/api/lines` answer."""
    lines: list[AdviceLine] = []
    for item in payload.get("lines", []):
        opening = item.get("next_opening")
        lines.append(
            AdviceLine(
                id=str(item["id"]),
                names={k: str(v) for k, v in (item.get("name") or {}).items()},
                descriptions={k: str(v) for k, v in (item.get("description") or {}).items()},
                phone=str(item.get("phone") or ""),
                languages=tuple(item.get("languages") or ()),
                open_now=bool(item.get("open_now")),
                next_opening=_parse_time(opening),
            )
        )
    return lines


def _parse_time(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


class HubAdviceClient(AdviceClient):
    def __init__(
        self,
        *,
        hub_url: str,
        token: str,
        kiosk_id: str,
        loop: asyncio.AbstractEventLoop,
        camera: Camera | None,
        connect_timeout: float = CONNECT_TIMEOUT,
        request_timeout: float = REQUEST_TIMEOUT,
        backoff: tuple[float, ...] = BACKOFF,
    ) -> None:
        super().__init__()
        self._base = hub_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}", "X-Kiosk-Id": kiosk_id}
        self._loop = loop
        self._camera = camera
        self._connect_timeout = connect_timeout
        self._request_timeout = request_timeout
        self._backoff = backoff
        self._lines: list[AdviceLine] = []
        self._http: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._ice: list[IceServer] = []
        self._peer: KioskPeer | None = None
        self._microphone: MutableAudioTrack | None = None
        self._muted = False
        self._call: str | None = None
        self._line: str | None = None
        self._cancel_pending = False
        self._keeper: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()
        self._failed = asyncio.Event()
        self._wake = asyncio.Event()
        self._closed = False

    # ---- the interface (any thread) -----------------------------------------------------------

    def open(self) -> None:
        """Start keeping a socket to the hub."""
        self._loop.call_soon_threadsafe(self._start_keeper)

    def lines(self) -> list[AdviceLine]:
        return list(self._lines)

    def refresh_lines(self) -> Future[list[AdviceLine]]:
        return self._submit(self._fetch_lines())

    def start(self, line: str, language: str) -> None:
        self._submit(self._start(line, language))

    def cancel(self) -> None:
        self._submit(self._cancel())

    def set_muted(self, muted: bool) -> None:
        self._muted = muted
        microphone = self._microphone
        if microphone is not None:
            microphone.muted = muted

    def rate(self, stars: int) -> None:
        self._submit(self._rate(stars))

    def take_remote_video(self) -> RemoteVideoFrame | None:
        peer = self._peer
        return peer.take_remote_video() if peer is not None else None

    def receive_stats(self) -> ReceiveStats | None:
        peer = self._peer
        return peer.stats() if peer is not None else None

    def close(self) -> None:
        self._submit(self.aclose())

    def _submit(self, coro: Coroutine[Any, Any, Any]) -> Future[Any]:
        if self._loop.is_closed():
            coro.close()
            failed: Future[Any] = Future()
            failed.set_exception(HubUnavailable("the engine is not running"))
            return failed
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    # ---- HTTP ---------------------------------------------------------------------------------

    def _session(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(
                headers=self._headers,
                timeout=aiohttp.ClientTimeout(
                    total=self._request_timeout, sock_connect=self._connect_timeout
                ),
            )
        return self._http

    async def _fetch_lines(self) -> list[AdviceLine]:
        try:
            async with self._session().get(f"{self._base}/api/lines") as response:
                if response.status != 200:
                    raise HubUnavailable(f"the hub answered {response.status} to /api/lines")
                self._lines = parse_lines(await response.json())
        except (aiohttp.ClientError, TimeoutError, OSError, ValueError, KeyError) as exc:
            self._unreachable()
            raise HubUnavailable(str(exc) or type(exc).__name__) from exc
        except HubUnavailable:
            self._unreachable()
            raise
        return list(self._lines)

    def _unreachable(self) -> None:
        if self.status.phase in (AdvicePhase.IDLE, AdvicePhase.UNAVAILABLE):
            self._report(AdviceStatus(AdvicePhase.UNAVAILABLE, reason="hub_unreachable"))

    # ---- the socket ---------------------------------------------------------------------------

    def _start_keeper(self) -> None:
        if self._keeper is None and not self._closed:
            self._keeper = self._loop.create_task(self._keep_connected())

    async def _keep_connected(self) -> None:
        failures = 0
        while not self._closed:
            try:
                with contextlib.suppress(HubUnavailable):
                    await self._fetch_lines()
                if await self._serve_socket():
                    failures = 0
            except (aiohttp.ClientError, TimeoutError, OSError, HubUnavailable) as exc:
                log.info("hub not reachable: %s", str(exc) or type(exc).__name__)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("hub socket failed")
            self._failed.set()
            if self._closed:
                break
            delay = self._backoff[min(failures, len(self._backoff) - 1)]
            failures += 1
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)

    async def _serve_socket(self) -> bool:
        """Connect, take the hello, then handle messages until the socket closes. True when it
        had connected."""
        ws = await self._session().ws_connect(
            f"{self._base}/ws/kiosk", heartbeat=HEARTBEAT, autoping=True
        )
        try:
            hello = await asyncio.wait_for(ws.receive(), self._request_timeout)
            if hello.type != aiohttp.WSMsgType.TEXT:
                raise HubUnavailable(f"no hello from the hub ({hello.type!r})")
            first = json.loads(hello.data)
            if first.get("type") != "hello":
                raise HubUnavailable(f"the hub said {first.get('type')!r} before hello")
            self._ice = [
                IceServer(
                    urls=tuple(s.get("urls") or ()),
                    username=s.get("username"),
                    credential=s.get("credential"),
                )
                for s in first.get("ice_servers") or ()
            ]
            self._ws = ws
            self._failed.clear()
            self._connected.set()
            if self.status.phase is AdvicePhase.UNAVAILABLE:
                self._report(AdviceStatus(AdvicePhase.IDLE))
            log.info("connected to the hub's call service")
            async for message in ws:
                if message.type != aiohttp.WSMsgType.TEXT:
                    continue
                try:
                    data = json.loads(message.data)
                    await self._on_message(data)
                except Exception:
                    log.exception("a message from the hub could not be handled")
            return True
        finally:
            self._ws = None
            self._connected.clear()
            await ws.close()
            await self._hub_lost()

    async def _hub_lost(self) -> None:
        """The socket closed: a call under way is over (the hub counts the kiosk as gone)."""
        if self.status.phase in IN_CALL:
            await self._close_peer()
            self._report(AdviceStatus(AdvicePhase.UNAVAILABLE, line=self._line, reason="hub_lost"))

    async def _socket(self) -> aiohttp.ClientWebSocketResponse | None:
        """The open socket, trying once more at once if there is none."""
        if self._ws is not None:
            return self._ws
        self._start_keeper()
        self._failed.clear()
        self._wake.set()
        connected = asyncio.ensure_future(self._connected.wait())
        failed = asyncio.ensure_future(self._failed.wait())
        try:
            await asyncio.wait(
                (connected, failed),
                timeout=self._connect_timeout + self._request_timeout,
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            connected.cancel()
            failed.cancel()
        return self._ws

    async def _send(self, message: dict[str, Any]) -> bool:
        ws = self._ws
        if ws is None or ws.closed:
            return False
        try:
            await ws.send_json(message)
        except (aiohttp.ClientError, ConnectionError, RuntimeError):
            log.info("could not send %s to the hub", message.get("type"))
            return False
        return True

    # ---- the call -----------------------------------------------------------------------------

    async def _start(self, line: str, language: str) -> None:
        if self.status.phase in IN_CALL:
            log.warning("a call is already under way")
            return
        self._call, self._line, self._cancel_pending = None, line, False
        self.set_muted(False)
        self._report(AdviceStatus(AdvicePhase.REQUESTING, line=line))
        ws = await self._socket()
        if ws is None or not await self._send({"type": "call", "line": line, "language": language}):
            self._report(AdviceStatus(AdvicePhase.UNAVAILABLE, line=line, reason="hub_unreachable"))

    async def _cancel(self) -> None:
        phase, call = self.status.phase, self._call
        if phase is AdvicePhase.CONNECTED and call is not None:
            await self._send({"type": "hang_up", "call": call})
            await self._close_peer()
            # An answered call may be rated; the hub's own `ended` confirms it.
            self._report(self._ended(call, "kiosk_hung_up", can_rate=True))
        elif phase in IN_CALL:
            if call is not None:
                await self._send({"type": "cancel", "call": call})
            else:
                self._cancel_pending = True  # cancelled as soon as the hub names the call
            self._report(self._ended(call, "cancelled", can_rate=False))

    async def _rate(self, stars: int) -> None:
        if self._call is not None:
            await self._send({"type": "rate", "call": self._call, "stars": stars})

    def _ended(self, call: str | None, reason: str, *, can_rate: bool) -> AdviceStatus:
        return AdviceStatus(
            AdvicePhase.ENDED, line=self._line, call=call, reason=reason, can_rate=can_rate
        )

    async def _on_message(self, data: dict[str, Any]) -> None:
        kind = data.get("type")
        call = data.get("call")
        if kind == "error":
            log.warning("the hub refused a request: %s", data.get("message"))
            if self.status.phase is AdvicePhase.REQUESTING:
                self._report(AdviceStatus(AdvicePhase.REFUSED, line=self._line, reason="error"))
            return
        if kind in ("queued", "ended") and self._call is None and isinstance(call, str):
            # The hub's first word on our request names the call: queued, or refused at once.
            if self._cancel_pending:
                self._call = call
                if kind == "queued":
                    await self._send({"type": "cancel", "call": call})
                return
            if self.status.phase is AdvicePhase.REQUESTING:
                self._call = call
        if call is None or call != self._call:
            return  # an earlier call's news
        if kind == "queued":
            if self.status.phase in (AdvicePhase.REQUESTING, AdvicePhase.QUEUED):
                self._line = str(data.get("line") or self._line)
                self._report(
                    AdviceStatus(
                        AdvicePhase.QUEUED,
                        line=self._line,
                        call=call,
                        position=_int(data.get("position")),
                        estimated_wait_s=_int(data.get("estimated_wait_s")),
                    )
                )
        elif kind == "transferred":
            self._line = str(data.get("line") or self._line)
            self._report(AdviceStatus(AdvicePhase.QUEUED, line=self._line, call=call))
        elif kind == "connected":
            await self._connect(call)
        elif kind == "ended":
            await self._on_ended(call, data)
        elif kind in ("answer", "offer", "ice"):
            await self._signal(kind, data)

    async def _connect(self, call: str) -> None:
        if self.status.phase not in (AdvicePhase.QUEUED, AdvicePhase.RINGING):
            return
        if self._camera is None:
            log.error("a call was answered but the kiosk has no camera")
            await self._send({"type": "hang_up", "call": call})
            self._report(self._ended(call, "kiosk_hung_up", can_rate=False))
            return
        self._camera.start_stream()
        self._microphone = MutableAudioTrack(ToneAudioTrack())
        self._microphone.muted = self._muted
        self._peer = KioskPeer(
            self._camera,
            ice_servers=self._ice,
            microphone=self._microphone,
            on_remote_video=self._remote_video,
        )
        self._report(AdviceStatus(AdvicePhase.CONNECTED, line=self._line, call=call))
        try:
            sdp = await self._peer.create_offer()
        except Exception:
            log.exception("the call's offer could not be made")
            await self._cancel()
            return
        await self._send({"type": "offer", "call": call, "sdp": sdp})

    def _remote_video(self) -> None:
        listener = self.on_remote_video
        if listener is not None:
            listener()

    async def _signal(self, kind: str, data: dict[str, Any]) -> None:
        peer = self._peer
        if peer is None:
            return
        if kind == "answer":
            await peer.accept_answer(str(data["sdp"]))
        elif kind == "offer":
            answer = await peer.answer_offer(str(data["sdp"]))
            await self._send({"type": "answer", "call": self._call, "sdp": answer})
        else:
            candidate = data.get("candidate")
            if isinstance(candidate, dict) and candidate.get("candidate"):
                await peer.add_ice_candidate(
                    str(candidate["candidate"]),
                    candidate.get("sdpMid"),
                    _int(candidate.get("sdpMLineIndex")),
                )

    async def _on_ended(self, call: str, data: dict[str, Any]) -> None:
        reason = str(data.get("reason") or "")
        can_rate = bool(data.get("can_rate"))
        await self._close_peer()
        phase = self.status.phase
        if phase is AdvicePhase.ENDED:
            # We hung up first: the hub's word on rating stands.
            if self.status.reason != "cancelled":
                self._report(self._ended(call, self.status.reason or reason, can_rate=can_rate))
            return
        if phase not in IN_CALL:
            return
        if reason in REFUSALS and phase is not AdvicePhase.CONNECTED:
            self._report(
                AdviceStatus(
                    AdvicePhase.REFUSED,
                    line=self._line,
                    call=call,
                    reason=reason,
                    next_opening=_parse_time(data.get("next_opening")),
                )
            )
        else:
            self._report(self._ended(call, reason, can_rate=can_rate))

    async def _close_peer(self) -> None:
        peer, self._peer = self._peer, None
        self._microphone = None
        if peer is not None:
            try:
                await asyncio.wait_for(peer.close(), self._request_timeout)
            except Exception:
                log.exception("the call's peer did not close cleanly")

    # ---- ending -------------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Hang up what is under way, close the socket and stop trying."""
        if self.status.phase in IN_CALL:
            await self._cancel()
        self._closed = True
        await self._close_peer()
        keeper, self._keeper = self._keeper, None
        if keeper is not None:
            keeper.cancel()
            await asyncio.gather(keeper, return_exceptions=True)
        ws, self._ws = self._ws, None
        if ws is not None:
            await ws.close()
        if self._http is not None:
            await self._http.close()
            self._http = None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
