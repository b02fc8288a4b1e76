"""Alerts: opened and cleared from what kiosks report, and from their silence.

`AlertBook` keeps the open alerts in memory (loaded from the store at start), so a heartbeat
that changes nothing costs no query; the store is written only when an alert opens or clears.
One alert is open per kiosk, source, device and code:

- device: a device reporting attention clear, maintenance or suspend opens one; the device
  reporting attention none clears it, and so does the same device reporting another code (the
  newer state supersedes the older one).
- offline: no heartbeat for [fleet] offline_minutes; the next heartbeat clears it.
- app: the app `down`, or `restarting` for longer than offline_minutes; `running` clears it.
- update: the kiosk's update `rolled-back` or `failed` (docs/updates.md), for the version the
  hub wants for it now; a later `updated` or `up-to-date`, a report about another version, or
  a change of the version wanted for it clears it.

Several hub instances on one database (PostgreSQL) open each alert once: the store keeps one
open alert per key (a unique index), so of two instances that see the same condition only the
one whose insert made the row has opened it, and only that one mails it. Each instance's memory
is then a cache of what is open, read again from the store every REFRESH_SECONDS, so that an
alert another instance opened is cleared here too (at most that much later).

`Notifier` mails each alert once when it opens ([alerts] notify_clear for `clear`, which library
staff can fix; notify_maintenance for the rest) through the site's relay, in the background: a
slow or broken relay never holds up a kiosk's request. Each mail is made and sent on its own, so
one that fails holds up no other. The mail names the kiosk, its location,
the device and the code, never a person.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from hub.delivery.transport import DeliveryError, Mailer, Outgoing
from hub.fleet.settings import AlertSettings
from hub.hours import utc_iso
from hub.intake import without_controls
from hub.store.fleet import Alert, FleetStore

log = logging.getLogger(__name__)

RAISED = ("clear", "maintenance", "suspend")
#: The attention of alerts that are not a device's own: a technician must look.
TECHNICIAN = "maintenance"
RETRY_AFTER = timedelta(minutes=5)
MAIL_BATCH = 100
#: With several instances, how often each reads the open alerts again (see the module).
REFRESH_SECONDS = 15.0
#: The update states that open an alert, and its code.
UPDATE_CODES = {"rolled-back": "rolled-back", "failed": "update-failed"}


class AlertBook:
    """The open alerts, in memory and in the store."""

    def __init__(
        self,
        store: FleetStore,
        notifier: Notifier | None = None,
        *,
        shared: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._notifier = notifier
        self._open: dict[str, dict[tuple[str, str, str, str], Alert]] = {}
        #: Other hub instances open and clear alerts in the same store (PostgreSQL).
        self._shared = shared
        self._clock = clock
        self._loaded_at: float | None = None

    def load(self) -> None:
        self._open.clear()
        for alert in self._store.open_alerts():
            self._open.setdefault(alert.kiosk_id, {})[alert.key] = alert
        self._loaded_at = self._clock()

    def _fresh(self) -> None:
        """Shared with other instances: what is open is read again when the copy is old."""
        if self._shared and (
            self._loaded_at is None or self._clock() - self._loaded_at >= REFRESH_SECONDS
        ):
            self.load()

    def open_alerts(self, kiosk_id: str | None = None) -> list[Alert]:
        self._fresh()
        if kiosk_id is not None:
            return sorted(self._open.get(kiosk_id, {}).values(), key=lambda alert: alert.id)
        return sorted(
            (alert for alerts in self._open.values() for alert in alerts.values()),
            key=lambda alert: alert.id,
        )

    def counts(self) -> dict[str, int]:
        """Open alerts by attention."""
        self._fresh()
        counts = dict.fromkeys(RAISED, 0)
        for alerts in self._open.values():
            for alert in alerts.values():
                counts[alert.attention] = counts.get(alert.attention, 0) + 1
        return counts

    def raise_(
        self,
        kiosk_id: str,
        source: str,
        device_id: str | None,
        code: str | None,
        attention: str,
        *,
        at: str,
        detail: str | None = None,
    ) -> Alert | None:
        """Open this alert unless it is open already; returns it when it was opened now (by
        this instance: only then is it mailed from here)."""
        self._fresh()
        key = (kiosk_id, source, device_id or "", code or "")
        alerts = self._open.setdefault(kiosk_id, {})
        if key in alerts:
            return None
        alert = self._store.open_alert(
            kiosk_id, source, device_id, code, attention, at=at, detail=detail
        )
        if alert is None:
            # Open already: another instance opened it (and mails it). The next refresh
            # brings it into this instance's copy.
            return None
        alerts[key] = alert
        log.info(
            "alert %d opened: %s %s %s",
            alert.id,
            source,
            device_id or "-",
            code or "-",
            extra={"kiosk_id": kiosk_id, "event": "alert", "reason": attention},
        )
        if self._notifier is not None:
            self._notifier.opened(alert)
        return alert

    def clear(
        self,
        kiosk_id: str,
        source: str,
        *,
        at: str,
        device_id: str | None = None,
        keep_code: str | None = None,
    ) -> int:
        """Clear the kiosk's open alerts of `source` (of one device if given) except the one
        with `keep_code`; returns how many were cleared."""
        self._fresh()
        alerts = self._open.get(kiosk_id)
        if not alerts:
            return 0
        gone = [
            key
            for key, alert in alerts.items()
            if alert.source == source
            and (device_id is None or alert.device_id == device_id)
            and (keep_code is None or (alert.code or "") != keep_code)
        ]
        for key in gone:
            alert = alerts.pop(key)
            self._store.clear_alert(alert.id, at=at)
            log.info(
                "alert %d cleared",
                alert.id,
                extra={"kiosk_id": kiosk_id, "event": "alert", "reason": alert.attention},
            )
        return len(gone)

    def device(
        self,
        kiosk_id: str,
        device_id: str,
        attention: str | None,
        code: str | None,
        state: str | None,
        *,
        at: str,
    ) -> None:
        """Apply a device's reported state (from a heartbeat or a device event)."""
        if attention in RAISED:
            assert attention is not None
            self.clear(kiosk_id, "device", at=at, device_id=device_id, keep_code=code or "")
            self.raise_(kiosk_id, "device", device_id, code, attention, at=at, detail=state)
        elif attention == "none":
            self.clear(kiosk_id, "device", at=at, device_id=device_id)

    def app(
        self, kiosk_id: str, state: str, since: str | None, *, now: datetime, limit: timedelta
    ) -> None:
        at = utc_iso(now)
        if state == "running":
            self.clear(kiosk_id, "app", at=at)
        elif state == "down":
            self.raise_(kiosk_id, "app", None, "down", TECHNICIAN, at=at, detail="app down")
        elif (
            state == "restarting"
            and since is not None
            and now - datetime.fromisoformat(since) > limit
        ):
            detail = f"app restarting since {since}"
            self.raise_(kiosk_id, "app", None, "restarting", TECHNICIAN, at=at, detail=detail)

    def update(
        self,
        kiosk_id: str,
        state: str,
        wanted: str | None,
        hub_wanted: str | None,
        *,
        at: str,
        detail: str,
    ) -> None:
        """Apply a kiosk's update report: `wanted` the version it tried, `hub_wanted` the one
        the hub wants for it now (a report about another is old news)."""
        code = UPDATE_CODES.get(state)
        if code is not None and wanted is not None and wanted == hub_wanted:
            # The newer outcome supersedes the other code's alert.
            self.clear(kiosk_id, "update", at=at, keep_code=code)
            self.raise_(kiosk_id, "update", None, code, TECHNICIAN, at=at, detail=detail)
        elif state in ("updated", "up-to-date") or wanted != hub_wanted:
            self.clear(kiosk_id, "update", at=at)


