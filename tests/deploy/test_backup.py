"""Backup and restore of the hub's store exactly as docs/deployment.md writes them: its shell
blocks marked `<!-- tested: NAME -->` are read from the page and run with bash, only the
folders (and, for SQLite, the file's owner) changed for a test machine.

PostgreSQL: the page's database block makes the role and the database in a private server
(libpq's PGHOST, PGPORT and PGUSER point `runuser -u postgres -- …` at it); a running hub
enrolls a kiosk that then says hello; the backup block dumps while the hub runs; the hub is
stopped, the database dropped, the restore block run; the hub started again on the same URL
knows the kiosk's token and the staff account.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from psycopg.conninfo import conninfo_to_dict

from hub.config import DATABASE_URL_VARIABLE
from tests.conftest import HUB_KEY
from tests.deploy.shipped import ROOT, environment_file, instance, write_sealing_key
from tests.peers.hub import Hub
from tests.peers.postgres import PostgresServer
from tests.peers.smtp import free_port

PAGE = ROOT / "docs" / "deployment.md"
BACKUPS = "/var/backups/kiosk-hub"
KIOSK_ID, ADMIN = "itakeskus-1", "admin"


def block(name: str) -> str:
    """The shell block after `<!-- tested: name -->` in docs/deployment.md."""
    found = re.search(
        rf"<!-- tested: {re.escape(name)} -->\n```sh\n(.*?)```", PAGE.read_text(), re.DOTALL
    )
    assert found is not None, f"docs/deployment.md has no block marked tested: {name}"
    return found[1]


def run(script: str, env: dict[str, str]) -> None:
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"{script}\nexit {done.returncode}: {done.stderr}{done.stdout}"


def with_folders(script: str, changes: dict[str, str]) -> str:
    for old, new in changes.items():
        assert old in script, f"the block no longer has {old!r}: {script}"
        script = script.replace(old, new)
    return script


@pytest.fixture
def folder() -> Iterator[Path]:
    """A folder the postgres user can reach (pytest's tmp_path is root's alone)."""
    path = Path(tempfile.mkdtemp(prefix="kiosk-deploy-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def database(postgres_server: PostgresServer) -> Iterator[dict[str, str]]:
    """libpq's environment for the private server; the role and database the page makes are
    removed after."""
    assert postgres_server.folder is not None
    env = {
        "PGHOST": str(postgres_server.folder),
        "PGPORT": str(postgres_server.port),
        "PGUSER": "kiosk",
        "PGDATABASE": "postgres",
    }
    yield env
    subprocess.run(
        ["bash", "-c", "dropdb --if-exists kiosk_hub; dropuser --if-exists kiosk_hub"],
        env={**os.environ, **env},
        capture_output=True,
        timeout=60,
    )


async def kiosk_hello(hub: Hub, token: str) -> int:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{hub.url}/api/kiosk/hello",
            headers={"Authorization": f"Bearer {token}", "X-Kiosk-Id": KIOSK_ID},
        ) as response,
    ):
        return response.status


def test_postgres_dump_while_running_then_restore_gives_the_hub_its_data_back(
    folder: Path,
    database: dict[str, str],
    postgres_server: PostgresServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    etc, backups = folder / "etc", folder / "backups"
    etc.mkdir()
    run(with_folders(block("database"), {"/etc/kiosk-hub": str(etc)}), database)
    env_file = etc / "kiosk-hub.env"
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    written = conninfo_to_dict(environment_file(env_file.read_text())[DATABASE_URL_VARIABLE])
    assert (written["user"], written["dbname"], written["host"]) == (
        "kiosk_hub",
        "kiosk_hub",
        "localhost",
    )
    # The private server has a socket only: the same role and database, reached through it.
    url = f"postgresql://kiosk_hub@/kiosk_hub?host={database['PGHOST']}&port={database['PGPORT']}"
    monkeypatch.setenv(DATABASE_URL_VARIABLE, url)
    state = folder / "state"
    write_sealing_key(state, bytes(HUB_KEY))
    hub = instance(folder, 1, free_port(), state).hub
    hub.cli("user", "add", ADMIN, "--role", "admin", stdin="a long enough password 123\n")
    hub.start()
    try:
        out = hub.cli("kiosk", "add", KIOSK_ID, "--name", "Itäkeskus 1", "--location", "here")
        token = out.strip().splitlines()[-1]
        assert asyncio.run(kiosk_hello(hub, token)) == 200
        # The dump, while the hub runs.
        run(with_folders(block("backup"), {BACKUPS: str(backups)}), database)
    finally:
        hub.stop()
    [dump] = backups.glob("kiosk_hub-*.dump")
    run("dropdb kiosk_hub", database)
    with pytest.raises(subprocess.CalledProcessError):
        hub.cli("kiosk", "list")  # no database: the hub cannot open it
    restore = re.sub(r"(?m)^DUMP=.*$", f"DUMP={dump}", block("restore"))
    run(restore, database)
    hub.start()
    try:
        assert asyncio.run(kiosk_hello(hub, token)) == 200
        assert KIOSK_ID in hub.cli("kiosk", "list")
        assert ADMIN in hub.cli("user", "list")
    finally:
        hub.stop()


def test_sqlite_backup_while_running_then_restore_gives_the_hub_its_data_back(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if shutil.which("sqlite3") is None:
        pytest.fail("the sqlite3 command is missing: apt-get install sqlite3 (./dev test does)")
    monkeypatch.delenv(DATABASE_URL_VARIABLE, raising=False)
    state, backups = folder / "state", folder / "backups"
    write_sealing_key(state, bytes(HUB_KEY))
    hub = instance(folder, 1, free_port(), state).hub
    # deploy/hub.toml names PostgreSQL; a single hub on SQLite has no [store] url.
    hub.config.write_text(re.sub(r'(?m)^url = ".*"$', 'url = ""', hub.config.read_text()))
    folders = {"/var/lib/kiosk-hub": str(state), BACKUPS: str(backups)}
    hub.start()
    try:
        out = hub.cli("kiosk", "add", KIOSK_ID, "--name", "Itäkeskus 1", "--location", "here")
        token = out.strip().splitlines()[-1]
        assert asyncio.run(kiosk_hello(hub, token)) == 200
        run(with_folders(block("sqlite-backup"), folders), {})
    finally:
        hub.stop()
    [copy] = backups.glob("hub-*.db")
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    for name in ("hub.db", "hub.db-wal", "hub.db-shm"):
        (state / name).unlink(missing_ok=True)
    restore = with_folders(
        block("sqlite-restore"), {**folders, "-o kiosk-hub -g kiosk-hub": "-o root -g root"}
    )
    run(re.sub(r"(?m)^BACKUP=.*$", f"BACKUP={copy}", restore), {})
    assert stat.S_IMODE((state / "hub.db").stat().st_mode) == 0o600
    hub.start()
    try:
        assert asyncio.run(kiosk_hello(hub, token)) == 200
    finally:
        hub.stop()
