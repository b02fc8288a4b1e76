"""The kiosk's WebRTC peer for one video call, on aiortc, run on the engine loop.

It sends the camera and the microphone, and receives the advisor's video and voice. The
advisor's picture goes to the screen through a one-frame slot: the receiving side replaces the
frame in it and the screen takes the newest when it is ready, so a slow screen never holds
aiortc up and never builds a backlog.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import av
from aiortc import (
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCSessionDescription,
)
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from aiortc.sdp import candidate_from_sdp

from kiosk.video import rtp
from kiosk.video.audio import ToneAudioTrack

# The hub's ICE servers are described without the media libraries (kiosk.video.call); the name
# stays importable from here.
from kiosk.video.call import IceServer as IceServer
from kiosk.video.call import VideoFormat
from kiosk.video.media import CameraVideoTrack
from kiosk.video.sdp import with_bandwidth_hints
from kiosk.video.share import ScreenTrack
from kiosk.video.speaker import Speaker

if TYPE_CHECKING:
    from kiosk.devices.camera.base import Camera

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RemoteVideoFrame:
    """One picture of the advisor, RGB (height × width × 3, uint8), for the screen."""

    rgb: Any
    width: int
    height: int
    #: Counts received frames: a gap between two taken frames is what the screen skipped.
    number: int


@dataclass(frozen=True)
class ReceiveStats:
    video_frames: int
    video_width: int
    video_height: int
    audio_frames: int
    #: Of the audio frames, those the speaker has played (0 with no speaker).
    audio_frames_played: int = 0


class LatestFrameSlot:
    """A one-place mailbox between threads: `put` replaces what is there, `take` empties it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._item: RemoteVideoFrame | None = None

    def put(self, item: RemoteVideoFrame) -> bool:
        """Store `item`; True when the slot was empty (the consumer needs telling)."""
        with self._lock:
            was_empty = self._item is None
            self._item = item
            return was_empty

    def take(self) -> RemoteVideoFrame | None:
        with self._lock:
            item, self._item = self._item, None
            return item


def _to_rgb(frame: av.VideoFrame) -> Any:
    return frame.to_ndarray(format="rgb24")


