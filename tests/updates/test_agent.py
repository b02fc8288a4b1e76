"""kiosk-agent's part, against a real `kiosk-hub serve`: the version the hub wants for the kiosk
reaches wanted.json (written only when it changes), the updater's state.json reaches the hub
as the heartbeat's `update`, and a missing or malformed state.json sends no `update` (said
once in the log) while the heartbeat still goes."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.updates.files import UpdateState, write_state
from tests.conftest import HUB_KEY
from tests.peers.hub import Hub, configured_hub
from tests.peers.smtp import free_port

KIOSK_ID = "pasila-1"


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Hub, str]]:
    folder = tmp_path_factory.mktemp("hub")
    running = configured_hub(folder, bytes(HUB_KEY), free_port())
    out = running.cli("kiosk", "add", KIOSK_ID, "--name", "Pasila 1", "--location", "Pasila")
    token = out.strip().splitlines()[-1]
    running.start()
    try:
        yield running, token
    finally:
        running.stop()


@pytest.fixture
def kiosk(tmp_path: Path, hub: tuple[Hub, str]) -> Path:
    running, token = hub
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[kiosk]\nid = "{KIOSK_ID}"\nhub_url = "{running.url}"\nhub_token = "{token}"\n'
        f'data_dir = "{tmp_path / "data"}"\n'
    )
    return config


def agent_once(config: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "kiosk.agent", "--config", str(config), "--once"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done


def report(hub: Hub) -> dict[str, object] | None:
    rows = hub.rows("SELECT * FROM update_reports WHERE kiosk_id = ?", (KIOSK_ID,))
    return rows[0] if rows else None


def test_the_wanted_version_and_the_state_go_both_ways(
    hub: tuple[Hub, str], kiosk: Path, tmp_path: Path
) -> None:
    running, _ = hub
    running.cli("update", "group", "pilot", KIOSK_ID)
    running.cli("update", "set", "group:pilot", "0.3.0")
    data = tmp_path / "data"
    first = agent_once(kiosk)
    wanted = data / "updates" / "wanted.json"
    content = json.loads(wanted.read_text())
    assert content["version"] == "0.3.0" and content["received_at"].endswith("Z")
    assert "no update state yet (kiosk-update has not run)" in first.stderr
    accepted = json.loads((data / "updates" / "agent.json").read_text())
    assert accepted["heartbeat_accepted_at"].endswith("Z")
    written = wanted.stat().st_mtime_ns

    state = UpdateState(
        "rolled-back",
        installed="0.2.0",
        previous="0.2.0",
        wanted="0.3.0",
        detail="0.3.0 did not report ready within 300 s; 0.2.0 put back",
        at="2026-12-07T02:14:03.000Z",
    )
    write_state(data, state)
    agent_once(kiosk)
    assert wanted.stat().st_mtime_ns == written  # unchanged: not written again
    stored = report(running)
    assert stored is not None
    assert {k: stored[k] for k in ("installed", "previous", "wanted", "state", "detail")} == {
        "installed": "0.2.0",
        "previous": "0.2.0",
        "wanted": "0.3.0",
        "state": "rolled-back",
        "detail": "0.3.0 did not report ready within 300 s; 0.2.0 put back",
    }

    running.cli("update", "clear", "group:pilot")
    agent_once(kiosk)
    assert json.loads(wanted.read_text())["version"] is None


def test_a_malformed_state_is_not_sent_and_said_once(
    hub: tuple[Hub, str], kiosk: Path, tmp_path: Path
) -> None:
    running, _ = hub
    folder = tmp_path / "data" / "updates"
    folder.mkdir(parents=True)
    (folder / "state.json").write_text('{"state": "exploded"}')
    before = report(running)
    done = agent_once(kiosk)
    assert done.stderr.count("the update state is not sent: state.json: no known state") == 1
    assert report(running) == before  # nothing stored from it
    assert (folder / "agent.json").is_file()  # the heartbeat itself was taken
