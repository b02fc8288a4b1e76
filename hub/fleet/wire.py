"""Reading kiosk bodies (docs/fleet-protocol.md): JSON checked field by field into typed values.

The body itself was decoded at intake (hub.intake: strict JSON, no NaN, bounded depth). A body
that breaks the protocol raises `BadBody` naming the field ("events[3].at: ..."); the handler
answers 400 with it. A value of the right type the hub will not take (a control character in a
code, a duration or page count past its cap) raises `hub.intake.Refused`, answered 422. Text a
kiosk may legitimately make long or odd (a log message) is cut, and its stray control
characters marked, rather than refused, so that one such record can never block an agent's
queue.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import web

from hub.hours import utc_iso
from hub.intake import BadJson, Refused, clean_text, json_body, marked_controls
from hub.store.fleet import LEVELS
from hub.store.updates import UpdateReport
from hub.updates.targets import VERSION_RULE, is_version

MAX_EVENTS = 500
MAX_USAGE = 1000
MAX_MESSAGE = 4000
MAX_TEXT = 200
APP_STATES = ("running", "starting", "restarting", "down", "unknown")
#: The states of a kiosk's update (docs/updates.md).
UPDATE_STATES = (
    "up-to-date",
    "pending",
    "waiting-for-session",
    "installing",
    "checking",
    "updated",
    "rolled-back",
    "failed",
)
MAX_UPDATE_DETAIL = 500
ATTENTION = ("none", "clear", "maintenance", "suspend")
MAX_DEVICES = 32
#: The longest a usage duration may be: a week, far past any session or call.
MAX_DURATION_MS = 7 * 24 * 3600 * 1000
#: The most pages one print job may count in a usage outcome `printed:<pages>`.
MAX_PAGES = 10_000
_PRINTED = re.compile(r"printed:([0-9]{1,9})")


class BadBody(Exception):
    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}" if field else problem)
        self.field = field


async def read_json(request: web.Request, limit: int) -> dict[str, Any]:
    """The body as a JSON object, at most `limit` bytes (the route's own, not the app's)."""
    if (request.content_length or 0) > limit:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=request.content_length or 0)
    size = len(await request.read())
    if size > limit:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=size)
    try:
        found = await json_body(request)
    except BadJson as exc:
        raise BadBody("", str(exc)) from None
    if not isinstance(found, dict):
        raise BadBody("", "the body must be a JSON object")
    return found


def obj(data: dict[str, Any], key: str, where: str, *, optional: bool = False) -> dict[str, Any]:
    value = data.get(key)
    if value is None and optional:
        return {}
    if not isinstance(value, dict):
        raise BadBody(f"{where}{key}", "must be an object")
    return value


def text(
    data: dict[str, Any],
    key: str,
    where: str,
    *,
    optional: bool = False,
    limit: int = MAX_TEXT,
    cut: bool = False,
    multiline: bool = False,
) -> str | None:
    """One line of text without control characters, refused otherwise; or, when `multiline`,
    free text (a log message) whose line breaks and tabs are kept and whose other control
    characters are each shown as U+FFFD: such text goes into no header, and refusing it would
    hold up every record of the kiosk behind it."""
    value = data.get(key)
    if value is None:
        if optional:
            return None
        raise BadBody(f"{where}{key}", "is required")
    if not isinstance(value, str):
        raise BadBody(f"{where}{key}", "must be text")
    if multiline:
        value = marked_controls(value)
    else:
        clean_text(value, f"{where}{key}")
    if len(value) > limit:
        if not cut:
            raise BadBody(f"{where}{key}", f"at most {limit} characters")
        value = value[: limit - 1] + "…"
    return value


def required_text(data: dict[str, Any], key: str, where: str, **options: Any) -> str:
    value = text(data, key, where, **options)
    assert value is not None
    return value


def choice(
    data: dict[str, Any], key: str, where: str, allowed: tuple[str, ...], *, optional: bool = False
) -> str | None:
    value = data.get(key)
    if value is None and optional:
        return None
    if value not in allowed:
        raise BadBody(f"{where}{key}", f"must be one of {', '.join(allowed)}")
    return str(value)


def number(
    data: dict[str, Any],
    key: str,
    where: str,
    *,
    optional: bool = False,
    low: int = 0,
    high: int | None = None,
) -> int | None:
    value = data.get(key)
    if value is None and optional:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < low or value >= 2**63:
        raise BadBody(f"{where}{key}", f"must be a whole number from {low}")
    if high is not None and value > high:
        raise Refused(f"{where}{key}", f"at most {high}")
    return value


def key_text(key: str, where: str, *, limit: int = 64) -> str:
    """A key of an object that names something (a device): short one-line text."""
    if not 0 < len(key) <= limit:
        raise BadBody(f"{where}{key[:limit]}", f"must be a key of 1 to {limit} characters")
    return clean_text(key, f"{where}{key[:limit]}")


def flag(data: dict[str, Any], key: str, where: str) -> bool:
    value = data.get(key)
    if not isinstance(value, bool):
        raise BadBody(f"{where}{key}", "must be true or false")
    return value


def moment(data: dict[str, Any], key: str, where: str, *, optional: bool = False) -> str | None:
    """An ISO 8601 time with its offset, as the hub's UTC form (so that text order is time)."""
    value = data.get(key)
    if value is None and optional:
        return None
    if isinstance(value, str) and len(value) <= 40:
        try:
            parsed = datetime.fromisoformat(value)
            # A time at the edge of the calendar (year 1 east of UTC) has no UTC form.
            found = utc_iso(parsed) if parsed.tzinfo is not None else None
        except (ValueError, OverflowError):
            found = None
        if found is not None:
            return found
    raise BadBody(f"{where}{key}", "must be an ISO 8601 time with a time zone")


