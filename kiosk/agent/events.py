"""Shipping the app's events and usage rows to the hub, in batches, each row once.

The hub answers a batch only once it has stored it and takes a repeated id as a duplicate, so
a batch is marked shipped only after its 200: a lost answer means the batch is sent again and
nothing is counted twice. Failures wait as the outbox's do (one global exponential wait with
jitter; the outage logged once when it starts and once when it ends).

While the hub cannot be reached the events wait in the store, bounded by [agent]
max_unshipped_events: beyond it the oldest routine ones (debug and info, then warnings) are
deleted, never errors or anything that asks a person to act (attention clear, maintenance,
suspend). How many were dropped is logged.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp

from kiosk.agent.shipper import Backoff, HubHealth, _json_object
from kiosk.hubclient import HubClient, refused
from kiosk.store import EventRecord, UsageRecord
from kiosk.store.fleet import Fleet

log = logging.getLogger(__name__)

EVENTS_PATH = "/api/kiosk/events"
USAGE_PATH = "/api/kiosk/usage"
#: How long the kiosk keeps events after the hub has them (for a technician on site).
KEEP_SHIPPED = timedelta(days=7)


class _Refused:
    """The hub refused the batch for what is in it (400, 413, 422): sending it again as it is
    will never work."""


_REFUSED = _Refused()


@dataclass(frozen=True)
class Shipped:
    """What one pass did: rows the hub took, and events dropped to keep the store bounded."""

    events: int = 0
    usage: int = 0
    dropped: int = 0


def event_body(event: EventRecord) -> dict[str, Any]:
    """One event as the hub takes it; a log record's text becomes the message."""
    payload = dict(event.payload)
    message = payload.pop("msg", None) if event.kind == "log" else None
    if message is None:
        state = payload.get("state")
        parts = [event.kind, event.device_id, str(state) if state else None, event.code]
        message = " ".join(p for p in parts if p)
    return {
        "id": event.id,
        "at": event.at,
        "level": event.level,
        "kind": event.kind,
        "device_id": event.device_id,
        "session_id": event.session_id,
        "code": event.code,
        "attention": event.attention,
        "message": str(message),
        "payload": payload,
    }


def usage_body(usage: UsageRecord) -> dict[str, Any]:
    return {
        "id": usage.id,
        "session_id": usage.session_id,
        "kind": usage.kind,
        "service": usage.service,
        "language": usage.language,
        "value": usage.value,
        "duration_ms": usage.duration_ms,
        "at": usage.at,
    }


class EventShipper:
    def __init__(
        self,
        fleet: Fleet,
        http: aiohttp.ClientSession,
        *,
        hub: HubClient,
        backoff: Backoff,
        request_timeout: float,
        batch: int,
        max_unshipped: int,
    ) -> None:
        self.fleet = fleet
        self._http = http
        self._hub = hub
        self.backoff = backoff
        self.request_timeout = request_timeout
        self.batch = batch
        self.max_unshipped = max_unshipped
        self.health = HubHealth("events")
        #: time.monotonic() before which nothing is sent (0 = now).
        self.resume_at = 0.0
        #: Why the hub last refused a batch (status and field), for the log.
        self._refusal = ""

    async def ship_due(self, stop: asyncio.Event | None = None) -> Shipped:
        """Keep the store bounded, then send what waits, events first; stops at a failure."""
        # Shipped records are the hub's now: the kiosk keeps a week of them, not all it ever had.
        cutoff = datetime.now(UTC) - KEEP_SHIPPED
        await asyncio.to_thread(self.fleet.prune_shipped, cutoff)
        dropped = await asyncio.to_thread(self.fleet.bound_events, self.max_unshipped)
        if dropped:
            log.warning(
                "%d routine events dropped unsent: more than %d waited for the hub",
                dropped,
                self.max_unshipped,
                extra={"event": "events_dropped"},
            )
        if time.monotonic() < self.resume_at:
            return Shipped(dropped=dropped)
        events = usage = 0
        while stop is None or not stop.is_set():
            pending = await asyncio.to_thread(self.fleet.store.unshipped_events, self.batch)
            if not pending:
                break
            sent = await self._send(EVENTS_PATH, "events", [(e.id, event_body(e)) for e in pending])
            if sent is None:
                return Shipped(events, usage, dropped)
            await asyncio.to_thread(self.fleet.store.mark_shipped, [e.id for e in pending])
            events += sent
        while stop is None or not stop.is_set():
            rows = await asyncio.to_thread(self.fleet.unshipped_usage, self.batch)
            if not rows:
                break
            sent = await self._send(USAGE_PATH, "usage", [(u.id, usage_body(u)) for u in rows])
            if sent is None:
                break
            await asyncio.to_thread(self.fleet.mark_usage_shipped, [u.id for u in rows])
            usage += sent
        return Shipped(events, usage, dropped)

    async def _send(
        self, path: str, key: str, rows: list[tuple[int, dict[str, Any]]]
    ) -> int | None:
        """Send one batch; how many rows the hub took, or None after a passing failure.

        A batch the hub refuses (400, 413, 422) is sent again row by row, so that one record
        the hub will never take does not hold back every record after it: that one is set aside
        (marked shipped, kept on the kiosk for a week like every shipped record) and the log says
        which, with the hub's reason."""
        answer = await self._post(path, {key: [body for _, body in rows]})
        if answer is not _REFUSED:
            return len(rows) if answer else None
        taken = 0
        for row_id, body in rows:
            answer = await self._post(path, {key: [body]})
            if answer is _REFUSED:
                log.error(
                    "%s record %d refused by the hub (%s); set aside on the kiosk, not sent",
                    key,
                    row_id,
                    self._refusal,
                    extra={"event": f"{key}_refused", "record_id": row_id},
                )
            elif answer:
                taken += 1
            else:
                return None
        self.health.answered()
        self.resume_at = 0.0
        return taken

    async def waiting(self) -> int:
        """Events and usage rows not yet shipped."""
        events = await asyncio.to_thread(self.fleet.unshipped_count)
        usage = await asyncio.to_thread(self.fleet.unshipped_usage, 1)
        return events + len(usage)

    async def _post(self, path: str, body: dict[str, Any]) -> bool | _Refused:
        timeout = self._hub.timeout(self.request_timeout)
        try:
            async with self._http.post(self._hub.url(path), json=body, timeout=timeout) as response:
                status = response.status
                answer = _json_object(await response.read())
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            cause = "timeout" if isinstance(exc, TimeoutError) else "unreachable"
            return self._failed(cause, f"{type(exc).__name__}: {exc}")
        if status == 200 and isinstance(answer.get("stored"), int):
            self.health.answered()
            self.resume_at = 0.0
            return True
        if refused(status):
            return self._failed("token", f"HTTP {status}")
        if status in (400, 413, 422):
            # The hub will never take this batch as it is; its reason names the field.
            field = answer.get("field")
            self._refusal = f"HTTP {status}" + (f", {field}" if isinstance(field, str) else "")
            return _REFUSED
        return self._failed("server" if status >= 500 else "unexpected", f"HTTP {status}")

    def _failed(self, cause: str, detail: str) -> bool:
        self.health.failed(cause, detail)
        self.resume_at = time.monotonic() + self.backoff.delay(self.health.failures)
        return False
