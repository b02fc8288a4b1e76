"""Shipping the outbox: each sealed submission is POSTed to the hub until the hub has it, once.

A row is marked delivered only after the hub's 200 ("stored" or "duplicate") has arrived. The
hub answers only once the submission is committed on its side, and it answers a repeated id
with "duplicate": so an agent killed between the hub's commit and the acknowledgement sends the
row again on its next run, gets "duplicate" and marks it delivered, and the submission reaches
its destination exactly once.

What the hub says decides what happens to the row (docs/outbox-protocol.md):
- 200 stored/duplicate: delivered; the sealed bytes are dropped from the kiosk.
- 400, 413, 422: refused for good; the row is kept, sealed, marked rejected with the hub's code,
  and never retried (it would be refused again; support decides).
- 401, 403, 5xx, any other answer, a timeout or no connection: a passing failure; retried.

Retries: the hub being unwell is a property of the hub, not of one row, so the waiting is
global. After a passing failure the pass stops and no request at all goes out until the global
wait is over: initial, doubled per further failure up to the maximum, each with jitter (between
half and all of it, so that kiosks that lost the hub together do not return together). During an
outage of any length the hub sees one request per wait, however many rows wait. Each failed row
also gets its own retry time from its attempt count (kept in the store, so a restarted agent does
not hammer the hub either): a row the hub keeps failing on does not hold up the rows behind it.
The outage is logged once when it starts (again if its cause changes, say from "unreachable" to
"token refused") and once when the hub answers again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any

import aiohttp

from kiosk.hubclient import REFUSED_CODE, REFUSED_TEXT, HubClient, refused
from kiosk.outbox import DueItem, Outbox
from kiosk.store.full import StoreFull

log = logging.getLogger(__name__)

SUBMISSIONS_PATH = "/api/kiosk/submissions"
#: Refusals for good, and the code to record when the hub's answer does not name one.
PERMANENT = {400: "bad-request", 413: "too-large", 422: "unprocessable"}
DELIVERED_STATUSES = ("stored", "duplicate")
#: Rows read from the store per query; their sealed bytes are read one row at a time.
BATCH = 20
#: Upload time a submission is allowed on top of the request timeout, in bytes per second
#: (256 kbit/s: a 25 MiB submission on a poor library uplink gets about 13 minutes).
SLOWEST_UPLINK = 32 * 1024
#: Opening the connection to the hub.
CONNECT_TIMEOUT = 10.0


class Outcome(Enum):
    DELIVERED = "delivered"
    REJECTED = "rejected"
    FAILED = "failed"
    #: The row no longer waits (delivered or refused meanwhile): nothing was sent.
    GONE = "gone"


@dataclass(frozen=True)
class Attempt:
    """What became of one row: for the log and the tests."""

    submission_id: str
    outcome: Outcome
    #: "stored"/"duplicate", the hub's refusal code, or the failure's kind.
    detail: str


class Backoff:
    """Exponential waits with jitter: initial, doubled per failure, capped at maximum."""

    def __init__(
        self, initial: float, maximum: float, *, rand: Callable[[], float] = random.random
    ) -> None:
        if not 0 < initial <= maximum:
            raise ValueError("backoff needs 0 < initial <= maximum")
        self.initial = initial
        self.maximum = maximum
        self._rand = rand

    def delay(self, failures: int) -> float:
        """The wait after the `failures`-th failure in a row (1 = the first)."""
        base = min(self.maximum, self.initial * 2.0 ** min(max(failures - 1, 0), 60))
        return base * (0.5 + 0.5 * self._rand())


class HubHealth:
    """Whether the hub answers one kind of request, told to the log once per change."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.failures = 0
        self._cause: str | None = None
        self._since = 0.0
        #: The HTTP status with which the hub refused the kiosk's credentials, while it does.
        self.refused: int | None = None

    @property
    def down(self) -> bool:
        return self.failures > 0

    def failed(self, cause: str, detail: str) -> None:
        self.failures += 1
        if self.failures > 1 and cause == self._cause:
            log.debug("%s: the hub still fails", self.what, extra={"reason": detail[:200]})
            return
        if self.failures == 1:
            self._since = time.monotonic()
        self._cause = cause
        self.refused = None
        extra = {"reason": detail[:200], "state": cause}
        if cause == "token":
            status = detail.removeprefix("HTTP ")
            self.refused = int(status) if status.isdigit() else 401
            log.error(
                "%s: %s (retrying)",
                self.what,
                REFUSED_TEXT.format(status=status),
                extra={**extra, "code": REFUSED_CODE},
            )
        else:
            log.warning("%s: the hub is unavailable (%s); retrying", self.what, cause, extra=extra)

    def answered(self) -> None:
        if self.failures:
            log.info(
                "%s: the hub answers again after %d failed attempts",
                self.what,
                self.failures,
                extra={"duration_ms": int((time.monotonic() - self._since) * 1000)},
            )
        self.failures = 0
        self._cause = None
        self.refused = None


