"""The parts the call-resilience tests kill, freeze and restart: the hub as its own process (the
real `python -m hub serve` on a fixed port and database), the kiosk's call client as its own
process (tests/video/kiosk_process.py), and an advisor's WebSocket logged in like the console."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp

from hub.store import open_configured
from tests.hub.conftest import add_kiosk, add_user, log_in
from tests.video.conftest import DEADLINE

Message = dict[str, Any]
KIOSK_ID = "itakeskus-1"
VIRKA, NEUVONTA = "virka-info", "kansalaisneuvonta"
ROOT = Path(__file__).resolve().parents[2]
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALL_WEEK = "\n".join(f'{day} = "00:00-24:00"' for day in DAYS)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_hub(folder: Path, port: int, hub_keys: str = "") -> tuple[Path, str]:
    """A hub.toml for `port` with both lines open all week (anna on Virka-info, ben on
    Kansalaisneuvonta), its database with the two advisors and one kiosk; the kiosk's token.
    `hub_keys` are more lines for its [hub] table."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "hub.toml"
    lines = ""
    for line, advisor in ((VIRKA, "anna"), (NEUVONTA, "ben")):
        lines += f'\n[lines.{line}]\nadvisors = ["{advisor}"]\n[lines.{line}.hours]\n{ALL_WEEK}\n'
    path.write_text(
        f'[hub]\nlisten_host = "127.0.0.1"\nlisten_port = {port}\n'
        f'data_dir = "{folder / "data"}"\ncookie_secure = false\n{hub_keys}{lines}'
    )
    from hub.config import load_config

    # The hub serves only with its sealing key (for submissions; no part of a call).
    subprocess.run(
        [sys.executable, "-m", "hub", "--config", str(path), "keys", "generate"],
        cwd=ROOT,
        capture_output=True,
        timeout=DEADLINE,
    )
    store = open_configured(load_config(path))
    try:
        add_user(store, "anna", "advisor")
        add_user(store, "ben", "advisor")
        token = add_kiosk(store, KIOSK_ID)
    finally:
        store.close()
    return path, token


class HubProcess:
    """`python -m hub --config PATH serve` as a child process, started again at will."""

    def __init__(self, config: Path, port: int, log: Path) -> None:
        self.config = config
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self._log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = dict(os.environ, KIOSK_HUB_LOG_LEVEL="INFO")
        with self._log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "hub", "--config", str(self.config), "serve"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end:
            assert self.process.poll() is None, self._log.read_text()[-2000:]
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port)):
                return
            time.sleep(0.05)
        raise AssertionError(f"the hub did not start: {self._log.read_text()[-2000:]}")

    def signal(self, signum: int) -> None:
        assert self.process is not None
        self.process.send_signal(signum)

    def wait(self) -> None:
        assert self.process is not None
        self.process.wait(DEADLINE)

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGCONT)
        process.kill()
        process.wait(DEADLINE)


class KioskProcess:
    """The kiosk's call client in a child process; what it reports is gathered in `said`."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.said: list[Message] = []
        self._news = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def start(cls, url: str, token: str, heartbeat: float = 20.0) -> KioskProcess:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.video.kiosk_process",
            url,
            token,
            KIOSK_ID,
            str(heartbeat),
            cwd=ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        kiosk = cls(process)
        ready = await kiosk.until(lambda m: "ready" in m, "the kiosk process to start")
        assert ready["ready"], "the kiosk process did not reach the hub"
        return kiosk

    async def _read(self) -> None:
        assert self.process.stdout is not None
        async for line in self.process.stdout:
            self.said.append(json.loads(line))
            self._news.set()
        self._news.set()

    async def tell(self, command: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(command.encode() + b"\n")
        await self.process.stdin.drain()

    async def until(self, check: Callable[[Message], bool], what: str, since: int = 0) -> Message:
        """The first thing said (from index `since`) that passes `check`."""

        async def find() -> Message:
            while True:
                for message in self.said[since:]:
                    if check(message):
                        return message
                assert self.process.returncode is None or not self._reader.done(), what
                self._news.clear()
                await self._news.wait()

        try:
            return await asyncio.wait_for(find(), DEADLINE)
        except TimeoutError:
            raise AssertionError(f"timed out waiting for {what}; said {self.said}") from None

    def signal(self, signum: int) -> None:
        self.process.send_signal(signum)

    async def kill(self) -> None:
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGCONT)
                self.process.kill()
            await asyncio.wait_for(self.process.wait(), DEADLINE)
        self._reader.cancel()
        await asyncio.gather(self._reader, return_exceptions=True)


class Advisor:
    """An advisor's console socket, logged in through the form. A reader keeps taking messages
    (and so answering the hub's pings: aiohttp answers them while reading); `freeze()` stops it,
    as a browser would that hangs or whose network silently went away."""

    def __init__(
        self, username: str, session: aiohttp.ClientSession, ws: aiohttp.ClientWebSocketResponse
    ) -> None:
        self.username = username
        self.session = session
        self.ws = ws
        self._inbox: asyncio.Queue[Message | None] = asyncio.Queue()
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def log_in(cls, base: str, username: str) -> Advisor:
        session = aiohttp.ClientSession(base_url=base, cookie_jar=aiohttp.CookieJar(unsafe=True))
        try:
            await log_in(session, username)
            ws = await session.ws_connect("/ws/advisor", origin=base.rstrip("/"))
        except BaseException:
            await session.close()
            raise
        advisor = cls(username, session, ws)
        await advisor.expect("hello")
        await advisor.send({"type": "available", "available": True})
        await advisor.expect_free()
        return advisor

    async def _read(self) -> None:
        async for frame in self.ws:
            if frame.type is aiohttp.WSMsgType.TEXT:
                await self._inbox.put(json.loads(frame.data))
        await self._inbox.put(None)

    def freeze(self) -> None:
        """Stop reading: pings go unanswered from now on."""
        self._reader.cancel()

    async def send(self, message: Message) -> None:
        await self.ws.send_json(message)

    async def expect(self, kind: str, **fields: Any) -> Message:
        """The next message of `kind` with these field values; the ones before it are dropped."""

        async def read() -> Message:
            while True:
                message = await self._inbox.get()
                assert message is not None, f"the advisor's socket ended ({self.ws.close_code})"
                if message["type"] == kind and all(message.get(k) == v for k, v in fields.items()):
                    return message

        return await asyncio.wait_for(read(), DEADLINE)

    async def expect_free(self) -> None:
        """Until a queue view shows this advisor available (free to be rung)."""
        while True:
            view = await self.expect("queue")
            if {"username": self.username, "status": "available"} in view["advisors"]:
                return

    async def close(self) -> None:
        self._reader.cancel()
        await asyncio.gather(self._reader, return_exceptions=True)
        await self.ws.close()
        await self.session.close()
