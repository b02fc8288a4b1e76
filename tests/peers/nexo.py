"""The payment terminal peer for tests: the nexo simulator as a real separate process.

`NexoSimulator` starts `python -m kiosk.devices.payment.nexo.simulator` on a free port with a
state folder under the test's tmp_path, switches its mode over HTTP as technician mode does,
reads its journal back, and can be restarted on the same folder. The fixture `sim` always stops
it. Its log (one line per message) is kept next to the state folder; the kiosk's notification
port, which the simulator posts its prompts and events to, is the fixture `notify_port`.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from tests.peers import lifetime

#: Generous on purpose: a loaded CI machine is slow, and a passing test never waits this long.
STARTUP_DEADLINE = 30.0
#: Seconds the simulated customer spends on each prompt unless a test says otherwise.
QUICK_PACE = 0.02


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class NexoSimulator:
    def __init__(self, folder: Path, notify_port: int, poi_id: str = "SIMPOI01") -> None:
        self.port = free_port()
        self.state_dir = folder / "poi-state"
        self.log_path = folder / "poi.log"
        self.notify_url = f"http://127.0.0.1:{notify_port}/nexo/notify"
        self.poi_id = poi_id
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/nexo"

    def start(self, *, notify: bool = True, pace: float = QUICK_PACE) -> None:
        assert self.proc is None or self.proc.poll() is not None, "already running"
        self._close_log()
        self._log = self.log_path.open("ab")
        args = [
            sys.executable,
            "-m",
            "kiosk.devices.payment.nexo.simulator",
            "--port",
            str(self.port),
            "--state-dir",
            str(self.state_dir),
            "--poi-id",
            self.poi_id,
            "--pace",
            str(pace),
        ]
        if notify:
            args += ["--notify-url", self.notify_url]
        self.proc = lifetime.spawn(args, stdout=self._log, stderr=subprocess.STDOUT)
        end = time.monotonic() + STARTUP_DEADLINE
        while True:
            if self.proc.poll() is not None:
                pytest.fail(f"simulator exited with {self.proc.returncode}: {self.log()}")
            try:
                self.state()
                return
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > end:
                    pytest.fail(f"simulator did not listen in time: {self.log()}")
                time.sleep(0.05)

    def stop(self) -> None:
        """Stop the process (politely, then by force) and wait for it."""
        proc, self.proc = self.proc, None
        if proc is not None:
            lifetime.stop(proc)
        self._close_log()

    def kill(self) -> None:
        """Cut the power: no Shutdown event, nothing finished."""
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(timeout=10)
        lifetime.forget(self.proc)

    def wait_exit(self, timeout: float = STARTUP_DEADLINE) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout=timeout)

    # ---- control and records ------------------------------------------------------------------

    def control(self, **changes: Any) -> dict[str, Any]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/control",
            data=json.dumps(changes).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            state: dict[str, Any] = json.load(response)
        return state

    def state(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/control", timeout=2) as resp:
            state: dict[str, Any] = json.load(resp)
        return state

    def post_nexo(self, data: bytes) -> tuple[int, bytes]:
        """A raw nexo request, as another sale system would send it."""
        request = urllib.request.Request(
            self.url, data=data, headers={"Content-Type": "application/xml"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def journal(self) -> list[dict[str, Any]]:
        path = self.state_dir / "transactions.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines()]

    def payments(self, sale_reference: str) -> list[dict[str, Any]]:
        return [
            r for r in self.journal() if r["record"] == "payment" and r["sale_tx"] == sale_reference
        ]

    def state_files_text(self) -> str:
        return "".join(p.read_text() for p in sorted(self.state_dir.iterdir()) if p.is_file())

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None


@pytest.fixture(name="notify_port")
def notify_port_fixture() -> int:
    return free_port()


@pytest.fixture(name="sim")
def sim_fixture(tmp_path: Path, notify_port: int) -> Iterator[NexoSimulator]:
    simulator = NexoSimulator(tmp_path, notify_port)
    simulator.start()
    try:
        yield simulator
    finally:
        simulator.stop()
