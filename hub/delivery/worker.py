"""The delivery worker: an asyncio task that sends stored submissions on, and retries.

It wakes when a submission is stored or support asks for a retry, and every POLL_SECONDS
anyway. Each due row is claimed in the store first (hub.store.submissions) under this worker's
own id for `[delivery] claim_lease_seconds`, so that of several hub instances on one database
only one delivers it; rows still pending when the hub stops are given back, and a claim of an
instance that died lapses with its lease. An attempt is cut short well before the lease runs
out (a relay that holds the connection), so no other instance can take a row this one is still
sending; its outcome is recorded only while the claim is still this worker's.
A failed attempt waits an exponentially growing time; after `max_attempts` the row is `failed`
and waits for support.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import socket
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from nacl.public import PrivateKey

from eforms.definition import FormDefinition
from hub.appointments import callbacks
from hub.config import HubConfig
from hub.delivery.catalogue import FormCatalogue
from hub.delivery.mail import citizen_copy, form_message, kiosk_email
from hub.delivery.payload import Refusal, open_payload
from hub.delivery.transport import DeliveryError, Mailer, Outgoing, Poster
from hub.hours import utc_iso
from hub.store import HubStore
from hub.store.submissions import SubmissionRecord

log = logging.getLogger(__name__)

POLL_SECONDS = 15.0
#: The share of the claim's lease one attempt may take: the rest is the margin before another
#: instance could take the row.
ATTEMPT_SHARE = 0.8


def deliverer_id() -> str:
    """This worker's name on its claims: the host, the process and a random part (a restarted
    process with a reused pid is another deliverer)."""
    return f"{socket.gethostname()[:64]}:{os.getpid()}:{secrets.token_hex(4)}"


class DeliveryWorker:
    def __init__(
        self,
        config: HubConfig,
        store: HubStore,
        clock: Callable[[], datetime],
        catalogue: FormCatalogue,
        key: PrivateKey,
        mailer: Mailer,
    ) -> None:
        self._config = config
        self._store = store
        self._clock = clock
        self._catalogue = catalogue
        self._key = key
        self._mailer = mailer
        self._poster = Poster(config.delivery.ca_file)
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        #: The id this worker's claims carry (submissions.claimed_by).
        self.claimant = deliverer_id()
        self._lease = timedelta(seconds=config.delivery.claim_lease_seconds)

    def wake(self) -> None:
        """Look for due submissions now (one was stored, or support asked for a retry)."""
        self._wake.set()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="delivery-worker")

    async def stop(self) -> None:
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._poster.close()

    async def _run(self) -> None:
        # The flag as well as the cancellation: a cancel that lands as the wake event fires
        # must still end the loop.
        while not self._stopping:
            self._wake.clear()
            try:
                await self.run_due()
            except Exception:
                log.exception("delivery round failed")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(POLL_SECONDS):
                    await self._wake.wait()

    async def run_due(self) -> int:
        """Attempt every submission due now, one at a time; returns how many were delivered."""
        delivered = 0
        async with self._lock:
            while True:
                now = self._clock()
                claimed = self._store.submissions.claim_due(
                    now=utc_iso(now), lease_until=utc_iso(now + self._lease), by=self.claimant
                )
                if not claimed:
                    return delivered
                for record in claimed:
                    delivered += await self._attempt(record)

    async def _attempt(self, record: SubmissionRecord) -> int:
        submissions = self._store.submissions
        extra = {"kiosk_id": record.kiosk_id, "event": "delivery"}
        # A full lease for this attempt: the claim was made with the round's first row.
        until = utc_iso(self._clock() + self._lease)
        if not submissions.renew(record.id, by=self.claimant, until=until):
            log.info("submission %s: claimed meanwhile elsewhere; not attempted here", record.id)
            return 0
        limit = self._lease.total_seconds() * ATTEMPT_SHARE
        try:
            async with asyncio.timeout(limit):
                note = await self._deliver(record)
        except asyncio.CancelledError:
            submissions.release(record.id, by=self.claimant)
            raise
        except TimeoutError:
            error = DeliveryError(f"the attempt took longer than {limit:.0f} s; cut short")
            self._failed(record, error)
            return 0
        except DeliveryError as exc:
            self._failed(record, exc)
            return 0
        except Exception as exc:
            log.exception("submission %s: delivery broke", record.id, extra=extra)
            self._failed(record, DeliveryError(f"internal error: {type(exc).__name__}"))
            return 0
        if not submissions.delivered(
            record.id, at=utc_iso(self._clock()), note=note, by=self.claimant
        ):
            # Not reached while attempts end within the lease; said if the clock jumped.
            log.warning(
                "submission %s sent, but its claim had lapsed: not recorded here",
                record.id,
                extra=extra,
            )
            return 0
        log.info("submission %s delivered", record.id, extra={**extra, "reason": note or ""})
        return 1

    def _failed(self, record: SubmissionRecord, error: DeliveryError) -> None:
        attempts = record.attempts + 1
        settings = self._config.delivery
        give_up = error.permanent or attempts >= settings.max_attempts
        wait = min(
            settings.initial_backoff_seconds * 2 ** min(attempts - 1, 30),
            settings.max_backoff_seconds,
        )
        next_at = None if give_up else utc_iso(self._clock() + timedelta(seconds=wait))
        if not self._store.submissions.attempt_failed(
            record.id, error.text, next_attempt_at=next_at, by=self.claimant
        ):
            log.warning(
                "submission %s: its claim had lapsed; the failure is not recorded here",
                record.id,
                extra={"kiosk_id": record.kiosk_id, "event": "delivery", "error": error.text},
            )
            return
        log.warning(
            "submission %s not delivered (attempt %d)%s",
            record.id,
            attempts,
            "; gave up, support must retry" if give_up else "",
            extra={"kiosk_id": record.kiosk_id, "event": "delivery", "error": error.text},
        )

    async def _deliver(self, record: SubmissionRecord) -> str | None:
        sealed = self._store.submissions.sealed(record.id)
        try:
            payload = await asyncio.to_thread(open_payload, sealed, self._key)
        except Refusal as exc:
            raise DeliveryError(f"cannot open: {exc.message}", permanent=True) from None
        sender = self._config.email.sender
        now = self._clock()
        if record.kind == "callback":
            return await self._store_callback(record, payload, now)
        if record.kind == "email":
            kiosk = self._store.kiosk(record.kiosk_id)
            name, location = (kiosk.name, kiosk.location) if kiosk else (record.kiosk_id, "")
            outgoing = await _made(
                lambda: Outgoing.of(
                    kiosk_email(payload, kiosk_name=name, location=location, sender=sender, at=now),
                    sender,
                    payload["to"],
                )
            )
            return _joined(await self._mailer.send([outgoing]))
        definition = self._catalogue.get(payload["form"])
        if definition is None:
            raise DeliveryError(
                f"form {payload['form']} is no longer in the catalogue", permanent=True
            )
        destination = definition.delivery
        if destination["to"] == "email":
            outgoing = await _made(
                lambda: Outgoing.of(
                    form_message(payload, definition, sender=sender, at=now),
                    sender,
                    [destination["address"]],
                )
            )
            notes = await self._mailer.send([outgoing])
        else:
            body = await asyncio.to_thread(_json, payload)
            await self._poster.post_json(destination["url"], body)
            notes = []
        if payload.get("copy_to") and definition.citizen_copy:
            notes.extend(await self._send_copy(payload, definition, sender, now))
        return _joined(notes)

    async def _store_callback(
        self, record: SubmissionRecord, payload: dict[str, Any], now: datetime
    ) -> str | None:
        """A callback is delivered when its row is stored for the advisors of its line."""
        outcome = await asyncio.to_thread(
            callbacks.deliver, self._store, self._key, record.kiosk_id, record.id, payload, now
        )
        if outcome == "reference-taken":
            raise DeliveryError(
                f"another callback has the reference {payload['reference']}", permanent=True
            )
        return None

    async def _send_copy(
        self, payload: dict[str, Any], definition: FormDefinition, sender: str, now: datetime
    ) -> list[str]:
        """The citizen's copy; the form itself has gone, so a failure here is only noted."""
        try:
            outgoing = await _made(
                lambda: Outgoing.of(
                    citizen_copy(payload, definition, sender=sender, at=now),
                    sender,
                    [payload["copy_to"]],
                )
            )
            await self._mailer.send([outgoing])
        except DeliveryError as exc:
            return [f"citizen copy not sent: {exc.text}"]
        return []


async def _made(make: Callable[[], Outgoing]) -> Outgoing:
    """The message `make` builds (in a worker thread). One that cannot be built from what is
    stored never will be: a permanent failure, not a transient one retried until given up."""
    try:
        return await asyncio.to_thread(make)
    except (ValueError, TypeError, LookupError) as exc:
        raise DeliveryError(
            f"the message cannot be made: {type(exc).__name__}: {exc}", permanent=True
        ) from exc


def _json(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def _joined(notes: list[str]) -> str | None:
    return "; ".join(notes) or None
