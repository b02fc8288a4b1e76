"""The health check after a restart, on a real kiosk store: its verdicts and the reasons a
technician reads. Time is the test's: each poll's sleep moves the clock on, and the store gets
what the app (and the agent) would have written by then."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.store import open_store
from kiosk.store.fleet import Fleet
from kiosk.updates.files import write_accepted
from kiosk.updates.health import HealthCheck, same_version

RESTART = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


def app(started: float, version: str, beats: list[float]) -> Callable[[Path, float], None]:
    def write(db: Path, t: float) -> None:
        done = [b for b in beats if b <= t]
        if not done:
            return
        at = RESTART + timedelta(seconds=done[-1])
        store = open_store(db)
        try:
            Fleet(store, clock=lambda: at).beat(
                version=version,
                session_active=False,
                started_at=RESTART + timedelta(seconds=started),
            )
        finally:
            store.close()

    return write


def check(
    tmp_path: Path,
    apps: list[tuple[float, Callable[[Path, float], None]]],
    agent_at: float | None,
    *,
    within: float = 60,
    settle: float = 20,
) -> tuple[bool, str, float]:
    """Run the check against a scripted kiosk; the verdict, its reason and when it came."""
    db = tmp_path / "kiosk.db"
    data = tmp_path / "data"
    data.mkdir()
    now = [RESTART]

    def advance(seconds: float) -> None:
        now[0] += timedelta(seconds=seconds)
        t = (now[0] - RESTART).total_seconds()
        current = [write for since, write in apps if since <= t]
        if current:
            current[-1](db, t)
        if agent_at is not None and t >= agent_at:
            write_accepted(data, at=RESTART + timedelta(seconds=agent_at), agent_version="x")

    advance(0)
    health = HealthCheck(
        db, data, within=within, settle=settle, clock=lambda: now[0], sleep=advance
    )
    verdict = health.wait("0.3.0", RESTART)
    return verdict.healthy, verdict.reason, (now[0] - RESTART).total_seconds()


def test_healthy_once_settled_and_the_agent_reached_the_hub(tmp_path: Path) -> None:
    beats = [5, 15, 25, 35, 45]
    healthy, reason, at = check(tmp_path, [(0, app(3, "0.3.0", beats))], agent_at=8)
    assert (healthy, reason) == (True, "")
    assert 25 <= at < 30  # the first beat at 5 s, then settling 20 s


def test_no_beat_at_all(tmp_path: Path) -> None:
    healthy, reason, at = check(tmp_path, [], agent_at=8)
    assert not healthy and at >= 60
    assert reason == "0.3.0 did not report ready within 60 s"


def test_the_old_version_still_beating(tmp_path: Path) -> None:
    """The restart did not take: the app that beats is the old one."""
    old = app(1, "0.2.0", [float(t) for t in range(2, 100, 10)])
    healthy, reason, _ = check(tmp_path, [(0, old)], agent_at=8)
    assert not healthy
    assert reason == "0.3.0 did not report ready within 60 s (the app reported 0.2.0)"


def test_a_beat_from_before_the_restart_does_not_count(tmp_path: Path) -> None:
    early = app(-100, "0.3.0", [-5])
    healthy, reason, _ = check(tmp_path, [(0, early)], agent_at=8)
    assert not healthy and reason == "0.3.0 did not report ready within 60 s"


def test_the_old_apps_last_beat_as_it_stops_does_not_count(tmp_path: Path) -> None:
    """The old app, started long before, writes a beat after the restart began (its stop
    takes a moment): not the new version's, and not named as what the app reported."""
    stopping = app(-100, "0.2.0", [1])
    healthy, reason, _ = check(tmp_path, [(0, stopping)], agent_at=8)
    assert not healthy and reason == "0.3.0 did not report ready within 60 s"


def test_a_watchdog_restart_while_settling(tmp_path: Path) -> None:
    first = app(3, "0.3.0", [5])
    second = app(14, "0.3.0", [16, 26, 36])
    healthy, reason, _ = check(tmp_path, [(0, first), (14, second)], agent_at=8)
    assert not healthy
    assert reason == (
        "0.3.0 started but was started again within 20 s (it crashed or stopped answering)"
    )


def test_beating_once_then_silent(tmp_path: Path) -> None:
    healthy, reason, _ = check(tmp_path, [(0, app(3, "0.3.0", [5]))], agent_at=8)
    assert not healthy
    assert reason == "0.3.0 reported ready once, then stopped reporting"


def test_the_agent_never_reached_the_hub(tmp_path: Path) -> None:
    beats = [float(t) for t in range(5, 100, 10)]
    healthy, reason, _ = check(tmp_path, [(0, app(3, "0.3.0", beats))], agent_at=None)
    assert not healthy
    assert reason == (
        "0.3.0 started, but kiosk-agent had no heartbeat accepted by the hub within 60 s"
    )


@pytest.mark.parametrize(
    ("reported", "debian", "same"),
    [
        ("0.3.0", "0.3.0", True),
        ("0.3.0", "0.3.0-1", True),
        ("0.3.0", "0.3.1", False),
        ("0.3.0+local", "0.3.0", False),
    ],
)
def test_the_apps_version_against_the_package(reported: str, debian: str, same: bool) -> None:
    assert same_version(reported, debian) is same
