"""Rollouts through `kiosk-hub` as the commands and the process an admin runs: libraries,
groups and versions set from the command line (bad ones refused, exit status 2), a kiosk's
heartbeat with its real token answered with its version and its report stored, and the apt
repository served at /apt/."""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import HUB_KEY
from tests.peers.hub import BIN, Hub, configured_hub
from tests.peers.smtp import free_port


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[tuple[Hub, dict[str, str]]]:
    release = tmp_path / "repo" / "dists" / "stable" / "Release"
    release.parent.mkdir(parents=True)
    release.write_text("Suite: stable\n")
    running = configured_hub(
        tmp_path,
        bytes(HUB_KEY),
        free_port(),
        f'[updates]\nrepository_dir = "{tmp_path / "repo"}"\n',
    )
    tokens = {}
    for kiosk_id, extra in (("pasila-1", ["--library", "pasila"]), ("kallio-1", [])):
        out = running.cli("kiosk", "add", kiosk_id, "--name", kiosk_id, "--location", "x", *extra)
        tokens[kiosk_id] = out.strip().splitlines()[-1]
    running.start()
    try:
        yield running, tokens
    finally:
        running.stop()


def refused(hub: Hub, *args: str) -> str:
    """Run a kiosk-hub command that must fail with exit status 2; its message."""
    done = subprocess.run(
        [str(BIN / "kiosk-hub"), "--config", str(hub.config), *args],
        capture_output=True,
        text=True,
        env=hub._env(),
    )
    assert done.returncode == 2, (args, done.stdout, done.stderr)
    return done.stderr


def heartbeat(hub: Hub, kiosk_id: str, token: str, **extra: Any) -> Any:
    body = {
        "sent_at": "2026-12-07T02:00:00Z",
        "app": {"state": "running", "version": "0.2.0"},
        "session_active": False,
        **extra,
    }
    request = urllib.request.Request(
        f"{hub.url}/api/kiosk/heartbeat",
        data=json.dumps(body).encode(),
        headers={
            "Authorization": f"Bearer {token}",
            "X-Kiosk-Id": kiosk_id,
            "Content-Type": "application/json",
        },
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


def test_versions_set_from_the_command_line_reach_the_kiosks_heartbeats(
    hub: tuple[Hub, dict[str, str]],
) -> None:
    running, tokens = hub
    assert heartbeat(running, "pasila-1", tokens["pasila-1"])["update"] is None

    running.cli("kiosk", "library", "kallio-1", "kallio")
    running.cli("update", "group", "pilot", "pasila-1")
    running.cli("update", "set", "group:pilot", "0.3.0")
    running.cli("update", "set", "library:kallio", "0.2.1")
    running.cli("update", "set", "all", "0.2.0")
    assert "no group nobody" in refused(running, "update", "set", "group:nobody", "1.0")
    assert "no kiosk is in library tikkurila" in refused(
        running, "update", "set", "library:tikkurila", "1.0"
    )
    assert "not a target" in refused(running, "update", "set", "everyone", "1.0")
    assert "Debian version" in refused(running, "update", "set", "all", "v1.0")
    assert "no kiosk ghost-1" in refused(running, "update", "group", "pilot", "ghost-1")
    assert "no kiosk ghost-1" in refused(running, "kiosk", "library", "ghost-1", "pasila")
    assert "library's name" in refused(running, "kiosk", "library", "kallio-1", "Kallio!")
    assert "no version is set" in refused(running, "update", "clear", "library:pasila")
    assert "library's name" in refused(
        running, "kiosk", "add", "kallio-2", "--name", "K", "--location", "x", "--library", "A B"
    )
    assert "kallio-2" not in running.cli("kiosk", "list")

    answer = heartbeat(
        running,
        "pasila-1",
        tokens["pasila-1"],
        update={"installed": "0.2.0", "wanted": "0.3.0", "state": "pending"},
    )
    assert answer["update"] == {"version": "0.3.0"}
    assert heartbeat(running, "kallio-1", tokens["kallio-1"])["update"] == {"version": "0.2.1"}
    (row,) = running.rows("SELECT kiosk_id, installed, wanted, state FROM update_reports")
    assert row == {
        "kiosk_id": "pasila-1",
        "installed": "0.2.0",
        "wanted": "0.3.0",
        "state": "pending",
    }

    libraries = running.rows("SELECT kiosk_id, library FROM kiosks ORDER BY kiosk_id")
    assert [(row["kiosk_id"], row["library"]) for row in libraries] == [
        ("kallio-1", "kallio"),
        ("pasila-1", "pasila"),
    ]
    listed = running.cli("update", "list")
    assert "group:pilot" in listed and "pilot: pasila-1" in listed
    assert "0.3.0 (group:pilot)" in listed and "pending" in listed

    # Changed while the hub runs: the next heartbeat has it.
    running.cli("update", "clear", "group:pilot")
    assert heartbeat(running, "pasila-1", tokens["pasila-1"])["update"] == {"version": "0.2.0"}
    running.cli("update", "group", "pilot")
    assert "pilot" not in running.cli("update", "list")

    with urllib.request.urlopen(f"{running.url}/apt/dists/stable/Release", timeout=30) as found:
        assert found.read() == b"Suite: stable\n"
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"{running.url}/apt/dists/", timeout=30)
    assert missing.value.code == 404
    missing.value.close()
