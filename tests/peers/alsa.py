"""ALSA's built-in `null` PCM as the kiosk's sound device in tests: it takes any sound played
to it and gives silence when recorded from (there is no sound card here)."""

from __future__ import annotations

import os

import av

from kiosk.video.audio import SYSTEM_ALSA_CONFIG


def null_device_missing() -> str | None:
    """Why ALSA's null device cannot be used here, or None when it can (PyAV alone, not the
    kiosk's code: a broken kiosk must fail these tests, not skip them)."""
    if "alsa" not in av.formats_available:
        return "this PyAV build has no alsa device"
    if "ALSA_CONFIG_PATH" not in os.environ and not SYSTEM_ALSA_CONFIG.exists():
        return f"no ALSA configuration: {SYSTEM_ALSA_CONFIG} is missing"
    env = os.environ.get("ALSA_CONFIG_PATH", str(SYSTEM_ALSA_CONFIG))
    previous = os.environ.get("ALSA_CONFIG_PATH")
    os.environ["ALSA_CONFIG_PATH"] = env
    try:
        container = av.open("null", mode="w", format="alsa")
        container.add_stream("pcm_s16le", rate=48_000, layout="mono")
        container.start_encoding()
        container.close()
        av.open("null", mode="r", format="alsa").close()
    except Exception as exc:
        return f"ALSA's null device does not open here ({env}): {exc}"
    finally:
        if previous is None:
            del os.environ["ALSA_CONFIG_PATH"]
    return None
