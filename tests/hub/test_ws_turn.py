"""TURN credentials on the real call sockets: each `hello` carries credentials minted for that
socket's party, and each `connected` fresh ones for the party it goes to (a kiosk's socket may
have been open for days when a call starts)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import replace
from datetime import datetime
from typing import Any

from hub.calls.ice import TurnServer
from hub.config import HubConfig
from hub.store import HubStore
from tests.hub.conftest import FixedClock
from tests.hub.test_ws import VIRKA, Hub, lines_config, run_hub

SECRET = "shared-with-coturn-0123456789"
TURN_URL = "turn:turn.example.fi:3478?transport=udp"


def minted_for(peer: str, at: datetime) -> dict[str, Any]:
    """What coturn (use-auth-secret) accepts from `peer` for 12 hours from `at`."""
    username = f"{int(at.timestamp()) + 12 * 3600}:{peer}"
    mac = hmac.new(SECRET.encode(), username.encode(), hashlib.sha1).digest()
    return {"urls": [TURN_URL], "username": username, "credential": base64.b64encode(mac).decode()}


def turn_config(config: HubConfig) -> HubConfig:
    config = lines_config(config, virka_info=["anna"])
    # Logins that last past the next morning: a socket closes when its session ends.
    return replace(
        config,
        stun=("stun:stun.example.fi",),
        turn=(TurnServer(TURN_URL, secret=SECRET),),
        session_hours=48,
    )


def test_hellos_and_connected_carry_credentials_minted_for_their_party(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    stun = {"urls": ["stun:stun.example.fi"]}

    async def scenario(hub: Hub) -> None:
        opened_at = clock()
        anna = await hub.advisor("anna")
        k1 = await hub.kiosk("k1")
        assert anna.seen[0]["type"] == "hello"
        assert anna.seen[0]["ice_servers"] == [stun, minted_for("anna", opened_at)]
        assert k1.seen[0]["type"] == "hello"
        assert k1.seen[0]["ice_servers"] == [stun, minted_for("k1", opened_at)]

        clock.advance(
            hours=24
        )  # the next morning, sockets still open: the hello's credentials expired
        await k1.send({"type": "call", "line": VIRKA, "language": "fi"})
        call = (await k1.expect("queued"))["call"]
        await anna.expect("ringing", call=call)
        await anna.send({"type": "accept", "call": call})
        kiosk_side = await k1.expect("connected", call=call)
        advisor_side = await anna.expect("connected", call=call)
        assert kiosk_side["ice_servers"] == [stun, minted_for("k1", clock())]
        assert advisor_side["ice_servers"] == [stun, minted_for("anna", clock())]
        assert kiosk_side["role"] == "offerer" and advisor_side["role"] == "answerer"

    run_hub(turn_config(config), store, clock, scenario)


def test_static_turn_credentials_are_handed_out_as_configured(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    static = {"urls": [TURN_URL], "username": "kiosk", "credential": "s3cret"}

    async def scenario(hub: Hub) -> None:
        anna = await hub.advisor("anna")
        k1 = await hub.kiosk("k1")
        assert anna.seen[0]["ice_servers"] == k1.seen[0]["ice_servers"] == [static]
        await k1.send({"type": "call", "line": VIRKA, "language": "fi"})
        call = (await k1.expect("queued"))["call"]
        await anna.expect("ringing", call=call)
        await anna.send({"type": "accept", "call": call})
        assert (await k1.expect("connected", call=call))["ice_servers"] == [static]
        assert (await anna.expect("connected", call=call))["ice_servers"] == [static]

    turn = (TurnServer(TURN_URL, "kiosk", "s3cret"),)
    run_hub(replace(lines_config(config, virka_info=["anna"]), turn=turn), store, clock, scenario)
