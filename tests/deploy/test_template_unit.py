"""systemd/kiosk-hub@.service: `systemd-analyze verify` finds nothing wrong, its exposure stays
as low as kiosk-hub.service's, and its own ExecStart (with systemd's %i) and EnvironmentFile run
a hub on PostgreSQL that answers /healthz; without the environment file's URL an instance stops
with PostgreSQL's refusal instead of opening an SQLite file of its own.

Only what systemd itself provides is stood in for: /etc/kiosk-hub and the state folder are
folders of the test, the installed kiosk-hub is this checkout's, and the environment file is
read as systemd reads it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import psycopg

from hub.config import DATABASE_URL_VARIABLE
from tests.conftest import HUB_KEY
from tests.deploy.shipped import (
    STATE,
    TEMPLATE_UNIT,
    database_url_line,
    environment_file,
    hub_toml,
    unit_command,
    unit_settings,
    write_sealing_key,
)
from tests.peers import lifetime
from tests.peers.hub import wait_until
from tests.peers.postgres import PostgresServer
from tests.peers.smtp import free_port

INSTALL = "/opt/kiosk-hub/venv"
ETC = "/etc/kiosk-hub"
DEADLINE = 60.0


def test_systemd_analyze_verify_finds_nothing(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    assert analyze is not None, "systemd-analyze is missing: install the Debian package systemd"
    # An instance of the template; verify checks that ExecStart's program exists: this test's
    # environment stands in for the venv the unit runs from.
    copy = tmp_path / "kiosk-hub@1.service"
    copy.write_text(TEMPLATE_UNIT.read_text().replace(INSTALL, sys.prefix))
    done = subprocess.run(
        [analyze, "verify", str(copy)], capture_output=True, text=True, timeout=DEADLINE
    )
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_the_units_exposure_stays_as_low_as_the_single_hubs() -> None:
    analyze = shutil.which("systemd-analyze")
    assert analyze is not None, "systemd-analyze is missing: install the Debian package systemd"
    done = subprocess.run(
        [analyze, "security", "--offline=yes", "--no-pager", str(TEMPLATE_UNIT)],
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    )
    found = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", done.stdout)
    assert found is not None, done.stdout + done.stderr
    assert float(found[1]) <= 2.0, done.stdout
    settings = unit_settings(TEMPLATE_UNIT)
    assert settings["User"] == ["kiosk-hub"] and settings["Restart"] == ["always"]
    assert settings["EnvironmentFile"] == [f"{ETC}/kiosk-hub.env"]  # no "-": it must exist


def command(etc: Path) -> list[str]:
    """The unit's ExecStart for instance 1, with this checkout's kiosk-hub and the test's /etc."""
    words = unit_command(TEMPLATE_UNIT, "1")
    assert words[0] == f"{INSTALL}/bin/kiosk-hub", words
    return [str(Path(sys.executable).parent / "kiosk-hub")] + [
        word.replace(ETC, str(etc)) for word in words[1:]
    ]


def unit_environment(etc: Path, state: Path) -> dict[str, str]:
    """Environment= and EnvironmentFile= as systemd gives them to the instance."""
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    for line in unit_settings(TEMPLATE_UNIT).get("Environment", []):
        key, _, value = line.partition("=")
        env[key] = value.replace(STATE, str(state))
    [env_file] = unit_settings(TEMPLATE_UNIT)["EnvironmentFile"]
    path = Path(env_file.replace(ETC, str(etc)))
    if path.exists():
        env |= environment_file(path.read_text())
    return env


def test_the_units_command_runs_an_instance_on_postgresql(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    etc, state = tmp_path / "etc", tmp_path / "state"
    etc.mkdir()
    write_sealing_key(state, bytes(HUB_KEY))
    port = free_port()
    (etc / "hub-1.toml").write_text(hub_toml(1, port, state))
    url = postgres_server.schema_url()
    (etc / "kiosk-hub.env").write_text(database_url_line(url))
    (etc / "kiosk-hub.env").chmod(0o600)
    env = unit_environment(etc, state)
    assert env[DATABASE_URL_VARIABLE] == url
    log = (tmp_path / "hub.log").open("wb")
    proc = lifetime.spawn(command(etc), env=env, stdout=log, stderr=subprocess.STDOUT)
    log.close()

    def healthy() -> bool:
        if proc.poll() is not None:
            raise AssertionError(f"the instance exited: {(tmp_path / 'hub.log').read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                return bool(r.status == 200)
        except OSError:
            return False

    try:
        wait_until(healthy, "the instance answers /healthz", DEADLINE)
        with psycopg.connect(url) as conn:
            tables = {row[0] for row in conn.execute("SELECT tablename FROM pg_tables")}
        assert {"kiosks", "users", "schema_version"} <= tables
        assert not (state / "hub.db").exists()
    finally:
        lifetime.stop(proc)
        postgres_server.drop_schema(url)


def test_without_the_environment_files_url_an_instance_stops_instead_of_using_sqlite(
    tmp_path: Path,
) -> None:
    etc, state = tmp_path / "etc", tmp_path / "state"
    etc.mkdir()
    write_sealing_key(state, bytes(HUB_KEY))
    (etc / "hub-1.toml").write_text(hub_toml(1, free_port(), state))
    (etc / "kiosk-hub.env").write_text("# emptied by mistake\n")
    done = subprocess.run(
        command(etc),
        env=unit_environment(etc, state),
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    )
    assert done.returncode == 2, done.stderr
    assert "cannot connect to PostgreSQL at localhost:5432/kiosk_hub" in done.stderr
    assert not (state / "hub.db").exists()
