"""The call WebSockets against the aiohttp test client: kiosks and advisors as real sockets."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from hub.app import make_app
from hub.calls.lines import DEFAULT_LINES
from hub.config import HubConfig
from hub.store import HubStore
from tests.hub.conftest import FixedClock, add_kiosk, add_user, log_in, run_app

Client = TestClient[web.Request, web.Application]
Message = dict[str, Any]
DEADLINE = 30.0
VIRKA, NEUVONTA = "virka-info", "kansalaisneuvonta"


class Socket:
    """One party's WebSocket; `expect` reads on until a message of the wanted type comes."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.seen: list[Message] = []

    async def send(self, message: Message) -> None:
        await self.ws.send_json(message)

    async def expect(self, kind: str, **fields: Any) -> Message:
        """The next message of `kind` (with these field values); others are kept in `seen`."""

        async def read() -> Message:
            while True:
                frame = await self.ws.receive()
                assert frame.type is aiohttp.WSMsgType.TEXT, f"socket ended: {frame}"
                message: Message = json.loads(frame.data)
                self.seen.append(message)
                if message["type"] == kind and all(message.get(k) == v for k, v in fields.items()):
                    return message

        return await asyncio.wait_for(read(), DEADLINE)

    async def closed(self) -> None:
        async def read() -> None:
            while (await self.ws.receive()).type not in (
                aiohttp.WSMsgType.CLOSE,
                aiohttp.WSMsgType.CLOSED,
                aiohttp.WSMsgType.CLOSING,
            ):
                pass

        await asyncio.wait_for(read(), DEADLINE)


class Hub:
    """Kiosks and advisors connecting to one test app."""

    def __init__(self, client: Client, store: HubStore) -> None:
        self.client = client
        self.store = store
        self._sessions: list[aiohttp.ClientSession] = []

    @property
    def origin(self) -> str:
        return str(self.client.make_url("")).rstrip("/")

    async def kiosk(self, kiosk_id: str) -> Socket:
        token = add_kiosk(self.store, kiosk_id)
        ws = await self.client.ws_connect(
            "/ws/kiosk", headers={"Authorization": f"Bearer {token}", "X-Kiosk-Id": kiosk_id}
        )
        sock = Socket(ws)
        await sock.expect("hello")
        return sock

    async def browser(self, username: str) -> aiohttp.ClientSession:
        jar = aiohttp.CookieJar(unsafe=True)
        session = aiohttp.ClientSession(base_url=self.client.make_url("/"), cookie_jar=jar)
        self._sessions.append(session)
        await log_in(session, username)
        return session

    async def advisor(self, username: str, *, available: bool = True) -> Socket:
        session = await self.browser(username)
        ws = await session.ws_connect("/ws/advisor", origin=self.origin)
        sock = Socket(ws)
        hello = await sock.expect("hello")
        assert hello["username"] == username
        if available:
            await sock.send({"type": "available", "available": True})
            while _me(username, "available") not in (await sock.expect("queue"))["advisors"]:
                pass
        return sock

    async def close(self) -> None:
        for session in self._sessions:
            await session.close()


def _me(username: str, status: str) -> Message:
    return {"username": username, "status": status}


def lines_config(config: HubConfig, ring_seconds: int = 20, **advisors: list[str]) -> HubConfig:
    """The two demo lines with these advisors (by line id with _ for -) and ring time."""
    lines = tuple(
        replace(
            line,
            ring_seconds=ring_seconds,
            advisors=tuple(advisors.get(line.id.replace("-", "_"), [])),
        )
        for line in DEFAULT_LINES.values()
    )
    return replace(config, lines=lines)


Scenario = Callable[[Hub], Awaitable[None]]