class Notifier:
    """Mails opened alerts to the configured addresses, in batches, from one background task."""

    def __init__(
        self,
        settings: AlertSettings,
        sender: str,
        mailer: Mailer,
        store: FleetStore,
        clock: Callable[[], datetime],
    ) -> None:
        self._settings = settings
        self._sender = sender
        self._mailer = mailer
        self._store = store
        self._clock = clock
        self._queue: asyncio.Queue[Alert] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        #: Alert id → when its mail was last tried without success.
        self._failed: dict[int, datetime] = {}
        self._sent: set[int] = set()
        self._given_up: set[int] = set()

    @property
    def failed(self) -> frozenset[int]:
        """The ids of the alerts whose mail failed and waits to be tried again."""
        return frozenset(self._failed)

    @property
    def given_up(self) -> frozenset[int]:
        """The ids of the alerts whose mail could not be made at all: never tried again."""
        return frozenset(self._given_up)

    def recipients(self, alert: Alert) -> tuple[str, ...]:
        if alert.attention == "clear":
            return self._settings.notify_clear
        return self._settings.notify_maintenance

    def opened(self, alert: Alert) -> None:
        if self.recipients(alert):
            self._queue.put_nowait(alert)

    def retry_due(self, open_alerts: list[Alert]) -> None:
        """Queue again the open alerts whose mail failed long enough ago."""
        now = self._clock()
        for alert in open_alerts:
            tried = self._failed.get(alert.id)
            if (
                tried is not None
                and now - tried >= RETRY_AFTER
                and alert.id not in self._sent | self._given_up
            ):
                self._failed.pop(alert.id)
                self._queue.put_nowait(alert)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="alert-mail")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < MAIL_BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self.send(batch)
            except Exception:
                log.exception("alert mail broke", extra={"event": "alert-mail"})

    async def send(self, alerts: list[Alert]) -> None:
        """Mail each alert on its own, so that one which cannot be built or sent holds up no
        other: a failed send is tried again later, a mail that cannot be built never is."""
        for alert in alerts:
            if alert.id not in self._given_up:
                await self._send_one(alert)

    async def _send_one(self, alert: Alert) -> None:
        extra = {"kiosk_id": alert.kiosk_id, "event": "alert-mail"}
        try:
            kiosk = self._store.kiosk(alert.kiosk_id) or {}
            message = alert_message(alert, kiosk.get("location") or "", self._sender, self._clock())
            outgoing = Outgoing.of(message, self._sender, list(self.recipients(alert)))
        except (ValueError, TypeError, LookupError) as exc:
            self._given_up.add(alert.id)
            log.error(
                "alert %d mail cannot be made; it is not tried again",
                alert.id,
                extra={**extra, "error": f"{type(exc).__name__}: {exc}"[:300]},
            )
            return
        try:
            await self._mailer.send([outgoing])
        except DeliveryError as exc:
            self._failed[alert.id] = self._clock()
            log.warning(
                "alert mail not sent", extra={**extra, "error": exc.text, "reason": str(alert.id)}
            )
            return
        self._sent.add(alert.id)
        self._store.alert_notified(alert.id, at=utc_iso(self._clock()))
        log.info("alert %d mailed", alert.id, extra={"kiosk_id": alert.kiosk_id})


