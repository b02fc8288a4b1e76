"""kiosk-update end to end, with real apt in a Debian 12 root and the real hub and agent.

The root has kiosk 0.2.0 from the fleet's signed repository (served on loopback); the kiosk's
app (offscreen) and kiosk-agent run from the root's installed software (chroot), the agent
reporting to a real `kiosk-hub serve`. An admin wants 0.3.0 for the kiosk's pilot group: the
agent writes it to wanted.json, kiosk-update (run as the timer would, with the package steps in
the root) installs it with apt, restarts both, sees the new version come up and reports
`updated`, which the hub receives. Then 0.4.0, built from a copy of the source whose app exits
at start: it never reports ready, so 0.3.0 is put back with apt, `rolled-back` with the reason
reaches the hub as an alert, and a later run does not try 0.4.0 again. Last, 0.9.0, which the
repository does not have: apt refuses it, `failed` with apt's words, 0.3.0 stays.

Starts real peers (apt and dpkg in a chroot, an HTTP server, the hub, the kiosk's processes):
run under `flock /tmp/kiosk-peers.lock`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kiosk.updates.files import read_state
from tests.conftest import HUB_KEY
from tests.peers import lifetime
from tests.peers.aptrepo import BuiltPackages, served_repo, use_repository
from tests.peers.debroot import DebRoot, debian_root
from tests.peers.hub import Hub, configured_hub, wait_until
from tests.peers.smtp import free_port

REPO = Path(__file__).resolve().parents[2]
KIOSK_ID = "pasila-1"
HEALTHY_WITHIN = 90
#: The project's parts a kiosk package is built from.
SOURCE_PARTS = ("kiosk", "eforms", "sqlschema", "eservices", "provisioning", "packaging", "systemd")


def broken_build(built: BuiltPackages, version: str, work: Path) -> Path:
    """A kiosk package of `version` whose app exits at start (the agent works): built by
    packaging/build.py from a copy of this checkout with that one change."""
    copy = work / "source"
    for part in SOURCE_PARTS:
        shutil.copytree(REPO / part, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, copy / name)
    main = copy / "kiosk" / "__main__.py"
    text = main.read_text()
    start = "    argv = sys.argv[1:] if argv is None else argv\n"
    assert start in text
    main.write_text(text.replace(start, '    raise SystemExit("this build of the app fails")\n'))
    done = subprocess.run(
        [sys.executable, str(copy / "packaging" / "build.py"), "--out", str(work / "out"),
         "--only", "kiosk", "--version", version, "--runtime-version", built.runtime_version],
        capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return work / "out" / f"kiosk_{version}_amd64.deb"


def around_now(hours: int = 2) -> str:
    """A maintenance window that holds the present moment."""
    now = datetime.now().astimezone()
    return f"{now - timedelta(hours=hours):%H:%M}-{now + timedelta(hours=hours):%H:%M}"


class Box:
    """The Debian root with its services, and the updater's config on the host side."""

    def __init__(self, root: DebRoot, folder: Path, hub: Hub, token: str) -> None:
        self.root = root
        self.run_dir = folder / "services"
        self.own_dir = folder / "kiosk-update"
        self.data_dir = root.file("/var/lib/kiosk")
        inside = root.file("/etc/kiosk/kiosk.toml")
        inside.parent.mkdir(parents=True, exist_ok=True)
        inside.write_text(
            f'[kiosk]\nid = "{KIOSK_ID}"\nhub_url = "{hub.url}"\nhub_token = "{token}"\n'
            'data_dir = "/var/lib/kiosk"\n[session]\nfolder = "/run/kiosk-test/sessions"\n'
            '[ui]\nfullscreen = false\n[speech]\nengine = "none"\n'
            "[agent]\nheartbeat_seconds = 5\n"
        )
        restart = [sys.executable, "-m", "tests.updates.chroot_services"]
        self.restart = [*restart, "restart", str(root.path), str(self.run_dir)]
        self.stop = [*restart, "stop", str(root.path), str(self.run_dir)]
        self.config = folder / "kiosk.toml"
        self.config.write_text(
            f'[kiosk]\nid = "{KIOSK_ID}"\ndata_dir = "{self.data_dir}"\n'
            f'[updates]\nwindow = "{around_now()}"\nhealthy_within_seconds = {HEALTHY_WITHIN}\n'
            f"settle_seconds = 5\nrestart_command = {json.dumps(self.restart)}\n"
        )

    def services(self, *command: str) -> None:
        subprocess.run(command, cwd=REPO, check=True, timeout=120, env=self.env())

    def env(self) -> dict[str, str]:
        return {**os.environ, **lifetime.mark()}

    def update(self) -> subprocess.CompletedProcess[str]:
        """One run of kiosk-update, as its timer starts it (package steps in the root)."""
        done = subprocess.run(
            [sys.executable, "-m", "kiosk.updates", "--config", str(self.config),
             "--state-dir", str(self.own_dir), "--root", str(self.root.path)],
            cwd=REPO, capture_output=True, text=True, timeout=1800, env=self.env(),
        )  # fmt: skip
        with (self.run_dir / "kiosk-update.log").open("a") as log:  # for a person reading
            log.write(done.stderr)
        assert done.returncode == 0, done.stderr[-3000:]
        return done

    def wanted(self) -> str | None:
        try:
            return json.loads((self.data_dir / "updates" / "wanted.json").read_text())["version"]
        except (OSError, ValueError, KeyError):
            return None

    def log(self, name: str) -> str:
        path = self.run_dir / f"{name}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[tuple[Hub, str]]:
    running = configured_hub(tmp_path, bytes(HUB_KEY), free_port())
    out = running.cli("kiosk", "add", KIOSK_ID, "--name", "Pasila 1", "--location", "Pasila")
    running.cli("update", "group", "pilot", KIOSK_ID)
    running.start()
    try:
        yield running, out.strip().splitlines()[-1]
    finally:
        running.stop()


