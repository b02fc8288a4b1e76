"""Rows stored before intake refused what made them (or written by an older hub) still render:
the support pages show what can be shown, alert mail goes on for every other alert, and a
message that can never be built fails at once rather than at every retry."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from aiohttp import web

from hub.app import make_app
from hub.fleet.service import FLEET
from hub.store import HubStore, open_configured
from hub.store.fleet import Alert
from tests.hub.conftest import (
    MONDAY_MORNING,
    FixedClock,
    SmtpSink,
    add_kiosk,
    email_payload,
    make_catalogue,
    run_app,
    sealed_for,
)
from tests.hub.test_alerts import alert_app, mails
from tests.hub.test_delivery import Client, delivery_config, worker_of
from tests.hub.test_fleet import Kiosk, Support, fleet_scenario

KIOSK = "itakeskus-1"
AT = "2025-01-13T07:00:00.000Z"


def _event(store: HubStore, event_id: int, payload_json: str) -> None:
    store.db.execute(
        "INSERT INTO kiosk_events (kiosk_id, event_id, at, received_at, level, kind, device_id,"
        " code, attention, message, payload_json) VALUES (?, ?, ?, ?, 'warning', 'device',"
        " 'printer', 'media-empty', 'clear', '', ?)",
        [KIOSK, event_id, AT, AT, payload_json],
    )


def test_a_device_record_stored_with_nan_leaves_the_kiosk_page_working(
    app: web.Application, store: HubStore, clock: FixedClock
) -> None:
    async def body(kiosk: Kiosk, support: Support) -> None:
        await kiosk.beat()
        _event(store, 1, '{"state":NaN}')
        _event(store, 2, '{"state":"degraded"}')
        store.db.execute(
            "UPDATE kiosk_status SET devices_json = ?, last_self_test_json = ?",
            ['{"printer": {"state": NaN}, "camera": 5', '{"at": Infinity}'],
        )
        shown = await support.get(f"/api/support/kiosks/{KIOSK}")
        assert [row["state"] for row in shown["device_history"]] == ["degraded", None]
        assert shown["kiosk"]["devices"] == {}
        assert (await support.get("/api/support/fleet"))["kiosks"][0]["devices"] == {}
        logs = await support.get(f"/api/support/kiosks/{KIOSK}/logs")
        assert logs["total"] == 2

    fleet_scenario(app, store, body)


def test_usage_rows_the_report_could_not_count_are_counted_as_far_as_they_can_be(
    app: web.Application, store: HubStore, clock: FixedClock
) -> None:
    rows = [
        (1, "outcome", "printed:²", None),
        (2, "outcome", "printed:4", None),
        (3, "outcome", "printed:99999999999999999999999", None),
        (4, "session_end", None, 2**63 - 1),
        (5, "session_end", None, 2**63 - 1),
    ]

    async def body(kiosk: Kiosk, support: Support) -> None:
        for row in rows:
            store.db.execute(
                "INSERT INTO kiosk_usage (kiosk_id, usage_id, kind, value, duration_ms, at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [KIOSK, *row, AT],
            )
        figures = await support.get("/api/support/usage?from=2025-01-13&to=2025-01-13")
        (item,) = figures["per_kiosk"]
        assert item["pages_printed"] == 1 + 4 + 1
        assert item["utilisation"] == 1.0
        async with support.session.get("/api/support/usage.csv?to=2025-01-13") as response:
            assert response.status == 200

    fleet_scenario(app, store, body)


def test_one_alert_mail_that_cannot_be_made_holds_up_no_other(
    write_config: Callable[[str], Path], store: HubStore, clock: FixedClock, smtp_sink: SmtpSink
) -> None:
    smtp_sink.start()
    app = alert_app(write_config, store, clock, smtp_sink)

    async def body(kiosk: Kiosk, support: Support) -> None:
        notifier = app[FLEET].notifier
        assert notifier is not None
        fleet = app[FLEET].store
        # A code with a line break, stored before intake refused it: mailed on one line.
        broken = fleet.open_alert(KIOSK, "device", "printer", "media\nempty", "clear", at=AT)
        # One no mail can be made of at all (a lone surrogate is not text to encode).
        unmakeable = Alert(999, KIOSK, "device", "camera", "\ud800", "maintenance", AT, *[None] * 3)
        fine = fleet.open_alert(KIOSK, "device", "scanner", "jam", "maintenance", at=AT)
        await notifier.send([broken, unmakeable, fine])
        received = await mails(smtp_sink, 2)
        subjects = [text.split("Subject: ", 1)[1].split("\r\n", 1)[0] for _, text in received]
        assert subjects == [
            "[clear] itakeskus-1: Device needs attention (printer, media empty)",
            "[maintenance] itakeskus-1: Device needs attention (scanner, jam)",
        ]
        assert notifier.given_up == {999} and notifier.failed == frozenset()
        clock.advance(hours=1)
        notifier.retry_due([broken, unmakeable, fine])
        await notifier.send([unmakeable])
        assert len(smtp_sink.received) == 2
        notified = store.db.execute("SELECT id FROM alerts WHERE notified_at IS NOT NULL")
        assert {row[0] for row in notified.fetchall()} == {broken.id, fine.id}

    fleet_scenario(app, store, body)


def test_a_stored_email_whose_subject_no_header_can_carry_fails_at_once_for_good(
    write_config: Callable[[str], Path], tmp_path: Path, smtp_sink: SmtpSink, clock: FixedClock
) -> None:
    make_catalogue(tmp_path / "catalogue")
    config = delivery_config(write_config, tmp_path, smtp_sink.port)
    smtp_sink.start()
    store = open_configured(config)
    add_kiosk(store, KIOSK)
    app = make_app(config, store, clock=clock)
    bad, good = "a" * 32, "b" * 32
    for submission_id, subject in ((bad, "Hakemus\u2028liitteineen"), (good, "Hakemus")):
        sealed = sealed_for(email_payload(submission_id, subject=subject))
        stored = store.submissions.add(
            submission_id, KIOSK, "email", None, sealed, at=str(MONDAY_MORNING.isoformat())
        )
        assert stored == "stored"

    async def scenario(client: Client) -> None:
        # After the worker's own round at start, if it came first: every row has been tried.
        await worker_of(app).run_due()

    try:
        run_app(app, scenario)
        failed, delivered = store.submissions.get(bad), store.submissions.get(good)
        assert failed is not None and delivered is not None
        assert (failed.status, failed.attempts, failed.next_attempt_at) == ("failed", 1, None)
        assert "cannot be made" in (failed.last_error or "")
        assert delivered.status == "delivered"
    finally:
        store.close()
    assert len(smtp_sink.received) == 1
