"""Video advice from home on `/ws/home`: the kiosk's side of the call protocol for a browser
with no login, its limits per client address, and what advisors and the records see of it
(docs/appointments.md "Video advice from home"). Real sockets on the in-process hub."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace

import aiohttp

from hub.appointments.settings import HomeSettings
from hub.calls.ice import TurnServer
from hub.config import HubConfig
from hub.store import HubStore
from tests.hub.conftest import FixedClock
from tests.hub.test_ws import VIRKA, Hub, Socket, lines_config, run_hub
from tests.hub.test_ws_turn import SECRET, TURN_URL, minted_for


async def home_caller(hub: Hub, **headers: str) -> Socket:
    ws = await hub.client.ws_connect("/ws/home", headers=headers)
    sock = Socket(ws)
    await sock.expect("hello")
    return sock


def home_config(config: HubConfig, **limits: int | bool) -> HubConfig:
    config = lines_config(config, virka_info=["anna", "ben"])
    return replace(config, home=replace(HomeSettings(), **limits))


def test_a_home_caller_reaches_an_advisor_who_sees_they_are_at_home(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    config = replace(
        home_config(config),
        stun=("stun:stun.example.fi",),
        turn=(TurnServer(TURN_URL, secret=SECRET),),
    )

    async def scenario(hub: Hub) -> None:
        anna = await hub.advisor("anna")
        caller = await home_caller(hub, Origin=hub.origin)
        hello = caller.seen[0]
        assert hello["lines"] == [VIRKA, "kansalaisneuvonta"]
        turn = hello["ice_servers"][1]
        peer = turn["username"].split(":", 1)[1]
        assert re.fullmatch(r"home-[0-9a-f]{32}", peer)
        assert turn == minted_for(peer, clock())

        await caller.send({"type": "call", "line": VIRKA, "language": "sv"})
        queued = await caller.expect("queued")
        assert queued["position"] == 1 and "booked" not in queued
        ring = await anna.expect("ringing", call=queued["call"])
        assert (ring["channel"], ring["kiosk_name"], ring["location"]) == ("home", "", "")
        view = await anna.expect("queue", line=VIRKA)
        while not view["calls"]:
            view = await anna.expect("queue", line=VIRKA)
        entry = view["calls"][0]
        assert (entry["channel"], entry["kiosk_name"], entry["location"]) == ("home", "", "")
        await anna.send({"type": "accept", "call": ring["call"]})
        connected = await caller.expect("connected")
        assert connected["role"] == "offerer"
        assert connected["ice_servers"][1] == minted_for(peer, clock())
        assert "documents_print_free" not in connected  # nothing prints at home
        assert (await anna.expect("connected"))["channel"] == "home"

        await caller.send({"type": "offer", "call": ring["call"], "sdp": "v=0 home"})
        assert (await anna.expect("offer"))["sdp"] == "v=0 home"
        await anna.send({"type": "answer", "call": ring["call"], "sdp": "v=0 anna"})
        assert (await caller.expect("answer"))["sdp"] == "v=0 anna"
        await caller.send({"type": "hang_up", "call": ring["call"]})
        assert (await caller.expect("ended"))["can_rate"] is True
        await caller.send({"type": "rate", "call": ring["call"], "stars": 4})
        await anna.expect("ended", call=ring["call"])
        await caller.send({"type": "ping", "id": 1})
        await caller.expect("pong", id=1)  # the rating was taken before the ping's answer
        (record,) = store.call_records()
        assert (record["kiosk_id"], record["channel"], record["rating"]) == ("home", "home", 4)
        assert record["outcome"] == "answered"

    run_hub(config, store, clock, scenario)


def test_an_address_holds_only_so_many_home_sockets(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    async def scenario(hub: Hub) -> None:
        first = await home_caller(hub)
        second = await home_caller(hub)
        third = await hub.client.ws_connect("/ws/home")
        frame = await third.receive()
        assert frame.type is aiohttp.WSMsgType.CLOSE
        assert third.close_code == 1008
        await second.send({"type": "ping", "id": 2})
        await second.expect("pong", id=2)  # the two open ones stay
        # One closes: the address may open another.
        await first.ws.close()
        for _attempt in range(50):
            again = await hub.client.ws_connect("/ws/home")
            frame = await again.receive()
            if frame.type is aiohttp.WSMsgType.TEXT:
                break
            await asyncio.sleep(0.1)  # the hub has not yet seen the first one close
        else:
            raise AssertionError("the closed socket was never given back to its address")

    run_hub(home_config(config, sockets_per_address=2), store, clock, scenario)


def test_calls_and_booking_codes_per_address_per_hour_are_limited(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    async def scenario(hub: Hub) -> None:
        anna = await hub.advisor("anna")
        caller = await home_caller(hub)
        for _call in range(2):
            await caller.send({"type": "call", "line": VIRKA, "language": "fi"})
            call = (await caller.expect("queued"))["call"]
            await anna.expect("ringing", call=call)
            await caller.send({"type": "cancel", "call": call})
            await caller.expect("ended", reason="cancelled")
        await caller.send({"type": "call", "line": VIRKA, "language": "fi"})
        refused = await caller.expect("ended")
        assert (refused["reason"], refused["can_rate"]) == ("rate_limited", False)
        # Another socket from the same address is the same address.
        other = await home_caller(hub)
        await other.send({"type": "call", "line": VIRKA, "language": "fi"})
        assert (await other.expect("ended"))["reason"] == "rate_limited"

        clock.advance(hours=1)  # the hour is over: calls again, and a wrong code
        await caller.send({"type": "call", "booking": "1234 5678", "language": "fi"})
        assert (await caller.expect("ended"))["reason"] == "booking_unknown"
        # The second code in the hour is one too many, right or wrong.
        await caller.send({"type": "call", "booking": "1234 5679", "language": "fi"})
        assert (await caller.expect("ended"))["reason"] == "rate_limited"
        # The three refused calls were never calls: nothing recorded of them.
        assert [r["outcome"] for r in store.call_records()] == ["cancelled", "cancelled"]

    limits = {"calls_per_address_per_hour": 2, "code_attempts_per_address_per_hour": 1}
    run_hub(home_config(config, **limits), store, clock, scenario)


def test_a_line_refuses_a_home_caller_over_its_max_waiting(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    async def scenario(hub: Hub) -> None:
        anna = await hub.advisor("anna")
        k0 = await hub.kiosk("k0")
        await k0.send({"type": "call", "line": VIRKA, "language": "fi"})
        ring = await anna.expect("ringing")
        await anna.send({"type": "accept", "call": ring["call"]})
        await k0.expect("connected")

        first = await home_caller(hub)
        await first.send({"type": "call", "line": VIRKA, "language": "fi"})
        await first.expect("queued", position=1)
        second = await home_caller(hub)
        await second.send({"type": "call", "line": VIRKA, "language": "fi"})
        assert (await second.expect("ended"))["reason"] == "queue_full"
        # A kiosk's caller is not counted against it.
        k1 = await hub.kiosk("k1")
        await k1.send({"type": "call", "line": VIRKA, "language": "fi"})
        await k1.expect("queued", position=2)
        full = [r for r in store.call_records() if r["outcome"] == "queue_full"]
        assert [(r["kiosk_id"], r["channel"]) for r in full] == [("home", "home")]
        # anna's call ends: the home caller, first, is rung, and the kiosk behind moves up.
        await anna.send({"type": "hang_up", "call": ring["call"]})
        home_ring = await anna.expect("ringing")
        assert home_ring["channel"] == "home"
        await anna.send({"type": "accept", "call": home_ring["call"]})
        await first.expect("connected", call=home_ring["call"])
        await k1.expect("queued", position=1)

    run_hub(home_config(config, max_waiting=1), store, clock, scenario)


def test_no_home_socket_when_home_calls_are_off_nor_for_another_sites_page(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    async def scenario(hub: Hub) -> None:
        upgrade = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13"}
        upgrade["Sec-WebSocket-Key"] = "dGhlIHNhbXBsZSBub25jZQ=="
        off = await hub.client.get("/ws/home", headers=upgrade)
        assert off.status == 404

    run_hub(home_config(config, enabled=False), store, clock, scenario)

    async def elsewhere(hub: Hub) -> None:
        upgrade = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13"}
        upgrade["Sec-WebSocket-Key"] = "dGhlIHNhbXBsZSBub25jZQ=="
        response = await hub.client.get(
            "/ws/home", headers={**upgrade, "Origin": "https://evil.example"}
        )
        assert response.status == 403

    run_hub(home_config(config), store, clock, elsewhere, users=())


def test_the_window_forgets_a_booking_code_hour_by_hour(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    """A refused code counts nothing: after the hour of the first, one more is taken."""

    async def scenario(hub: Hub) -> None:
        caller = await home_caller(hub)
        await caller.send({"type": "call", "booking": "11112222", "language": "fi"})
        assert (await caller.expect("ended"))["reason"] == "booking_unknown"
        clock.advance(minutes=59)
        await caller.send({"type": "call", "booking": "11112222", "language": "fi"})
        assert (await caller.expect("ended"))["reason"] == "rate_limited"
        clock.advance(minutes=1)
        await caller.send({"type": "call", "booking": "11112222", "language": "fi"})
        assert (await caller.expect("ended"))["reason"] == "booking_unknown"

    run_hub(home_config(config, code_attempts_per_address_per_hour=1), store, clock, scenario)
