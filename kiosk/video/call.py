"""A call described without the media libraries: the video the kiosk sends, the sound devices
it uses and the hub's ICE servers.

The back end builds the advice client at start-up, right after the attract screen is painted and
on the Qt thread; it needs these descriptions then, but the media of a call (aiortc, PyAV and
OpenCV, half a second of imports) only once a call starts.
"""

from __future__ import annotations

from dataclasses import dataclass

#: How long opening an audio device may take before we call it broken.
DEVICE_OPEN_TIMEOUT = 5.0


@dataclass(frozen=True)
class VideoFormat:
    """What the kiosk sends: every frame is scaled to this size and paced at this rate."""

    width: int = 640
    height: int = 480
    fps: int = 30

    def __post_init__(self) -> None:
        if self.width < 16 or self.height < 16 or self.width % 2 or self.height % 2:
            raise ValueError("video size must be even and at least 16×16")
        if not 1 <= self.fps <= 60:
            raise ValueError("video fps must be in 1..60")

    @classmethod
    def fitting(
        cls, width: int, height: int, fps: int, *, largest: tuple[int, int] = (1280, 720)
    ) -> VideoFormat:
        """The camera's own shape, no larger than `largest` either way, at most 30 fps: the
        call sends what the camera sees, never a stretched or squeezed picture."""
        scale = min(1.0, largest[0] / width, largest[1] / height)
        return cls(
            max(16, int(width * scale) // 2 * 2),
            max(16, int(height * scale) // 2 * 2),
            max(1, min(fps, 30)),
        )


@dataclass(frozen=True)
class IceServer:
    """A STUN or TURN server as the hub hands it out."""

    urls: tuple[str, ...]
    username: str | None = None
    credential: str | None = None


@dataclass(frozen=True)
class CallSound:
    """Which microphone and speaker a call uses, from the [call] table of the kiosk's config.

    A description only: kiosk.video.audio opens them when a call connects (its `CallAudio` is
    this with the opening methods)."""

    microphone: str = "tone"
    microphone_device: str = "default"
    speaker: str = "none"
    speaker_device: str = "default"
