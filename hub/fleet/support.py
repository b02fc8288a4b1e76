"""Support's JSON API of fleet health (docs/fleet-protocol.md): the fleet at a glance, one kiosk
in detail, its logs, actions asked of it, usage figures; and /metrics for Prometheus.

Only support and admin reach these (the route table); the dashboard pages build on them.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from datetime import datetime
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from hub.auth import staff
from hub.eservices import ESERVICES
from hub.fleet import usage as usage_report
from hub.fleet.ingest import ACTION_ID
from hub.fleet.service import FLEET, Fleet
from hub.fleet.wire import BadBody, choice, read_json, text
from hub.hours import HELSINKI, utc_iso
from hub.store.fleet import LEVELS, Alert
from hub.store.submissions import STATUSES
from hub.updates.targets import Rollout

log = logging.getLogger(__name__)

ACTION_KINDS = ("restart-app", "self-test", "test-page", "screenshot")
#: The furthest a page of records may start (LIMIT/OFFSET: deeper pages cost more to skip to).
MAX_OFFSET = 1_000_000
DIGITS = re.compile(r"[0-9]{1,12}")


def _stored(text: object, default: Any) -> Any:
    """JSON the hub stored, or `default` when a row holds something unreadable (written before
    intake refused it): one bad row must not break the page showing it."""
    if not isinstance(text, str) or not text:
        return default
    try:
        return json.loads(text, parse_constant=lambda _: None)
    except (ValueError, RecursionError):
        return default


def _alert(alert: Alert, contact: str | None, *, cleared: bool = False) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "id": alert.id,
        "source": alert.source,
        "attention": alert.attention,
        "device_id": alert.device_id,
        "code": alert.code,
        "opened_at": alert.opened_at,
        "detail": alert.detail,
        # `clear` alerts are for library staff: whom to call about this kiosk.
        "contact": contact if alert.attention == "clear" else None,
    }
    if cleared:
        shown["cleared_at"] = alert.cleared_at
    return shown


def _item(
    fleet: Fleet,
    kiosk: dict[str, Any],
    status: dict[str, Any] | None,
    now: datetime,
    update: dict[str, Any] | None = None,
) -> dict[str, Any]:
    status = status or {}
    devices = _stored(status.get("devices_json"), {})
    if not isinstance(devices, dict):
        devices = {}
    contact = kiosk["contact"]
    return {
        **kiosk,
        "online": fleet.online(kiosk["kiosk_id"], now),
        "last_heartbeat": status.get("received_at"),
        "app_state": status.get("app_state"),
        "version": status.get("version"),
        "session_active": bool(status.get("session_active")),
        "devices": {
            device_id: {key: report.get(key) for key in ("state", "attention", "code")}
            for device_id, report in devices.items()
            if isinstance(report, dict)
        },
        "open_alerts": [
            _alert(alert, contact) for alert in fleet.book.open_alerts(kiosk["kiosk_id"])
        ],
        "update": update,
    }


def _update(report: dict[str, Any] | None, wanted: Rollout | None) -> dict[str, Any]:
    """A kiosk's update as the fleet view shows it (docs/updates.md)."""
    report = report or {}
    return {
        "installed": report.get("installed"),
        "wanted": wanted.version if wanted else None,
        "state": report.get("state"),
        "detail": report.get("detail"),
        "at": report.get("at"),
    }


async def fleet_view(request: web.Request) -> web.Response:
    fleet = request.app[FLEET]
    now = fleet.clock()
    statuses = {row["kiosk_id"]: row for row in fleet.store.statuses()}
    updates = fleet.hub_store.updates
    reports, wanted = updates.reports(), updates.wanted_all()
    kiosks = [
        _item(
            fleet,
            kiosk,
            statuses.get(kiosk["kiosk_id"]),
            now,
            _update(reports.get(kiosk["kiosk_id"]), wanted.get(kiosk["kiosk_id"])),
        )
        for kiosk in fleet.store.kiosks()
    ]
    return web.json_response({"at": utc_iso(now), "kiosks": kiosks})


def _kiosk(fleet: Fleet, request: web.Request) -> dict[str, Any]:
    found = fleet.store.kiosk(request.match_info["kiosk_id"])
    if found is None:
        raise web.HTTPNotFound(text="no such kiosk")
    return found


async def kiosk_view(request: web.Request) -> web.Response:
    fleet = request.app[FLEET]
    kiosk = _kiosk(fleet, request)
    kiosk_id = kiosk["kiosk_id"]
    status = fleet.store.status(kiosk_id) or {}
    updates = fleet.hub_store.updates
    update = _update(updates.report(kiosk_id), updates.wanted(kiosk_id))
    item = _item(fleet, kiosk, status, fleet.clock(), update)
    self_test = status.get("last_self_test_json")
    item.update(
        disk={"free_bytes": status.get("disk_free"), "total_bytes": status.get("disk_total")},
        memory={
            "available_bytes": status.get("mem_available"),
            "total_bytes": status.get("mem_total"),
        },
        uptime_s=status.get("uptime_s"),
        last_self_test=_stored(self_test, None),
    )
    actions = [
        {
            **row,
            "ok": None if row["ok"] is None else bool(row["ok"]),
            "has_screenshot": bool(row["has_screenshot"]),
        }
        for row in fleet.store.actions_for(kiosk_id)
    ]
    for row in actions:
        del row["kiosk_id"]
    history_limit = _whole(request, "history_limit", 200, 1, 200)
    history_offset = _whole(request, "history_offset", 0, 0, MAX_OFFSET)
    return web.json_response(
        {
            "kiosk": item,
            "device_history": fleet.store.device_history(kiosk_id, history_limit, history_offset),
            "device_history_total": fleet.store.device_history_count(kiosk_id),
            "alerts": [
                _alert(alert, kiosk["contact"], cleared=True)
                for alert in fleet.store.alerts_for(kiosk_id)
            ],
            "actions": actions,
        }
    )