def items(data: dict[str, Any], key: str, most: int) -> list[dict[str, Any]]:
    value = data.get(key)
    if not isinstance(value, list):
        raise BadBody(key, "must be a list")
    if len(value) > most:
        raise BadBody(key, f"at most {most} in one request")
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise BadBody(f"{key}[{index}]", "must be an object")
    return value


def compact(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class DeviceReport:
    device_id: str
    state: str
    attention: str
    code: str | None
    since: str | None


@dataclass(frozen=True)
class Heartbeat:
    sent_at: str
    app_state: str
    app_since: str | None
    version: str | None
    session_active: bool
    devices: tuple[DeviceReport, ...]
    disk: tuple[int | None, int | None]
    memory: tuple[int | None, int | None]
    uptime_s: int | None
    #: The kiosk's last self-test as compact JSON {"at", "results"}, or None.
    last_self_test: str | None = None
    #: The kiosk's update (docs/updates.md); None from an agent that sends none.
    update: UpdateReport | None = None


def heartbeat(body: dict[str, Any]) -> Heartbeat:
    app = obj(body, "app", "")
    devices = obj(body, "devices", "", optional=True)
    if len(devices) > MAX_DEVICES:
        raise BadBody("devices", f"at most {MAX_DEVICES} devices")
    reports = []
    for device_id, report in devices.items():
        key_text(device_id, "devices.")
        where = f"devices.{device_id}."
        if not isinstance(report, dict):
            raise BadBody(f"devices.{device_id}", "must be an object under a short id")
        reports.append(
            DeviceReport(
                device_id,
                required_text(report, "state", where, limit=64),
                choice(report, "attention", where, ATTENTION, optional=True) or "none",
                text(report, "code", where, optional=True, limit=MAX_TEXT),
                moment(report, "since", where, optional=True),
            )
        )
    disk = obj(body, "disk", "", optional=True)
    memory = obj(body, "memory", "", optional=True)
    return Heartbeat(
        sent_at=moment(body, "sent_at", "") or "",
        app_state=choice(app, "state", "app.", APP_STATES) or "unknown",
        app_since=moment(app, "since", "app.", optional=True),
        version=text(app, "version", "app.", optional=True, limit=64),
        session_active=flag(body, "session_active", ""),
        devices=tuple(reports),
        disk=(
            number(disk, "free_bytes", "disk.", optional=True),
            number(disk, "total_bytes", "disk.", optional=True),
        ),
        memory=(
            number(memory, "available_bytes", "memory.", optional=True),
            number(memory, "total_bytes", "memory.", optional=True),
        ),
        uptime_s=number(body, "uptime_seconds", "", optional=True),
        last_self_test=_self_test(body),
        update=_update(body),
    )


def _update(body: dict[str, Any]) -> UpdateReport | None:
    if body.get("update") is None:
        return None
    found = obj(body, "update", "")
    versions = {}
    for key in ("installed", "previous", "wanted"):
        value = found.get(key)
        if value is not None and not is_version(value):
            raise BadBody(f"update.{key}", f"must be {VERSION_RULE}, or null")
        versions[key] = value
    return UpdateReport(
        state=choice(found, "state", "update.", UPDATE_STATES) or "",
        detail=text(
            found,
            "detail",
            "update.",
            optional=True,
            limit=MAX_UPDATE_DETAIL,
            cut=True,
            multiline=True,
        ),
        at=moment(found, "at", "update.", optional=True),
        **versions,
    )


def _self_test(body: dict[str, Any]) -> str | None:
    found = obj(body, "last_self_test", "", optional=True)
    if not found:
        return None
    results = obj(found, "results", "last_self_test.")
    if len(results) > MAX_DEVICES:
        raise BadBody("last_self_test.results", f"at most {MAX_DEVICES} devices")
    for device_id in results:
        key_text(device_id, "last_self_test.results.")
        text(results, device_id, "last_self_test.results.", limit=MAX_TEXT)
    at = moment(found, "at", "last_self_test.")
    return compact({"at": at, "results": results})


def event_row(kiosk_id: str, item: dict[str, Any], index: int, received_at: str) -> list[object]:
    """One event as a kiosk_events row (EVENT_COLUMNS order)."""
    where = f"events[{index}]."
    payload = item.get("payload")
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        raise BadBody(f"{where}payload", "must be an object")
    encoded = compact(payload)
    if len(encoded) > 8 * MAX_MESSAGE:
        encoded = compact({"truncated": True})
    return [
        kiosk_id,
        number(item, "id", where, low=1),
        moment(item, "at", where),
        received_at,
        choice(item, "level", where, LEVELS),
        required_text(item, "kind", where, limit=64),
        text(item, "device_id", where, optional=True, limit=64),
        text(item, "code", where, optional=True, limit=MAX_TEXT, cut=True),
        choice(item, "attention", where, ATTENTION, optional=True),
        text(item, "message", where, optional=True, limit=MAX_MESSAGE, cut=True, multiline=True)
        or "",
        encoded,
    ]


def usage_row(kiosk_id: str, item: dict[str, Any], index: int) -> list[object]:
    """One usage fact as a kiosk_usage row (USAGE_COLUMNS order)."""
    where = f"usage[{index}]."
    value = text(item, "value", where, optional=True, limit=MAX_TEXT, cut=True)
    if value is not None and value.startswith("printed:"):
        pages = _PRINTED.fullmatch(value)
        if pages is None or int(pages.group(1)) > MAX_PAGES:
            raise Refused(f"{where}value", f"printed:<pages> with pages from 0 to {MAX_PAGES}")
    return [
        kiosk_id,
        number(item, "id", where, low=1),
        text(item, "session_id", where, optional=True, limit=64),
        required_text(item, "kind", where, limit=64),
        text(item, "service", where, optional=True, limit=64),
        text(item, "language", where, optional=True, limit=16),
        value,
        number(item, "duration_ms", where, optional=True, high=MAX_DURATION_MS),
        moment(item, "at", where),
    ]