def run_hub(
    config: HubConfig,
    store: HubStore,
    clock: FixedClock,
    scenario: Scenario,
    users: tuple[str, ...] = ("anna", "ben"),
) -> None:
    for name in users:
        add_user(store, name, "advisor")
    app = make_app(config, store, clock=clock)

    async def main(client: Client) -> None:
        hub = Hub(client, store)
        try:
            await scenario(hub)
        finally:
            await hub.close()

    run_app(app, main)


# ---- the queue ----------------------------------------------------------------------------


def test_two_kiosks_queue_for_one_advisor_and_move_up(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    async def scenario(hub: Hub) -> None:
        anna = await hub.advisor("anna")
        k1, k2 = await hub.kiosk("k1"), await hub.kiosk("k2")
        await k1.send({"type": "call", "line": VIRKA, "language": "fi", "id": 1})
        first = await k1.expect("queued", position=1)
        ring = await anna.expect("ringing", call=first["call"])
        assert (ring["kiosk_name"], ring["location"]) == ("Itäkeskus 1", "Itäkeskus library")
        assert ring["language"] == "fi" and ring["line"] == VIRKA
        await k2.send({"type": "call", "line": VIRKA, "language": "sv"})
        second = await k2.expect("queued", position=2)
        assert second["estimated_wait_s"] > 0
        view = await anna.expect("queue", line=VIRKA)
        while len(view["calls"]) < 2:
            view = await anna.expect("queue", line=VIRKA)
        assert [c["call"] for c in view["calls"]] == [first["call"], second["call"]]
        assert [c["language"] for c in view["calls"]] == ["fi", "sv"]
        assert view["calls"][0]["ringing"] is True

        await anna.send({"type": "accept", "call": first["call"]})
        assert (await k1.expect("connected"))["role"] == "offerer"
        assert (await anna.expect("connected"))["role"] == "answerer"
        await k2.expect("queued", position=1, call=second["call"])

    run_hub(lines_config(config, virka_info=["anna"]), store, clock, scenario)


def test_an_unanswered_ring_moves_on_to_the_next_advisor(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    async def scenario(hub: Hub) -> None:
        anna = await hub.advisor("anna")
        ben = await hub.advisor("ben", available=False)
        await ben.send({"type": "available", "available": True})
        k1 = await hub.kiosk("k1")
        await k1.send({"type": "call", "line": VIRKA, "language": "fi"})
        call = (await k1.expect("queued"))["call"]
        ring = await anna.expect("ringing", call=call)  # idle longest
        assert ring["ring_seconds"] == 1
        assert (await anna.expect("ring_ended", call=call))["reason"] == "timeout"
        await ben.expect("ringing", call=call)
        await ben.send({"type": "decline", "call": call})
        assert (await ben.expect("ring_ended", call=call))["reason"] == "declined"
        await anna.expect("ringing", call=call)  # a new round

    config = lines_config(config, ring_seconds=1, virka_info=["anna", "ben"])
    run_hub(config, store, clock, scenario)


def test_a_transferred_call_rings_the_other_lines_advisor(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    async def scenario(hub: Hub) -> None:
        anna = await hub.advisor("anna")
        ben = await hub.advisor("ben")
        k1 = await hub.kiosk("k1")
        await k1.send({"type": "call", "line": VIRKA, "language": "fi"})
        call = (await k1.expect("queued"))["call"]
        await anna.expect("ringing", call=call)
        await anna.send({"type": "accept", "call": call})
        await k1.expect("connected", call=call)
        await anna.send({"type": "transfer", "call": call, "line": "nowhere", "id": "t0"})
        refused = await anna.expect("error", id="t0")
        assert "unknown line 'nowhere'" in refused["message"]
        await anna.send({"type": "transfer", "call": call, "line": NEUVONTA})
        assert (await anna.expect("ended", call=call)) == {
            "type": "ended", "call": call, "reason": "transferred", "line": NEUVONTA,
        }  # fmt: skip
        moved = await k1.expect("transferred", call=call)
        assert (moved["from_line"], moved["line"]) == (VIRKA, NEUVONTA)
        await k1.expect("queued", call=call, line=NEUVONTA, position=1)
        assert (await ben.expect("ringing", call=call))["transferred"] is True
        await ben.send({"type": "accept", "call": call})
        await k1.expect("connected", call=call, line=NEUVONTA)

    config = lines_config(config, virka_info=["anna"], kansalaisneuvonta=["ben"])
    run_hub(config, store, clock, scenario)


# ---- gone -----------------------------------------------------------------------------------


async def _connected_call(hub: Hub) -> tuple[Socket, Socket, str]:
    anna = await hub.advisor("anna")
    k1 = await hub.kiosk("k1")
    await k1.send({"type": "call", "line": VIRKA, "language": "fi"})
    call = (await k1.expect("queued"))["call"]
    await anna.expect("ringing", call=call)
    await anna.send({"type": "accept", "call": call})
    await k1.expect("connected", call=call)
    await anna.expect("connected", call=call)
    return anna, k1, call


def test_the_advisor_dropping_mid_call_ends_it_for_the_kiosk(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    async def scenario(hub: Hub) -> None:
        anna, k1, call = await _connected_call(hub)
        await anna.ws.close()
        ended = await k1.expect("ended", call=call)
        assert (ended["reason"], ended["can_rate"]) == ("advisor_gone", True)

    run_hub(lines_config(config, virka_info=["anna"]), store, clock, scenario)


def test_the_kiosk_dropping_mid_call_is_told_to_the_advisor(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    async def scenario(hub: Hub) -> None:
        anna, k1, call = await _connected_call(hub)
        await k1.ws.close()
        assert (await anna.expect("ended", call=call))["reason"] == "kiosk_gone"
        [record] = store.call_records()
        assert (record["outcome"], record["reason"]) == ("kiosk_gone", "kiosk_gone")

    run_hub(lines_config(config, virka_info=["anna"]), store, clock, scenario)


def test_a_newer_advisor_socket_replaces_the_older_and_resumes_its_call(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    """The console took its socket for dead and opened another while the hub still held the
    first (a network gone quiet): the call waits for it, and goes on over the new socket."""

    async def scenario(hub: Hub) -> None:
        anna, k1, call = await _connected_call(hub)
        again = await hub.advisor("anna", available=False)
        await anna.closed()
        assert (await k1.expect("peer_away", call=call))["role"] == "host"
        await again.send({"type": "resume", "call": call})
        resumed = await again.expect("resumed", call=call)
        assert resumed["call"] == call
        await k1.expect("peer_back", call=call)
        await again.send({"type": "hang_up", "call": call})
        assert (await k1.expect("ended", call=call))["reason"] == "advisor_hung_up"
        [record] = store.call_records()
        assert (record["outcome"], record["reason"]) == ("answered", "advisor_hung_up")

    run_hub(lines_config(config, virka_info=["anna"]), store, clock, scenario)


def test_a_newer_advisor_socket_that_does_not_resume_lets_the_call_end_after_the_grace(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    async def scenario(hub: Hub) -> None:
        anna, k1, call = await _connected_call(hub)
        again = await hub.advisor("anna", available=False)
        await anna.closed()
        await k1.expect("peer_away", call=call)
        assert (await k1.expect("ended", call=call))["reason"] == "advisor_gone"
        away = [{"username": "anna", "status": "away"}]
        await again.expect("queue", line=VIRKA, advisors=away)

    quick = replace(lines_config(config, virka_info=["anna"]), resume_seconds=1)
    run_hub(quick, store, clock, scenario)


# ---- refusals ------------------------------------------------------------------------------


def test_a_closed_line_refuses_with_the_next_opening(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    clock.advance(days=5)  # Saturday: the demo lines are closed at weekends

    async def scenario(hub: Hub) -> None:
        await hub.advisor("anna")
        k1 = await hub.kiosk("k1")
        await k1.send({"type": "call", "line": VIRKA, "language": "fi"})
        ended = await k1.expect("ended")
        assert ended["reason"] == "line_closed" and ended["can_rate"] is False
        assert ended["next_opening"] == "2025-01-20T07:00:00.000Z"  # Monday 09:00 Helsinki
        [record] = store.call_records()
        assert record["outcome"] == "line_closed"

    run_hub(lines_config(config, virka_info=["anna"]), store, clock, scenario)


def test_nobody_available_refuses_and_bad_requests_get_an_error_with_their_id(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    async def scenario(hub: Hub) -> None:
        k1 = await hub.kiosk("k1")
        await k1.send({"type": "call", "line": VIRKA, "language": "fi"})
        assert (await k1.expect("ended"))["reason"] == "no_advisor"
        await k1.send({"type": "call", "line": VIRKA, "language": "de", "id": 7})
        assert "does not serve language 'de'" in (await k1.expect("error", id=7))["message"]
        await k1.send({"type": "dance", "id": 8})
        assert (await k1.expect("error", id=8))["message"] == "unknown message type 'dance'"
        await k1.send({"type": "cancel", "id": 9})
        assert (await k1.expect("error", id=9))["message"] == "cancel needs call"
        await k1.ws.send_str("{not json")
        assert (await k1.expect("error"))["message"] == "not JSON"
        await k1.send({"type": "accept", "call": "x", "id": 10})  # an advisor's message
        await k1.expect("error", id=10)

    run_hub(lines_config(config, virka_info=["anna"]), store, clock, scenario)


def test_the_advisor_socket_needs_the_hubs_origin_and_an_advisor(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    async def scenario(hub: Hub) -> None:
        client = hub.client
        with pytest.raises(aiohttp.WSServerHandshakeError) as anonymous:
            await client.ws_connect("/ws/advisor", origin=hub.origin)
        assert anonymous.value.status == 401
        with pytest.raises(aiohttp.WSServerHandshakeError) as no_token:
            await client.ws_connect("/ws/kiosk")
        assert no_token.value.status == 401
        anna = await hub.browser("anna")
        for origin in ("https://evil.example", None):
            with pytest.raises(aiohttp.WSServerHandshakeError) as cross:
                await anna.ws_connect("/ws/advisor", origin=origin)
            assert cross.value.status == 403
        support = await hub.browser("sam")
        with pytest.raises(aiohttp.WSServerHandshakeError) as wrong_role:
            await support.ws_connect("/ws/advisor", origin=hub.origin)
        assert wrong_role.value.status == 403
        carl = await hub.browser("carl")  # an advisor, but of no line
        with pytest.raises(aiohttp.WSServerHandshakeError) as no_line:
            await carl.ws_connect("/ws/advisor", origin=hub.origin)
        assert no_line.value.status == 403
        token = add_kiosk(store, "k1")
        kiosk_headers = {"Authorization": f"Bearer {token}", "X-Kiosk-Id": "k1"}
        with pytest.raises(aiohttp.WSServerHandshakeError) as kiosk_as_advisor:
            await client.ws_connect("/ws/advisor", headers=kiosk_headers, origin=hub.origin)
        assert kiosk_as_advisor.value.status == 403

    add_user(store, "sam", "support")
    add_user(store, "carl", "advisor")
    run_hub(lines_config(config, virka_info=["anna"]), store, clock, scenario)


# ---- signalling and records --------------------------------------------------------------


def test_signalling_is_relayed_only_between_the_two_ends(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    async def scenario(hub: Hub) -> None:
        anna, k1, call = await _connected_call(hub)
        k2 = await hub.kiosk("k2")
        await k1.send({"type": "offer", "call": call, "sdp": "v=0\r\n", "extra": "dropped"})
        assert (await anna.expect("offer")) == {"type": "offer", "call": call, "sdp": "v=0\r\n"}
        await anna.send({"type": "answer", "call": call, "sdp": "v=0 answer\r\n"})
        assert (await k1.expect("answer"))["sdp"] == "v=0 answer\r\n"
        candidate = {"candidate": "candidate:1 1 udp 1 127.0.0.1 5000 typ host", "sdpMid": "0"}
        await anna.send({"type": "ice", "call": call, "candidate": candidate})
        assert (await k1.expect("ice"))["candidate"] == candidate
        await anna.send({"type": "ice", "call": call, "candidate": None})
        assert (await k1.expect("ice"))["candidate"] is None
        await k2.send({"type": "offer", "call": call, "sdp": "v=0\r\n", "id": "x"})
        assert (await k2.expect("error", id="x"))["message"] == f"you are not in call {call}"
        await k1.send({"type": "offer", "call": "other", "sdp": "v=0\r\n", "id": "y"})
        assert (await k1.expect("error", id="y"))["message"] == "call other is not connected"
        await k1.send({"type": "hang_up", "call": call})
        await anna.expect("ended", call=call, reason="kiosk_hung_up")
        assert not [m for m in k2.seen if m["type"] in ("offer", "answer", "ice")]
        assert [m["type"] for m in anna.seen].count("offer") == 1

    run_hub(lines_config(config, virka_info=["anna"]), store, clock, scenario)


def test_an_answered_call_is_recorded_with_its_times_and_its_rating(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    async def scenario(hub: Hub) -> None:
        anna = await hub.advisor("anna")
        k1 = await hub.kiosk("k1")
        await k1.send({"type": "call", "line": VIRKA, "language": "sv"})
        call = (await k1.expect("queued"))["call"]
        await anna.expect("ringing", call=call)
        await asyncio.sleep(0.05)  # some wait to measure
        await anna.send({"type": "accept", "call": call})
        await k1.expect("connected", call=call)
        await asyncio.sleep(0.05)  # some talk to measure
        await anna.send({"type": "hang_up", "call": call})
        ended = await k1.expect("ended", call=call)
        assert (ended["reason"], ended["can_rate"]) == ("advisor_hung_up", True)
        [record] = store.call_records()
        assert record["rating"] is None and record["outcome"] == "answered"
        await k1.send({"type": "rate", "call": call, "stars": 4})
        await k1.send({"type": "rate", "call": call, "stars": 5, "id": "again"})
        assert "already been rated" in (await k1.expect("error", id="again"))["message"]
        [record] = store.call_records()
        assert record["id"] == call
        assert (record["line"], record["final_line"], record["language"]) == (VIRKA, VIRKA, "sv")
        assert (record["kiosk_id"], record["transfers"], record["rating"]) == ("k1", 0, 4)
        assert record["wait_ms"] > 0 and record["talk_ms"] > 0  # type: ignore[operator]
        assert record["reason"] == "advisor_hung_up"
        assert record["queued_at"] == "2025-01-13T08:00:00.000Z"  # the hub's (fixed) clock
        assert not {"anna", "username"} & {str(v) for v in record.values()}

    run_hub(lines_config(config, virka_info=["anna"]), store, clock, scenario)


def test_a_ping_is_answered_on_either_socket_and_the_advisor_is_told_the_pace(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    async def scenario(hub: Hub) -> None:
        kiosk = await hub.kiosk("k1")
        await kiosk.send({"type": "ping", "id": 3})
        assert await kiosk.expect("pong") == {"type": "pong", "id": 3}
        anna = await hub.advisor("anna", available=False)
        [hello] = [m for m in anna.seen if m["type"] == "hello"]
        assert hello["ping_seconds"] == 7
        await anna.send({"type": "ping", "id": 4})
        assert await anna.expect("pong") == {"type": "pong", "id": 4}
        # Nothing else happened: no queue change, no error.
        assert not [m for m in anna.seen if m["type"] == "error"]

    paced = replace(lines_config(config, virka_info=["anna"]), heartbeat_seconds=7)
    run_hub(paced, store, clock, scenario)
