"""The app tells systemd it is ready once its first screen is painted and keeps its watchdog fed
from the Qt thread: a real AF_UNIX datagram socket stands where systemd's would be."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.systemd import SystemdNotifier


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    """systemd's side: a datagram socket and the NOTIFY_SOCKET value that names it."""
    path = tmp_path / "notify"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(path))
        sock.settimeout(60)
        yield sock, str(path)


def test_ready_reaches_a_socket_in_the_file_system(listener: tuple[socket.socket, str]) -> None:
    sock, address = listener
    notifier = SystemdNotifier.from_environ({"NOTIFY_SOCKET": address})
    assert notifier is not None and notifier.watchdog_interval_ms is None
    assert notifier.ready()
    assert sock.recv(4096) == b"READY=1"


def test_an_abstract_socket_name_is_understood() -> None:
    name = f"kiosk-test-{uuid.uuid4().hex}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(60)
        notifier = SystemdNotifier.from_environ({"NOTIFY_SOCKET": "@" + name})
        assert notifier is not None
        assert notifier.ping()
        assert sock.recv(4096) == b"WATCHDOG=1"


def test_without_systemd_nothing_is_sent() -> None:
    assert SystemdNotifier.from_environ({}) is None
    assert SystemdNotifier.from_environ({"NOTIFY_SOCKET": "relative/path"}) is None


def test_the_watchdog_interval_is_half_of_systemds_and_only_for_this_process() -> None:
    mine = {
        "NOTIFY_SOCKET": "/run/x",
        "WATCHDOG_USEC": "20000000",
        "WATCHDOG_PID": str(os.getpid()),
    }
    notifier = SystemdNotifier.from_environ(mine)
    assert notifier is not None and notifier.watchdog_interval_ms == 10_000
    other = SystemdNotifier.from_environ({**mine, "WATCHDOG_PID": "1"})
    assert other is not None and other.watchdog_interval_ms is None


def test_a_socket_that_is_gone_is_not_an_error(tmp_path: Path) -> None:
    notifier = SystemdNotifier(str(tmp_path / "absent"))
    assert notifier.ready() is False


def test_the_running_app_sends_ready_then_watchdog_pings(
    listener: tuple[socket.socket, str], tmp_path: Path
) -> None:
    sock, address = listener
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n[session]\nfolder = "{tmp_path / "s"}"\n'
    )
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "KIOSK_REPORT_PAINTED": "1",
        "NOTIFY_SOCKET": address,
        "WATCHDOG_USEC": "200000",
    }
    env.pop("WATCHDOG_PID", None)
    with subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    ) as proc:
        try:
            assert proc.stdout is not None
            received = [sock.recv(4096)]
            while b"READY=1" not in received:
                received.append(sock.recv(4096))
            assert set(received) <= {b"READY=1", b"WATCHDOG=1"}
            assert proc.stdout.readline().startswith("painted")
            # The Qt thread keeps feeding the watchdog after the first paint.
            assert sock.recv(4096) == b"WATCHDOG=1"
            assert sock.recv(4096) == b"WATCHDOG=1"
            proc.send_signal(signal.SIGTERM)
            _, log = proc.communicate(timeout=30)
            assert proc.returncode == 0, log
        finally:
            if proc.poll() is None:
                proc.kill()
