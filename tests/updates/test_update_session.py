"""An update waits while a citizen is at the kiosk, and reaches only the kiosks it was set for.

The real hub (`kiosk-hub serve`) has two kiosks: pasila-1 in the pilot group, kallio-1 not. An
admin sets 0.3.0 for the pilot group. Each kiosk's real kiosk-agent (from this checkout) hears
the hub's answer: pasila-1's wanted.json says 0.3.0, kallio-1's says nothing is wanted.

pasila-1 is a Debian 12 root with kiosk 0.2.0 from the fleet's signed repository (on loopback).
Its app is the real kiosk window (offscreen, in this process, on the root's data folder), and a
citizen taps a language: a session is on. kiosk-update, run as its timer does, leaves 0.2.0 in
place and says `waiting-for-session`, which the hub hears. The citizen ends the session, the app
stops (as the restart would stop it), and the next run installs 0.3.0 with apt, starts the
root's own app and agent, sees them come up and reports `updated`.

Starts real peers (apt in a chroot, an HTTP server, the hub, the kiosk's processes): run under
`flock /tmp/kiosk-peers.lock`.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.config import load_config
from kiosk.devices.registry import backend_names
from kiosk.devices.status import DeviceClass
from kiosk.services import SERVICES
from kiosk.updates.files import read_accepted, read_state
from tests.conftest import HUB_KEY
from tests.peers import lifetime
from tests.peers.aptrepo import BuiltPackages, served_repo, use_repository
from tests.peers.debroot import debian_root
from tests.peers.hub import Hub, configured_hub, wait_until
from tests.peers.smtp import free_port
from tests.ui.conftest import open_window
from tests.ui.eservices import start_session
from tests.updates.test_update_apt import KIOSK_ID, REPO, Box, reported

OTHER_ID = "kallio-1"


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[tuple[Hub, dict[str, str]]]:
    running = configured_hub(tmp_path, bytes(HUB_KEY), free_port())
    tokens = {}
    for kiosk_id, place in ((KIOSK_ID, "Pasila"), (OTHER_ID, "Kallio")):
        out = running.cli("kiosk", "add", kiosk_id, "--name", kiosk_id, "--location", place)
        tokens[kiosk_id] = out.strip().splitlines()[-1]
    running.cli("update", "group", "pilot", KIOSK_ID)
    running.start()
    try:
        yield running, tokens
    finally:
        running.stop()


class Agent:
    """A kiosk's real kiosk-agent from this checkout, on its own kiosk.toml."""

    def __init__(self, folder: Path, hub: Hub, kiosk_id: str, token: str, data_dir: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.data_dir = data_dir
        self.config = folder / "kiosk.toml"
        self.config.write_text(
            f'[kiosk]\nid = "{kiosk_id}"\nhub_url = "{hub.url}"\nhub_token = "{token}"\n'
            f'data_dir = "{data_dir}"\n[agent]\nheartbeat_seconds = 5\n'
        )
        self.log = (folder / "agent.log").open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kiosk.agent", "--config", str(self.config)],
            cwd=REPO,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **lifetime.mark()},
        )

    def accepted_since(self, moment: datetime) -> bool:
        at = read_accepted(self.data_dir)
        return at is not None and at > moment

    def wanted(self) -> str | None:
        path = self.data_dir / "updates" / "wanted.json"
        if not path.exists():
            return None
        version: str | None = json.loads(path.read_text())["version"]
        return version

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(30)
        self.log.close()


def session_on(data_dir: Path) -> bool | None:
    """What the app's last heartbeat in its store says of a session (None: no beat yet)."""
    path = data_dir / "kiosk.db"
    if not path.exists():
        return None
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        row = db.execute("SELECT session_active FROM app_heartbeat").fetchone()
    return None if row is None else bool(row[0])


