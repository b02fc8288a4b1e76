"""The kiosk side of fleet health (docs/fleet-protocol.md): heartbeats, event and usage batches,
action results and self-test reports, each from the kiosk whose bearer token came with it.

Each request is one transaction; batches are INSERT OR IGNORE on (kiosk, id), so the agent can
send a batch again after a lost answer and nothing is stored twice.
"""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Awaitable, Callable

from aiohttp import web

from hub.auth import kiosk
from hub.fleet import wire
from hub.fleet.service import FLEET
from hub.fleet.wire import BadBody, read_json
from hub.hours import utc_iso
from hub.intake import Refused
from hub.updates.reports import answer as update_answer
from hub.updates.reports import take_report

log = logging.getLogger(__name__)

KIB = 1024
ACTION_ID = re.compile(r"[0-9a-f]{32}")
PNG = b"\x89PNG\r\n\x1a\n"
MAX_SCREENSHOT = 8 * 1024 * KIB

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def refusing_bad_bodies(handler: Handler) -> Handler:
    """`handler`, a BadBody it raises answered 400 with the field it names, a Refused 422."""

    async def checked(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except (BadBody, Refused) as exc:
            kiosk_id = kiosk(request).kiosk.kiosk_id
            log.info(
                "bad fleet body",
                extra={"kiosk_id": kiosk_id, "path": request.path, "reason": str(exc)[:200]},
            )
            status = 422 if isinstance(exc, Refused) else 400
            return web.json_response({"error": str(exc), "field": exc.field}, status=status)

    return checked


async def heartbeat(request: web.Request) -> web.Response:
    fleet = request.app[FLEET]
    kiosk_id = kiosk(request).kiosk.kiosk_id
    beat = wire.heartbeat(await read_json(request, 64 * KIB))
    actions = fleet.heartbeat(kiosk_id, beat)
    wanted = take_report(fleet, kiosk_id, beat.update)
    if actions:
        log.info(
            "actions handed over",
            extra={"kiosk_id": kiosk_id, "event": "action", "reason": str(len(actions))},
        )
    return web.json_response({"actions": actions, "update": update_answer(wanted)})


async def events(request: web.Request) -> web.Response:
    fleet = request.app[FLEET]
    kiosk_id = kiosk(request).kiosk.kiosk_id
    body = await read_json(request, 4096 * KIB)
    received_at = utc_iso(fleet.clock())
    rows = [
        wire.event_row(kiosk_id, item, index, received_at)
        for index, item in enumerate(wire.items(body, "events", wire.MAX_EVENTS))
    ]
    stored = fleet.store.add_events(rows)
    fleet.device_events(kiosk_id, rows)
    fleet.metrics.event_batches.inc()
    fleet.metrics.events.inc(stored)
    return web.json_response({"stored": stored, "duplicates": len(rows) - stored})


async def usage(request: web.Request) -> web.Response:
    fleet = request.app[FLEET]
    kiosk_id = kiosk(request).kiosk.kiosk_id
    body = await read_json(request, 1024 * KIB)
    rows = [
        wire.usage_row(kiosk_id, item, index)
        for index, item in enumerate(wire.items(body, "usage", wire.MAX_USAGE))
    ]
    stored = fleet.store.add_usage(rows)
    fleet.metrics.usage_batches.inc()
    return web.json_response({"stored": stored, "duplicates": len(rows) - stored})


async def action_result(request: web.Request) -> web.Response:
    fleet = request.app[FLEET]
    kiosk_id = kiosk(request).kiosk.kiosk_id
    action_id = request.match_info["id"]
    action = fleet.store.action(action_id) if ACTION_ID.fullmatch(action_id) else None
    if action is None or action["kiosk_id"] != kiosk_id:
        return web.json_response({"error": "no such action for this kiosk"}, status=404)
    body = await read_json(request, MAX_SCREENSHOT * 4 // 3 + 64 * KIB)
    ok = wire.flag(body, "ok", "")
    message = wire.text(
        body, "message", "", optional=True, limit=wire.MAX_MESSAGE, cut=True, multiline=True
    )
    screenshot = _png(body.get("screenshot_png"))
    at = utc_iso(fleet.clock())
    if fleet.store.action_done(
        action_id, ok=ok, message=message or "", screenshot=screenshot, at=at
    ):
        outcome = "done" if ok else "failed"
        fleet.store.add_hub_event(
            kiosk_id,
            {
                "at": at,
                "received_at": at,
                "level": "info" if ok else "warning",
                "kind": "action",
                "device_id": action["device_id"],
                "message": f"{action['kind']} {outcome}: {message or ''}".strip(),
                "payload_json": wire.compact({"action_id": action_id, "ok": ok}),
            },
        )
        log.info(
            "action %s %s",
            action_id,
            outcome,
            extra={"kiosk_id": kiosk_id, "event": "action", "reason": action["kind"]},
        )
    return web.json_response({})


def _png(value: object) -> bytes | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadBody("screenshot_png", "must be base64 text or null")
    try:
        data = base64.b64decode(value, validate=True)
    except ValueError:  # binascii.Error, and the ValueError of text that is not ASCII
        raise BadBody("screenshot_png", "is not base64") from None
    if not data.startswith(PNG):
        raise BadBody("screenshot_png", "is not a PNG image")
    if len(data) > MAX_SCREENSHOT:
        raise BadBody("screenshot_png", f"at most {MAX_SCREENSHOT} bytes")
    return data


async def self_test(request: web.Request) -> web.Response:
    fleet = request.app[FLEET]
    kiosk_id = kiosk(request).kiosk.kiosk_id
    body = await read_json(request, 64 * KIB)
    at = wire.moment(body, "at", "")
    results = wire.obj(body, "results", "")
    if len(results) > wire.MAX_DEVICES:
        raise BadBody("results", f"at most {wire.MAX_DEVICES} devices")
    for device_id in results:
        wire.key_text(device_id, "results.")
        wire.text(results, device_id, "results.", limit=wire.MAX_TEXT)
    failed = sorted(device for device, result in results.items() if result != "ok")
    fleet.store.save_self_test(kiosk_id, wire.compact({"at": at, "results": results}))
    received = utc_iso(fleet.clock())
    summary = "; ".join(f"{device}: {result}" for device, result in sorted(results.items()))
    fleet.store.add_hub_event(
        kiosk_id,
        {
            "at": at,
            "received_at": received,
            "level": "warning" if failed else "info",
            "kind": "self-test",
            "message": f"self-test: {summary}" if summary else "self-test: no devices",
            "payload_json": wire.compact({"failed": failed}),
        },
    )
    log.info(
        "self-test reported",
        extra={"kiosk_id": kiosk_id, "event": "self-test", "reason": ",".join(failed) or "ok"},
    )
    return web.json_response({})
