"""The kiosk's video-advice client of the hub: a call over `/ws/kiosk`, as
docs/call-protocol.md says, on top of the link that keeps the socket (kiosk.video.hub_link).

Everything runs on the engine loop; the public methods may be called from any thread and return
at once. A call under way when the socket to the hub is lost ends on the kiosk there and then:
the hub counts the kiosk as gone and ends the call for the advisor too, so media left flowing
would be a call nobody can hang up, transfer or rate. The citizen is told the service is not
available (with the lines' phone numbers) until the link is back.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from kiosk.video.advice import AdvicePhase, AdviceStatus
from kiosk.video.call import DEVICE_OPEN_TIMEOUT, CallSound, VideoFormat
from kiosk.video.hub_link import BACKOFF, CONNECT_TIMEOUT, HEARTBEAT, REQUEST_TIMEOUT, HubLink
from kiosk.video.hub_wire import (
    HubUnavailable,
    as_int,
    parse_ice_servers,
    parse_lines,
    parse_time,
)

# The call's media (aiortc, PyAV, OpenCV) are imported when a call connects, not when the
# client is made at start-up: the line's state needs none of them.
if TYPE_CHECKING:
    from kiosk.devices.camera.base import Camera
    from kiosk.video.audio import MicrophoneTrack
    from kiosk.video.help import CallHelp
    from kiosk.video.microphone import MutableAudioTrack
    from kiosk.video.peer import KioskPeer, ReceiveStats, RemoteVideoFrame

__all__ = ["HubAdviceClient", "HubUnavailable", "parse_lines"]

log = logging.getLogger(__name__)

#: A call refused before an advisor answered, for these reasons, is said as "not now".
REFUSALS = ("line_closed", "no_advisor")
#: Phases in which a call is under way (the hub has it, or is about to).
IN_CALL = (AdvicePhase.REQUESTING, AdvicePhase.QUEUED, AdvicePhase.RINGING, AdvicePhase.CONNECTED)


class HubAdviceClient(HubLink):
    def __init__(
        self,
        *,
        hub_url: str,
        token: str,
        kiosk_id: str,
        loop: asyncio.AbstractEventLoop,
        camera: Camera | None,
        audio: CallSound | None = None,
        video: VideoFormat | None = None,
        connect_timeout: float = CONNECT_TIMEOUT,
        request_timeout: float = REQUEST_TIMEOUT,
        backoff: tuple[float, ...] = BACKOFF,
        heartbeat: float = HEARTBEAT,
        ca_file: str = "",
    ) -> None:
        super().__init__(
            hub_url=hub_url,
            token=token,
            kiosk_id=kiosk_id,
            loop=loop,
            connect_timeout=connect_timeout,
            request_timeout=request_timeout,
            backoff=backoff,
            heartbeat=heartbeat,
            ca_file=ca_file,
        )
        self._camera = camera
        #: The size and rate the citizen's picture is sent at (the camera's shape).
        self._video = video
        #: The microphone and speaker each call opens ([call] in the config).
        self._audio = audio or CallSound()
        self._peer: KioskPeer | None = None
        self._help: CallHelp | None = None
        #: The connected call's line prints its advisors' documents free (its `connected`).
        self._print_free = False
        self._microphone: MutableAudioTrack | None = None
        self._device_microphone: MicrophoneTrack | None = None
        self._muted = False
        self._call: str | None = None
        self._line: str | None = None
        self._cancel_pending = False

    # ---- the interface (any thread) -----------------------------------------------------------

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

    @property
    def help(self) -> CallHelp | None:
        return self._help

    def close(self) -> None:
        self._submit(self.aclose())

    # ---- the hub gone -------------------------------------------------------------------------

    async def _socket_lost(self) -> None:
        """A call under way is over (the hub counts the kiosk as gone); idle, not available."""
        if self.status.phase in IN_CALL:
            await self._close_peer()
            self._report(AdviceStatus(AdvicePhase.UNAVAILABLE, line=self._line, reason="hub_lost"))
        elif self.status.phase is AdvicePhase.IDLE:
            self._report(AdviceStatus(AdvicePhase.UNAVAILABLE, reason="hub_lost"))

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
                        position=as_int(data.get("position")),
                        estimated_wait_s=as_int(data.get("estimated_wait_s")),
                    )
                )
        elif kind == "transferred":
            # The first advisor has left the call: their media with it. The next advisor's
            # answer brings a new peer (`connected` again).
            await self._close_peer()
            self._line = str(data.get("line") or self._line)
            self._report(AdviceStatus(AdvicePhase.QUEUED, line=self._line, call=call))
        elif kind == "connected":
            if "ice_servers" in data:
                # Minted for this call: the hello's TURN credentials may be days old.
                self._ice = parse_ice_servers(data)
            self._print_free = data.get("documents_print_free") is True
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
        # Neither waits for its device: a microphone still opening (or failing to) sends
        # silence, a speaker still opening drops the advisor's voice, and the call goes ahead.
        from kiosk.video.audio import MicrophoneTrack, call_microphone, call_speaker
        from kiosk.video.help import CallHelp
        from kiosk.video.microphone import MutableAudioTrack
        from kiosk.video.peer import KioskPeer

        source = call_microphone(self._audio)
        if isinstance(source, MicrophoneTrack):
            self._device_microphone = source
        self._microphone = MutableAudioTrack(source)
        self._microphone.muted = self._muted
        self._peer = KioskPeer(
            self._camera,
            ice_servers=self._ice,
            video=self._video,
            microphone=self._microphone,
            audio_output=call_speaker(self._audio),
            on_remote_video=self._remote_video,
        )
        self._help = CallHelp(
            asyncio.get_running_loop(),
            call_id=call,
            listener=self._help_event,
            admission=self.help_admission,
            documents_folder=self.documents_folder,
            documents_print_free=self._print_free,
            screen=self._peer.screen_track,
        )
        self._help.attach(self._peer.connection)
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
                    as_int(candidate.get("sdpMLineIndex")),
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
                    next_opening=parse_time(data.get("next_opening")),
                )
            )
        else:
            self._report(self._ended(call, reason, can_rate=can_rate))

    async def _close_peer(self) -> None:
        help_, self._help = self._help, None
        if help_ is not None:
            help_.close()
        peer, self._peer = self._peer, None
        device, self._device_microphone = self._device_microphone, None
        self._microphone = None
        if peer is not None:
            try:
                await asyncio.wait_for(peer.close(), self._request_timeout)
            except Exception:
                log.exception("the call's peer did not close cleanly")
        if device is not None:
            # The peer has stopped it; the device is closed after its current read.
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, device.join, DEVICE_OPEN_TIMEOUT)

    # ---- ending -------------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Hang up what is under way, close the socket and stop trying."""
        if self.status.phase in IN_CALL:
            await self._cancel()
        self._closed = True
        await self._close_peer()
        await self._close_link()
