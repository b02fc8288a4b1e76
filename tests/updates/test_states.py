"""The updater's decisions that install nothing, with the real dpkg database of this machine
(the installed version of Debian's own `dpkg` package standing in for the kiosk's version): up
to date, pending outside the window, waiting while a session is on; each written to state.json
once. And one updater at a time."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from kiosk.updates.apt import Packages
from kiosk.updates.files import UpdateState, read_state, write_wanted
from kiosk.updates.flow import Record, Setup, Updater
from kiosk.updates.window import parse_window
from tests.updates.test_session import write_beat

NOW = datetime(2026, 12, 7, 2, 30, tzinfo=UTC)


@pytest.fixture
def dpkg_version() -> str:
    done = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Version}", "dpkg"], capture_output=True, text=True
    )
    assert done.returncode == 0, "dpkg-query is missing"
    return done.stdout


def data_dir(tmp_path: Path) -> Path:
    """The kiosk's data folder, which its services make."""
    (tmp_path / "data").mkdir(exist_ok=True)
    return tmp_path / "data"


def updater(tmp_path: Path, at: str) -> Updater:
    data_dir(tmp_path)
    setup = Setup(
        data_dir=tmp_path / "data",
        db_path=tmp_path / "data" / "kiosk.db",
        own_dir=tmp_path / "own",
        window=parse_window("02:00-05:00"),
        healthy_within=60,
        settle=1,
        restart_command=["false"],
    )
    return Updater(
        setup, Packages(package="dpkg"), clock=lambda: NOW, local=lambda: time.fromisoformat(at)
    )


def test_nothing_wanted_is_up_to_date(tmp_path: Path, dpkg_version: str) -> None:
    state = updater(tmp_path, "12:00").run()
    assert state is not None and state.state == "up-to-date"
    assert read_state(tmp_path / "data") == state
    assert state.installed == dpkg_version and state.wanted is None


def test_the_installed_version_wanted_is_up_to_date(tmp_path: Path, dpkg_version: str) -> None:
    write_wanted(data_dir(tmp_path), dpkg_version, at=NOW)
    state = updater(tmp_path, "03:00").run()
    assert state is not None
    assert (state.state, state.installed, state.wanted) == (
        "up-to-date",
        dpkg_version,
        dpkg_version,
    )


def test_another_version_waits_for_the_window(tmp_path: Path, dpkg_version: str) -> None:
    write_wanted(data_dir(tmp_path), "999.0", at=NOW)
    state = updater(tmp_path, "01:59").run()
    assert state is not None
    assert (state.state, state.installed, state.wanted) == ("pending", dpkg_version, "999.0")
    assert state.detail == "waiting for the maintenance window 02:00-05:00 (local time)"
    path = tmp_path / "data" / "updates" / "state.json"
    written = path.stat()
    # The same news again is not written again (nor its time changed).
    again = updater(tmp_path, "05:00").run()
    assert again == state
    assert path.stat().st_mtime_ns == written.st_mtime_ns
    assert json.loads(path.read_text())["at"] == "2026-12-07T02:30:00.000Z"


def test_in_the_window_a_session_is_waited_for(tmp_path: Path, dpkg_version: str) -> None:
    data = tmp_path / "data"
    data.mkdir()
    write_beat(data / "kiosk.db", NOW - timedelta(seconds=5), session=True)
    write_wanted(data, "999.0", at=NOW)
    state = updater(tmp_path, "02:00").run()
    assert state is not None
    assert (state.state, state.installed, state.wanted) == (
        "waiting-for-session",
        dpkg_version,
        "999.0",
    )
    assert state.detail == (
        "a session is on: tried again at the next look, within the maintenance window "
        "02:00-05:00 (local time)"
    )
    assert read_state(data) == state


def test_a_wanted_file_it_cannot_use_changes_nothing(tmp_path: Path) -> None:
    first = updater(tmp_path, "12:00").run()
    folder = tmp_path / "data" / "updates"
    (folder / "wanted.json").write_text('{"version": "1.0 && reboot"}')
    assert updater(tmp_path, "03:00").run() is None
    assert read_state(tmp_path / "data") == first


def test_the_record_survives_an_agent_that_rewrites_state_json(tmp_path: Path) -> None:
    """state.json is in the agent's folder; the updater's own record is not."""
    write_wanted(data_dir(tmp_path), "999.0", at=NOW)
    state = updater(tmp_path, "12:00").run()
    (tmp_path / "data" / "updates" / "state.json").write_text('{"state": "updated"}')
    assert updater(tmp_path, "12:10").run() == state
    assert read_state(tmp_path / "data") == state


def test_a_second_updater_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n')
    own = tmp_path / "own"
    own.mkdir()
    with (own / "kiosk-update.lock").open("ab") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "kiosk.updates",
                "--config",
                str(config),
                "--state-dir",
                str(own),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2
    assert (
        done.stderr
        == f"kiosk-update: another kiosk-update is running (it holds {own}/kiosk-update.lock)\n"
    )
    assert not (tmp_path / "data" / "updates" / "state.json").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="what root may not make")
def test_root_does_not_make_the_kiosks_data_folder(tmp_path: Path) -> None:
    """A data folder root made would be root's, and the kiosk's user could not use it."""
    run = updater(tmp_path, "12:00")
    (tmp_path / "data").rmdir()
    state = run.run()
    assert state is not None and state.state == "up-to-date"  # remembered, not written
    assert not (tmp_path / "data").exists()


def test_an_update_cut_short_is_checked_again(tmp_path: Path, dpkg_version: str) -> None:
    """A reboot while `checking`: the next run in the window finds the new version installed,
    restarts the services and checks it again; healthy, it is `updated` from the version the
    record says it replaced."""
    data = data_dir(tmp_path)
    write_wanted(data, dpkg_version, at=NOW)
    # The restart brings up "the app" of the installed version, and the agent reaches the hub.
    app = (
        "import sys; from datetime import UTC, datetime; from pathlib import Path;"
        "from kiosk.store import open_store; from kiosk.store.fleet import Fleet;"
        "from kiosk.updates.files import write_accepted;"
        "data = Path(sys.argv[1]); store = open_store(data / 'kiosk.db'); now = datetime.now(UTC);"
        "Fleet(store).beat(version=sys.argv[2], session_active=False, started_at=now);"
        "store.close(); write_accepted(data, at=datetime.now(UTC), agent_version=sys.argv[2])"
    )
    setup = Setup(
        data_dir=data,
        db_path=data / "kiosk.db",
        own_dir=tmp_path / "own",
        window=parse_window("02:00-05:00"),
        healthy_within=30,
        settle=0,
        restart_command=[sys.executable, "-c", app, str(data), dpkg_version],
    )
    record = Record(setup.own_dir)
    record.last = UpdateState(
        "checking", dpkg_version, "1.0", dpkg_version, at="2026-12-07T02:10:00.000Z"
    )
    record.save()
    state = Updater(setup, Packages(package="dpkg"), local=lambda: time(3, 0)).run()
    assert state is not None
    assert (state.state, state.installed, state.previous) == ("updated", dpkg_version, "1.0")
    assert read_state(data) == state
