"""Shipping the outbox against the hub's stand-in: delivered on 200, a repeated id is a
"duplicate" and still delivered once, a refusal is kept and never retried, a failing or absent
hub is retried after a wait and without a flood of requests or log lines."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest
from nacl.public import PrivateKey

from kiosk.agent.shipper import Backoff, Outcome, Shipper
from kiosk.hubclient import HubClient
from kiosk.outbox import Outbox, open_sealed
from kiosk.store import Store
from tests.agent.conftest import put_form, row
from tests.agent.hub_double import KIOSK_ID, TOKEN, HubDouble, serving

#: Waits short enough for a test, with no jitter so that they are what the test says.
QUICK = Backoff(0.02, 0.1, rand=lambda: 1.0)
#: Waits that outlast any test.
SLOW = Backoff(600, 600, rand=lambda: 1.0)


@asynccontextmanager
async def shipper_for(outbox: Outbox, port: int, backoff: Backoff) -> AsyncIterator[Shipper]:
    hub = HubClient(f"http://127.0.0.1:{port}/", KIOSK_ID, TOKEN)
    async with hub.session() as http:
        yield Shipper(outbox, http, hub=hub, backoff=backoff, request_timeout=10)


async def ship_until(shipper: Shipper, done: Callable[[], bool]) -> None:
    """Run passes as the agent's loop does until `done()`; a guard, not a measurement."""
    deadline = time.monotonic() + 30
    while not done():
        assert time.monotonic() < deadline, "the shipper never got there"
        await shipper.ship_due()
        await asyncio.sleep(0.01)


def test_stored_submissions_are_delivered_oldest_first(
    outbox: Outbox, store: Store, hub: HubDouble, hub_key: PrivateKey, port: int
) -> None:
    first, second = put_form(outbox), put_form(outbox, "kansalaisneuvonta-contact")

    async def scenario() -> None:
        async with serving(hub, port), shipper_for(outbox, port, SLOW) as shipper:
            attempts = await shipper.ship_due()
            assert [(a.submission_id, a.outcome, a.detail) for a in attempts] == [
                (first, Outcome.DELIVERED, "stored"),
                (second, Outcome.DELIVERED, "stored"),
            ]

    asyncio.run(scenario())
    assert hub.seen == [first, second]
    assert open_sealed(hub.stored[first], bytes(hub_key))["form"] == "library-card"
    assert outbox.waiting() == 0
    for submission_id in (first, second):
        assert row(store, submission_id)["delivered_at"]
        assert row(store, submission_id)["sealed"] == b""


def test_a_submission_the_hub_already_has_is_duplicate_and_delivered_once(
    outbox: Outbox, store: Store, hub: HubDouble, port: int
) -> None:
    submission = put_form(outbox)
    # The hub committed it, but its answer never arrived: the row still waits here.
    hub.stored[submission] = outbox.sealed(submission) or b""

    async def scenario() -> None:
        async with serving(hub, port), shipper_for(outbox, port, SLOW) as shipper:
            [attempt] = await shipper.ship_due()
            assert attempt.outcome is Outcome.DELIVERED and attempt.detail == "duplicate"
            assert await shipper.ship_due() == []

    asyncio.run(scenario())
    assert hub.seen == [submission] and list(hub.stored) == [submission]
    assert row(store, submission)["delivered_at"] and outbox.waiting() == 0


def test_a_refused_submission_is_kept_rejected_and_never_retried(
    outbox: Outbox, store: Store, hub: HubDouble, port: int, caplog: pytest.LogCaptureFixture
) -> None:
    refused = put_form(outbox, "no-such-form")
    fine = put_form(outbox)

    async def scenario() -> None:
        async with serving(hub, port), shipper_for(outbox, port, SLOW) as shipper:
            attempts = await shipper.ship_due()
            assert [(a.outcome, a.detail) for a in attempts] == [
                (Outcome.REJECTED, "unknown-form"),
                (Outcome.DELIVERED, "stored"),
            ]
            assert await shipper.ship_due() == []

    with caplog.at_level(logging.INFO, logger="kiosk.agent"):
        asyncio.run(scenario())
    assert hub.seen == [refused, fine]
    kept = row(store, refused)
    assert kept["rejected_at"] and kept["reject_code"] == "unknown-form"
    assert kept["reject_message"] == "no such form in the hub's catalogue"
    assert kept["delivered_at"] is None and len(kept["sealed"]) > 0
    assert [item.id for item in outbox.rejections()] == [refused]
    assert outbox.waiting() == 0 and outbox.pending() == []
    [error] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert refused in error.getMessage() and "unknown-form" in error.getMessage()
    assert getattr(error, "code", None) == "unknown-form"


