"""A third person in a call over the real sockets (docs/call-three-party.md): an advisor invites
an interpreter line, the interpreter joins from the same console, signalling goes among the three
by role, either of the staff leaves and the call goes on; the usage report counts the call."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from hub.calls.lines import DEFAULT_LINES
from hub.config import HubConfig
from hub.store import HubStore
from tests.hub.conftest import FixedClock, add_kiosk, add_user
from tests.hub.test_dashboard_browser import dashboard, rows
from tests.hub.test_ws import VIRKA, Hub, Socket, lines_config, run_hub
from tests.peers.browser import needs_chromium

FSE = "tulkki-fse"
FSE_NAMES = {
    "fi": "Viittomakielen tulkkaus",
    "sv": "Teckenspråkstolkning",
    "en": "Sign language interpreting",
}


def three_party_config(config: HubConfig, ring_seconds: int = 20) -> HubConfig:
    """Virka-info answered by anna, and a Finnish Sign Language line of tina and timo (rung for
    `ring_seconds`)."""
    base = lines_config(config, virka_info=["anna"])
    interpreters = replace(
        DEFAULT_LINES[VIRKA],
        id=FSE,
        name_fi=FSE_NAMES["fi"],
        name_sv=FSE_NAMES["sv"],
        name_en=FSE_NAMES["en"],
        ring_seconds=ring_seconds,
        advisors=("tina", "timo"),
        interpreting="fse",
    )
    return replace(base, lines=(*base.lines, interpreters))


USERS = ("anna", "tina", "timo")


async def answered(
    hub: Hub, kiosk_id: str = "k1", anna: Socket | None = None
) -> tuple[Socket, Socket, str]:
    """A kiosk's call on Virka-info answered by anna: (kiosk, anna, call id)."""
    anna = anna or await hub.advisor("anna")
    k1 = await hub.kiosk(kiosk_id)
    await k1.send({"type": "call", "line": VIRKA, "language": "fi"})
    call = (await k1.expect("queued"))["call"]
    await anna.expect("ringing", call=call)
    await anna.send({"type": "accept", "call": call})
    await k1.expect("connected", call=call)
    await anna.expect("connected", call=call)
    return k1, anna, call


async def joins(anna: Socket, guest: Socket, k1: Socket, call: str) -> None:
    """anna invites the interpreters; `guest` (the only one free) accepts."""
    await anna.send({"type": "invite", "call": call, "line": FSE, "reason": "interpreter"})
    await guest.expect("ringing", call=call, invited=True)
    await guest.send({"type": "accept", "call": call})
    await guest.expect("connected", call=call, role="guest")
    await k1.expect("joined", call=call)
    await anna.expect("joined", call=call)


