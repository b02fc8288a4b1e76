"""The HTTP side of sealed submissions (docs/outbox-protocol.md): intake, the e-mail policy and
the forms catalogue for kiosks; the submissions list and retry for support.

Intake answers only after the sealed bytes are committed. Its body is read here with the
configured limit, not aiohttp's client_max_size, which stays small for every other route.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from aiohttp import web
from nacl.public import PrivateKey

from hub.appointments.topics import TIMES_OF_DAY, TOPICS
from hub.auth import kiosk, staff
from hub.context import HUB
from hub.delivery.payload import (
    KINDS,
    SUBMISSION_ID,
    Refusal,
    check_callback,
    check_common,
    check_email,
    check_form,
    open_payload,
)
from hub.delivery.service import DELIVERY
from hub.delivery.settings import EmailSettings
from hub.hours import utc_iso
from hub.store.submissions import STATUSES, HourlyLimit, SubmissionRecord

log = logging.getLogger(__name__)

CHUNK = 256 * 1024
#: What a kiosk sending too many submissions at once is told to wait, in seconds.
RETRY_AFTER_SECONDS = 10


def _problem(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": message, "code": code}, status=status)


async def receive_submission(request: web.Request) -> web.Response:
    hub, delivery = request.app[HUB], request.app[DELIVERY]
    kiosk_id = kiosk(request).kiosk.kiosk_id
    submission_id = request.headers.get("X-Submission-Id", "")
    kind = request.headers.get("X-Submission-Kind", "")
    if not SUBMISSION_ID.fullmatch(submission_id):
        return _problem(400, "bad-request", "X-Submission-Id must be 32 lowercase hex digits")
    if kind not in KINDS:
        return _problem(400, "bad-request", "X-Submission-Kind must be form, email or callback")
    if request.content_type != "application/octet-stream":
        return _problem(400, "bad-request", "Content-Type must be application/octet-stream")
    extra = {"kiosk_id": kiosk_id, "event": "intake"}
    known = hub.store.submissions.get(submission_id)
    if known is not None:
        return _stored_before(submission_id, kiosk_id, known)
    if delivery.key is None:
        return _problem(503, "unavailable", "this hub has no sealing key configured")
    limit = hub.config.delivery.max_submission_bytes
    if (request.content_length or 0) > limit:
        return _problem(413, "too-large", f"a submission may be at most {limit} bytes")
    if not delivery.receiving.enter(kiosk_id):
        log.info("submission %s refused: busy", submission_id, extra=extra)
        busy = _problem(
            429,
            "busy",
            f"this kiosk is already sending {delivery.receiving.most} submissions: "
            "send this one when they are done",
        )
        busy.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return busy
    try:
        return await _receive(request, submission_id, kind, kiosk_id, limit)
    finally:
        delivery.receiving.leave(kiosk_id)


async def _receive(
    request: web.Request, submission_id: str, kind: str, kiosk_id: str, limit: int
) -> web.Response:
    """The rest of intake, with the body read; counted as one of the kiosk's in flight."""
    hub, delivery = request.app[HUB], request.app[DELIVERY]
    assert delivery.key is not None
    extra = {"kiosk_id": kiosk_id, "event": "intake"}
    body = await _read_body(request, limit)
    if body is None:
        return _problem(413, "too-large", f"a submission may be at most {limit} bytes")
    if not body:
        return _problem(400, "bad-request", "the body is empty")
    email = hub.config.email
    # Callbacks are asked of service lines; interpreter lines are reached only through advisors.
    lines = tuple(line.id for line in hub.config.lines if not line.interpreting)
    try:
        form_id = await asyncio.to_thread(
            _check, body, delivery.key, submission_id, kind, email, lines
        )
    except Refusal as exc:
        log.info(
            "submission %s refused: %s",
            submission_id,
            exc.code,
            extra={**extra, "reason": exc.message},
        )
        return _problem(422, exc.code, exc.message)
    if form_id is not None and delivery.catalogue.get(form_id) is None:
        log.info("submission %s for unknown form %s", submission_id, form_id, extra=extra)
        return _problem(422, "unknown-form", f"form {form_id} is not in this hub's catalogue")
    now = hub.clock()
    window = None
    if kind == "email":
        since = utc_iso(now - timedelta(hours=1))
        window = HourlyLimit(since, email.messages_per_kiosk_per_hour)
    outcome = hub.store.submissions.add(
        submission_id, kiosk_id, kind, form_id, body, at=utc_iso(now), email_limit=window
    )
    if outcome == "over-limit":
        message = (
            "too many messages from this kiosk this hour: at most "
            f"{email.messages_per_kiosk_per_hour} an hour"
        )
        log.info("submission %s refused: hourly limit", submission_id, extra=extra)
        return _problem(422, "refused", message)
    if outcome != "stored":  # the same id arrived meanwhile
        record = hub.store.submissions.get(submission_id)
        assert record is not None
        return _stored_before(submission_id, kiosk_id, record)
    log.info("submission %s stored", submission_id, extra=extra)
    delivery.wake()
    return web.json_response({"submission_id": submission_id, "status": "stored"})


