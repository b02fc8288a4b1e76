"""A real hub for provisioning to enroll with: `python -m hub serve` as a child process on a
temporary config with a sealing key, and enrollment codes made with its own CLI."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 30.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Hub:
    config: Path
    url: str
    public_key: str

    @property
    def fingerprint(self) -> str:
        """The sealing key's fingerprint as the admin is shown it: SHA-256 over the raw public
        key, its first 16 bytes in upper-case hex, in groups of 4 separated by spaces."""
        digest = hashlib.sha256(base64.b64decode(self.public_key)).hexdigest()[:32].upper()
        return " ".join(digest[i : i + 4] for i in range(0, 32, 4))

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "hub", "--config", str(self.config), *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=DEADLINE,
            check=True,
        )

    def enroll_code(self, kiosk_id: str, *, hours: int = 24) -> str:
        done = self.cli(
            "kiosk", "enroll-code", kiosk_id, "--name", f"Kiosk {kiosk_id}",
            "--location", "Main library, ground floor", "--contact", "Lending desk",
            "--hours", str(hours),
        )  # fmt: skip
        return done.stdout.strip()

    def expired_code(self, kiosk_id: str) -> str:
        """A code made 25 hours ago, valid for 24 (the CLI makes codes only from now)."""
        from hub.config import load_config
        from hub.enrollment import make_code
        from hub.store import open_store

        store = open_store(load_config(self.config).db_path)
        try:
            made = make_code(
                store,
                kiosk_id,
                name=f"Kiosk {kiosk_id}",
                location="Branch library",
                contact=None,
                created_by="test",
                at=datetime.now(UTC) - timedelta(hours=25),
                hours=24,
            )
        finally:
            store.close()
        return made.code


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    folder = tmp_path_factory.mktemp("hub")
    port = free_port()
    config = folder / "hub.toml"
    config.write_text(
        f'[hub]\nlisten_host = "127.0.0.1"\nlisten_port = {port}\n'
        f'data_dir = "{folder / "data"}"\ncookie_secure = false\n'
    )
    hub = Hub(config, f"http://127.0.0.1:{port}", "")
    hub.public_key = hub.cli("keys", "generate").stdout.strip()
    log = folder / "hub.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "hub", "--config", str(config), "serve"],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        end = time.monotonic() + DEADLINE
        while True:
            assert process.poll() is None, log.read_text()[-2000:]
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
                break
            assert time.monotonic() < end, f"the hub did not start: {log.read_text()[-2000:]}"
            time.sleep(0.05)
        yield hub
    finally:
        process.terminate()
        try:
            process.wait(DEADLINE)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(DEADLINE)
