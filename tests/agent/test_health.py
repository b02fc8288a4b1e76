"""kiosk-agent's heartbeat: the app's state from systemd (a stand-in `systemctl` first on PATH,
a real process printing chosen properties) and the app's own heartbeat in the store, each
device's latest state, disk, memory, uptime and the last self-test, as the hub receives them."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kiosk.agent.__main__ import run_once
from kiosk.agent.health import Heartbeat
from kiosk.hubclient import HubClient
from kiosk.store import Store, utc_iso
from kiosk.store.fleet import Fleet
from tests.agent.hub_double import HubDouble, serving


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)  # systemctl prints whole seconds


def systemd_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%a %Y-%m-%d %H:%M:%S UTC")


def fake_systemctl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shown: str, *, exit_code: int = 0
) -> Path:
    """Put a `systemctl` that prints `shown` first on PATH; returns where it writes its args."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "shown.txt").write_text(shown)
    args = bin_dir / "args.txt"
    script = bin_dir / "systemctl"
    script.write_text(
        f'#!/bin/sh\necho "$@" > "{args}"\ncat "{bin_dir / "shown.txt"}"\nexit {exit_code}\n'
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return args


def unit(active: str, sub: str, entered: datetime | None, load: str = "loaded") -> str:
    stamp = systemd_time(entered) if entered else ""
    return f"LoadState={load}\nActiveState={active}\nSubState={sub}\nActiveEnterTimestamp={stamp}\n"


def beat(store: Store, at: datetime, *, session_active: bool = False) -> None:
    Fleet(store, clock=lambda: at).beat(
        version="9.9.9", session_active=session_active, started_at=at - timedelta(seconds=5)
    )


async def build(store: Store, data_dir: Path) -> dict[str, Any]:
    hub = HubClient("http://127.0.0.1:9", "test-kiosk", "unused")
    async with hub.session() as http:
        heartbeat = Heartbeat(
            Fleet(store),
            http,
            hub=hub,
            data_dir=data_dir,
            unit="kiosk.service",
            request_timeout=5,
        )
        return await heartbeat.build()


@pytest.mark.parametrize(
    ("active", "sub", "entered_ago", "beat_ago", "expected"),
    [
        # systemd says it runs and the UI beats: running since systemd started it.
        ("active", "running", 600, 0, ("running", "entered")),
        # systemd says it runs, but the UI stopped beating a minute ago: hung.
        ("active", "running", 600, 60, ("down", "beat")),
        # Just restarted: the new process has not beaten yet; the old one beat before.
        ("active", "running", 5, 20, ("restarting", "entered")),
        ("activating", "auto-restart", None, 60, ("restarting", None)),
        ("failed", "failed", None, 300, ("down", "beat")),
        # No such unit: the heartbeat alone decides.
        ("inactive", "not-found", None, 0, ("running", "start")),
        ("inactive", "not-found", None, 120, ("down", "beat")),
    ],
)
def test_app_state_combines_systemd_and_the_apps_heartbeat(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    store: Store,
    data_dir: Path,
    active: str,
    sub: str,
    entered_ago: int | None,
    beat_ago: int,
    expected: tuple[str, str | None],
) -> None:
    moment = now()
    entered = None if entered_ago is None else moment - timedelta(seconds=entered_ago)
    load = "not-found" if sub == "not-found" else "loaded"
    args = fake_systemctl(tmp_path, monkeypatch, unit(active, sub, entered, load))
    beat_at = moment - timedelta(seconds=beat_ago)
    beat(store, beat_at)
    sent = asyncio.run(build(store, data_dir))
    state, since = expected
    times = {
        "entered": utc_iso(entered) if entered else None,
        "beat": utc_iso(beat_at),
        "start": utc_iso(beat_at - timedelta(seconds=5)),
    }
    assert (sent["app"]["state"], sent["app"]["since"]) == (state, times.get(since or ""))
    assert args.read_text().split()[:2] == ["show", "kiosk.service"]


def test_without_systemctl_the_state_is_unknown_until_the_app_beats(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store: Store, data_dir: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert asyncio.run(build(store, data_dir))["app"] == {
        "state": "unknown",
        "since": None,
        "version": asyncio.run(build(store, data_dir))["agent_version"],
    }
    beat(store, now())
    assert asyncio.run(build(store, data_dir))["app"]["state"] == "running"


def test_systemctl_failing_counts_as_no_systemd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store: Store, data_dir: Path
) -> None:
    fake_systemctl(tmp_path, monkeypatch, "", exit_code=1)
    beat(store, now() - timedelta(minutes=3))
    assert asyncio.run(build(store, data_dir))["app"]["state"] == "down"


def test_one_round_sends_the_whole_heartbeat(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    store: Store,
    hub: HubDouble,
    port: int,
    agent_config: Path,
    data_dir: Path,
) -> None:
    entered = now() - timedelta(minutes=10)
    fake_systemctl(tmp_path, monkeypatch, unit("active", "running", entered))
    beat(store, datetime.now(UTC), session_active=True)
    store.add_event(
        "info", "device", device_id="printer", attention="none", payload={"state": "online"}
    )
    paper_out = store.add_event(
        "warning",
        "device",
        device_id="printer",
        code="media-empty",
        attention="clear",
        payload={"state": "user_error"},
    )
    camera = store.add_event(
        "info", "device", device_id="camera", attention="none", payload={"state": "online"}
    )
    fleet = Fleet(store)
    fleet.add_command("st-1", "self-test", device_id=None, requested_by="tech-1")
    fleet.finish(
        "st-1", ok=False, message="x", results={"printer": "failed: paper", "camera": "ok"}
    )

    async def scenario() -> int:
        async with serving(hub, port):
            return await run_once(agent_config)

    assert asyncio.run(scenario()) == 0
    [sent] = hub.heartbeats
    at = {row[0]: row[1] for row in store.db.execute("SELECT id, at FROM events").fetchall()}
    paper_at, camera_at = at[paper_out], at[camera]
    assert sent["app"]["state"] == "running"
    assert sent["app"]["since"] == utc_iso(entered)
    assert sent["app"]["version"] == "9.9.9"
    assert sent["session_active"] is True
    assert sent["devices"] == {
        "printer": {
            "state": "user_error",
            "attention": "clear",
            "code": "media-empty",
            "since": paper_at,
        },
        "camera": {
            "state": "online",
            "attention": "none",
            "code": None,
            "since": camera_at,
        },
    }
    assert sent["disk"]["total_bytes"] >= sent["disk"]["free_bytes"] > 0
    assert sent["memory"]["total_bytes"] >= sent["memory"]["available_bytes"] > 0
    assert sent["uptime_seconds"] > 0
    assert sent["last_self_test"]["results"] == {"printer": "failed: paper", "camera": "ok"}
    assert set(sent) == {
        "sent_at",
        "app",
        "agent_version",
        "session_active",
        "devices",
        "disk",
        "memory",
        "uptime_seconds",
        "last_self_test",
    }
    # The self-test's outcome went to the hub in the same round.
    assert hub.self_tests == [sent["last_self_test"]]