def _whole(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    """The query parameter `name`, a whole number in low..high; 400 otherwise."""
    text_value = request.query.get(name) or str(default)
    # ASCII digits only: str.isdigit() also takes "²", which int() refuses.
    if not DIGITS.fullmatch(text_value) or not low <= int(text_value) <= high:
        raise web.HTTPBadRequest(text=f"{name} must be a whole number from {low} to {high}")
    return int(text_value)


async def kiosk_logs(request: web.Request) -> web.Response:
    """A page of the kiosk's records, newest first, and how many the filter matches."""
    fleet = request.app[FLEET]
    kiosk = _kiosk(fleet, request)
    level = request.query.get("level") or "debug"
    if level not in LEVELS:
        raise web.HTTPBadRequest(text=f"level must be one of {', '.join(LEVELS)}")
    limit = _whole(request, "limit", 200, 1, 1000)
    offset = _whole(request, "offset", 0, 0, MAX_OFFSET)
    query = request.query.get("q", "")[:200]
    kiosk_id = kiosk["kiosk_id"]
    records = fleet.store.logs(kiosk_id, query=query, min_level=level, limit=limit, offset=offset)
    total = fleet.store.count_logs(kiosk_id, query=query, min_level=level)
    return web.json_response({"records": records, "total": total, "offset": offset, "limit": limit})


async def request_action(request: web.Request) -> web.Response:
    fleet = request.app[FLEET]
    identity = staff(request)
    kiosk = _kiosk(fleet, request)
    try:
        body = await read_json(request, 4096)
        kind = choice(body, "kind", "", ACTION_KINDS)
        device_id = text(body, "device_id", "", optional=True, limit=64)
    except BadBody as exc:
        return web.json_response({"error": str(exc), "field": exc.field}, status=400)
    assert kind is not None
    action_id = uuid.uuid4().hex
    fleet.store.add_action(
        action_id,
        kiosk["kiosk_id"],
        kind,
        device_id,
        identity.user.username,
        at=utc_iso(fleet.clock()),
    )
    fleet.action_requested(kiosk["kiosk_id"])
    log.info(
        "action %s asked: %s",
        action_id,
        kind,
        extra={
            "kiosk_id": kiosk["kiosk_id"],
            "username": identity.user.username,
            "event": "action",
        },
    )
    return web.json_response({"id": action_id}, status=202)


async def screenshot(request: web.Request) -> web.Response:
    action_id = request.match_info["id"]
    image = (
        request.app[FLEET].store.screenshot(action_id) if ACTION_ID.fullmatch(action_id) else None
    )
    if image is None:
        raise web.HTTPNotFound(text="no screenshot for this action")
    return web.Response(body=image, content_type="image/png")


def _usage(request: web.Request) -> dict[str, Any]:
    fleet = request.app[FLEET]
    today = fleet.clock().astimezone(HELSINKI).date()
    try:
        period = usage_report.parse_period(
            request.query.get("from"), request.query.get("to"), today
        )
    except ValueError as exc:
        raise web.HTTPBadRequest(text=str(exc)) from None
    figures = usage_report.report(fleet.store, fleet.config.fleet, period, fleet.store.kiosks())
    # E-services by the name the hub's catalogue gives them (English, the dashboard's language);
    # one no longer in it keeps only its id.
    catalogue = request.app.get(ESERVICES)
    for item in figures["per_eservice"]:
        found = catalogue.service(item["eservice"]) if catalogue is not None else None
        item["name"] = found.name("en") if found is not None else None
    return figures


async def usage(request: web.Request) -> web.Response:
    return web.json_response(_usage(request))


async def usage_csv(request: web.Request) -> web.Response:
    figures = _usage(request)
    name = f"kiosk-usage-{figures['from']}-{figures['to']}.csv"
    return web.Response(
        text=usage_report.as_csv(figures),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


async def metrics(request: web.Request) -> web.Response:
    """Prometheus text format, to those with [metrics] token_file's token (or to anyone on a
    port configured as private)."""
    fleet = request.app[FLEET]
    if not fleet.metrics_allowed(request):
        refused = web.json_response({"error": "the metrics token is required"}, status=401)
        refused.headers["WWW-Authenticate"] = 'Bearer realm="kiosk-hub metrics"'
        return refused
    m = fleet.metrics
    now = fleet.clock()
    # The ids alone: a scrape of a fleet of 10 000 must not hold the event loop for whole rows.
    kiosks = [row["kiosk_id"] for row in fleet.store.query("SELECT kiosk_id FROM kiosks")]
    online = sum(fleet.online(kiosk_id, now) for kiosk_id in kiosks)
    m.kiosks.labels("online").set(online)
    m.kiosks.labels("offline").set(len(kiosks) - online)
    for attention, count in fleet.book.counts().items():
        m.open_alerts.labels(attention).set(count)
    counts = dict.fromkeys(STATUSES, 0)
    for row in fleet.store.query("SELECT status, count(*) AS n FROM submissions GROUP BY status"):
        counts[row["status"]] = row["n"]
    for status, count in counts.items():
        m.submissions.labels(status).set(count)
    return web.Response(
        body=generate_latest(m.registry), headers={"Content-Type": CONTENT_TYPE_LATEST}
    )
