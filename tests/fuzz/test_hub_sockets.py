"""The call WebSockets against the hub as a process: a kiosk and an advisor connected at once,
each sending messages of every type its socket knows (hub.calls.ws, so a new type is fuzzed
without a line here) with their fields changed, raw text and binary frames.

After each case: each socket still answers a ping with its pong, or it was closed with a close
code that says why (not an abnormal closure, not an internal error); /healthz answers; the
pages that show calls and kiosks still answer.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
from aiohttp import WSMsgType
from hypothesis import given
from hypothesis import strategies as st

from hub.auth import KIOSK
from hub.calls import ws
from tests.fuzz import strategies as fz
from tests.fuzz.site import LINE, Site
from tests.fuzz.tally import tried
from tests.fuzz.test_hub_routes import check_hub, check_reads

#: Stands for the id of the call the kiosk is in, filled in when the case is sent.
CALL = "<call>"
SDP = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
CANDIDATE = {"candidate": "candidate:1 1 udp 2122 192.0.2.1 5000 typ host", "sdpMid": "0"}

#: A well-formed message of each type (docs/call-protocol.md); a type without one here is
#: sent as {"type", "call"} and changed like the others.
EXAMPLES: dict[str, dict[str, Any]] = {
    "call": {"type": "call", "line": LINE, "language": "fi", "id": 1},
    "rate": {"type": "rate", "call": CALL, "stars": 4},
    "offer": {"type": "offer", "call": CALL, "sdp": SDP},
    "answer": {"type": "answer", "call": CALL, "sdp": SDP},
    "ice": {"type": "ice", "call": CALL, "candidate": CANDIDATE},
    "available": {"type": "available", "available": True},
    "transfer": {"type": "transfer", "call": CALL, "line": LINE},
    "invite": {"type": "invite", "call": CALL, "line": LINE, "reason": "interpreting"},
    "ping": {"type": "ping", "id": "p"},
}
#: Ways for the hub to end a socket in the middle of a call that say why (a frame it cannot
#: take, a policy). A normal close (1000) with no reason is what a handler that failed leaves,
#: like 1006 (no close frame) and 1011 (the server failed): each of those is a dropped socket.
CLOSE_CODES_WITH_REASON = frozenset({1003, 1007, 1008, 1009, 4000, 4001, 4003})


def _example(kind: str) -> dict[str, Any]:
    return EXAMPLES.get(kind, {"type": kind, "call": CALL})


def _frames(types: frozenset[str]) -> st.SearchStrategy[Any]:
    """One frame: a message of one of `types` with parts changed, any JSON, or raw bytes."""
    kinds = sorted(types | {"ping"})
    examples = st.sampled_from(kinds).map(_example)
    return st.one_of(
        st.one_of(*(fz.mutated(_example(kind)) for kind in kinds)),
        examples,
        # The field every message is dispatched on, of any type at all.
        st.tuples(examples, fz.json_values(3)).map(lambda pair: {**pair[0], "type": pair[1]}),
        fz.json_values(),
        fz.raw_bodies(),
        st.integers(min_value=900, max_value=30_000).map(lambda n: "[" * n),
    )


STEPS = st.lists(
    st.one_of(
        st.tuples(st.just(KIOSK), _frames(ws.KIOSK_TYPES)),
        st.tuples(st.just("advisor"), _frames(ws.ADVISOR_TYPES | ws.GUEST_TYPES)),
    ),
    min_size=1,
    max_size=6,
)


def _with_call(value: Any, call: str | None) -> Any:
    if value == CALL:
        return call if call is not None else CALL
    if isinstance(value, dict):
        return {k: _with_call(v, call) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_call(v, call) for v in value]
    return value


class Socket:
    """One end of a call socket, keeping the call ids it is told about."""

    def __init__(self, who: str, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.who = who
        self.socket = socket
        self.call: str | None = None
        #: Whether a frame larger than the hub takes was sent (the hub then closes with 1009,
        #: and may reset the connection before this end reads that close frame).
        self.oversized = False

    async def drain(self) -> None:
        """Read what has arrived so far, noting the call it is about."""
        while True:
            try:
                frame = await asyncio.wait_for(self.socket.receive(), 0.05)
            except TimeoutError:
                return
            if not self._note(frame):
                return

    def _note(self, frame: aiohttp.WSMessage) -> bool:
        if frame.type is not WSMsgType.TEXT:
            return False
        message = json.loads(frame.data)
        if isinstance(message, dict) and isinstance(message.get("call"), str):
            self.call = message["call"]
        return True

    async def send(self, frame: Any) -> None:
        if self.socket.closed:
            return
        data = frame if isinstance(frame, bytes) else fz.encode(_with_call(frame, self.call))
        self.oversized = self.oversized or len(data) > ws.MAX_MESSAGE_BYTES
        if isinstance(frame, bytes):
            await self.socket.send_bytes(data)
        else:
            await self.socket.send_str(data.decode())

    async def still_answers(self) -> str | None:
        """None when the socket answers a ping with its pong; else how it ended."""
        if not self.socket.closed:
            await self.socket.send_str('{"type": "ping", "id": "still-there"}')
            while True:
                frame = await self.socket.receive(timeout=20)
                if frame.type is WSMsgType.TEXT:
                    message = json.loads(frame.data)
                    if message == {"type": "pong", "id": "still-there"}:
                        return None
                    continue
                break
        code = self.socket.close_code
        if code in CLOSE_CODES_WITH_REASON or self.oversized:
            return None
        return f"the {self.who} socket was dropped (close code {code})"


async def _case(site: Site, steps: list[tuple[str, Any]]) -> list[str]:
    kiosk_socket = await site.clients[KIOSK].ws_connect(
        site.url + "/ws/kiosk", headers=site.headers(KIOSK), max_msg_size=0
    )
    advisor_socket = await site.clients["advisor"].ws_connect(
        site.url + "/ws/advisor", headers={"Origin": site.url}, max_msg_size=0
    )
    ends = {KIOSK: Socket(KIOSK, kiosk_socket), "advisor": Socket("advisor", advisor_socket)}
    try:
        for who, frame in steps:
            await ends[who].send(frame)
            for end in ends.values():
                await end.drain()
            call = ends[KIOSK].call or ends["advisor"].call
            for end in ends.values():
                end.call = end.call or call
        found = [await end.still_answers() for end in ends.values()]
        return [problem for problem in found if problem]
    finally:
        for end in ends.values():
            await end.socket.close()


@given(steps=STEPS)
def test_call_sockets_answer_hostile_messages(site: Site, steps: list[tuple[str, Any]]) -> None:
    problems = site.run(_case(site, steps))
    tried("hub call sockets")
    what = "; ".join(f"{who} sent {frame!r:.300}" for who, frame in steps)
    assert not problems, f"{problems} after: {what}"
    check_hub(site, what)
    check_reads(site, what)
