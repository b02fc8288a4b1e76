"""Each line's state before any call, as the kiosk's hub client hears it from the hub running as
its own process: advisors free, all busy with a queue and an estimated wait, nobody signed in,
and closed with the next opening. Before, the kiosk knew only "open now" and a citizen learnt
that nobody was free only after tapping Call."""

from __future__ import annotations

from kiosk.engine import Engine
from kiosk.video.advice import AdviceLine, LineState
from kiosk.video.hub_client import HubAdviceClient
from tests.peers.hub import wait_until
from tests.video.conftest import DEADLINE
from tests.video.line_states import LinesHub, closed_line_opens, make_busy
from tests.video.line_states import lines_hub as lines_hub
from tests.video.resilience_peers import Advisor


def fetch(engine: Engine, lines_hub: LinesHub) -> dict[str, AdviceLine]:
    client = HubAdviceClient(
        hub_url=lines_hub.url,
        token=lines_hub.tokens["demo-kiosk"],
        kiosk_id="demo-kiosk",
        loop=engine.loop,
        camera=None,
    )
    try:
        lines = client.refresh_lines().result(DEADLINE)
    finally:
        engine.submit(client.aclose()).result(DEADLINE)
    return {line.id: line for line in lines}


def test_every_line_says_what_a_call_would_meet(engine: Engine, lines_hub: LinesHub) -> None:
    # Nobody signed in anywhere yet.
    lines = fetch(engine, lines_hub)
    assert list(lines) == ["virka-info", "kansalaisneuvonta", "vero"]
    assert lines["virka-info"].state is LineState.UNSTAFFED
    assert lines["kansalaisneuvonta"].state is LineState.UNSTAFFED
    vero = lines["vero"]
    assert vero.state is LineState.CLOSED and not vero.open_now
    assert vero.next_opening == closed_line_opens()

    anna = engine.submit(Advisor.log_in(lines_hub.url, "anna")).result(DEADLINE)
    try:
        lines = fetch(engine, lines_hub)
        virka = lines["virka-info"]
        assert (virka.state, virka.advisors_free, virka.waiting) == (LineState.AVAILABLE, 1, 0)
        assert virka.estimated_wait_s is None
        assert lines["kansalaisneuvonta"].state is LineState.UNSTAFFED, "Ben is not signed in"
        assert lines["vero"].state is LineState.CLOSED

        busy = engine.submit(make_busy(lines_hub, anna)).result(DEADLINE)
        try:
            virka = fetch(engine, lines_hub)["virka-info"]
            assert (virka.state, virka.advisors_free, virka.waiting) == (LineState.BUSY, 0, 1)
            assert virka.open_now
            # A new caller would be second in the queue: an estimate, in whole seconds.
            assert isinstance(virka.estimated_wait_s, int) and virka.estimated_wait_s >= 0
        finally:
            engine.submit(busy.close()).result(DEADLINE)
        # Both calls over (the kiosks left): Anna is free again.
        wait_until(
            lambda: fetch(engine, lines_hub)["virka-info"].state is LineState.AVAILABLE,
            "Virka-info has its advisor free again",
        )
        virka = fetch(engine, lines_hub)["virka-info"]
        assert (virka.advisors_free, virka.waiting) == (1, 0)

        # Away: signed in but not answering counts as nobody there.
        engine.submit(anna.send({"type": "available", "available": False})).result(DEADLINE)
        engine.submit(anna.expect("queue")).result(DEADLINE)
        assert fetch(engine, lines_hub)["virka-info"].state is LineState.UNSTAFFED
    finally:
        engine.submit(anna.close()).result(DEADLINE)