class KioskPeer:
    """One call's peer connection. Create it, and call its coroutines, on the engine loop.

    `on_remote_video` is called on the engine loop whenever a picture lands in an empty slot;
    the consumer (the screen, through kiosk.ui.bridge) then calls `take_remote_video()` from its
    own thread. `audio_output` plays the advisor's voice (the peer closes it with the call);
    without one it is received and dropped, so the pipeline runs the same. `microphone` is the
    citizen's sound (a tone without one).
    """

    def __init__(
        self,
        camera: Camera,
        *,
        ice_servers: Sequence[IceServer] = (),
        video: VideoFormat | None = None,
        microphone: MediaStreamTrack | None = None,
        audio_output: Speaker | None = None,
        on_remote_video: Callable[[], None] | None = None,
        screen: bool = True,
    ) -> None:
        rtp.install()
        # An explicit list, even when empty: aiortc's default is a public Google STUN server.
        config = RTCConfiguration(
            iceServers=[
                RTCIceServer(urls=list(s.urls), username=s.username, credential=s.credential)
                for s in ice_servers
            ]
        )
        self._pc = RTCPeerConnection(configuration=config)
        self.video_track = CameraVideoTrack(camera, video)
        self.audio_track = microphone if microphone is not None else ToneAudioTrack()
        self._pc.addTransceiver(self.video_track, direction="sendrecv")
        self._pc.addTransceiver(self.audio_track, direction="sendrecv")
        #: The kiosk's screen, silent until the citizen allows the advisor to see it
        #: (kiosk.video.share): negotiated now, so that sharing needs no new offer. Only the
        #: host's connection has it (docs/call-three-party.md).
        self.screen_track: ScreenTrack | None = None
        if screen:
            self.screen_track = ScreenTrack()
            self._pc.addTransceiver(self.screen_track, direction="sendonly")
        self._audio_output = audio_output
        #: Called (engine loop) when a picture of the other side waits in the slot; may be
        #: changed during the call (a guest's connection that becomes the host's).
        self.on_remote_video = on_remote_video
        self._slot = LatestFrameSlot()
        self._newest: av.VideoFrame | None = None
        self._newest_number = 0
        self._fresh = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._video_frames = 0
        self._video_size = (0, 0)
        self._audio_frames = 0
        self._closed = False
        self.ended = asyncio.Event()
        self._pc.on("track", self._on_track)
        self._pc.on("connectionstatechange", self._on_connection_state)

    # ---- signalling ---------------------------------------------------------------------------

    @property
    def connection_state(self) -> str:
        return str(self._pc.connectionState)

    @property
    def connection(self) -> RTCPeerConnection:
        """aiortc's own connection, to see what aiortc built for this call."""
        return self._pc

    async def create_offer(self) -> str:
        """The kiosk's offer SDP, with every ICE candidate in it (aiortc gathers before it
        answers)."""
        await self._pc.setLocalDescription(await self._pc.createOffer())
        return with_bandwidth_hints(self._pc.localDescription.sdp)

    async def accept_answer(self, sdp: str) -> None:
        await self._pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="answer"))

    async def answer_offer(self, sdp: str) -> str:
        """For a call the other side offers: our answer SDP."""
        await self._pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
        await self._pc.setLocalDescription(await self._pc.createAnswer())
        return with_bandwidth_hints(self._pc.localDescription.sdp)

    async def add_ice_candidate(
        self, candidate: str, sdp_mid: str | None = None, sdp_mline_index: int | None = None
    ) -> None:
        """A trickled candidate from the other side (the browser's `candidate` string)."""
        if not candidate:
            return  # end of candidates
        parsed = candidate_from_sdp(candidate.removeprefix("candidate:"))
        parsed.sdpMid = sdp_mid
        parsed.sdpMLineIndex = sdp_mline_index
        await self._pc.addIceCandidate(parsed)

    # ---- what comes in ------------------------------------------------------------------------

    def stats(self) -> ReceiveStats:
        width, height = self._video_size
        output = self._audio_output
        played = output.frames_played if output is not None else 0
        return ReceiveStats(self._video_frames, width, height, self._audio_frames, played)

    def take_remote_video(self) -> RemoteVideoFrame | None:
        """Any thread: the newest picture of the advisor not taken yet, or None."""
        return self._slot.take()

    def _on_track(self, track: MediaStreamTrack) -> None:
        if track.kind == "video":
            self._spawn(self._receive_video(track))
            self._spawn(self._convert_video())
        else:
            self._spawn(self._receive_audio(track))

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _receive_video(self, track: MediaStreamTrack) -> None:
        # Drains aiortc's (unbounded) queue of decoded frames as fast as they come, keeping
        # only the newest for the converter.
        with contextlib.suppress(MediaStreamError):
            while True:
                frame = await track.recv()
                if not isinstance(frame, av.VideoFrame):
                    continue
                self._video_frames += 1
                self._video_size = (frame.width, frame.height)
                self._newest, self._newest_number = frame, self._video_frames
                self._fresh.set()

    async def _convert_video(self) -> None:
        # yuv420p → RGB costs about 1 ms at 1280×720: in the executor, one frame at a time,
        # and only ever the newest one.
        loop = asyncio.get_running_loop()
        while True:
            await self._fresh.wait()
            self._fresh.clear()
            frame, number = self._newest, self._newest_number
            if frame is None or self.on_remote_video is None:
                continue
            rgb = await loop.run_in_executor(None, _to_rgb, frame)
            picture = RemoteVideoFrame(rgb, frame.width, frame.height, number)
            if self._slot.put(picture):
                try:
                    self.on_remote_video()
                except Exception:
                    log.exception("remote video consumer failed")

    async def _receive_audio(self, track: MediaStreamTrack) -> None:
        with contextlib.suppress(MediaStreamError):
            while True:
                frame = await track.recv()
                if not isinstance(frame, av.AudioFrame):
                    continue
                self._audio_frames += 1
                if self._audio_output is not None:
                    self._audio_output.play(frame)

    def _on_connection_state(self) -> None:
        state = self._pc.connectionState
        log.info("call connection %s", state)
        if state in ("failed", "closed"):
            self.ended.set()

    # ---- ending -------------------------------------------------------------------------------

    async def close(self) -> None:
        """Stop sending and receiving, and release every thread the call started. Idempotent."""
        if self._closed:
            return
        self._closed = True
        # Closing the connection stops the tracks and the receivers' decoder threads.
        await self._pc.close()
        self.video_track.stop()
        self.audio_track.stop()
        if self.screen_track is not None:
            self.screen_track.stop()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._audio_output is not None:
            output, self._audio_output = self._audio_output, None
            await asyncio.get_running_loop().run_in_executor(None, output.close)
        self._newest = None
        self._slot.take()
        self.ended.set()
