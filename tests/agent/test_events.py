"""kiosk-agent ships events and usage in batches, each row once; while the hub is away they
wait, bounded: routine records are dropped first (and counted in the log), alerts never; when
the hub is back, what was kept arrives."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from kiosk.agent.__main__ import run_once
from kiosk.store import Store
from kiosk.store.fleet import Fleet
from tests.agent.hub_double import HubDouble, serving


def with_agent_keys(config: Path, keys: str) -> Path:
    """The test config with more [agent] keys (its [agent] table comes last)."""
    config.write_text(config.read_text() + keys)
    return config


def one_round(hub: HubDouble, port: int, config: Path) -> int:
    async def scenario() -> int:
        async with serving(hub, port):
            return await run_once(config)

    return asyncio.run(scenario())


def test_events_and_usage_are_shipped_in_batches_and_marked(
    store: Store, hub: HubDouble, port: int, agent_config: Path
) -> None:
    with_agent_keys(agent_config, "events_batch = 2\n")
    ids = [store.add_event("info", "log", payload={"msg": f"line {n}"}) for n in range(5)]
    alert = store.add_event(
        "warning",
        "device",
        device_id="printer",
        code="media-empty",
        attention="clear",
        payload={"state": "user_error"},
    )
    store.record_usage("s-1", "session_start", language="fi")
    store.record_usage("s-1", "session_end", duration_ms=1000)

    assert one_round(hub, port, agent_config) == 0
    assert sorted(hub.events) == [*ids, alert]
    assert hub.event_batches == [2, 2, 2]
    assert hub.events[ids[0]]["message"] == "line 0"
    assert hub.events[alert] == {
        "id": alert,
        "at": hub.events[alert]["at"],
        "level": "warning",
        "kind": "device",
        "device_id": "printer",
        "session_id": None,
        "code": "media-empty",
        "attention": "clear",
        "message": "device printer user_error media-empty",
        "payload": {"state": "user_error"},
    }
    assert [u["kind"] for u in hub.usage.values()] == ["session_start", "session_end"]
    assert store.unshipped_events() == []
    assert Fleet(store).unshipped_usage(10) == []

    # Nothing is sent twice.
    assert one_round(hub, port, agent_config) == 0
    assert hub.event_batches == [2, 2, 2]


def test_while_the_hub_is_away_events_wait_bounded_and_alerts_are_kept(
    store: Store, hub: HubDouble, port: int, agent_config: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with_agent_keys(agent_config, "max_unshipped_events = 100\n")
    kept: list[int] = []
    routine: list[int] = []
    for n in range(150):
        routine.append(store.add_event("info", "log", payload={"msg": f"routine {n}"}))
        if n % 10 == 0:
            kept.append(store.add_event("error", "log", payload={"msg": f"failure {n}"}))
            kept.append(
                store.add_event(
                    "info",
                    "device_error",
                    device_id="printer",
                    code="media-jam",
                    attention="maintenance",
                )
            )
    # A device's latest health event is what the heartbeat reports: kept, routine or not.
    latest_device = store.add_event(
        "info", "device", device_id="camera", attention="none", payload={"state": "online"}
    )
    store.record_usage("s-1", "session_start", language="sv")
    hub.fleet_down = True

    with caplog.at_level(logging.WARNING, logger="kiosk.agent"):
        assert one_round(hub, port, agent_config) == 1
    waiting = store.unshipped_events(limit=1000)
    assert len(waiting) == 100
    left = {e.id for e in waiting}
    assert set(kept) | {latest_device} <= left
    dropped = len(routine) + len(kept) + 1 - 100
    # The oldest routine ones went; the newest routine ones are still there.
    assert not left & set(routine[:dropped])
    assert set(routine[dropped:]) <= left
    assert f"{dropped} routine events dropped unsent" in caplog.text
    assert hub.events == {} and hub.usage == {}
    assert len(hub.heartbeats) == 0

    hub.fleet_down = False
    assert one_round(hub, port, agent_config) == 0
    assert set(hub.events) == left
    assert len(hub.usage) == 1
    assert store.unshipped_events() == []


def test_warnings_go_after_routine_records_and_errors_never(store: Store) -> None:
    fleet = Fleet(store)
    warnings = [store.add_event("warning", "log") for _ in range(5)]
    for _ in range(3):
        store.add_event("debug", "log")
    errors = [store.add_event("critical", "log") for _ in range(4)]
    suspended = store.add_event("info", "device_error", device_id="payment", attention="suspend")

    assert fleet.bound_events(6) == 3 + 4
    left = {e.id for e in store.unshipped_events()}
    assert left == {warnings[4], *errors, suspended}
    # Only what must be kept is left: the bound gives way rather than drop an alert.
    assert fleet.bound_events(2) == 1
    assert {e.id for e in store.unshipped_events()} == {*errors, suspended}


def test_shipped_events_are_kept_a_while_then_pruned_but_each_devices_latest_stays(
    store: Store,
) -> None:
    from datetime import UTC, datetime, timedelta

    fleet = Fleet(store)
    old_log = store.add_event("info", "log")
    old_printer = store.add_event("warning", "device", device_id="printer", code="media-low")
    latest_printer = store.add_event("info", "device", device_id="printer")
    unshipped = store.add_event("info", "log")
    store.mark_shipped([old_log, old_printer, latest_printer])
    # Nothing shipped is older than a cut-off in the past: all stays.
    assert fleet.prune_shipped(datetime.now(UTC) - timedelta(days=7)) == 0
    # Once they are older than the cut-off, they go, but not the printer's latest state.
    assert fleet.prune_shipped(datetime.now(UTC) + timedelta(seconds=1)) == 2
    with store.lock:
        left = {int(row["id"]) for row in store.db["events"].rows}
    assert left == {latest_printer, unshipped}
