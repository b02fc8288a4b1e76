"""The kiosk's heartbeat to the hub: how the app is, each device, disk, memory and uptime.

The app's state combines what systemd says of its unit with the heartbeat the app writes to the
store from its Qt thread every 10 seconds (kiosk.remote): systemd knows whether the process
runs, the heartbeat whether its UI still turns. A heartbeat older than three beats while systemd
says "active" is a hung app ("down"), or one still coming up ("starting"/"restarting"). Without
systemd (no systemctl, or no such unit) the heartbeat alone decides: fresh is "running", stale
is "down", none ever is "unknown".

The hub's answer lists the remote actions support asked for; `FleetLink` hands them to
kiosk.agent.actions and ships events and usage (kiosk.agent.events) in the same round.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

from kiosk.agent.actions import ActionRunner
from kiosk.agent.events import EventShipper
from kiosk.agent.shipper import HubHealth, _json_object
from kiosk.hubclient import HubClient, refused
from kiosk.remote import HEARTBEAT_SECONDS, software_version
from kiosk.store import utc_iso
from kiosk.store.fleet import COMMAND_KINDS, AppBeat, Fleet
from kiosk.updates.relay import UpdateRelay

log = logging.getLogger(__name__)

HEARTBEAT_PATH = "/api/kiosk/heartbeat"
#: The app's heartbeat is stale after three missed beats.
STALE = timedelta(seconds=3 * HEARTBEAT_SECONDS)
SYSTEMCTL_TIMEOUT = 10.0
_TIMESTAMP = re.compile(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)")


@dataclass(frozen=True)
class UnitState:
    """What `systemctl show` says of the app's unit."""

    active: str
    sub: str
    entered_at: datetime | None


async def unit_state(unit: str) -> UnitState | None:
    """The unit's state from systemctl; None when systemd cannot say (no systemctl, no systemd
    running, or no such unit)."""
    # TZ=UTC makes systemctl print its timestamps in UTC, which can be parsed without guessing.
    env = {**os.environ, "TZ": "UTC", "LC_ALL": "C", "SYSTEMD_PAGER": "", "SYSTEMD_COLORS": "0"}
    properties = ("LoadState", "ActiveState", "SubState", "ActiveEnterTimestamp")
    args = [a for p in properties for a in ("-p", p)]
    try:
        process = await asyncio.create_subprocess_exec(
            "systemctl",
            "show",
            unit,
            *args,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            env=env,
        )
    except OSError:
        return None
    try:
        out, _ = await asyncio.wait_for(process.communicate(), SYSTEMCTL_TIMEOUT)
    except TimeoutError:
        process.kill()
        await process.wait()
        return None
    if process.returncode != 0:
        return None
    found = dict(
        line.split("=", 1) for line in out.decode(errors="replace").splitlines() if "=" in line
    )
    if found.get("LoadState", "loaded") == "not-found" or "ActiveState" not in found:
        return None
    stamp = _TIMESTAMP.search(found.get("ActiveEnterTimestamp", ""))
    entered = (
        datetime.strptime(stamp[1], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC) if stamp else None
    )
    return UnitState(found["ActiveState"], found.get("SubState", ""), entered)


