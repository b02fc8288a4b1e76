"""A hub as the process it runs as (`kiosk-hub serve`, tests/peers/hub.py) whose service lines a
citizen can meet in every state: Virka-info with its advisor signed in (free, then busy with a
queue), Kansalaisneuvonta with nobody signed in, and a tax line that is closed today (open two
days from now). The advisor and the other kiosks are WebSockets as the console and the kiosk
app open them; they run on an engine loop of their own, so a Qt test can drive them too."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from hub.config import load_config
from hub.hours import HELSINKI
from hub.store import open_configured
from tests.hub.conftest import add_kiosk, add_user
from tests.peers.hub import Hub
from tests.peers.smtp import free_port
from tests.video.conftest import DEADLINE
from tests.video.resilience_peers import Advisor

Message = dict[str, Any]
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALL_WEEK = "\n".join(f'{day} = "00:00-24:00"' for day in DAYS)
#: The kiosk under test, and two others that call Virka-info to make it busy.
KIOSKS = ("demo-kiosk", "lippulaiva-1", "lippulaiva-2")


def closed_line_opens() -> datetime:
    """09:00 in Helsinki two days from today: when the tax line opens next."""
    day = datetime.now(HELSINKI).date() + timedelta(days=2)
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=HELSINKI)


@dataclass
class LinesHub:
    hub: Hub
    tokens: dict[str, str]

    @property
    def url(self) -> str:
        return self.hub.url


def start_hub(folder: Path) -> LinesHub:
    """Configure, enrol and start the hub in `folder`; stop it with `.hub.stop()`."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    opens = DAYS[closed_line_opens().weekday()]
    config = folder / "hub.toml"
    config.write_text(
        f'[hub]\nlisten_host = "127.0.0.1"\nlisten_port = {port}\n'
        f'data_dir = "{folder / "hub"}"\ncookie_secure = false\n'
        f'\n[lines.virka-info]\nadvisors = ["anna"]\n[lines.virka-info.hours]\n{ALL_WEEK}\n'
        f'\n[lines.kansalaisneuvonta]\nadvisors = ["ben"]\n'
        f"[lines.kansalaisneuvonta.hours]\n{ALL_WEEK}\n"
        '\n[lines.vero]\nname_fi = "Verohallinto"\nname_sv = "Skatteförvaltningen"\n'
        'name_en = "Finnish Tax Administration"\nphone = "029 497 000"\n'
        f'advisors = ["cecilia"]\n[lines.vero.hours]\n{opens} = "09:00-16:00"\n'
    )
    hub = Hub(config, port)
    hub.cli("keys", "generate")  # the hub serves only with its sealing key
    store = open_configured(load_config(config))
    try:
        for name in ("anna", "ben", "cecilia"):
            add_user(store, name, "advisor")
        tokens = {kiosk_id: add_kiosk(store, kiosk_id) for kiosk_id in KIOSKS}
    finally:
        store.close()
    hub.start()
    return LinesHub(hub, tokens)


@pytest.fixture
def lines_hub(tmp_path: Path) -> Iterator[LinesHub]:
    """The hub of `start_hub` for one test (import it into the test module to use it)."""
    started = start_hub(tmp_path / "hub")
    try:
        yield started
    finally:
        started.hub.stop()


class KioskSocket:
    """Another kiosk's `/ws/kiosk`, as the kiosk app opens it."""

    def __init__(self, session: aiohttp.ClientSession, ws: aiohttp.ClientWebSocketResponse):
        self.session = session
        self.ws = ws

    @classmethod
    async def open(cls, url: str, kiosk_id: str, token: str) -> KioskSocket:
        session = aiohttp.ClientSession(
            headers={"Authorization": f"Bearer {token}", "X-Kiosk-Id": kiosk_id}
        )
        ws = await session.ws_connect(f"{url}/ws/kiosk")
        kiosk = cls(session, ws)
        await kiosk.expect("hello")
        return kiosk

    async def expect(self, kind: str) -> Message:
        async def read() -> Message:
            async for frame in self.ws:
                if frame.type is aiohttp.WSMsgType.TEXT:
                    message: Message = json.loads(frame.data)
                    if message.get("type") == kind:
                        return message
            raise AssertionError(f"the kiosk's socket closed before {kind}")

        return await asyncio.wait_for(read(), DEADLINE)

    async def call(self, line: str) -> None:
        await self.ws.send_json({"type": "call", "line": line, "language": "fi"})

    async def close(self) -> None:
        await self.ws.close()
        await self.session.close()


@dataclass
class Busy:
    """Anna talking to one kiosk while another waits for her."""

    talking: KioskSocket
    waiting: KioskSocket

    async def close(self) -> None:
        await self.talking.close()
        await self.waiting.close()


async def make_busy(lines_hub: LinesHub, anna: Advisor) -> Busy:
    """Another kiosk calls Virka-info and Anna answers; a third kiosk calls and queues."""
    first, second = KIOSKS[1], KIOSKS[2]
    talking = await KioskSocket.open(lines_hub.url, first, lines_hub.tokens[first])
    await talking.call("virka-info")
    await talking.expect("queued")
    ringing = await anna.expect("ringing")
    await anna.send({"type": "accept", "call": ringing["call"]})
    await talking.expect("connected")
    waiting = await KioskSocket.open(lines_hub.url, second, lines_hub.tokens[second])
    await waiting.call("virka-info")
    queued = await waiting.expect("queued")
    assert queued["position"] == 1, queued
    return Busy(talking, waiting)
