"""A private speech-dispatcher for a test, and what it played.

The test's process gets a home and XDG folders of its own, and the server's socket address in
them (set before the engine starts, so the server that libspeechd spawns inherits them: its
socket, configuration, logs and ALSA configuration are the test's). ALSA's default device there
is the `file` plugin over the `null` device: what the server plays lands in a raw file, 16-bit
mono at 22050 Hz (espeak-ng's own format, pinned by a `plug` in front). The null device takes
sound as fast as it comes (at about 40 times speaking speed here), and the file plugin holds a
device buffer's worth back (some 47 s of sound): an utterance reaches the file when the server
has played all of it or was stopped, not as it goes.

A spawned server outlives its client by a few seconds: teardown ends it (and its output
module), found by the test's own socket path on its command line.
"""

from __future__ import annotations

import array
import math
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SERVER = Path("/usr/bin/speech-dispatcher")
ESPEAK_MODULE = Path("/usr/lib/speech-dispatcher-modules/sd_espeak-ng")
RATE = 22050
SAMPLE_BYTES = 2
#: What the test process's environment must not bring to the server.
CLEARED = ("SPEECHD_CMD", "ALSA_CONFIG_PATH", "PULSE_SERVER")


def speech_server_missing() -> str | None:
    """Why a private speech server cannot run here, or None when it can."""
    for path, package in (
        (SERVER, "speech-dispatcher"),
        (ESPEAK_MODULE, "speech-dispatcher-espeak-ng"),
    ):
        if not path.exists():
            return f"{path} is missing (Debian package {package})"
    return None


@dataclass(frozen=True)
class Heard:
    """Sound in the audio file: how long, and how loud (RMS of the 16-bit samples)."""

    seconds: float
    rms: float


class SpeechServer:
    """The folders, the ALSA file device and (once an engine has spawned it) the server."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.home = base / "home"
        self.runtime = base / "run"
        self.config_home = base / "config"
        self.cache = base / "cache"
        self.audio = base / "audio.raw"
        for folder in (self.home, self.runtime, self.config_home, self.cache):
            folder.mkdir(parents=True, exist_ok=True)
        self.runtime.chmod(0o700)
        (self.home / ".asoundrc").write_text(
            "pcm.!default {\n"
            "  type plug\n"
            f"  slave {{ pcm speech_file; format S16_LE; channels 1; rate {RATE} }}\n"
            "}\n"
            "pcm.speech_file {\n"
            "  type file\n"
            "  slave.pcm null\n"
            f'  file "{self.audio}"\n'
            "  format raw\n"
            "}\n"
        )

    @property
    def socket(self) -> Path:
        return self.runtime / "speech-dispatcher" / "speechd.sock"

    def environ(self) -> dict[str, str]:
        # libspeechd finds the socket by GLib's runtime folder, which GLib reads once a
        # process: a second test in the same process would reach for the first one's server.
        # The address it is given instead is read at each connection.
        return {
            "SPEECHD_ADDRESS": f"unix_socket:{self.socket}",
            "HOME": str(self.home),
            "XDG_RUNTIME_DIR": str(self.runtime),
            "XDG_CONFIG_HOME": str(self.config_home),
            "XDG_CACHE_HOME": str(self.cache),
        }

    def size(self) -> int:
        try:
            return self.audio.stat().st_size
        except FileNotFoundError:
            return 0

    def heard(self, since: int = 0) -> Heard:
        """The sound in the file from byte `since` on."""
        data = self.audio.read_bytes()[since:] if self.audio.exists() else b""
        samples = array.array("h")
        samples.frombytes(data[: len(data) - len(data) % SAMPLE_BYTES])
        if not samples:
            return Heard(0.0, 0.0)
        rms = math.sqrt(sum(s * s for s in samples) / len(samples))
        return Heard(len(samples) / RATE, rms)

    def wait_for_sound(self, since: int, seconds: float, timeout: float = 30.0) -> Heard:
        """Wait until at least `seconds` of sound has come after byte `since`."""
        deadline = time.monotonic() + timeout
        while self.size() - since < seconds * RATE * SAMPLE_BYTES:
            if time.monotonic() > deadline:
                break
            time.sleep(0.02)
        return self.heard(since)

    def wait_until_still(self, quiet: float = 1.0, timeout: float = 30.0) -> int:
        """Wait until the file has not grown for `quiet` seconds; its size then."""
        deadline = time.monotonic() + timeout
        size, since = self.size(), time.monotonic()
        while time.monotonic() - since < quiet and time.monotonic() < deadline:
            time.sleep(0.05)
            if self.size() != size:
                size, since = self.size(), time.monotonic()
        return size

    def server_pids(self) -> list[int]:
        """speech-dispatcher processes of this test (its socket path on their command line)."""
        mark = str(self.runtime).encode()
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                argv = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if argv and argv[0].endswith(b"speech-dispatcher") and any(mark in a for a in argv):
                pids.append(int(entry.name))
        return pids

    def stop(self) -> None:
        """End the server the test's engine spawned, if any (its output module goes with it).
        A server stuck playing to no sound server does not heed SIGTERM: SIGKILL follows."""
        pids = self.server_pids()
        for pid in pids:
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 3
        while pids and time.monotonic() < deadline:
            pids = [pid for pid in pids if Path(f"/proc/{pid}").exists() and not _zombie(pid)]
            time.sleep(0.05)
        for pid in pids:
            os.kill(pid, signal.SIGKILL)


def _zombie(pid: int) -> bool:
    try:
        return " Z " in Path(f"/proc/{pid}/stat").read_text().split(")", 1)[1][:3]
    except OSError:
        return True


@pytest.fixture
def speech_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SpeechServer]:
    """A private speech-dispatcher's folders and audio file, in this process's environment; the
    first engine made in the test spawns the server, and teardown ends it. Run these tests
    under `flock /tmp/kiosk-peers.lock`."""
    missing = speech_server_missing()
    if missing:
        pytest.skip(missing)
    server = SpeechServer(tmp_path / "speech")
    for name in CLEARED:
        monkeypatch.delenv(name, raising=False)
    for name, value in server.environ().items():
        monkeypatch.setenv(name, value)
    try:
        yield server
    finally:
        server.stop()
