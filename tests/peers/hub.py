"""The hub as the process it runs as (`kiosk-hub serve`), for end-to-end tests: configured in a
temporary folder with its own sealing key, started, stopped and started again on the same
port and database, and its database read (read-only) to see what it holds."""

from __future__ import annotations

import base64
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hub.config import DATABASE_URL_VARIABLE
from tests.peers import lifetime

BIN = Path(sys.executable).parent


def configured_hub(folder: Path, private_key: bytes, port: int, extra: str = "") -> Hub:
    """A hub.toml in `folder` for a hub on `port` whose data is `folder`/hub, sealing with
    `private_key` (so that a test can make a kiosk seal to it); `extra` is more TOML."""
    key_file = folder / "sealing.key"
    key_file.write_text(base64.b64encode(private_key).decode() + "\n")
    key_file.chmod(0o600)
    config = folder / "hub.toml"
    config.write_text(
        f'[hub]\nlisten_port = {port}\ndata_dir = "{folder / "hub"}"\ncookie_secure = false\n'
        f'[sealing]\nprivate_key_file = "{key_file}"\n{extra}'
    )
    return Hub(config, port)


def wait_until(check: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.1)


@dataclass
class Hub:
    """`config` is the hub.toml; its [hub] data_dir must be the folder `hub` beside it."""

    config: Path
    port: int
    process: subprocess.Popen[bytes] | None = None
    #: The PostgreSQL database its commands and process use ($KIOSK_HUB_DATABASE_URL when the
    #: Hub is made, as the hub's tests on PostgreSQL set it), or None: SQLite in its data_dir.
    database_url: str | None = field(default_factory=lambda: os.environ.get(DATABASE_URL_VARIABLE))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cli(self, *args: str, stdin: str | None = None) -> str:
        done = subprocess.run(
            [str(BIN / "kiosk-hub"), "--config", str(self.config), *args],
            input=stdin,
            capture_output=True,
            text=True,
            check=True,
            env=self._env(),
        )
        return done.stdout

    @property
    def log(self) -> Path:
        """What the hub wrote to stderr (its log), every run of it."""
        return self.config.parent / "hub.log"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = lifetime.spawn(
                [str(BIN / "kiosk-hub"), "--config", str(self.config), "serve"],
                stderr=log,
                env=self._env(),
            )

        def listening() -> bool:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"kiosk-hub exited with {self.process.returncode}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
            except OSError:
                return False
            return True

        wait_until(listening, "the hub listens")

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != DATABASE_URL_VARIABLE}
        if self.database_url:
            env[DATABASE_URL_VARIABLE] = self.database_url
        return env

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(20)
            lifetime.forget(self.process)
            self.process = None

    def submissions(self) -> list[dict[str, Any]]:
        """The hub's own record of the submissions it holds."""
        return self.rows("SELECT * FROM submissions")

    def rows(self, sql: str, params: tuple[object, ...] = ()) -> list[dict[str, Any]]:
        """Rows of the hub's database, read-only, as it has them now (in PostgreSQL when the
        hub's tests run there: `database_url`)."""
        url = self.database_url
        if url:
            from sqlschema import postgres

            with postgres.connect(url) as pg:
                return list(postgres.PgDatabase(pg).query(sql, params))
        data = self.config.parent / "hub"
        conn = sqlite3.connect(f"file:{data / 'hub.db'}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        try:
            return [dict(row) for row in conn.execute(sql, params)]
        finally:
            conn.close()