def test_an_update_waits_for_the_session_and_reaches_only_its_group(
    qtbot: QtBot,
    packages: BuiltPackages,
    hub: tuple[Hub, dict[str, str]],
    tmp_path: Path,
) -> None:
    running, tokens = hub
    with served_repo(tmp_path / "fleet") as repo, debian_root(tmp_path / "box") as root:
        repo.publish(packages.runtime, packages.kiosk("0.2.0"), packages.kiosk("0.3.0"))
        use_repository(root.path, repo.url, repo.key.public)
        assert root.apt("update").returncode == 0
        installed = root.apt("install", "kiosk=0.2.0")
        assert installed.returncode == 0, installed.stdout + installed.stderr
        box = Box(root, tmp_path, running, tokens[KIOSK_ID])
        box.run_dir.mkdir(parents=True, exist_ok=True)
        pasila = Agent(tmp_path / "pasila", running, KIOSK_ID, tokens[KIOSK_ID], box.data_dir)
        kallio = Agent(tmp_path / "kallio", running, OTHER_ID, tokens[OTHER_ID], tmp_path / "k")
        try:
            _only_the_group(running, pasila, kallio)
            kallio.stop()
            _wait_for_the_session(qtbot, box, running, pasila, tmp_path)
            state = read_state(box.data_dir)
            assert state is not None
            assert (state.state, state.installed, state.previous) == ("updated", "0.3.0", "0.2.0")
            assert root.installed("kiosk") == "0.3.0"
            wait_until(lambda: reported(running).get("state") == "updated", "the hub hears", 60)
        finally:
            for agent in (pasila, kallio):
                if agent.process.poll() is None:
                    agent.stop()
            box.services(*box.stop)
            root.forget_own_packages()


def _only_the_group(hub: Hub, pasila: Agent, kallio: Agent) -> None:
    hub.cli("update", "set", "group:pilot", "0.3.0")
    set_at = datetime.now(UTC)
    wait_until(lambda: pasila.wanted() == "0.3.0", "pasila-1 hears 0.3.0 is wanted", 60)
    # kallio-1's agent has been answered since the version was set, and nothing is wanted.
    wait_until(lambda: kallio.accepted_since(set_at), "kallio-1's agent is answered", 60)
    assert kallio.wanted() is None
    assert hub.cli("update", "list").count("0.3.0") >= 1


def _wait_for_the_session(qtbot: QtBot, box: Box, hub: Hub, pasila: Agent, tmp_path: Path) -> None:
    config_path = tmp_path / "app.toml"
    config_path.write_text(
        f'[kiosk]\nid = "{KIOSK_ID}"\ndata_dir = "{box.data_dir}"\n'
        f'[session]\nfolder = "{tmp_path / "sessions"}"\n[ui]\nfullscreen = false\n'
        '[speech]\nengine = "none"\n'
    )
    config = load_config(
        config_path,
        backends={c.value: backend_names(c) for c in DeviceClass},
        services=SERVICES.keys(),
    )
    app = open_window(qtbot, config)
    window = next(app)
    try:
        # The Qt loop must run for the app to beat: qtbot's wait, not a sleeping one.
        qtbot.waitUntil(lambda: session_on(box.data_dir) is False, timeout=60_000)
        start_session(qtbot, window, "fi")
        qtbot.waitUntil(lambda: session_on(box.data_dir) is True, timeout=30_000)

        waited = box.update()
        state = read_state(box.data_dir)
        assert state is not None
        assert (state.state, state.installed, state.wanted) == (
            "waiting-for-session", "0.2.0", "0.3.0",
        ), state  # fmt: skip
        assert "installing" not in waited.stderr
        assert box.root.installed("kiosk") == "0.2.0"
        wait_until(lambda: reported(hub).get("state") == "waiting-for-session", "the hub hears", 60)

        frame = window.frame
        assert frame is not None
        qtbot.mouseClick(frame.end_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.kiosk.session.current is None)
        qtbot.waitUntil(lambda: session_on(box.data_dir) is False, timeout=30_000)
    finally:
        next(app, None)  # the app stops, as the restart stops it on a box
    pasila.stop()  # the box's agent too: the root's own comes up with the new version
    box.update()