_WHAT = {
    "offline": ("Kioski ei vastaa", "Kiosk not responding"),
    "app": ("Kioskin sovellus ei toimi", "Kiosk app not running"),
    "device": ("Laite tarvitsee huomiota", "Device needs attention"),
    "update": ("Ohjelmistopäivitys ei onnistunut", "Software update did not succeed"),
}


def alert_message(alert: Alert, location: str, sender: str, at: datetime) -> EmailMessage:
    """The alert as a short bilingual mail: ids, place and codes only."""
    fi, en = _WHAT.get(alert.source, _WHAT["device"])
    # What a kiosk reported goes into one-line places: a line break stored before intake
    # refused it must not break the header (or smuggle one in).
    device = without_controls(alert.device_id or "-")
    code = without_controls(alert.code or "-")
    location = without_controls(location)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = sender  # the envelope carries the recipients; no list of staff is shown
    message["Subject"] = f"[{alert.attention}] {alert.kiosk_id}: {en} ({device}, {code})"
    message["Date"] = format_datetime(at)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(
        f"{fi} / {en}\n\n"
        f"Kioski / Kiosk: {alert.kiosk_id}\n"
        f"Sijainti / Location: {location}\n"
        f"Laite / Device: {device}\n"
        f"Koodi / Code: {code}\n"
        f"Huomio / Attention: {alert.attention}\n"
        f"Alkoi / Opened: {alert.opened_at}\n"
        # An update's outcome: the versions and the updater's reason (no person in it).
        + (
            f"Tiedot / Detail: {without_controls(alert.detail or '-')}\n"
            if alert.source == "update"
            else ""
        )
    )
    return message
