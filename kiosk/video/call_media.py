"""The media of one connected call on the kiosk: its connection to the advisor (the host), and
to a third person when one joins (docs/call-three-party.md), over one camera, one microphone
and one speaker.

The camera is read by each connection's own track (the camera keeps only its newest frame, so
two readers cost nothing more than one). The microphone is read once and relayed to each
connection (aiortc's MediaRelay). The voices that come in are mixed onto the one speaker
(kiosk.video.mixer). The call's help (text, papers, the screen: kiosk.video.help) lives on the
host's connection only. Everything runs on the engine loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from aiortc.contrib.media import MediaRelay

from kiosk.video.audio import MicrophoneTrack, call_microphone, call_speaker
from kiosk.video.call import DEVICE_OPEN_TIMEOUT, CallSound, IceServer, VideoFormat
from kiosk.video.microphone import MutableAudioTrack
from kiosk.video.mixer import AudioMixer, MixerInput
from kiosk.video.peer import KioskPeer

if TYPE_CHECKING:
    from kiosk.devices.camera.base import Camera

log = logging.getLogger(__name__)

HOST, GUEST = "host", "guest"


class CallMedia:
    def __init__(
        self,
        camera: Camera,
        *,
        sound: CallSound,
        video: VideoFormat | None,
        muted: bool,
        close_timeout: float,
    ) -> None:
        self._camera = camera
        self._video = video
        self._close_timeout = close_timeout
        source = call_microphone(sound)
        #: The microphone device, when it is one (closed after the call's last read).
        self._device = source if isinstance(source, MicrophoneTrack) else None
        self.microphone = MutableAudioTrack(source)
        self.microphone.muted = muted
        self._relay = MediaRelay()
        self.mixer = AudioMixer(call_speaker(sound))
        self.peers: dict[str, KioskPeer] = {}

    def connect(
        self,
        party: str,
        ice_servers: Sequence[IceServer],
        on_remote_video: Callable[[], None] | None,
    ) -> KioskPeer:
        """A connection to `party` ("host" or "guest"), sending the camera and the microphone;
        only the host's carries the screen."""
        peer = KioskPeer(
            self._camera,
            ice_servers=ice_servers,
            video=self._video,
            microphone=self._relay.subscribe(self.microphone),
            audio_output=MixerInput(self.mixer, party),
            on_remote_video=on_remote_video,
            screen=party == HOST,
        )
        self.peers[party] = peer
        return peer

    async def drop(self, party: str) -> None:
        """Close the connection to `party`, if any; the others go on."""
        peer = self.peers.pop(party, None)
        if peer is not None:
            try:
                await asyncio.wait_for(peer.close(), self._close_timeout)
            except Exception:
                log.exception("the call's connection to the %s did not close cleanly", party)

    def promote(self, on_remote_video: Callable[[], None] | None) -> KioskPeer | None:
        """The host left and the guest took over: the guest's connection is the host's now."""
        peer = self.peers.pop(GUEST, None)
        if peer is not None:
            peer.on_remote_video = on_remote_video
            self.peers[HOST] = peer
        return peer

    async def close(self) -> None:
        """Close every connection, the microphone and the speaker."""
        for party in list(self.peers):
            await self.drop(party)
        self.microphone.stop()
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self.mixer.close)
        if self._device is not None:
            # Stopped above; the device is closed after its current read.
            await loop.run_in_executor(None, self._device.join, DEVICE_OPEN_TIMEOUT)
