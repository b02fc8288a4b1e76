"""Callbacks on the hub, in process with a fixed clock (docs/appointments.md "Callbacks"): a
sealed request taken at intake or refused with 422, delivered as one row whose contact is sealed
to the hub's key, handled by the advisors of its line only, and its contact deleted when done,
when not reached, and in any case after the retention period."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from nacl.exceptions import CryptoError
from nacl.public import SealedBox

from hub.app import make_app
from hub.appointments.sweeper import SWEEPER
from hub.config import HubConfig, load_config
from hub.delivery.service import DELIVERY
from hub.store import HubStore, open_configured
from tests.conftest import HUB_KEY
from tests.hub.conftest import FixedClock, add_kiosk, add_user, log_in, run_app, sealed_for
from tests.peers.postgres import row_versions

Client = TestClient[web.Request, web.Application]

LINES = (
    '[lines.virka-info]\nadvisors = ["anna", "ben"]\n'
    '[lines.kansalaisneuvonta]\nadvisors = ["carl"]\n'
)
PHONE = "+358401234567"
FIRST = "0123456789abcdef0123456789abcdef"
SECOND = "fedcba9876543210fedcba9876543210"
THIRD = "00112233445566778899aabbccddeeff"


def callback_payload(
    submission_id: str, reference: str = "TP-7K3M-2QXA", **changes: Any
) -> dict[str, Any]:
    usual: dict[str, Any] = {
        "line": "virka-info",
        "topic": "housing",
        "time_of_day": "morning",
        "contact": {"phone": PHONE},
    }
    given = changes.pop("callback", {})
    asked: Any = {**usual, **given} if isinstance(given, dict) else given
    payload: dict[str, Any] = {
        "submission_id": submission_id,
        "kind": "callback",
        "kiosk_id": "itakeskus-1",
        "language": "fi",
        "reference": reference,
        "asked_at": "2025-01-13T07:55:00.000Z",
        "callback": asked,
    }
    payload.update(changes)
    return payload


def kiosk_headers(token: str, submission_id: str) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {token}",
        "X-Kiosk-Id": "itakeskus-1",
        "Content-Type": "application/octet-stream",
        "X-Submission-Id": submission_id,
        "X-Submission-Kind": "callback",
    }


async def send(client: Client, token: str, payload: dict[str, Any]) -> tuple[int, Any]:
    submission_id = str(payload["submission_id"])
    response = await client.post(
        "/api/kiosk/submissions",
        data=sealed_for(payload),
        headers=kiosk_headers(token, submission_id),
    )
    return response.status, await response.json()


async def deliver_all(app: web.Application) -> int:
    worker = app[DELIVERY].worker
    assert worker is not None
    return await worker.run_due()


@pytest.fixture
def lines_config(write_config: Callable[[str], Path]) -> HubConfig:
    return load_config(write_config(LINES))


@pytest.fixture
def hub_store(lines_config: HubConfig) -> Any:
    opened = open_configured(lines_config)
    yield opened
    opened.close()


def rows(store: HubStore, table: str) -> list[dict[str, Any]]:
    return list(store.db.query(f"SELECT * FROM {table}"))


def test_a_callback_is_delivered_as_one_row_its_contact_sealed_to_the_hub(
    lines_config: HubConfig, hub_store: HubStore, clock: FixedClock
) -> None:
    token = add_kiosk(hub_store)
    app = make_app(lines_config, hub_store, clock=clock)

    async def scenario(client: Client) -> None:
        assert await send(client, token, callback_payload(FIRST)) == (
            200,
            {"submission_id": FIRST, "status": "stored"},
        )
        await deliver_all(app)
        # The kiosk sends again after a lost answer: nothing new.
        status, body = await send(client, token, callback_payload(FIRST))
        assert (status, body["status"]) == (200, "duplicate")
        assert await deliver_all(app) == 0

    run_app(app, scenario)
    [row] = rows(hub_store, "callbacks")
    assert {k: row[k] for k in ("id", "submission_id", "kiosk_id", "line", "language")} == {
        "id": "TP-7K3M-2QXA",
        "submission_id": FIRST,
        "kiosk_id": "itakeskus-1",
        "line": "virka-info",
        "language": "fi",
    }
    assert (row["topic"], row["time_of_day"], row["contact_kind"], row["status"]) == (
        "housing",
        "morning",
        "phone",
        "open",
    )
    assert (row["asked_at"], row["received_at"], row["attempts"]) == (
        "2025-01-13T07:55:00.000Z",
        "2025-01-13T08:00:00.000Z",
        0,
    )
    # Sealed again to the hub's own key: only the hub opens it.
    assert json.loads(SealedBox(HUB_KEY).decrypt(row["contact_sealed"])) == {"phone": PHONE}
    [submission] = rows(hub_store, "submissions")
    assert (submission["kind"], submission["status"], submission["sealed"]) == (
        "callback",
        "delivered",
        b"",
    )


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"callback": {"contact": {"phone": "0401234567"}}}, "refused"),
        ({"callback": {"contact": {"phone": "+3584"}}}, "refused"),
        ({"callback": {"contact": {"email": "not an address"}}}, "refused"),
        ({"callback": {"contact": {"phone": PHONE, "email": "a@example.fi"}}}, "refused"),
        ({"callback": {"contact": {}}}, "refused"),
        ({"callback": {"topic": "weather"}}, "refused"),
        ({"callback": {"line": "nowhere"}}, "refused"),
        ({"callback": {"time_of_day": "midnight"}}, "refused"),
        ({"callback": "call me"}, "unreadable"),
        ({"reference": "TP 7K3M"}, "unreadable"),
        ({"asked_at": "yesterday"}, "unreadable"),
        ({"asked_at": "2025-01-13T07:55:00"}, "unreadable"),
        ({"language": "de"}, "unreadable"),
        ({"kind": "form"}, "id-mismatch"),
    ],
)
def test_a_callback_the_hub_cannot_take_is_422_and_nothing_is_stored(
    lines_config: HubConfig,
    hub_store: HubStore,
    clock: FixedClock,
    change: dict[str, Any],
    code: str,
) -> None:
    token = add_kiosk(hub_store)
    app = make_app(lines_config, hub_store, clock=clock)

    async def scenario(client: Client) -> None:
        status, body = await send(client, token, callback_payload(FIRST, **change))
        assert (status, body["code"]) == (422, code)
        assert PHONE not in body["error"]
        await deliver_all(app)

    run_app(app, scenario)
    assert rows(hub_store, "submissions") == []
    assert rows(hub_store, "callbacks") == []


def test_an_e_mail_contact_is_taken_and_an_e164_number_from_abroad(
    lines_config: HubConfig, hub_store: HubStore, clock: FixedClock
) -> None:
    token = add_kiosk(hub_store)
    app = make_app(lines_config, hub_store, clock=clock)

    async def scenario(client: Client) -> None:
        by_mail = callback_payload(
            FIRST, "TP-AAAA-BBBB", callback={"contact": {"email": "maija@example.fi"}}
        )
        abroad = callback_payload(
            SECOND, "TP-CCCC-DDDD", callback={"contact": {"phone": "+46701234567"}}
        )
        assert (await send(client, token, by_mail))[0] == 200
        assert (await send(client, token, abroad))[0] == 200
        await deliver_all(app)

    run_app(app, scenario)
    kinds = {row["id"]: row["contact_kind"] for row in rows(hub_store, "callbacks")}
    assert kinds == {"TP-AAAA-BBBB": "email", "TP-CCCC-DDDD": "phone"}


def test_a_reference_another_callback_holds_fails_for_support_and_makes_no_row(
    lines_config: HubConfig, hub_store: HubStore, clock: FixedClock
) -> None:
    token = add_kiosk(hub_store)
    app = make_app(lines_config, hub_store, clock=clock)

    async def scenario(client: Client) -> None:
        assert (await send(client, token, callback_payload(FIRST)))[0] == 200
        assert (await send(client, token, callback_payload(SECOND)))[0] == 200
        await deliver_all(app)

    run_app(app, scenario)
    assert [row["submission_id"] for row in rows(hub_store, "callbacks")] == [FIRST]
    record = hub_store.submissions.get(SECOND)
    assert record is not None and record.status == "failed"
    assert record.last_error is not None and "TP-7K3M-2QXA" in record.last_error


def test_advisors_of_the_line_list_claim_and_close_callbacks(
    lines_config: HubConfig, hub_store: HubStore, clock: FixedClock
) -> None:
    token = add_kiosk(hub_store)
    for name in ("anna", "ben", "carl"):
        add_user(hub_store, name, "advisor")
    app = make_app(lines_config, hub_store, clock=clock)
    afternoon = callback_payload(SECOND, "TP-SECOND", callback={"time_of_day": "afternoon"})

    async def scenario(client: Client) -> None:
        assert (await send(client, token, callback_payload(FIRST)))[0] == 200
        assert (await send(client, token, afternoon))[0] == 200
        await deliver_all(app)
        csrf = await log_in(client, "anna")
        listed = await (await client.get("/api/advisor/callbacks")).json()
        assert [(c["id"], c["due"], c["status"]) for c in listed["callbacks"]] == [
            ("TP-7K3M-2QXA", True, "open"),  # 10:00 in Helsinki: morning
            ("TP-SECOND", False, "open"),
        ]
        assert "contact" not in listed["callbacks"][0]
        # A staff write without the CSRF token is refused.
        response = await client.post("/api/advisor/callbacks/TP-7K3M-2QXA/claim")
        assert response.status == 403
        hdrs = {"X-CSRF-Token": csrf}
        response = await client.post("/api/advisor/callbacks/TP-7K3M-2QXA/claim", headers=hdrs)
        assert response.status == 200
        claimed = (await response.json())["callback"]
        assert (claimed["status"], claimed["claimed_by"], claimed["contact"]) == (
            "claimed",
            "anna",
            {"phone": PHONE},
        )
        for action in ("done", "no-answer"):
            response = await client.post(f"/api/advisor/callbacks/TP-SECOND/{action}", headers=hdrs)
            assert (response.status, (await response.json())["code"]) == (409, "not_claimed")
        response = await client.post("/api/advisor/callbacks/TP-NONE/claim", headers=hdrs)
        assert response.status == 404
        response = await client.post("/api/advisor/callbacks/TP-7K3M-2QXA/release", headers=hdrs)
        assert (await response.json())["callback"]["status"] == "open"
        await client.post("/logout", headers=hdrs)

        # Another line's advisor sees nothing of it and cannot touch it.
        csrf = await log_in(client, "carl")
        listed = await (await client.get("/api/advisor/callbacks")).json()
        assert listed == {"callbacks": []}
        response = await client.post(
            "/api/advisor/callbacks/TP-7K3M-2QXA/claim", headers={"X-CSRF-Token": csrf}
        )
        assert response.status == 404

    run_app(app, scenario)
    [row] = [r for r in rows(hub_store, "callbacks") if r["id"] == "TP-7K3M-2QXA"]
    assert (row["status"], row["claimed_by"]) == ("open", None)
    assert row["contact_sealed"] is not None


def test_no_answer_reopens_until_the_last_try_closes_it_without_its_contact(
    lines_config: HubConfig, hub_store: HubStore, clock: FixedClock
) -> None:
    token = add_kiosk(hub_store)
    add_user(hub_store, "anna", "advisor")
    app = make_app(lines_config, hub_store, clock=clock)

    async def scenario(client: Client) -> None:
        assert (await send(client, token, callback_payload(FIRST)))[0] == 200
        await deliver_all(app)
        hdrs = {"X-CSRF-Token": await log_in(client, "anna")}
        base = "/api/advisor/callbacks/TP-7K3M-2QXA"
        seen = []
        for _ in range(3):
            assert (await client.post(f"{base}/claim", headers=hdrs)).status == 200
            clock.advance(minutes=30)
            response = await client.post(f"{base}/no-answer", headers=hdrs)
            body = (await response.json())["callback"]
            seen.append((body["status"], body["attempts"]))
        assert seen == [("open", 1), ("open", 2), ("no_answer", 3)]
        response = await client.post(f"{base}/claim", headers=hdrs)
        assert (response.status, (await response.json())["code"]) == (409, "closed")
        assert (await (await client.get("/api/advisor/callbacks")).json()) == {"callbacks": []}

    run_app(app, scenario)
    [row] = rows(hub_store, "callbacks")
    assert (row["status"], row["attempts"], row["contact_sealed"]) == ("no_answer", 3, None)
    assert row["personal_deleted_at"] == "2025-01-13T09:30:00.000Z"


def test_after_the_retention_period_the_hub_holds_no_contact(
    lines_config: HubConfig, hub_store: HubStore, clock: FixedClock
) -> None:
    token = add_kiosk(hub_store)
    add_user(hub_store, "anna", "advisor")
    app = make_app(lines_config, hub_store, clock=clock)
    sealed_contacts: list[bytes] = []

    async def scenario(client: Client) -> None:
        # One open, one claimed, one that never became a callback (its reference was taken).
        for submission_id, reference in ((FIRST, "TP-1"), (SECOND, "TP-2"), (THIRD, "TP-1")):
            assert (await send(client, token, callback_payload(submission_id, reference)))[0] == 200
        await deliver_all(app)
        hdrs = {"X-CSRF-Token": await log_in(client, "anna")}
        assert (await client.post("/api/advisor/callbacks/TP-2/claim", headers=hdrs)).status == 200
        sealed_contacts.extend(r["contact_sealed"] for r in rows(hub_store, "callbacks"))
        sealed_contacts.extend(r["sealed"] for r in rows(hub_store, "submissions") if r["sealed"])

        clock.advance(days=13, hours=23)
        app[SWEEPER].run_once(app)
        assert all(r["contact_sealed"] for r in rows(hub_store, "callbacks"))
        clock.advance(hours=2)
        app[SWEEPER].run_once(app)
        await log_in(client, "anna")
        assert (await (await client.get("/api/advisor/callbacks")).json()) == {"callbacks": []}

    run_app(app, scenario)
    assert len(sealed_contacts) == 3
    callbacks = rows(hub_store, "callbacks")
    assert {(r["id"], r["status"], r["contact_sealed"]) for r in callbacks} == {
        ("TP-1", "expired", None),
        ("TP-2", "expired", None),
    }
    assert {r["personal_deleted_at"] for r in callbacks} == {"2025-01-27T09:00:00.000Z"}
    failed = hub_store.submissions.get(THIRD)
    assert failed is not None and failed.status == "failed"
    # Nothing the hub's key opens holds the number: not a row, not a leftover in the file
    # (SQLite), not an old version of a row the table still keeps (PostgreSQL, until VACUUM).
    for table, column in (("callbacks", "contact_sealed"), ("submissions", "sealed")):
        for row in rows(hub_store, table):
            assert not _opens(row[column])
    if lines_config.store_url:
        kept = [*row_versions(lines_config.store_url, "callbacks")]
        kept += row_versions(lines_config.store_url, "submissions")
        assert len(kept) >= 3  # the rows that are left, read from the pages
        data = b"|".join(kept)
    else:
        data = b"".join(
            path.read_bytes()
            for path in lines_config.db_path.parent.iterdir()
            if path.name.startswith("hub.db")
        )
    assert PHONE.encode() not in data
    for sealed in sealed_contacts:
        assert sealed[:48] not in data


def _opens(sealed: bytes | None) -> bool:
    if not sealed:
        return False
    try:
        SealedBox(HUB_KEY).decrypt(sealed)
    except CryptoError:
        return False
    return True
