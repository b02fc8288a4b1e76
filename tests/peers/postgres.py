"""A private PostgreSQL for a test run or a bench: Debian's server, its own folder and socket.

`PostgresServer.start()` runs initdb and the server as the `postgres` user (PostgreSQL refuses
root) in a temporary folder, listening only on a Unix socket there, with the superuser `kiosk`
and trust authentication; Debian's own cluster never runs. `schema_url()` makes an empty schema
and returns a connection URL whose search_path is that schema: one per test, so tests never see
each other's rows, and a hub process started with that URL finds the same tables.

The hub's test suite runs a second time on PostgreSQL (`./dev test`): with `KIOSK_TEST_STORE=
postgresql`, tests/conftest.py starts one server for the session and sets
`KIOSK_HUB_DATABASE_URL` to a fresh schema for each test, which `load_config` (and every
`kiosk-hub` process the test starts) reads. A missing program fails the run with the Debian
package to install; it never skips.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from tests.peers import lifetime

BIN = Path("/usr/lib/postgresql/15/bin")
PACKAGE = "postgresql (apt-get install postgresql)"
USER = "kiosk"
DATABASE = "kiosk"
STARTUP_DEADLINE = 60.0
#: Set to "postgresql" to run the hub's tests on PostgreSQL (tests/conftest.py).
STORE_VARIABLE = "KIOSK_TEST_STORE"


def row_versions(url: str, table: str) -> list[bytes]:
    """The data of every version of every row `table` holds in its pages, live or dead (an
    updated row's old version stays until VACUUM removes it), read with pageinspect."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pageinspect SCHEMA public")
        found = conn.execute(
            "SELECT items.t_data FROM generate_series(0, (pg_relation_size(%(t)s::regclass)"
            " / current_setting('block_size')::int)::int - 1) AS page,"
            " public.heap_page_items(public.get_raw_page(%(name)s, page)) AS items"
            " WHERE items.t_data IS NOT NULL",
            {"t": table, "name": table},
        ).fetchall()
    return [bytes(data) for (data,) in found]


class PostgresServer:
    def __init__(self, *, durable: bool = False, port: int = 5432) -> None:
        #: fsync and synchronous commits on (a bench's figures) or off (tests: faster, and a
        #: test never outlives a crash of the machine).
        self.durable = durable
        self.port = port
        self.folder: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._schemas = itertools.count(1)

    def start(self) -> PostgresServer:
        for program in ("initdb", "postgres"):
            if not (BIN / program).is_file():
                raise RuntimeError(f"{BIN / program} is missing: install {PACKAGE}")
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            raise RuntimeError(f"there is no postgres user: install {PACKAGE}") from None
        self.folder = Path(tempfile.mkdtemp(prefix="kiosk-pg-"))
        self.folder.chmod(0o755)  # the socket, for hub processes run as other users
        os.chown(self.folder, owner.pw_uid, owner.pw_gid)
        data = self.folder / "data"
        subprocess.run(
            ["runuser", "-u", "postgres", "--", str(BIN / "initdb"), "-D", str(data),
             "-A", "trust", "-U", USER, "-E", "UTF8", "--no-locale"],
            check=True, capture_output=True, timeout=STARTUP_DEADLINE,
        )  # fmt: skip
        settings = ["-c", "listen_addresses=", "-c", "max_connections=300"]
        if not self.durable:
            settings += ["-c", "fsync=off", "-c", "synchronous_commit=off"]
            settings += ["-c", "full_page_writes=off"]
        log = (self.folder / "log").open("wb")
        self._proc = lifetime.spawn(
            ["runuser", "-u", "postgres", "--", str(BIN / "postgres"), "-D", str(data),
             "-k", str(self.folder), "-p", str(self.port), *settings],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        log.close()
        self._wait_ready()
        self._admin(f"CREATE DATABASE {DATABASE}")
        return self

    def _wait_ready(self) -> None:
        import psycopg

        deadline = time.monotonic() + STARTUP_DEADLINE
        while True:
            if self._proc is not None and self._proc.poll() is not None:
                raise RuntimeError(f"postgres exited at start: {self.log_tail()}")
            try:
                psycopg.connect(self.url("postgres"), connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"postgres did not start: {self.log_tail()}") from None
                time.sleep(0.1)

    def log_tail(self) -> str:
        assert self.folder is not None
        with contextlib.suppress(OSError):
            return (self.folder / "log").read_text(errors="replace")[-2000:]
        return ""

    def url(self, database: str = DATABASE, *, search_path: str | None = None) -> str:
        """A connection URL over the server's socket (as `kiosk`, no password)."""
        assert self.folder is not None
        url = f"postgresql://{USER}@/{database}?host={quote(str(self.folder))}&port={self.port}"
        if search_path:
            url += "&options=" + quote(f"-csearch_path={search_path}")
        return url

    def schema_url(self, name: str | None = None) -> str:
        """A new, empty schema and a URL that works in it."""
        schema = name or f"t{next(self._schemas)}_{os.getpid()}"
        self._admin(f'CREATE SCHEMA "{schema}"', database=DATABASE)
        return self.url(search_path=schema)

    def drop_schema(self, url: str) -> None:
        schema = url.rsplit("search_path%3D", 1)[-1]
        with contextlib.suppress(Exception):
            # Never waits long on a connection a test left open: the schema then stays.
            self._admin(
                f"SET lock_timeout = '2s'; DROP SCHEMA \"{schema}\" CASCADE", database=DATABASE
            )

    def _admin(self, statement: str, *, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as conn:
            conn.execute(statement.encode())

    def stop(self) -> None:
        lifetime.stop(self._proc)
        self._proc = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
