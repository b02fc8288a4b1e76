"""What the hub's app holds for fleet health: the state kept in memory, and the offline watch.

`Fleet` keeps each kiosk's last heartbeat time and app state, and the open alerts, in memory
(loaded from the store at start), so that a heartbeat is one upsert plus dictionary look-ups.
Its watch task runs at start and every WATCH_SECONDS: kiosks silent for [fleet] offline_minutes
get an `offline` alert, apps restarting for as long an `app` alert, and failed alert mails are
tried again.

After the hub itself was down, a kiosk that was heartbeating when the hub stopped gets
offline_minutes from the hub's start before it counts as offline: its silence was the hub's.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from hub.config import HubConfig
from hub.delivery.transport import Mailer
from hub.fleet.alerts import TECHNICIAN, AlertBook, Notifier
from hub.fleet.metrics import FleetMetrics
from hub.fleet.wire import Heartbeat, compact
from hub.hours import utc_iso
from hub.store import HubStore
from hub.store.fleet import FleetStore

log = logging.getLogger(__name__)

WATCH_SECONDS = 30.0


@dataclass
class _Seen:
    at: datetime
    app_state: str | None = None
    app_since: str | None = None


@dataclass
class Fleet:
    config: HubConfig
    store: FleetStore
    hub_store: HubStore
    clock: Callable[[], datetime]
    book: AlertBook
    notifier: Notifier | None
    metrics: FleetMetrics = field(default_factory=FleetMetrics)
    #: The bearer token /metrics asks for; None = none configured; "" = unreadable file.
    metrics_token: str | None = None
    _seen: dict[str, _Seen] = field(default_factory=dict)
    #: Kiosk id → the earliest time it can count as offline (the hub's start, see above).
    _grace: dict[str, datetime] = field(default_factory=dict)
    #: (kiosk id, device id) → the kiosk's time of the newest state applied to alerts.
    _device_at: dict[tuple[str, str], str] = field(default_factory=dict)
    _pending_actions: set[str] = field(default_factory=set)
    _task: asyncio.Task[None] | None = None

    @classmethod
    def make(
        cls,
        config: HubConfig,
        store: HubStore,
        clock: Callable[[], datetime],
        smtp_password: str | None = None,
    ) -> Fleet:
        # The store's own lock: the fleet tables share its one connection with everything else.
        fleet_store = store.fleet
        notifier = None
        if config.alerts.notify_clear or config.alerts.notify_maintenance:
            mailer = Mailer(config.smtp, smtp_password)
            notifier = Notifier(config.alerts, config.email.sender, mailer, fleet_store, clock)
        return cls(
            config,
            fleet_store,
            store,
            clock,
            AlertBook(fleet_store, notifier, shared=store.dialect == "postgresql"),
            notifier,
            metrics_token=_read_token(config),
        )

    @property
    def offline_after(self) -> timedelta:
        return timedelta(minutes=self.config.fleet.offline_minutes)

    # Start and stop

    def load(self) -> None:
        """Read the open alerts, last heartbeats and undelivered actions from the store."""
        self.book.load()
        now = self.clock()
        self._seen.clear()
        for row in self.store.statuses():
            if row["received_at"]:
                self._seen[row["kiosk_id"]] = _Seen(
                    datetime.fromisoformat(row["received_at"]), row["app_state"], row["app_since"]
                )
        if self._seen:
            latest = max(seen.at for seen in self._seen.values())
            self._grace = {
                kiosk_id: now
                for kiosk_id, seen in self._seen.items()
                if latest - seen.at <= self.offline_after
            }
        self._pending_actions = self.store.kiosks_with_undelivered_actions()

    async def start(self, app: web.Application) -> None:
        self.load()
        if self.notifier is not None:
            self.notifier.start()
        self._task = asyncio.create_task(self._watch(), name="fleet-watch")

    async def stop(self, app: web.Application) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self.notifier is not None:
            await self.notifier.stop()

    async def _watch(self) -> None:
        while True:
            try:
                self.watch()
            except Exception:
                log.exception("fleet watch failed", extra={"event": "fleet-watch"})
            await asyncio.sleep(WATCH_SECONDS)

    def watch(self) -> None:
        """Open the alerts that silence and long restarts call for; retry failed mails."""
        now = self.clock()
        limit = self.offline_after
        if self.hub_store.dialect == "postgresql":
            # Several instances: a kiosk's heartbeats may reach another one; the store has them.
            for kiosk_id, received_at, app_state, app_since in self.store.last_heartbeats():
                at = datetime.fromisoformat(received_at)
                self._seen[kiosk_id] = _Seen(at, app_state, app_since)
        # A revoked kiosk is retired (or waits for a new token): its silence is expected, and
        # an offline alert it had is cleared rather than left for support to wonder about.
        revoked = self.hub_store.revoked_kiosks()
        for kiosk_id, seen in self._seen.items():
            if kiosk_id in revoked:
                self.book.clear(kiosk_id, "offline", at=utc_iso(now))
                continue
            since = max(seen.at, self._grace.get(kiosk_id, seen.at))
            if now - since > limit:
                self.book.raise_(
                    kiosk_id,
                    "offline",
                    None,
                    "no-heartbeat",
                    TECHNICIAN,
                    at=utc_iso(now),
                    detail=f"last heartbeat {utc_iso(seen.at)}",
                )
            if seen.app_state == "restarting":
                self.book.app(kiosk_id, "restarting", seen.app_since, now=now, limit=limit)
        if self.notifier is not None:
            self.notifier.retry_due(self.book.open_alerts())

    # Kiosk reports

    def heartbeat(self, kiosk_id: str, beat: Heartbeat) -> list[dict[str, Any]]:
        """Store a heartbeat, apply it to alerts; returns the actions to hand the kiosk."""
        now = self.clock()
        at = utc_iso(now)
        devices = {
            device.device_id: {
                "state": device.state,
                "attention": device.attention,
                "code": device.code,
                "since": device.since,
            }
            for device in beat.devices
        }
        self.store.save_status(
            [
                kiosk_id,
                at,
                beat.app_state,
                beat.app_since,
                beat.version,
                int(beat.session_active),
                compact(devices),
                *beat.disk,
                *beat.memory,
                beat.uptime_s,
                beat.last_self_test,
            ]
        )
        self._seen[kiosk_id] = _Seen(now, beat.app_state, beat.app_since)
        self.book.clear(kiosk_id, "offline", at=at)
        self.book.app(kiosk_id, beat.app_state, beat.app_since, now=now, limit=self.offline_after)
        for device in beat.devices:
            if self._newer(kiosk_id, device.device_id, beat.sent_at):
                self.book.device(
                    kiosk_id, device.device_id, device.attention, device.code, device.state, at=at
                )
        self.metrics.heartbeats.inc()
        if kiosk_id not in self._pending_actions:
            return []
        self._pending_actions.discard(kiosk_id)
        return self.store.deliver_actions(kiosk_id, at=at)

    def device_events(self, kiosk_id: str, rows: list[list[Any]]) -> None:
        """Apply device events (kiosk_events rows) to alerts, oldest first, unless a newer
        state of that device was applied already (a late or repeated batch)."""
        at = utc_iso(self.clock())
        device_rows = [row for row in rows if row[5] == "device" and row[6]]
        for row in sorted(device_rows, key=lambda row: str(row[2])):
            payload_state = _state(row[10])
            device_id, event_at = str(row[6]), str(row[2])
            if self._newer(kiosk_id, device_id, event_at):
                self.book.device(kiosk_id, device_id, row[8], row[7], payload_state, at=at)

    def _newer(self, kiosk_id: str, device_id: str, at: str) -> bool:
        key = (kiosk_id, device_id)
        if at < self._device_at.get(key, ""):
            return False
        self._device_at[key] = at
        return True

    def action_requested(self, kiosk_id: str) -> None:
        self._pending_actions.add(kiosk_id)

    # Support's view

    def online(self, kiosk_id: str, now: datetime) -> bool:
        seen = self._seen.get(kiosk_id)
        return seen is not None and now - seen.at <= self.offline_after

    def metrics_allowed(self, request: web.Request) -> bool:
        # Not "any loopback caller": behind a TLS proxy on the same host everyone is loopback.
        if self.config.metrics.private_port:
            return True
        if self.metrics_token is None:
            return False
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        return (
            bool(self.metrics_token)
            and scheme.lower() == "bearer"
            # surrogateescape: header bytes that are not UTF-8 compare as bytes, never raise.
            and hmac.compare_digest(
                given.strip().encode("utf-8", "surrogateescape"), self.metrics_token.encode()
            )
        )


def _state(payload_json: object) -> str | None:
    import json

    try:
        payload = json.loads(str(payload_json))
    except ValueError:
        return None
    state = payload.get("state") if isinstance(payload, dict) else None
    return state if isinstance(state, str) else None


def _read_token(config: HubConfig) -> str | None:
    path = config.metrics.token_file
    if path is None:
        return None
    try:
        lines = path.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        log.error(
            "metrics.token_file unreadable: /metrics refuses everyone", extra={"error": str(exc)}
        )
        return ""
    return lines[0].strip() if lines else ""


FLEET = web.AppKey("fleet", Fleet)