def test_a_failing_hub_is_retried_after_a_wait_then_delivers(
    outbox: Outbox, store: Store, hub: HubDouble, port: int
) -> None:
    submission = put_form(outbox)
    hub.fail_next = 2

    async def scenario() -> None:
        async with serving(hub, port), shipper_for(outbox, port, QUICK) as shipper:
            [attempt] = await shipper.ship_due()
            assert attempt.outcome is Outcome.FAILED and attempt.detail == "server"
            await ship_until(shipper, lambda: outbox.waiting() == 0)

    asyncio.run(scenario())
    assert hub.answers == ["503", "503", "stored"]
    assert hub.seen == [submission] * 3
    delivered = row(store, submission)
    assert delivered["delivered_at"] and delivered["attempts"] == 2
    assert delivered["last_error"] == "HTTP 503"


def test_while_the_hub_fails_nothing_more_is_sent_until_the_wait_is_over(
    outbox: Outbox, store: Store, hub: HubDouble, port: int
) -> None:
    ids = [put_form(outbox) for _ in range(5)]
    hub.fail_next = 100

    async def scenario() -> None:
        async with serving(hub, port), shipper_for(outbox, port, SLOW) as shipper:
            for _ in range(3):
                await shipper.ship_due()

    asyncio.run(scenario())
    # One request for five waiting rows and three passes: the hub is not flooded.
    assert hub.seen == [ids[0]]
    assert row(store, ids[0])["next_attempt_at"] is not None
    assert [row(store, i)["attempts"] for i in ids] == [1, 0, 0, 0, 0]


def test_an_absent_hub_is_logged_once_and_delivered_to_when_it_comes_up(
    outbox: Outbox, store: Store, hub: HubDouble, port: int, caplog: pytest.LogCaptureFixture
) -> None:
    submission = put_form(outbox)

    async def scenario() -> None:
        async with shipper_for(outbox, port, QUICK) as shipper:
            await ship_until(shipper, lambda: shipper.health.failures >= 3)
            assert row(store, submission)["last_error"].startswith("ClientConnectorError")
            async with serving(hub, port):
                await ship_until(shipper, lambda: outbox.waiting() == 0)

    with caplog.at_level(logging.DEBUG, logger="kiosk.agent"):
        asyncio.run(scenario())
    assert hub.seen == [submission] and hub.answers == ["stored"]
    assert row(store, submission)["attempts"] >= 3
    # What the agent said (the hub double's own access log is not the agent's).
    said = [
        (r.levelname, r.getMessage())
        for r in caplog.records
        if r.levelno >= logging.INFO and r.name.startswith("kiosk.agent")
    ]
    assert said[0] == ("WARNING", "submissions: the hub is unavailable (unreachable); retrying")
    assert [level for level, _ in said] == ["WARNING", "INFO", "INFO"]
    assert said[1][1].startswith("submissions: the hub answers again after")
    assert said[2][1] == f"submission {submission} delivered (stored)"


def test_a_refused_token_is_retried_not_rejected(
    outbox: Outbox, store: Store, hub: HubDouble, port: int, caplog: pytest.LogCaptureFixture
) -> None:
    submission = put_form(outbox)

    async def scenario() -> None:
        wrong = HubClient(f"http://127.0.0.1:{port}", KIOSK_ID, "wrong")
        async with wrong.session() as http:
            shipper = Shipper(outbox, http, hub=wrong, backoff=QUICK, request_timeout=5)
            async with serving(hub, port):
                await ship_until(shipper, lambda: shipper.health.failures >= 2)

    with caplog.at_level(logging.INFO, logger="kiosk.agent"):
        asyncio.run(scenario())
    kept = row(store, submission)
    assert kept["rejected_at"] is None and kept["delivered_at"] is None
    assert kept["last_error"] == "HTTP 401" and outbox.waiting() == 1
    [error] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert error.levelno == logging.ERROR and "hub_token" in error.getMessage()


def test_backoff_doubles_up_to_the_maximum_with_jitter() -> None:
    lowest, highest = Backoff(5, 300, rand=lambda: 0.0), Backoff(5, 300, rand=lambda: 1.0)
    assert [highest.delay(n) for n in (1, 2, 3, 7, 8, 100)] == [5, 10, 20, 300, 300, 300]
    assert [lowest.delay(n) for n in (1, 2, 8)] == [2.5, 5, 150]
