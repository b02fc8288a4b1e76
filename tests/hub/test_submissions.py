"""Intake of sealed submissions as docs/outbox-protocol.md says: stored once, every refusal with
its code, e-mail limits, and support's view of the rows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

from aiohttp import web
from aiohttp.test_utils import TestClient
from nacl.public import PrivateKey

from hub.app import make_app
from hub.config import HubConfig
from hub.delivery.service import DELIVERY
from hub.store import HubStore
from tests.hub.conftest import (
    FixedClock,
    add_kiosk,
    add_user,
    email_payload,
    form_payload,
    free_port,
    log_in,
    run_app,
    sealed_for,
)

Client = TestClient[web.Request, web.Application]
ID = "0123456789abcdef0123456789abcdef"
OTHER_ID = "fedcba9876543210fedcba9876543210"


def headers(
    token: str, submission_id: str = ID, kind: str = "form", kiosk: str = "itakeskus-1"
) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {token}",
        "X-Kiosk-Id": kiosk,
        "Content-Type": "application/octet-stream",
        "X-Submission-Id": submission_id,
        "X-Submission-Kind": kind,
    }


async def post(client: Client, hdrs: dict[str, str], body: bytes) -> tuple[int, dict[str, str]]:
    response = await client.post("/api/kiosk/submissions", data=body, headers=hdrs)
    return response.status, await response.json()


def test_a_submission_is_stored_sealed_once_and_a_resend_is_a_duplicate(
    app: web.Application, store: HubStore
) -> None:
    token = add_kiosk(store, "itakeskus-1")
    other = add_kiosk(store, "kontula-1")
    sealed = sealed_for(form_payload(ID))

    async def scenario(client: Client) -> None:
        assert await post(client, headers(token), sealed) == (
            200,
            {"submission_id": ID, "status": "stored"},
        )
        assert await post(client, headers(token), sealed) == (
            200,
            {"submission_id": ID, "status": "duplicate"},
        )
        # The same id from another kiosk is refused for good, and changes nothing.
        status, body = await post(client, headers(other, kiosk="kontula-1"), sealed)
        assert (status, body["code"]) == (422, "id-mismatch")

    run_app(app, scenario)
    rows = list(store.db.query("SELECT * FROM submissions"))
    assert len(rows) == 1
    row = rows[0]
    assert (row["kiosk_id"], row["kind"], row["form_id"], row["status"]) == (
        "itakeskus-1",
        "form",
        "kansalaisneuvonta-contact",
        "pending",
    )
    # What is kept is the sealed bytes as received, never the opened JSON.
    assert row["sealed"] == sealed and row["size"] == len(sealed)
    assert b"Meik" not in row["sealed"]
    assert row["received_at"] == "2025-01-13T08:00:00.000Z"


def test_malformed_headers_are_400_and_a_large_body_413(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    token = add_kiosk(store, "itakeskus-1")
    small = replace(config, delivery=replace(config.delivery, max_submission_bytes=2048))
    app = make_app(small, store, clock=clock)
    sealed = sealed_for(form_payload(ID))

    async def scenario(client: Client) -> None:
        for changed in (
            {"X-Submission-Id": "0123"},
            {"X-Submission-Id": ID.upper()},
            {"X-Submission-Kind": "letter"},
            {"Content-Type": "application/json"},
        ):
            status, body = await post(client, {**headers(token), **changed}, sealed)
            assert (status, body["code"]) == (400, "bad-request"), changed
        missing = headers(token)
        del missing["X-Submission-Id"]
        assert (await post(client, missing, sealed))[0] == 400
        assert (await post(client, headers(token), b""))[0] == 400

        big = sealed_for(form_payload(ID, attachments=[_attachment(4096)]))
        status, body = await post(client, headers(token), big)
        assert (status, body["code"]) == (413, "too-large")

        async def chunks() -> AsyncIterator[bytes]:
            yield big  # no Content-Length: the limit holds while reading

        response = await client.post(
            "/api/kiosk/submissions", data=chunks(), headers=headers(token)
        )
        assert (response.status, (await response.json())["code"]) == (413, "too-large")

    run_app(app, scenario)
    assert store.submissions.listed() == []


def test_each_422_code(app: web.Application, store: HubStore) -> None:
    token = add_kiosk(store, "itakeskus-1")
    stranger = PrivateKey.generate()

    async def scenario(client: Client) -> None:
        cases = [
            (sealed_for(form_payload(ID), stranger), "form", "unreadable"),
            (b"not sealed at all" * 4, "form", "unreadable"),
            (sealed_for(form_payload(OTHER_ID)), "form", "id-mismatch"),
            (sealed_for(form_payload(ID)), "email", "id-mismatch"),
            (sealed_for(form_payload(ID, form="dog-licence")), "form", "unknown-form"),
            (sealed_for(form_payload(ID, pdf="not base64!")), "form", "unreadable"),
        ]
        for body, kind, code in cases:
            status, answer = await post(client, headers(token, kind=kind), body)
            assert (status, answer["code"]) == (422, code), answer

    run_app(app, scenario)
    assert store.submissions.listed() == []


def test_email_limits_are_refused_with_a_message_saying_which(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    token = add_kiosk(store, "itakeskus-1")
    email = replace(
        config.email, max_recipients=2, messages_per_kiosk_per_hour=2, max_attachment_bytes=100
    )
    app = make_app(replace(config, email=email), store, clock=clock)

    def sid(n: int) -> str:
        return f"{n:032x}"

    async def scenario(client: Client) -> None:
        async def send(n: int, **changes: object) -> tuple[int, dict[str, str]]:
            payload = email_payload(sid(n), **changes)
            return await post(client, headers(token, sid(n), "email"), sealed_for(payload))

        many = ["a@example.fi", "b@example.fi", "c@example.fi"]
        assert await send(1, to=many) == (
            422,
            {"error": "too many recipients: 3 given, at most 2 allowed", "code": "refused"},
        )
        status, body = await send(2, attachments=[_attachment(200)])
        assert (status, body["code"]) == (422, "refused")
        assert body["error"].startswith("attachments too large: 200 bytes, at most 100")
        status, body = await send(3, to=["not an address"])
        assert (status, body["code"]) == (422, "refused")
        assert "@" not in body["error"]

        policy = await (await client.get("/api/kiosk/email-policy", headers=headers(token))).json()
        assert policy == {
            "max_recipients": 2,
            "max_attachment_bytes": 100,
            "messages_per_hour": 2,
            "remaining_this_hour": 2,
            "sender": "kioski@example.fi",
        }
        assert (await send(4, attachments=[]))[1]["status"] == "stored"
        assert (await send(5, attachments=[]))[1]["status"] == "stored"
        assert (await send(5, attachments=[]))[1]["status"] == "duplicate"  # not counted again
        assert await send(6, attachments=[]) == (
            422,
            {
                "error": "too many messages from this kiosk this hour: at most 2 an hour",
                "code": "refused",
            },
        )
        policy = await (await client.get("/api/kiosk/email-policy", headers=headers(token))).json()
        assert policy["remaining_this_hour"] == 0
        clock.advance(minutes=61)
        assert (await send(6, attachments=[]))[1]["status"] == "stored"

    run_app(app, scenario)
    assert [r.id for r in store.submissions.listed()] == [sid(6), sid(5), sid(4)]


def test_support_lists_metadata_and_retries_with_the_csrf_token(
    config: HubConfig, store: HubStore, clock: FixedClock
) -> None:
    token = add_kiosk(store, "itakeskus-1")
    add_user(store, "sari", "support")
    # No relay listens, and one failed attempt is enough to give up.
    down = replace(config.smtp, host="127.0.0.1", port=free_port())
    app = make_app(
        replace(config, smtp=down, delivery=replace(config.delivery, max_attempts=1)),
        store,
        clock=clock,
    )

    async def scenario(client: Client) -> None:
        await post(client, headers(token), sealed_for(form_payload(ID)))
        worker = app[DELIVERY].worker
        assert worker is not None
        await worker.run_due()
        csrf = await log_in(client, "sari")
        listed = await (await client.get("/api/support/submissions?status=failed")).json()
        (row,) = listed["submissions"]
        assert (row["id"], row["kiosk_id"], row["form"], row["status"], row["attempts"]) == (
            ID,
            "itakeskus-1",
            "kansalaisneuvonta-contact",
            "failed",
            1,
        )
        assert row["last_error"].startswith("SMTP relay 127.0.0.1:")
        assert "Meik" not in str(listed) and "sealed" not in row
        none = await (await client.get("/api/support/submissions?status=delivered")).json()
        assert none == {"submissions": []}
        assert (await client.get("/api/support/submissions?status=lost")).status == 400

        retry = f"/api/support/submissions/{ID}/retry"
        assert (await client.post(retry)).status == 403  # no CSRF token
        answer = await client.post(retry, headers={"X-CSRF-Token": csrf})
        assert (answer.status, await answer.json()) == (
            200,
            {"submission_id": ID, "status": "pending"},
        )
        # A retry is one more attempt: the relay is still down, so it is failed again.
        await worker.run_due()
        record = store.submissions.get(ID)
        assert record is not None and (record.status, record.attempts) == ("failed", 2)
        unknown = f"/api/support/submissions/{OTHER_ID}/retry"
        assert (await client.post(unknown, headers={"X-CSRF-Token": csrf})).status == 404

    run_app(app, scenario)


def _attachment(size: int) -> dict[str, str]:
    import base64

    return {
        "name": "scan.pdf",
        "content_type": "application/pdf",
        "data": base64.b64encode(b"x" * size).decode(),
    }
