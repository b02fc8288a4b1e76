"""Opening a sound device through PyAV: the call's sound format (48 kHz mono, 20 ms frames),
the backend check (pulse or alsa; PyAV's own alsa-lib pointed at the system's configuration),
and the bounded wait for a device thread to have opened its device.
"""

from __future__ import annotations

import asyncio
import fractions
import os
from concurrent.futures import Future
from pathlib import Path

import av

# How long opening an audio device may take; defined with the call's description.
from kiosk.video.call import DEVICE_OPEN_TIMEOUT as DEVICE_OPEN_TIMEOUT

AUDIO_RATE = 48_000
AUDIO_PTIME = 0.020
AUDIO_SAMPLES = int(AUDIO_RATE * AUDIO_PTIME)
AUDIO_TIME_BASE = fractions.Fraction(1, AUDIO_RATE)

#: The system's ALSA configuration. PyAV's wheels carry their own alsa-lib, which looks for its
#: configuration where it was built (/tmp/vendor/share/alsa); without this file even "default"
#: and "hw:0" are unknown devices.
SYSTEM_ALSA_CONFIG = Path("/usr/share/alsa/alsa.conf")


class AudioDeviceError(RuntimeError):
    """An audio device could not be opened; the message names the device and the reason."""


def check_backend(role: str, backend: str) -> None:
    if backend not in ("pulse", "alsa"):
        raise AudioDeviceError(f"{role} backend must be 'pulse' or 'alsa', not {backend!r}")
    if backend not in av.formats_available:
        raise AudioDeviceError(f"{role}: this PyAV build has no {backend!r} device")
    # Point PyAV's own alsa-lib at the system's configuration, unless told otherwise.
    if backend == "alsa" and "ALSA_CONFIG_PATH" not in os.environ and SYSTEM_ALSA_CONFIG.exists():
        os.environ["ALSA_CONFIG_PATH"] = str(SYSTEM_ALSA_CONFIG)


async def wait_opened(what: str, opened: Future[None]) -> None:
    """Wait (never longer than DEVICE_OPEN_TIMEOUT) for a device thread to have opened."""
    waiting = asyncio.wrap_future(opened)
    try:
        await asyncio.wait_for(asyncio.shield(waiting), DEVICE_OPEN_TIMEOUT)
    except TimeoutError:
        # The device's thread may stay stuck in the driver; the loop does not.
        raise AudioDeviceError(f"{what}: no answer within {DEVICE_OPEN_TIMEOUT:.0f} s") from None