def reported(hub: Hub) -> dict[str, object]:
    rows = hub.rows("SELECT * FROM update_reports WHERE kiosk_id = ?", (KIOSK_ID,))
    return rows[0] if rows else {}


def test_an_update_goes_in_and_a_broken_one_is_rolled_back(
    packages: BuiltPackages,
    hub: tuple[Hub, str],
    tmp_path: Path,
) -> None:
    running, token = hub
    broken = broken_build(packages, "0.4.0", tmp_path / "broken")
    with served_repo(tmp_path / "fleet") as repo, debian_root(tmp_path / "box") as root:
        repo.publish(packages.runtime, packages.kiosk("0.2.0"), packages.kiosk("0.3.0"), broken)
        use_repository(root.path, repo.url, repo.key.public)
        assert root.apt("update").returncode == 0
        installed = root.apt("install", "kiosk=0.2.0")
        assert installed.returncode == 0, installed.stdout + installed.stderr
        box = Box(root, tmp_path, running, token)
        box.services(*box.restart)
        try:
            _update_then_roll_back(box, running)
        finally:
            box.services(*box.stop)
            root.forget_own_packages()


def _update_then_roll_back(box: Box, hub: Hub) -> None:
    # Nothing wanted yet: up to date.
    wait_until(lambda: (box.data_dir / "updates" / "agent.json").exists(), "the agent reports")
    box.update()
    state = read_state(box.data_dir)
    assert state is not None and (state.state, state.installed) == ("up-to-date", "0.2.0")

    hub.cli("update", "set", "group:pilot", "0.3.0")
    wait_until(lambda: box.wanted() == "0.3.0", "the agent hears 0.3.0 is wanted", 60)
    box.update()
    state = read_state(box.data_dir)
    assert state is not None, box.log("app")
    assert (state.state, state.installed, state.previous, state.wanted) == (
        "updated", "0.3.0", "0.2.0", "0.3.0",
    ), (state, box.log("app"), box.log("agent"))  # fmt: skip
    assert box.root.installed("kiosk") == "0.3.0"
    wait_until(lambda: reported(hub).get("state") == "updated", "the hub hears of it", 60)
    assert reported(hub)["installed"] == "0.3.0"

    hub.cli("update", "set", "group:pilot", "0.4.0")
    wait_until(lambda: box.wanted() == "0.4.0", "the agent hears 0.4.0 is wanted", 60)
    box.update()
    state = read_state(box.data_dir)
    assert state is not None
    assert (state.state, state.installed, state.previous, state.wanted) == (
        "rolled-back", "0.3.0", "0.3.0", "0.4.0",
    ), state  # fmt: skip
    assert state.detail == (
        f"0.4.0 did not report ready within {HEALTHY_WITHIN} s; 0.3.0 put back"
    ), state.detail
    assert "this build of the app fails" in box.log("app")
    assert box.root.installed("kiosk") == "0.3.0"
    wait_until(lambda: reported(hub).get("state") == "rolled-back", "the hub hears of it", 60)
    alerts = hub.rows(
        "SELECT code, cleared_at FROM alerts WHERE kiosk_id = ? AND source = 'update'",
        (KIOSK_ID,),
    )
    assert [(a["code"], a["cleared_at"]) for a in alerts] == [("rolled-back", None)]

    # Not tried again while the hub wants the same version.
    again = box.update()
    assert "installing" not in again.stderr
    assert read_state(box.data_dir) == state
    assert box.root.installed("kiosk") == "0.3.0"

    # A version the repository does not have: apt refuses, nothing changes, support is told.
    hub.cli("update", "set", "group:pilot", "0.9.0")
    wait_until(lambda: box.wanted() == "0.9.0", "the agent hears 0.9.0 is wanted", 60)
    box.update()
    state = read_state(box.data_dir)
    assert state is not None
    assert (state.state, state.installed, state.wanted) == ("failed", "0.3.0", "0.9.0"), state
    assert (
        state.detail == "apt-get install kiosk=0.9.0: E: Version '0.9.0' for 'kiosk' was not found"
    )
    assert box.root.installed("kiosk") == "0.3.0"
    wait_until(lambda: reported(hub).get("state") == "failed", "the hub hears of it", 60)
