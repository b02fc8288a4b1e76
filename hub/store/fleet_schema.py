"""The fleet tables of the hub database (migration v5).

What each kiosk's last heartbeat said, the health and log records and the anonymous usage facts
kiosks ship, the alerts the hub raises and the remote actions staff request. `FleetStore`
(hub.store.fleet) reads and writes them.
"""

from __future__ import annotations

from sqlite_utils import Database


def _fleet_v5(db: Database) -> None:
    # What each kiosk's last heartbeat said; one row per kiosk, replaced on every beat.
    db.table("kiosk_status").create(
        {
            "kiosk_id": str,
            "received_at": str,
            "app_state": str,
            "app_since": str,
            "version": str,
            "session_active": int,
            "devices_json": str,
            "disk_free": int,
            "disk_total": int,
            "mem_available": int,
            "mem_total": int,
            "uptime_s": int,
            "last_self_test_json": str,
        },
        pk="kiosk_id",
        strict=True,
    )
    # Health and log records the kiosk shipped (never a citizen's data: the kiosk keeps that
    # out of events). event_id is the kiosk's own; the hub's own records use negative ids.
    db.table("kiosk_events").create(
        {
            "kiosk_id": str,
            "event_id": int,
            "at": str,
            "received_at": str,
            "level": str,
            "kind": str,
            "device_id": str,
            "code": str,
            "attention": str,
            "message": str,
            "payload_json": str,
        },
        pk=("kiosk_id", "event_id"),
        not_null=["at", "received_at", "level", "kind"],
        strict=True,
    )
    db.table("kiosk_events").create_index(["kiosk_id", "at"])
    # Anonymous usage facts (which service, how long, what outcome; never who).
    db.table("kiosk_usage").create(
        {
            "kiosk_id": str,
            "usage_id": int,
            "session_id": str,
            "kind": str,
            "service": str,
            "language": str,
            "value": str,
            "duration_ms": int,
            "at": str,
        },
        pk=("kiosk_id", "usage_id"),
        not_null=["kind", "at"],
        strict=True,
    )
    db.table("kiosk_usage").create_index(["kiosk_id", "at"])
    db.table("kiosk_usage").create_index(["at"])
    # source is device, offline or app; attention none, clear, maintenance or suspend.
    db.table("alerts").create(
        {
            "id": int,
            "kiosk_id": str,
            "source": str,
            "device_id": str,
            "code": str,
            "attention": str,
            "opened_at": str,
            "cleared_at": str,
            "notified_at": str,
            "detail": str,
        },
        pk="id",
        not_null=["kiosk_id", "source", "attention", "opened_at"],
        strict=True,
    )
    db.table("alerts").create_index(["kiosk_id", "opened_at"])
    db.table("alerts").create_index(["cleared_at"])
    db.table("actions").create(
        {
            "id": str,
            "kiosk_id": str,
            "kind": str,
            "device_id": str,
            "requested_by": str,
            "requested_at": str,
            "delivered_at": str,
            "done_at": str,
            "ok": int,
            "message": str,
            "screenshot": bytes,
        },
        pk="id",
        not_null=["kiosk_id", "kind", "requested_by", "requested_at"],
        strict=True,
    )
    db.table("actions").create_index(["kiosk_id", "requested_at"])