def _stored_before(submission_id: str, kiosk_id: str, record: SubmissionRecord) -> web.Response:
    if record.kiosk_id != kiosk_id:
        log.warning(
            "submission %s sent again by another kiosk",
            submission_id,
            extra={"kiosk_id": kiosk_id, "event": "intake"},
        )
        return _problem(422, "id-mismatch", "this submission id belongs to another kiosk")
    return web.json_response({"submission_id": submission_id, "status": "duplicate"})


async def _read_body(request: web.Request, limit: int) -> bytes | None:
    """The whole body, or None as soon as it is longer than `limit`."""
    chunks: list[bytes] = []
    size = 0
    while chunk := await request.content.read(CHUNK):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _check(
    body: bytes,
    key: PrivateKey,
    submission_id: str,
    kind: str,
    email: EmailSettings,
    lines: tuple[str, ...],
) -> str | None:
    """Open and check a submission (in a worker thread); returns its form id (None for
    e-mail and callbacks). Raises Refusal."""
    payload = open_payload(body, key)
    check_common(payload, submission_id, kind)
    if kind == "callback":
        check_callback(payload, lines=lines, topics=TOPICS, times=TIMES_OF_DAY)
        return None
    if kind == "email":
        check_email(
            payload,
            max_recipients=email.max_recipients,
            max_attachment_bytes=email.max_attachment_bytes,
        )
        return None
    check_form(payload)
    form_id: str = payload["form"]
    return form_id


async def email_policy(request: web.Request) -> web.Response:
    hub = request.app[HUB]
    kiosk_id = kiosk(request).kiosk.kiosk_id
    email = hub.config.email
    since = utc_iso(hub.clock() - timedelta(hours=1))
    sent = hub.store.submissions.emails_since(kiosk_id, since)
    return web.json_response(
        {
            "max_recipients": email.max_recipients,
            "max_attachment_bytes": email.max_attachment_bytes,
            "messages_per_hour": email.messages_per_kiosk_per_hour,
            "remaining_this_hour": max(0, email.messages_per_kiosk_per_hour - sent),
            "sender": email.sender,
        }
    )


async def forms(request: web.Request) -> web.Response:
    catalogue = request.app[DELIVERY].catalogue
    headers = {"ETag": catalogue.etag, "Cache-Control": "no-cache"}
    if catalogue.unchanged_for(request.headers.get("If-None-Match", "")):
        return web.Response(status=304, headers=headers)
    body = {"version": catalogue.version, "forms": list(catalogue.served)}
    return web.json_response(body, headers=headers)


async def support_submissions(request: web.Request) -> web.Response:
    status = request.query.get("status") or None
    if status is not None and status not in STATUSES:
        raise web.HTTPBadRequest(text=f"status must be one of {', '.join(STATUSES)}")
    records = request.app[HUB].store.submissions.listed(status)
    return web.json_response({"submissions": [_metadata(record) for record in records]})


def _metadata(record: SubmissionRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "kiosk_id": record.kiosk_id,
        "kind": record.kind,
        "form": record.form_id,
        "status": record.status,
        "attempts": record.attempts,
        "last_error": record.last_error,
        "received_at": record.received_at,
        "next_attempt_at": record.next_attempt_at if record.status == "pending" else None,
        "delivered_at": record.delivered_at,
        "size": record.size,
    }


async def support_retry(request: web.Request) -> web.Response:
    hub = request.app[HUB]
    identity = staff(request)
    submission_id = request.match_info["id"]
    if not SUBMISSION_ID.fullmatch(submission_id):
        raise web.HTTPNotFound(text="no such submission")
    outcome = hub.store.submissions.retry(submission_id, at=utc_iso(hub.clock()))
    if outcome == "unknown":
        raise web.HTTPNotFound(text="no such submission")
    if outcome == "delivered":
        return web.json_response(
            {"error": "already delivered", "submission_id": submission_id}, status=409
        )
    log.info(
        "submission %s retry asked",
        submission_id,
        extra={"username": identity.user.username, "event": "retry"},
    )
    request.app[DELIVERY].wake()
    return web.json_response({"submission_id": submission_id, "status": "pending"})