class Shipper:
    """Ships due outbox rows to the hub, oldest first, and keeps the global retry wait."""

    def __init__(
        self,
        outbox: Outbox,
        http: aiohttp.ClientSession,
        *,
        hub: HubClient,
        backoff: Backoff,
        request_timeout: float,
    ) -> None:
        self.outbox = outbox
        self._http = http
        self._hub = hub
        self._url = hub.url(SUBMISSIONS_PATH)
        self.backoff = backoff
        self.request_timeout = request_timeout
        self.health = HubHealth("submissions")
        #: time.monotonic() before which no request goes out (0 = now).
        self.resume_at = 0.0
        #: Passes in a row whose answer could not be recorded for want of disk space.
        self._disk_full = 0

    async def ship_due(self, stop: asyncio.Event | None = None) -> list[Attempt]:
        """One pass over the rows due now, oldest first. Stops early at a passing failure, or
        when `stop` is set (after the request under way has been answered)."""
        attempts: list[Attempt] = []
        if time.monotonic() < self.resume_at:
            return attempts
        while stop is None or not stop.is_set():
            due = await asyncio.to_thread(self.outbox.due, BATCH)
            if not due:
                break
            for item in due:
                if stop is not None and stop.is_set():
                    return attempts
                attempt = await self.ship(item)
                attempts.append(attempt)
                if attempt.outcome is Outcome.FAILED:
                    return attempts
        return attempts

    async def ship(self, item: DueItem) -> Attempt:
        """Send one row and record what the hub said."""
        sealed = await asyncio.to_thread(self.outbox.sealed, item.id)
        if sealed is None:
            return Attempt(item.id, Outcome.GONE, "")
        headers = {
            "Content-Type": "application/octet-stream",
            "X-Submission-Id": item.id,
            "X-Submission-Kind": item.kind,
        }
        timeout = self._hub.timeout(
            self.request_timeout + len(sealed) / SLOWEST_UPLINK,
            connect=min(CONNECT_TIMEOUT, self.request_timeout),
        )
        try:
            async with self._http.post(
                self._url, data=sealed, headers=headers, timeout=timeout
            ) as response:
                status = response.status
                body = await response.read()
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            cause = "timeout" if isinstance(exc, TimeoutError) else "unreachable"
            return await self._failed(item, cause, f"{type(exc).__name__}: {exc}")
        answer = _json_object(body)
        if status == 200:
            said = answer.get("status")
            if answer.get("submission_id") == item.id and said in DELIVERED_STATUSES:
                return await self._delivered(item, str(said))
            # The hub has it only if it said so; a retry is harmless (it answers "duplicate").
            return await self._failed(item, "unexpected", "200 without the expected answer")
        if status in PERMANENT:
            code = answer.get("code")
            code = code if isinstance(code, str) and code else PERMANENT[status]
            error = answer.get("error")
            message = error if isinstance(error, str) else f"HTTP {status}"
            return await self._rejected(item, status, code, message)
        if refused(status):
            return await self._failed(item, "token", f"HTTP {status}")
        cause = "server" if status >= 500 else "unexpected"
        return await self._failed(item, cause, f"HTTP {status}")

    async def _record(self, what: Callable[..., object], *args: Any, **kwargs: Any) -> bool:
        """Write what the hub said into the outbox; False when the kiosk's disk is full.

        Nothing is lost then: the row stays as it was, and the next pass sends it again (the hub
        answers "duplicate" for one it already has)."""
        try:
            await asyncio.to_thread(what, *args, **kwargs)
        except StoreFull:
            self._disk_full += 1
            self.resume_at = time.monotonic() + self.backoff.delay(self._disk_full)
            log.warning(
                "the kiosk's disk is full: the outbox cannot record the hub's answer; retrying",
                extra={"state": "disk-full"},
            )
            return False
        self._disk_full = 0
        return True

    async def _delivered(self, item: DueItem, said: str) -> Attempt:
        if not await self._record(self.outbox.delivered, item.id):
            return Attempt(item.id, Outcome.FAILED, "disk-full")
        self._answered()
        log.info(
            "submission %s delivered (%s)",
            item.id,
            said,
            extra={"submission_id": item.id, "outcome": said},
        )
        return Attempt(item.id, Outcome.DELIVERED, said)

    async def _rejected(self, item: DueItem, status: int, code: str, message: str) -> Attempt:
        if not await self._record(self.outbox.reject, item.id, code, message):
            return Attempt(item.id, Outcome.FAILED, "disk-full")
        self._answered()
        # The hub's message stays in the store for support; the log has ids and the code only.
        log.error(
            "submission %s refused by the hub for good (HTTP %d, %s); kept, not retried",
            item.id,
            status,
            code,
            extra={"submission_id": item.id, "code": code},
        )
        return Attempt(item.id, Outcome.REJECTED, code)

    async def _failed(self, item: DueItem, cause: str, detail: str) -> Attempt:
        retry_at = datetime.now(UTC) + timedelta(seconds=self.backoff.delay(item.attempts + 1))
        if not await self._record(self.outbox.failed, item.id, detail, retry_at=retry_at):
            return Attempt(item.id, Outcome.FAILED, "disk-full")
        self.health.failed(cause, detail)
        self.resume_at = time.monotonic() + self.backoff.delay(self.health.failures)
        return Attempt(item.id, Outcome.FAILED, cause)

    def _answered(self) -> None:
        self.health.answered()
        self.resume_at = 0.0


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        found = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}
