"""The hub the fuzzing runs against: `kiosk-hub serve` as a process of its own (tests/peers/hub),
with an enrolled kiosk, an advisor on a line open all week, a support person and an admin,
each with their own HTTP client, and the reads that must keep answering after any write."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import aiohttp
from yarl import URL

from hub.auth import KIOSK, PUBLIC
from tests.conftest import HUB_KEY
from tests.peers.hub import Hub
from tests.peers.smtp import free_port

T = TypeVar("T")

KIOSK_ID = "itakeskus-1"
LINE = "virka-info"
ADVISOR, SUPPORT, ADMIN = "anna", "sari", "aino"
PASSWORD = "a long enough password 123"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: Seconds one request may take before the case counts as the hub not answering.
ANSWER_WITHIN = 30.0
#: The client whose session the fuzzing of POST /logout ends (a support person's).
LEAVING = "leaving"

#: What support reads about kiosks, usage and deliveries: after a write was accepted, each of
#: these must still answer (a stored value that a page cannot render breaks it for good).
READS = (
    f"/support/kiosks/{KIOSK_ID}",
    f"/api/support/kiosks/{KIOSK_ID}",
    f"/api/support/kiosks/{KIOSK_ID}/logs",
    f"/api/support/kiosks/{KIOSK_ID}/logs?level=warning&q=a",
    "/api/support/fleet",
    "/api/support/updates",
    "/support/usage",
    "/api/support/usage",
    "/api/support/usage?from=2000-01-01&to=2099-12-31",
    "/api/support/usage.csv",
    "/support/deliveries",
    "/api/support/submissions",
    "/metrics",
)


@dataclass
class Answer:
    status: int
    text: str


class Site:
    """The running hub and a client for each kind of caller ("kiosk", "public" and each role)."""

    def __init__(self, hub: Hub, token: str, runner: asyncio.Runner) -> None:
        self.hub = hub
        self.token = token
        self.runner = runner
        self.clients: dict[str, aiohttp.ClientSession] = {}
        self.csrf: dict[str, str] = {}
        #: Ids naming something the hub holds (an action asked of the kiosk): path parameters.
        self.known_ids: list[str] = []

    @property
    def url(self) -> str:
        return self.hub.url

    def __repr__(self) -> str:
        return f"Site({self.url})"

    def run(self, work: Awaitable[T]) -> T:
        async def bounded() -> T:
            return await asyncio.wait_for(work, ANSWER_WITHIN)

        return self.runner.run(bounded())

    def caller(self, allowed: Iterable[str]) -> str:
        """Who to send a route's requests as: a kiosk, or staff of a role it allows."""
        allowed = set(allowed)
        for who in (KIOSK, "support", "admin", "advisor", PUBLIC):
            if who in allowed:
                return who
        return PUBLIC

    def headers(self, who: str) -> dict[str, str]:
        if who == KIOSK:
            return {"Authorization": f"Bearer {self.token}", "X-Kiosk-Id": KIOSK_ID}
        if who in self.csrf:
            return {"X-CSRF-Token": self.csrf[who]}
        return {}

    async def log_in(self, role: str) -> None:
        client = self.clients[role]
        client.cookie_jar.clear()
        username = {"advisor": ADVISOR, "support": SUPPORT, "admin": ADMIN, LEAVING: SUPPORT}[role]
        async with client.post(
            self.url + "/login",
            data={"username": username, "password": PASSWORD},
            allow_redirects=False,
        ) as response:
            assert response.status == 303, await response.text()
        async with client.get(self.url + "/api/me") as me:
            self.csrf[role] = (await me.json())["csrf_token"]

    async def send(
        self,
        who: str,
        method: str,
        path: str,
        *,
        query: list[tuple[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
    ) -> Answer:
        url = URL(self.url + path, encoded=True)
        if query:
            url = url.with_query(query)
        sent = {**self.headers(who), **(headers or {})}
        async with self.clients[who].request(
            method, url, headers=sent, data=body, allow_redirects=False
        ) as response:
            return Answer(response.status, await response.text(errors="replace"))

    async def send_raw(
        self, method: str, path: str, headers: dict[str, bytes], body: bytes = b""
    ) -> int:
        """The status of a request written byte for byte, for headers no HTTP client sends
        (aiohttp's writes text as UTF-8, so it cannot send bytes that are not UTF-8)."""
        reader, writer = await asyncio.open_connection("127.0.0.1", self.hub.port)
        try:
            head = (
                f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.hub.port}\r\n"
                f"Connection: close\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n"
            ).encode()
            for name, value in headers.items():
                head += name.encode() + b": " + value + b"\r\n"
            writer.write(head + b"\r\n" + body)
            await writer.drain()
            status = await reader.readline()
        finally:
            writer.close()
            await writer.wait_closed()
        return int(status.split()[1])

    async def healthy(self) -> Answer:
        async with self.clients[PUBLIC].get(self.url + "/healthz") as response:
            return Answer(response.status, await response.text())

    async def reads(self) -> dict[str, Answer]:
        found = {}
        for path in READS:
            found[path] = await self.send("support", "GET", path)
        found["/api/admin/enrollment-codes"] = await self.send(
            "admin", "GET", "/api/admin/enrollment-codes"
        )
        return found

    async def close(self) -> None:
        for client in self.clients.values():
            await client.close()


def path_with(path: str, values: dict[str, str]) -> str:
    """A route's path with its {parameters} filled in, each quoted as one path segment."""
    for name, value in values.items():
        path = path.replace("{" + name + "}", quote(value, safe=""))
    return path


def start(folder: Path) -> Site:
    """The hub configured in `folder`, started, with its kiosk and staff, each logged in."""
    key_file = folder / "sealing.key"
    key_file.write_text(base64.b64encode(bytes(HUB_KEY)).decode() + "\n")
    key_file.chmod(0o600)
    port = free_port()
    hours = "\n".join(f'{day} = "00:00-24:00"' for day in DAYS)
    hub_toml = folder / "hub.toml"
    hub_toml.write_text(
        f'[hub]\nlisten_port = {port}\ndata_dir = "{folder / "hub"}"\ncookie_secure = false\n'
        f'[sealing]\nprivate_key_file = "{key_file}"\n'
        '[email]\nsender = "kioski@kirjasto.example.fi"\nmessages_per_kiosk_per_hour = 1000\n'
        f'[lines.{LINE}]\nadvisors = ["{ADVISOR}"]\n[lines.{LINE}.hours]\n{hours}\n'
    )
    hub = Hub(hub_toml, port)
    token = hub.cli("kiosk", "add", KIOSK_ID, "--name", "Itäkeskus 1", "--location", "Itäkeskus")
    token = token.strip().splitlines()[-1]
    for username, role in ((ADVISOR, "advisor"), (SUPPORT, "support"), (ADMIN, "admin")):
        hub.cli("user", "add", username, "--role", role, stdin=PASSWORD + "\n")
    hub.start()
    runner = asyncio.Runner()
    site = Site(hub, token, runner)

    async def open_clients() -> None:
        for who in (PUBLIC, KIOSK, "advisor", "support", "admin", LEAVING):
            site.clients[who] = aiohttp.ClientSession(
                cookie_jar=aiohttp.CookieJar(unsafe=True),
                timeout=aiohttp.ClientTimeout(total=ANSWER_WITHIN),
            )
        for role in ("advisor", "support", "admin", LEAVING):
            await site.log_in(role)
        asked = await site.send(
            "support",
            "POST",
            f"/api/support/kiosks/{KIOSK_ID}/actions",
            headers={"Content-Type": "application/json"},
            body=b'{"kind": "screenshot"}',
        )
        assert asked.status == 202, asked
        site.known_ids.append(json_of(asked)["id"])

    try:
        site.run(open_clients())
    except BaseException:
        stop(site)
        raise
    return site


def stop(site: Site) -> None:
    try:
        site.runner.run(site.close())
        site.runner.close()
    finally:
        site.hub.stop()


def json_of(answer: Answer) -> Any:
    return json.loads(answer.text)
