"""Callbacks: a sealed request from a kiosk, claimed by an advisor, done (docs/appointments.md).

The kiosk seals the request to the hub's key and ships it like a form; delivering it is storing
its row (`deliver`), its contact sealed again to the same key so that only the hub opens it, and
only for the advisor who claims it (`open_contact`). The sweep deletes what is left of contacts
after `[appointments] retention_days`.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any

from nacl.public import PrivateKey, PublicKey, SealedBox

from hub.context import HubContext
from hub.delivery.payload import asked_at
from hub.hours import helsinki_time, utc_iso
from hub.store import HubStore
from hub.store.callbacks import AddOutcome, CallbackRecord, NewCallback

log = logging.getLogger(__name__)

#: The hours (Helsinki, from, until) of each time of day (hub.appointments.topics.TIMES_OF_DAY).
HOURS: dict[str, tuple[int, int]] = {"morning": (8, 12), "afternoon": (12, 16), "any": (0, 24)}


def seal_contact(contact: dict[str, str], public_key: PublicKey) -> bytes:
    text = json.dumps(contact, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return bytes(SealedBox(public_key).encrypt(text))


def open_contact(sealed: bytes, key: PrivateKey) -> dict[str, str] | None:
    """The contact, or None when it has been deleted."""
    if not sealed:
        return None
    found: dict[str, str] = json.loads(SealedBox(key).decrypt(sealed))
    return found


def deliver(
    store: HubStore,
    key: PrivateKey,
    kiosk_id: str,
    submission_id: str,
    payload: dict[str, Any],
    now: datetime,
) -> AddOutcome:
    """Store the callback of a checked submission (hub.delivery.payload.check_callback)."""
    asked = payload["callback"]
    contact = dict(asked["contact"])
    new = NewCallback(
        id=payload["reference"],
        submission_id=submission_id,
        kiosk_id=kiosk_id,
        line=asked["line"],
        language=payload["language"],
        topic=asked["topic"],
        time_of_day=asked["time_of_day"],
        contact_kind=next(iter(contact)),
        asked_at=utc_iso(asked_at(payload)),
        received_at=utc_iso(now),
        contact_sealed=seal_contact(contact, key.public_key),
    )
    outcome = store.callbacks.add(new)
    if outcome == "added":
        log.info(
            "callback %s asked",
            new.id,
            extra={"kiosk_id": kiosk_id, "line": new.line, "event": "callback"},
        )
    return outcome


def due(record: CallbackRecord, now: datetime) -> bool:
    """Whether now (Helsinki) is within the time of day the citizen asked to be called."""
    start, end = HOURS.get(record.time_of_day, (0, 24))
    return start <= helsinki_time(now).hour < end


def as_json(record: CallbackRecord, now: datetime) -> dict[str, Any]:
    """What an advisor of its line sees of a callback (never its contact)."""
    return {
        "id": record.id,
        "line": record.line,
        "language": record.language,
        "topic": record.topic,
        "time_of_day": record.time_of_day,
        "asked_at": record.asked_at,
        "status": record.status,
        "claimed_by": record.claimed_by,
        "attempts": record.attempts,
        "due": due(record, now),
    }


def sweep(hub: HubContext, now: datetime) -> None:
    """Delete personal data that is due (run by hub.appointments.sweeper): the contact of every
    callback asked more than `retention_days` ago; the row stays, anonymous, for the figures."""
    cutoff = now - timedelta(days=hub.config.appointments.retention_days)
    deleted = hub.store.callbacks.forget_before(utc_iso(cutoff), at=utc_iso(now))
    if deleted:
        log.info(
            "personal data deleted after the retention period (%d callbacks or submissions)",
            deleted,
            extra={"event": "callback"},
        )
