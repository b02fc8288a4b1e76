"""The rollout API (docs/updates.md, docs/fleet-protocol.md "Updates"): support reads where each
kiosk stands; an admin chooses the version of a target, a pilot group's members and a kiosk's
library. Every change is logged with the admin's username, the target and the version.

A change that moves a kiosk's wanted version clears that kiosk's update alerts at once: they
were about a version the hub no longer asks for.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from typing import Any

from aiohttp import web

from hub.auth import staff
from hub.fleet.service import FLEET, Fleet
from hub.hours import utc_iso
from hub.intake import BadJson, Refused, json_body
from hub.route import Route
from hub.store.updates import Placement, Updates
from hub.updates.targets import (
    GROUP,
    LIBRARY,
    NAME_RULE,
    TARGET_RULE,
    VERSION_RULE,
    Rollout,
    is_name,
    is_version,
    parse_target,
    wanted_for,
)

log = logging.getLogger(__name__)

ADMIN = frozenset({"admin"})
SUPPORT = frozenset({"support", "admin"})
MAX_MEMBERS = 10_000


def _updates(request: web.Request) -> tuple[Fleet, Updates]:
    fleet = request.app[FLEET]
    return fleet, fleet.hub_store.updates


def _wanted_versions(updates: Updates) -> dict[str, str | None]:
    return {
        kiosk_id: rollout.version if rollout else None
        for kiosk_id, rollout in updates.wanted_all().items()
    }


class _Moves:
    """Around a change: the kiosks whose wanted version it moved lose their update alerts."""

    def __init__(self, fleet: Fleet, updates: Updates) -> None:
        self._fleet = fleet
        self._updates = updates
        self._before = _wanted_versions(updates)

    def done(self) -> None:
        at = utc_iso(self._fleet.clock())
        for kiosk_id, version in _wanted_versions(self._updates).items():
            if self._before.get(kiosk_id) != version:
                self._fleet.book.clear(kiosk_id, "update", at=at)


async def _body(request: web.Request) -> dict[str, Any]:
    """The JSON object of the request; 400 bad-request otherwise (as intake answers)."""
    try:
        found = await json_body(request)
    except BadJson as exc:
        found, problem = None, str(exc)
    else:
        problem = "the body must be a JSON object"
    if not isinstance(found, dict):
        raise web.HTTPBadRequest(
            text=json.dumps({"error": problem, "code": "bad-request"}),
            content_type="application/json",
        )
    return found


def overview(updates: Updates, *, kiosks: bool = True) -> dict[str, Any]:
    """What support sees of updates: rollouts, groups, libraries, and (unless `kiosks` is
    False) each kiosk."""
    rollouts = updates.rollouts()
    placements = updates.placements()
    deciding: dict[str, Rollout | None] = {
        kiosk_id: wanted_for(place.library, place.groups, rollouts)
        for kiosk_id, place in placements.items()
    }
    decided = Counter(rollout.target for rollout in deciding.values() if rollout is not None)
    groups = updates.groups()
    libraries = updates.libraries()
    return {
        "rollouts": [
            {
                "target": rollout.target,
                "version": rollout.version,
                "set_by": rollout.set_by,
                "set_at": rollout.set_at,
                # The kiosks this rollout decides the version of (none more specific does).
                "kiosks": decided[rollout.target],
                # The kiosks in its target, whatever decides theirs.
                "members": _members(rollout.target, placements, groups, libraries),
            }
            for rollout in rollouts.values()
        ],
        "groups": [{"name": name, "kiosks": members} for name, members in groups.items()],
        "libraries": [{"library": name, "kiosks": count} for name, count in libraries.items()],
        "kiosks": _kiosks(updates, placements, deciding) if kiosks else [],
    }


def _kiosks(
    updates: Updates, placements: dict[str, Placement], deciding: dict[str, Rollout | None]
) -> list[dict[str, Any]]:
    reports = updates.reports()
    listed = []
    for kiosk_id, place in placements.items():
        rollout = deciding[kiosk_id]
        report = reports.get(kiosk_id) or {}
        listed.append(
            {
                "kiosk_id": kiosk_id,
                "name": place.name,
                "library": place.library,
                "groups": list(place.groups),
                "installed": report.get("installed"),
                "wanted": rollout.version if rollout else None,
                "wanted_from": rollout.target if rollout else None,
                "state": report.get("state"),
                "detail": report.get("detail"),
                "previous": report.get("previous"),
                "reported_wanted": report.get("wanted"),
                "at": report.get("at"),
                "reported_at": report.get("received_at"),
            }
        )
    return listed


def _members(
    target: str,
    placements: dict[str, Placement],
    groups: dict[str, list[str]],
    libraries: dict[str, int],
) -> int:
    if target.startswith(GROUP):
        return len(groups.get(target[len(GROUP) :], []))
    if target.startswith(LIBRARY):
        return libraries.get(target[len(LIBRARY) :], 0)
    return len(placements)


async def updates_view(request: web.Request) -> web.Response:
    _fleet, updates = _updates(request)
    # The whole fleet's rows, built off the event loop (about 0.1 s at 10 000 kiosks).
    return web.json_response(await asyncio.to_thread(overview, updates))


def checked_target(updates: Updates, target: object) -> str:
    """`target` if a version can be set for it; Refused (field `target`) naming why not."""
    parsed = parse_target(target)
    if parsed is None:
        raise Refused("target", f"must be {TARGET_RULE}")
    kind, name = parsed
    if kind == "group" and name not in updates.groups():
        raise Refused("target", f"there is no group {name}: give it its kiosks first")
    if kind == "library" and name not in updates.libraries():
        raise Refused("target", f"no kiosk is in library {name}: set the kiosks' library first")
    return str(target)


async def set_rollout(request: web.Request) -> web.Response:
    fleet, updates = _updates(request)
    identity = staff(request)
    body = await _body(request)
    target = checked_target(updates, body.get("target"))
    version = body.get("version")
    if not is_version(version):
        raise Refused("version", f"must be {VERSION_RULE}")
    assert isinstance(version, str)
    moves = _Moves(fleet, updates)
    rollout = updates.set_rollout(
        target, version, by=identity.user.username, at=utc_iso(fleet.clock())
    )
    moves.done()
    log.info(
        "rollout set: %s wants %s",
        target,
        version,
        extra={"username": identity.user.username, "event": "rollout"},
    )
    shown = next(
        item
        for item in overview(updates, kiosks=False)["rollouts"]
        if item["target"] == rollout.target
    )
    return web.json_response(shown)


async def clear_rollout(request: web.Request) -> web.Response:
    fleet, updates = _updates(request)
    identity = staff(request)
    target = request.match_info["target"]
    moves = _Moves(fleet, updates)
    if not updates.clear_rollout(target):
        return web.json_response({"error": f"no version is set for {target[:80]}"}, status=404)
    moves.done()
    log.info(
        "rollout cleared: %s",
        target,
        extra={"username": identity.user.username, "event": "rollout"},
    )
    return web.Response(status=204)


def _group_name(request: web.Request) -> str:
    name = request.match_info["name"]
    if not is_name(name):
        raise Refused("name", f"a group's name is {NAME_RULE}")
    return name


async def set_group(request: web.Request) -> web.Response:
    fleet, updates = _updates(request)
    identity = staff(request)
    name = _group_name(request)
    body = await _body(request)
    members = body.get("kiosks")
    if not isinstance(members, list) or len(members) > MAX_MEMBERS:
        raise Refused("kiosks", f"must be a list of at most {MAX_MEMBERS} kiosk ids")
    known = {kiosk.kiosk_id for kiosk in fleet.hub_store.kiosks()}
    for index, kiosk_id in enumerate(members):
        if not isinstance(kiosk_id, str) or kiosk_id not in known:
            shown = kiosk_id[:64] if isinstance(kiosk_id, str) else "that"
            raise Refused(f"kiosks[{index}]", f"there is no kiosk {shown}")
    moves = _Moves(fleet, updates)
    updates.set_group(name, members)
    moves.done()
    log.info(
        "update group %s set: %d kiosks (%s)",
        name,
        len(set(members)),
        ", ".join(sorted(set(members)))[:400],
        extra={"username": identity.user.username, "event": "rollout"},
    )
    return web.json_response({"name": name, "kiosks": updates.groups().get(name, [])})


async def delete_group(request: web.Request) -> web.Response:
    fleet, updates = _updates(request)
    identity = staff(request)
    name = _group_name(request)
    moves = _Moves(fleet, updates)
    if not updates.delete_group(name):
        return web.json_response({"error": f"there is no group {name}"}, status=404)
    moves.done()
    log.info(
        "update group %s removed, with its version",
        name,
        extra={"username": identity.user.username, "event": "rollout"},
    )
    return web.Response(status=204)


async def set_library(request: web.Request) -> web.Response:
    fleet, updates = _updates(request)
    identity = staff(request)
    kiosk_id = request.match_info["kiosk_id"]
    body = await _body(request)
    library = body.get("library")
    if library != "" and not is_name(library):
        raise Refused("library", f'must be {NAME_RULE}, or "" for none')
    assert isinstance(library, str)
    moves = _Moves(fleet, updates)
    if not updates.set_library(kiosk_id, library or None):
        return web.json_response({"error": "no such kiosk"}, status=404)
    moves.done()
    log.info(
        "library set: %s",
        library or "(none)",
        extra={"kiosk_id": kiosk_id, "username": identity.user.username, "event": "rollout"},
    )
    return web.json_response({"kiosk_id": kiosk_id, "library": library or None})


UPDATE_ROUTES: tuple[Route, ...] = (
    Route("GET", "/api/support/updates", updates_view, SUPPORT),
    Route("PUT", "/api/admin/rollouts", set_rollout, ADMIN),
    Route("DELETE", "/api/admin/rollouts/{target}", clear_rollout, ADMIN),
    Route("PUT", "/api/admin/update-groups/{name}", set_group, ADMIN),
    Route("DELETE", "/api/admin/update-groups/{name}", delete_group, ADMIN),
    Route("PUT", "/api/admin/kiosks/{kiosk_id}/library", set_library, ADMIN),
)
