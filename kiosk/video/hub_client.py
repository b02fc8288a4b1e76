"""The kiosk's video-advice client of the hub: a call over `/ws/kiosk`, as
docs/call-protocol.md says, on top of the link that keeps the socket (kiosk.video.hub_link).

Everything runs on the engine loop; the public methods may be called from any thread and return
at once. A call under way when the socket to the hub is lost is kept: the hub keeps it for the
kiosk for its `resume_seconds` (told in its `hello`), the media goes on peer to peer, and the
link connects again at once and every second (`RESUME_BACKOFF`) and sends `resume`; the hub
answers with the call's state (`queued`, `resumed`) or `ended`. Only when the grace passes
without that, or when the hub closed the socket for good (the kiosk's credential ended, or a
newer socket of the same kiosk replaced it), does the call end on the kiosk: the citizen is
told the service is not available (with the lines' phone numbers) until the link is back.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from kiosk.video.advice import AdvicePhase, AdviceStatus, CallGuest
from kiosk.video.call import CallSound, VideoFormat
from kiosk.video.hub_link import BACKOFF, CONNECT_TIMEOUT, HEARTBEAT, REQUEST_TIMEOUT, HubLink
from kiosk.video.hub_wire import (
    HubUnavailable,
    as_int,
    parse_guest,
    parse_ice_servers,
    parse_lines,
    parse_time,
)

# The call's media (aiortc, PyAV, OpenCV) are imported when a call connects, not when the
# client is made at start-up: the line's state needs none of them.
if TYPE_CHECKING:
    from kiosk.devices.camera.base import Camera
    from kiosk.video.call_media import CallMedia
    from kiosk.video.help import CallHelp
    from kiosk.video.peer import KioskPeer, ReceiveStats, RemoteVideoFrame

__all__ = ["HubAdviceClient", "HubUnavailable", "parse_lines"]

log = logging.getLogger(__name__)

#: A call refused before an advisor answered, for these reasons, is said as "not now" (or, for
#: a booking code, what was wrong with it: docs/appointments.md).
REFUSALS = (
    "line_closed",
    "no_advisor",
    "booking_unknown",
    "booking_early",
    "booking_over",
    "queue_full",
    "rate_limited",
)
#: Phases in which a call is under way (the hub has it, or is about to).
IN_CALL = (AdvicePhase.REQUESTING, AdvicePhase.QUEUED, AdvicePhase.RINGING, AdvicePhase.CONNECTED)
#: How long the hub keeps a call for a kiosk whose socket was lost, unless its `hello` says.
RESUME_SECONDS = 30.0
#: Close codes after which nothing is resumed: the kiosk's credential ended (4401), or a newer
#: socket of the same kiosk replaced this one (1008).
FINAL_CLOSES = (4401, 1008)


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
        resume_seconds: float = RESUME_SECONDS,
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
        #: The connected call's connections, microphone and speaker.
        self._media: CallMedia | None = None
        self._help: CallHelp | None = None
        #: A third person in the connected call (docs/call-three-party.md).
        self._guest: CallGuest | None = None
        #: The connected call's line prints its advisors' documents free (its `connected`).
        self._print_free = False
        self._muted = False
        self._call: str | None = None
        self._line: str | None = None
        self._cancel_pending = False
        #: How long the hub keeps a call whose socket was lost (its hello's resume_seconds).
        self._resume_s = resume_seconds
        #: While the socket is lost with a call kept: ends the call when the grace is over.
        self._grace: asyncio.TimerHandle | None = None
        #: A hang-up or cancel made while the socket was lost, for the next socket.
        self._unsent: dict[str, Any] | None = None

    # ---- the interface (any thread) -----------------------------------------------------------

    def start(self, line: str, language: str) -> None:
        self._submit(self._start(line, language))

    def start_booked(self, code: str, language: str) -> None:
        self._submit(self._start(None, language, booking=code))

    def cancel(self) -> None:
        self._submit(self._cancel())

    def set_muted(self, muted: bool) -> None:
        self._muted = muted
        media = self._media
        if media is not None:
            media.microphone.muted = muted

    def rate(self, stars: int) -> None:
        self._submit(self._rate(stars))

    def _party(self, party: str) -> KioskPeer | None:
        media = self._media
        return media.peers.get(party) if media is not None else None

    def take_remote_video(self) -> RemoteVideoFrame | None:
        peer = self._party("host")
        return peer.take_remote_video() if peer is not None else None

    def receive_stats(self) -> ReceiveStats | None:
        peer = self._party("host")
        return peer.stats() if peer is not None else None

    def take_guest_video(self) -> RemoteVideoFrame | None:
        peer = self._party("guest")
        return peer.take_remote_video() if peer is not None else None

    def guest_stats(self) -> ReceiveStats | None:
        peer = self._party("guest")
        return peer.stats() if peer is not None else None

    @property
    def resuming(self) -> bool:
        """Whether the socket to the hub is lost with the call kept, until the hub takes it
        back (`queued`, `resumed`) or ends it, or the grace passes (any thread; a snapshot)."""
        return self._grace is not None

    @property
    def help(self) -> CallHelp | None:
        return self._help

    def close(self) -> None:
        self._submit(self.aclose())

    # ---- the hub gone -------------------------------------------------------------------------

    async def _socket_lost(self, close_code: int | None) -> None:
        """A call the hub has named is kept while the link reconnects to resume it (its media
        goes on); one not named yet, or after a final close, is over. Idle: not available."""
        phase = self.status.phase
        if phase in IN_CALL and self._call is not None and close_code not in FINAL_CLOSES:
            if self._grace is None:
                log.info("the hub's socket was lost: resuming the call", extra={"call": self._call})
                self._hurry = True
                self._grace = asyncio.get_running_loop().call_later(
                    self._resume_s, lambda: self._submit(self._grace_over())
                )
            return
        if phase in IN_CALL:
            await self._give_up()
        elif phase is AdvicePhase.IDLE:
            self._report(AdviceStatus(AdvicePhase.UNAVAILABLE, reason="hub_lost"))

    async def _socket_opened(self, hello: dict[str, Any]) -> None:
        """Ask for the kept call back, first thing on the new socket."""
        told = hello.get("resume_seconds")
        if isinstance(told, int | float) and not isinstance(told, bool) and told > 0:
            self._resume_s = float(told)
        unsent, self._unsent = self._unsent, None
        if unsent is not None:
            await self._send(unsent)
        elif self._grace is not None and self._call is not None:
            await self._send({"type": "resume", "call": self._call})

    async def _grace_over(self) -> None:
        """No hub took the call back in time: it is over for the kiosk too."""
        if self._grace is None:
            return
        log.info("the call could not be resumed in time", extra={"call": self._call})
        await self._give_up()

    def _resumed(self) -> None:
        """The hub has the call again (or has ended it): no more hurry, no more grace."""
        grace, self._grace = self._grace, None
        if grace is not None:
            grace.cancel()
        self._hurry = False

    async def _give_up(self) -> None:
        self._resumed()
        await self._close_peer()
        self._report(AdviceStatus(AdvicePhase.UNAVAILABLE, line=self._line, reason="hub_lost"))

    # ---- the call -----------------------------------------------------------------------------

    async def _start(self, line: str | None, language: str, *, booking: str | None = None) -> None:
        """A call to `line`, or with a booking code to the line the hub knows it by (the
        `queued` names it)."""
        if self.status.phase in IN_CALL:
            log.warning("a call is already under way")
            return
        self._call, self._line, self._cancel_pending = None, line, False
        self.set_muted(False)
        self._report(AdviceStatus(AdvicePhase.REQUESTING, line=line))
        request: dict[str, Any] = {"type": "call", "language": language}
        if booking is None:
            request["line"] = line
        else:
            request["booking"] = booking
        ws = await self._socket()
        if ws is None or not await self._send(request):
            self._report(AdviceStatus(AdvicePhase.UNAVAILABLE, line=line, reason="hub_unreachable"))

    async def _cancel(self) -> None:
        phase, call = self.status.phase, self._call
        if self._grace is not None and call is not None:
            # The hub still keeps the call: it hears of its end on the next socket.
            self._resumed()
            kind = "hang_up" if phase is AdvicePhase.CONNECTED else "cancel"
            self._unsent = {"type": kind, "call": call}
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
        if kind in ("queued", "resumed", "ended"):
            self._resumed()
        if kind == "queued" and self.status.phase is AdvicePhase.CONNECTED:
            # Resumed into the queue: the call was moved on while the kiosk was away, and its
            # advisor's media with it.
            await self._close_peer()
            self._report(AdviceStatus(AdvicePhase.QUEUED, line=self._line, call=call))
        if kind == "resumed":
            if self.status.phase not in IN_CALL:
                # Given up here before the hub took the call back: it ends there too.
                await self._send({"type": "hang_up", "call": call})
                return
            log.info("the call was resumed", extra={"call": call})
        elif kind == "queued":
            if self.status.phase in (AdvicePhase.REQUESTING, AdvicePhase.QUEUED):
                named = data.get("line")
                self._line = named if isinstance(named, str) and named else self._line
                self._report(
                    AdviceStatus(
                        AdvicePhase.QUEUED,
                        line=self._line,
                        call=call,
                        position=as_int(data.get("position")),
                        estimated_wait_s=as_int(data.get("estimated_wait_s")),
                        booked=data.get("booked") is True,
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
        elif kind == "joined":
            await self._guest_joined(call, data)
        elif kind == "left":
            await self._party_left(call, data)

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
        from kiosk.video.call_media import CallMedia
        from kiosk.video.help import CallHelp

        self._media = media = CallMedia(
            self._camera,
            sound=self._audio,
            video=self._video,
            muted=self._muted,
            close_timeout=self._request_timeout,
        )
        self._guest = None
        peer = media.connect("host", self._ice, self._remote_video)
        self._help = CallHelp(
            asyncio.get_running_loop(),
            call_id=call,
            listener=self._help_event,
            admission=self.help_admission,
            documents_folder=self.documents_folder,
            documents_print_free=self._print_free,
            screen=peer.screen_track,
        )
        self._help.attach(peer.connection)
        self._report(AdviceStatus(AdvicePhase.CONNECTED, line=self._line, call=call))
        try:
            sdp = await peer.create_offer()
        except Exception:
            log.exception("the call's offer could not be made")
            await self._cancel()
            return
        await self._send({"type": "offer", "call": call, "sdp": sdp})

    def _remote_video(self) -> None:
        """A picture of the advisor or of a guest waits in its connection's slot."""
        listener = self.on_remote_video
        if listener is not None:
            listener()

    async def _signal(self, kind: str, data: dict[str, Any]) -> None:
        # Without `from` a message is the host's (docs/call-three-party.md).
        party = "guest" if data.get("from") == "guest" else "host"
        peer = self._party(party)
        if peer is None:
            return
        if kind == "answer":
            await peer.accept_answer(str(data["sdp"]))
        elif kind == "offer":
            answer = await peer.answer_offer(str(data["sdp"]))
            reply = {"type": "answer", "call": self._call, "sdp": answer}
            await self._send(reply if party == "host" else {**reply, "to": party})
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
                    opens_at=parse_time(data.get("opens_at")),
                )
            )
        else:
            self._report(self._ended(call, reason, can_rate=can_rate))

    # ---- a third person (docs/call-three-party.md) ---------------------------------------------

    async def _guest_joined(self, call: str, data: dict[str, Any]) -> None:
        media = self._media
        if (
            media is None
            or data.get("party") != "guest"
            or self.status.phase is not (AdvicePhase.CONNECTED)
        ):
            return
        await media.drop("guest")  # a guest before, not told gone: start afresh
        self._guest = parse_guest(data)
        self._report(replace(self.status, guest=self._guest))
        peer = media.connect("guest", self._ice, self._remote_video)
        try:
            sdp = await peer.create_offer()
        except Exception:
            log.exception("the offer to the call's guest could not be made")
            await media.drop("guest")
            return
        await self._send({"type": "offer", "call": call, "to": "guest", "sdp": sdp})
        log.info("a guest joined the call", extra={"call": call, "reason": self._guest.reason})

    async def _party_left(self, call: str, data: dict[str, Any]) -> None:
        media = self._media
        if media is None:
            return
        if data.get("party") == "guest":
            await media.drop("guest")
            self._guest = None
            self._report(replace(self.status, guest=None))
        elif data.get("party") == "host" and data.get("promoted") == "guest":
            # The advisor left; the guest goes on with the citizen and is the host now. The
            # call's help was on the advisor's connection: it goes with it.
            help_, self._help = self._help, None
            if help_ is not None:
                help_.close()
            await media.drop("host")
            media.promote(self._remote_video)
            guest, self._guest = self._guest, None
            if guest is not None:
                self._line = guest.line
            self._report(replace(self.status, line=self._line, guest=None))
        log.info("a party left the call", extra={"call": call, "party": data.get("party")})

    async def _close_peer(self) -> None:
        help_, self._help = self._help, None
        if help_ is not None:
            help_.close()
        media, self._media = self._media, None
        self._guest = None
        if media is not None:
            try:
                await media.close()
            except Exception:
                log.exception("the call's media did not close cleanly")

    # ---- ending -------------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Hang up what is under way, close the socket and stop trying."""
        self._resumed()
        if self.status.phase in IN_CALL:
            await self._cancel()
        self._closed = True
        await self._close_peer()
        await self._close_link()
