"""The citizen's microphone as the call sends it: a mute switch in front of the source."""

from __future__ import annotations

from typing import Any

import av
from aiortc.mediastreams import MediaStreamTrack


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