def test_interpreter_lines_are_for_advisors_only(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    async def scenario(hub: Hub) -> None:
        k1 = await hub.kiosk("k1")
        assert k1.seen[0]["lines"] == [VIRKA, "kansalaisneuvonta"]
        tina = await hub.advisor("tina", available=False)
        hello = tina.seen[0]
        assert hello["lines"] == [VIRKA, "kansalaisneuvonta", FSE]
        assert hello["line_kinds"] == {
            VIRKA: "service",
            "kansalaisneuvonta": "service",
            FSE: "interpreter",
        }
        assert hello["line_names"][FSE] == FSE_NAMES["fi"]

        token = add_kiosk(store, "k2")
        headers = {"Authorization": f"Bearer {token}", "X-Kiosk-Id": "k2"}
        async with hub.client.get("/api/lines", headers=headers) as response:
            listed = [line["id"] for line in (await response.json())["lines"]]
        assert listed == [VIRKA, "kansalaisneuvonta"]
        staff = await hub.browser("anna")
        async with staff.get("/api/lines") as response:
            listed = [line["id"] for line in (await response.json())["lines"]]
        assert listed == [VIRKA, "kansalaisneuvonta", FSE]

        await k1.send({"type": "call", "line": FSE, "language": "fi", "id": "c"})
        assert "interpreter line" in (await k1.expect("error", id="c"))["message"]

    run_hub(three_party_config(config), store, clock, scenario, users=USERS)


def test_an_interpreter_joins_signals_by_role_takes_over_and_the_call_is_counted(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    add_user(store, "sam", "support")

    async def scenario(hub: Hub) -> None:
        tina = await hub.advisor("tina")  # the longest idle of the interpreters
        timo = await hub.advisor("timo")
        k1, anna, call = await answered(hub)

        await anna.send({"type": "invite", "call": call, "line": FSE, "id": "i0"})
        assert (await anna.expect("error", id="i0"))["message"] == "invite needs reason"
        await anna.send({"type": "invite", "call": call, "line": VIRKA, "reason": "authority"})
        assert "already" in (await anna.expect("error"))["message"]
        await anna.send({"type": "invite", "call": call, "line": FSE, "reason": "interpreter"})
        assert await anna.expect("invite_ringing") == {
            "type": "invite_ringing",
            "call": call,
            "line": FSE,
        }
        ring = await tina.expect("ringing", call=call)
        assert (ring["invited"], ring["reason"], ring["from_line"], ring["interpreting"]) == (
            True,
            "interpreter",
            VIRKA,
            "fse",
        )
        assert (ring["line"], ring["kiosk_name"], ring["language"]) == (FSE, "Itäkeskus 1", "fi")
        await tina.send({"type": "decline", "call": call})
        assert (await tina.expect("ring_ended", call=call))["reason"] == "declined"
        await timo.expect("ringing", call=call, invited=True)
        await anna.expect("invite_ringing", call=call)
        await timo.send({"type": "accept", "call": call})

        connected = await timo.expect("connected", call=call)
        assert connected.pop("ice_servers") == []
        assert connected == {
            "type": "connected",
            "call": call,
            "line": FSE,
            "role": "guest",
            "language": "fi",
            "kiosk_name": "Itäkeskus 1",
            "location": "Itäkeskus library",
            "reason": "interpreter",
            "from_line": VIRKA,
        }
        assert await k1.expect("joined", call=call) == {
            "type": "joined",
            "call": call,
            "party": "guest",
            "line": FSE,
            "line_name": FSE_NAMES,
            "reason": "interpreter",
            "interpreting": "fse",
        }
        joined = await anna.expect("joined", call=call)
        assert (joined["party"], joined["line"], joined["interpreting"]) == ("guest", FSE, "fse")
        view = await tina.expect("queue", line=FSE)
        while {"username": "timo", "status": "in_call"} not in view["advisors"]:
            view = await tina.expect("queue", line=FSE)

        # Signalling among the three: `to` names the addressee, `from` the sender.
        await k1.send({"type": "offer", "call": call, "to": "guest", "sdp": "v=0 kiosk"})
        assert await timo.expect("offer") == {
            "type": "offer",
            "call": call,
            "sdp": "v=0 kiosk",
            "from": "kiosk",
        }
        await anna.send({"type": "offer", "call": call, "to": "guest", "sdp": "v=0 host"})
        assert (await timo.expect("offer", sdp="v=0 host"))["from"] == "host"
        await timo.send({"type": "answer", "call": call, "to": "host", "sdp": "v=0 guest"})
        assert (await anna.expect("answer"))["from"] == "guest"
        await timo.send({"type": "ice", "call": call, "to": "kiosk", "candidate": None})
        assert await k1.expect("ice") == {
            "type": "ice",
            "call": call,
            "candidate": None,
            "from": "guest",
        }
        await k1.send({"type": "ice", "call": call, "candidate": None})  # no `to`: the host
        assert await anna.expect("ice") == {"type": "ice", "call": call, "candidate": None}
        await timo.send({"type": "ice", "call": call, "to": "nobody", "candidate": None, "id": 7})
        assert "to must be one of" in (await timo.expect("error", id=7))["message"]
        await anna.send({"type": "transfer", "call": call, "line": "kansalaisneuvonta"})
        assert "cannot be moved" in (await anna.expect("error"))["message"]

        # anna hangs up: the interpreter becomes the host and the call goes on.
        await anna.send({"type": "hang_up", "call": call})
        assert await anna.expect("ended", call=call) == {
            "type": "ended",
            "call": call,
            "reason": "left",
        }
        assert await k1.expect("left", call=call) == {
            "type": "left",
            "call": call,
            "party": "host",
            "promoted": "guest",
        }
        assert await timo.expect("promoted", call=call) == {
            "type": "promoted",
            "call": call,
            "line": VIRKA,
        }
        await k1.send({"type": "offer", "call": call, "sdp": "v=0 renegotiated"})
        await timo.expect("offer", sdp="v=0 renegotiated")
        await timo.send({"type": "hang_up", "call": call})
        assert (await k1.expect("ended", call=call))["reason"] == "advisor_hung_up"
        await timo.expect("ended", call=call, reason="advisor_hung_up")

        (record,) = store.call_records()
        assert (record["interpreted"], record["interpreter_language"], record["guest_line"]) == (
            1,
            "fse",
            FSE,
        )
        support = await hub.browser("sam")
        async with support.get("/api/support/usage?from=2025-01-13&to=2025-01-13") as response:
            report: dict[str, Any] = await response.json()
        assert report["interpreted_calls"] == 1
        assert report["per_interpreter_language"] == [{"language": "fse", "calls": 1}]
        async with support.get("/static/support-usage.js") as response:
            assert "per_interpreter_language" in await response.text()

    run_hub(three_party_config(config), store, clock, scenario, users=USERS)


def test_the_guest_leaves_or_drops_and_the_hosts_lost_socket_promotes_the_guest(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    async def scenario(hub: Hub) -> None:
        tina = await hub.advisor("tina")
        k1, anna, call = await answered(hub)

        await anna.send({"type": "invite", "call": call, "line": FSE, "reason": "interpreter"})
        await tina.expect("ringing", call=call)
        await anna.send({"type": "cancel_invite", "call": call})
        assert (await tina.expect("ring_ended", call=call))["reason"] == "cancelled"
        assert await anna.expect("invite_failed", call=call) == {
            "type": "invite_failed",
            "call": call,
            "line": FSE,
            "reason": "cancelled",
        }

        await joins(anna, tina, k1, call)
        await tina.send({"type": "leave", "call": call})
        assert await tina.expect("ended", call=call) == {
            "type": "ended",
            "call": call,
            "reason": "left",
        }
        assert await k1.expect("left", call=call) == {
            "type": "left",
            "call": call,
            "party": "guest",
        }
        assert await anna.expect("left", call=call) == {
            "type": "left",
            "call": call,
            "party": "guest",
        }
        await tina.send({"type": "leave", "call": call, "id": "again"})
        assert "not the guest" in (await tina.expect("error", id="again"))["message"]

        await joins(anna, tina, k1, call)
        await tina.ws.close()  # the guest's console drops
        await k1.expect("left", call=call, party="guest")
        await anna.expect("left", call=call, party="guest")

        tina = await hub.advisor("tina")
        await joins(anna, tina, k1, call)
        await anna.ws.close()  # the host's console drops
        await k1.expect("left", call=call, party="host", promoted="guest")
        await tina.expect("promoted", call=call)
        await k1.send({"type": "hang_up", "call": call})
        assert (await tina.expect("ended", call=call))["reason"] == "kiosk_hung_up"
        assert (await k1.expect("ended", call=call))["can_rate"] is True

    run_hub(three_party_config(config), store, clock, scenario, users=USERS)


def test_the_kiosk_gone_ends_the_call_for_both_staff_and_frees_the_interpreter(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    async def scenario(hub: Hub) -> None:
        tina = await hub.advisor("tina")
        k1, anna, call = await answered(hub)
        await joins(anna, tina, k1, call)
        await k1.ws.close()
        assert (await anna.expect("ended", call=call))["reason"] == "kiosk_gone"
        assert (await tina.expect("ended", call=call))["reason"] == "kiosk_gone"
        view = await tina.expect("queue", line=FSE)
        while {"username": "tina", "status": "available"} not in view["advisors"]:
            view = await tina.expect("queue", line=FSE)

        # An invitation nobody answers: tina lets it ring out.
        k2, anna2, call2 = await answered(hub, "k2", anna)
        await anna2.send({"type": "invite", "call": call2, "line": FSE, "reason": "interpreter"})
        await tina.expect("ringing", call=call2)
        assert (await tina.expect("ring_ended", call=call2))["reason"] == "timeout"
        failed = await anna2.expect("invite_failed", call=call2)
        assert failed["reason"] == "no_answer"
        assert k2.seen[-1]["type"] == "connected"  # the call goes on

    run_hub(three_party_config(config, ring_seconds=1), store, clock, scenario, users=USERS)


def record(call_id: str, language: str | None) -> dict[str, object]:
    """A stored call record on the hub's Monday, interpreted in `language` (None: not)."""
    return {
        "id": call_id,
        "line": VIRKA,
        "final_line": VIRKA,
        "kiosk_id": "itakeskus-1",
        "language": "fi",
        "queued_at": "2025-01-13T08:00:00.000Z",
        "answered_at": "2025-01-13T08:00:30.000Z",
        "ended_at": "2025-01-13T08:10:00.000Z",
        "wait_ms": 30_000,
        "talk_ms": 570_000,
        "outcome": "answered",
        "reason": "kiosk_hung_up",
        "transfers": 0,
        "interpreted": int(language is not None),
        "interpreter_language": language,
        "guest_line": None if language is None else f"tulkki-{language}",
    }


@needs_chromium
def test_the_usage_page_shows_interpreted_calls_per_language(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    for n, language in enumerate(("fse", "ar", "fse", None)):
        store.save_call_record(record(f"c{n}", language))

    async def scenario() -> None:
        async with dashboard(config, store, clock) as hub:
            await hub.page.goto(f"{hub.base}/support/usage?from=2025-01-13&to=2025-01-13")
            await hub.page.wait_for_selector("body[data-loaded=true]")
            assert await rows(hub.page, "#per-interpreter-language") == [
                "Finnish Sign Language (fse)\t2",
                "Arabic (ar)\t1",
            ]
            assert await hub.page.text_content("#interpreted-calls") == "3"

    asyncio.run(scenario())