def _parse(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def app_state(
    unit: UnitState | None, beat: AppBeat | None, *, now: datetime, booted_at: datetime
) -> tuple[str, str | None]:
    """The app's state for the hub and since when, from systemd and the app's heartbeat."""
    beat_at = _parse(beat.at) if beat is not None else None
    fresh = beat_at is not None and now - beat_at <= STALE
    # A heartbeat from before the last reboot says nothing of a restart.
    ran_before = beat_at is not None and beat_at >= booted_at
    if unit is None:
        if beat is None:
            return "unknown", None
        return ("running", beat.started_at) if fresh else ("down", beat.at)
    entered = utc_iso(unit.entered_at) if unit.entered_at else None
    if unit.active in ("active", "reloading"):
        current = beat_at is not None and (unit.entered_at is None or beat_at >= unit.entered_at)
        if current:
            assert beat is not None
            # Beating since the unit became active; stale means a hung UI.
            return ("running", entered or beat.started_at) if fresh else ("down", beat.at)
        if unit.entered_at is not None and now - unit.entered_at <= STALE:
            return ("restarting" if ran_before else "starting"), entered
        return "down", entered
    if unit.active == "activating":
        restarting = unit.sub == "auto-restart" or ran_before
        return ("restarting" if restarting else "starting"), None
    if unit.active == "deactivating":
        return "restarting", None
    return "down", beat.at if beat is not None else None


def system_facts(data_dir: Path) -> dict[str, Any]:
    """Disk of the data folder, memory and uptime (zeros where the system does not say)."""
    try:
        disk = shutil.disk_usage(data_dir)
        free, total = disk.free, disk.total
    except OSError:
        free = total = 0
    memory = {"available_bytes": 0, "total_bytes": 0}
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            name, _, rest = line.partition(":")
            key = {"MemAvailable": "available_bytes", "MemTotal": "total_bytes"}.get(name)
            if key:
                memory[key] = int(rest.split()[0]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return {
        "disk": {"free_bytes": free, "total_bytes": total},
        "memory": memory,
        "uptime_seconds": int(uptime_seconds()),
    }


def uptime_seconds() -> float:
    try:
        return float(Path("/proc/uptime").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return time.monotonic()


class Heartbeat:
    """Builds and sends one heartbeat; the hub's answer is the list of actions for the kiosk."""

    def __init__(
        self,
        fleet: Fleet,
        http: aiohttp.ClientSession,
        *,
        hub: HubClient,
        data_dir: Path,
        unit: str,
        request_timeout: float,
    ) -> None:
        self.fleet = fleet
        self._http = http
        self._hub = hub
        self._url = hub.url(HEARTBEAT_PATH)
        self.data_dir = data_dir
        self.unit = unit
        self.request_timeout = request_timeout
        self.health = HubHealth("heartbeat")
        self._systemd_known: bool | None = None
        self.updates = UpdateRelay(data_dir, software_version())

    async def build(self) -> dict[str, Any]:
        unit = await unit_state(self.unit)
        if (unit is not None) != self._systemd_known:
            self._systemd_known = unit is not None
            log.info(
                "the app's state comes from systemd and its heartbeat"
                if unit is not None
                else "systemd does not know the app's unit: its state comes from its heartbeat",
                extra={"service": self.unit},
            )
        beat = await asyncio.to_thread(self.fleet.last_beat)
        devices = await asyncio.to_thread(self.fleet.device_states)
        self_test = await asyncio.to_thread(self.fleet.last_self_test)
        facts = await asyncio.to_thread(system_facts, self.data_dir)
        now = datetime.now(UTC)
        booted_at = now - timedelta(seconds=facts["uptime_seconds"])
        state, since = app_state(unit, beat, now=now, booted_at=booted_at)
        fresh = beat is not None and now - _parse(beat.at) <= STALE
        version = software_version()
        update = await asyncio.to_thread(self.updates.report)
        return {
            "sent_at": utc_iso(now),
            "app": {"state": state, "since": since, "version": beat.version if beat else version},
            "agent_version": version,
            "session_active": bool(fresh and beat is not None and beat.session_active),
            "devices": {
                d.device_id: {
                    "state": d.state,
                    "attention": d.attention,
                    "code": d.code,
                    "since": d.since,
                }
                for d in devices.values()
            },
            **facts,
            "last_self_test": (
                None if self_test is None else {"at": self_test[0], "results": self_test[1]}
            ),
            **({"update": update} if update is not None else {}),
        }

    async def send(self) -> list[dict[str, Any]] | None:
        """Send a heartbeat; the actions in the answer, or None when the hub did not answer."""
        body = await self.build()
        timeout = self._hub.timeout(self.request_timeout)
        try:
            async with self._http.post(self._url, json=body, timeout=timeout) as response:
                status = response.status
                answer = _json_object(await response.read())
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            cause = "timeout" if isinstance(exc, TimeoutError) else "unreachable"
            self.health.failed(cause, f"{type(exc).__name__}: {exc}")
            return None
        if status != 200:
            cause = "token" if refused(status) else "server" if status >= 500 else "unexpected"
            self.health.failed(cause, f"HTTP {status}")
            return None
        self.health.answered()
        await asyncio.to_thread(self.updates.answered, answer)
        actions = answer.get("actions")
        return [a for a in actions if _is_action(a)] if isinstance(actions, list) else []


def _is_action(found: object) -> bool:
    return (
        isinstance(found, dict)
        and isinstance(found.get("id"), str)
        and bool(found["id"])
        and found.get("kind") in COMMAND_KINDS
        and isinstance(found.get("device_id"), str | None)
    )


class FleetLink:
    """The agent's fleet duties: a heartbeat round every `interval` seconds (heartbeat, the
    actions it brings, events and usage), and outcomes of actions reported as soon as the app
    has written them."""

    def __init__(
        self, heartbeat: Heartbeat, actions: ActionRunner, events: EventShipper, interval: float
    ) -> None:
        self.heartbeat = heartbeat
        self.actions = actions
        self.events = events
        self.interval = interval
        #: time.monotonic() of the next heartbeat round.
        self.due_at = 0.0

    async def round(self, stop: asyncio.Event | None = None) -> None:
        self.due_at = time.monotonic() + self.interval
        actions = await self.heartbeat.send()
        if actions:
            await self.actions.accept(actions)
        await self.actions.report_done()
        if stop is None or not stop.is_set():
            await self.events.ship_due(stop)

    async def tick(self, stop: asyncio.Event) -> None:
        """Between rounds: report what the app has finished (a cheap query when nothing has)."""
        if time.monotonic() >= self.due_at:
            await self.round(stop)
        else:
            await self.actions.report_done()
