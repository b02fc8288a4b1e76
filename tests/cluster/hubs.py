"""Several `kiosk-hub serve` processes on one PostgreSQL schema, as a load balancer's pool sees
them: for the tests of what the instances share.

`HubCluster.make(postgres_server, folder, count=2, extra=...)` writes one hub.toml per instance
(its own port and data folder, the same sealing key, the same `extra` TOML: [smtp], [forms]...)
and a fresh schema of the private PostgreSQL (tests.peers.postgres) that every instance and
every `kiosk-hub` command of the cluster uses, given as `$KIOSK_HUB_DATABASE_URL` (which wins
over hub.toml). `start()` starts them all; `kill(i)` SIGKILLs one (an instance that dies),
`stop(i)` stops one as systemd would, `start(i)` starts it again on its port. `rows()` reads
the shared database as it is now. `stop()` ends every instance (and is safe to call twice).

    cluster = HubCluster.make(postgres_server, tmp_path, extra=SMTP)
    try:
        cluster.start()
        token = cluster.enroll("library-1")
        ... cluster.hubs[0].url ... cluster.hubs[1].url ...
    finally:
        cluster.stop()
"""

from __future__ import annotations

import base64
import os
import signal
import socket
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nacl.public import PrivateKey

from hub.config import DATABASE_URL_VARIABLE
from tests.peers import lifetime
from tests.peers.hub import BIN, wait_until
from tests.peers.postgres import PostgresServer
from tests.peers.smtp import free_port

#: The password `add_user` gives every account it makes.
PASSWORD = "a long enough password"


@dataclass
class Instance:
    """One `kiosk-hub serve` of the cluster: its hub.toml, port and process."""

    index: int
    config: Path
    port: int
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        """What the instance wrote to stderr (its log), every run of it."""
        return self.config.parent / "hub.log"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = lifetime.spawn(
                [str(BIN / "kiosk-hub"), "--config", str(self.config), "serve"],
                env=self.env,
                stderr=log,
            )

        def listening() -> bool:
            assert self.process is not None
            if self.process.poll() is not None:
                tail = self.log.read_text(errors="replace")[-2000:]
                raise AssertionError(
                    f"kiosk-hub {self.index} exited with {self.process.returncode}: {tail}"
                )
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
            except OSError:
                return False
            return True

        wait_until(listening, f"hub instance {self.index} listens")

    def stop(self) -> None:
        """SIGTERM, as systemd stops it; SIGKILL after the peers' grace."""
        if self.process is not None:
            lifetime.stop(self.process)
            self.process = None

    def kill(self) -> None:
        """SIGKILL: the instance dies with whatever it held (claims, sockets, locks)."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(20)
            lifetime.forget(self.process)
            self.process = None


@dataclass
class HubCluster:
    """`count` hub instances sharing the PostgreSQL schema at `database_url`."""

    folder: Path
    database_url: str
    key: PrivateKey
    hubs: list[Instance] = field(default_factory=list)
    server: PostgresServer | None = None

    @classmethod
    def make(
        cls,
        postgres: PostgresServer,
        folder: Path,
        *,
        count: int = 2,
        extra: str = "",
        per_instance: Sequence[str] = (),
        key: PrivateKey | None = None,
    ) -> HubCluster:
        """Configure (not start) `count` instances on a fresh schema of `postgres`.

        `extra` is TOML every instance's hub.toml ends with; `per_instance[i]`, when given, more
        TOML for instance i only (a different SMTP relay, say)."""
        key = key or PrivateKey.generate()
        key_file = folder / "sealing.key"
        key_file.write_text(base64.b64encode(bytes(key)).decode() + "\n")
        key_file.chmod(0o600)
        url = postgres.schema_url()
        env = {**os.environ, DATABASE_URL_VARIABLE: url}
        cluster = cls(folder, url, key, server=postgres)
        for index in range(count):
            home = folder / f"hub{index}"
            home.mkdir(parents=True, exist_ok=True)
            port = free_port()
            own = per_instance[index] if index < len(per_instance) else ""
            config = home / "hub.toml"
            config.write_text(
                f'[hub]\nlisten_port = {port}\ndata_dir = "{home / "data"}"\n'
                f'cookie_secure = false\n[sealing]\nprivate_key_file = "{key_file}"\n'
                f"{extra}\n{own}\n"
            )
            cluster.hubs.append(Instance(index, config, port, env))
        return cluster

    @property
    def public_key(self) -> bytes:
        """The key kiosks seal their submissions to (every instance opens them)."""
        return bytes(self.key.public_key)

    def start(self, *indexes: int) -> None:
        """Start the instances named (all when none is): the first alone until it listens, so
        that it migrates the fresh schema before the others look at it."""
        for index in indexes or range(len(self.hubs)):
            self.hubs[index].start()

    def stop(self, *indexes: int) -> None:
        for index in indexes or range(len(self.hubs)):
            self.hubs[index].stop()

    def kill(self, index: int) -> None:
        self.hubs[index].kill()

    def cli(self, *args: str, stdin: str | None = None, instance: int = 0) -> str:
        """Run a `kiosk-hub` command with an instance's hub.toml on the shared database."""
        done = subprocess.run(
            [str(BIN / "kiosk-hub"), "--config", str(self.hubs[instance].config), *args],
            input=stdin,
            capture_output=True,
            text=True,
            check=True,
            env=self.hubs[instance].env,
        )
        return done.stdout

    def enroll(self, kiosk_id: str, *, name: str = "Library", location: str = "Itäkeskus") -> str:
        """Enroll a kiosk; its token."""
        printed = self.cli("kiosk", "add", kiosk_id, "--name", name, "--location", location)
        return _token(printed)

    def add_user(self, username: str, role: str, password: str = PASSWORD) -> None:
        self.cli("user", "add", username, "--role", role, stdin=password + "\n")

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Rows of the shared database as they are now (psycopg's %s placeholders)."""
        import psycopg
        from psycopg.rows import dict_row

        with psycopg.connect(self.database_url, autocommit=True) as conn:
            cursor = conn.cursor(row_factory=dict_row)
            cursor.execute(sql.encode(), list(params) or None)
            return list(cursor.fetchall())

    def drop(self) -> None:
        """Stop every instance and drop the schema."""
        self.stop()
        if self.server is not None:
            self.server.drop_schema(self.database_url)


def _token(printed: str) -> str:
    """The token `kiosk-hub kiosk add` printed (its only line on stdout)."""
    lines = printed.strip().splitlines()
    if not lines:
        raise AssertionError("kiosk-hub kiosk add printed no token")
    return lines[-1].strip()
