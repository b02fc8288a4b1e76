"""Remote actions through kiosk-agent: restart-app runs the configured command (a real script),
the others wait in the store for the app, and every outcome reaches the hub once, logged with
the action's id, kind and who asked."""

from __future__ import annotations

import base64
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.agent.actions import NOT_TAKEN
from kiosk.store import Store
from kiosk.store.fleet import Fleet
from tests.agent.hub_double import HubDouble
from tests.agent.test_events import one_round, with_agent_keys


def restart_script(tmp_path: Path, exit_code: int = 0) -> Path:
    script = tmp_path / "restart-kiosk"
    script.write_text(
        f'#!/bin/sh\necho "$@" > "{tmp_path / "restarted"}"\necho "no permission" >&2\n'
        f"exit {exit_code}\n"
    )
    script.chmod(0o755)
    return script


def action(action_id: str, kind: str, device_id: str | None = None) -> dict[str, object]:
    return {"id": action_id, "kind": kind, "device_id": device_id, "requested_by": "support-anna"}


def test_restart_app_runs_the_configured_command_and_reports_it(
    tmp_path: Path,
    store: Store,
    hub: HubDouble,
    port: int,
    agent_config: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    script = restart_script(tmp_path)
    with_agent_keys(agent_config, f'restart_command = ["{script}", "kiosk.service"]\n')
    hub.actions = [action("a-1", "restart-app")]

    with caplog.at_level(logging.INFO, logger="kiosk.agent"):
        assert one_round(hub, port, agent_config) == 0
    assert (tmp_path / "restarted").read_text() == "kiosk.service\n"
    assert hub.action_results == {
        "a-1": {"ok": True, "message": f"app restarted ({script} exited 0)", "screenshot_png": None}
    }
    assert "remote action a-1 (restart-app) asked by support-anna" in caplog.text
    # Delivered once: the next round neither restarts nor reports again.
    (tmp_path / "restarted").unlink()
    assert one_round(hub, port, agent_config) == 0
    assert not (tmp_path / "restarted").exists()
    assert list(hub.action_results) == ["a-1"]


def test_no_restart_while_a_citizen_is_using_the_kiosk(
    tmp_path: Path, store: Store, hub: HubDouble, port: int, agent_config: Path
) -> None:
    from datetime import UTC, datetime

    script = restart_script(tmp_path)
    with_agent_keys(agent_config, f'restart_command = ["{script}"]\n')
    Fleet(store).beat(version="0.1.0", session_active=True, started_at=datetime.now(UTC))
    hub.actions = [action("a-3", "restart-app")]
    assert one_round(hub, port, agent_config) == 0
    assert not (tmp_path / "restarted").exists()
    result = hub.action_results["a-3"]
    assert result["ok"] is False
    assert result["message"].startswith("refused: a citizen is using the kiosk now")


def test_a_failing_restart_command_is_reported_as_failed(
    tmp_path: Path, store: Store, hub: HubDouble, port: int, agent_config: Path
) -> None:
    script = restart_script(tmp_path, exit_code=4)
    with_agent_keys(agent_config, f'restart_command = ["{script}"]\n')
    hub.actions = [action("a-2", "restart-app")]
    assert one_round(hub, port, agent_config) == 0
    result = hub.action_results["a-2"]
    assert result["ok"] is False
    assert result["message"] == f"restart command {script} exited 4: no permission"


def test_app_actions_wait_for_the_app_and_their_outcome_is_reported(
    store: Store, hub: HubDouble, port: int, agent_config: Path
) -> None:
    hub.actions = [action("s-1", "screenshot"), action("t-1", "self-test", "printer")]
    assert one_round(hub, port, agent_config) == 0
    fleet = Fleet(store)
    waiting = fleet.pending_commands(["screenshot", "self-test", "test-page"])
    assert [(c.id, c.kind, c.device_id, c.requested_by) for c in waiting] == [
        ("s-1", "screenshot", None, "support-anna"),
        ("t-1", "self-test", "printer", "support-anna"),
    ]
    assert hub.action_results == {}

    # What the app does when it has performed them (kiosk.remote).
    png = b"\x89PNG\r\n\x1a\n-picture-"
    assert fleet.take("s-1")
    fleet.finish("s-1", ok=True, message="screenshot taken (10x10)", screenshot=png)
    fleet.finish("t-1", ok=True, message="all devices passed", results={"printer": "ok"})

    assert one_round(hub, port, agent_config) == 0
    assert hub.action_results["s-1"] == {
        "ok": True,
        "message": "screenshot taken (10x10)",
        "screenshot_png": base64.b64encode(png).decode(),
    }
    assert hub.action_results["t-1"]["ok"] is True
    [self_test] = hub.self_tests
    assert self_test["results"] == {"printer": "ok"}
    # The picture leaves the kiosk once the hub has it.
    kept = store.db.execute("SELECT COUNT(*) FROM commands WHERE screenshot IS NOT NULL")
    assert kept.fetchone()[0] == 0


def test_an_action_the_app_never_takes_is_reported_as_not_done(
    store: Store, hub: HubDouble, port: int, agent_config: Path
) -> None:
    long_ago = datetime.now(UTC) - timedelta(minutes=5)
    Fleet(store, clock=lambda: long_ago).add_command(
        "p-1", "test-page", device_id=None, requested_by="support-anna"
    )
    assert one_round(hub, port, agent_config) == 0
    assert hub.action_results["p-1"] == {"ok": False, "message": NOT_TAKEN, "screenshot_png": None}


def test_outcomes_wait_while_the_hub_is_away(
    store: Store, hub: HubDouble, port: int, agent_config: Path
) -> None:
    fleet = Fleet(store)
    fleet.add_command("s-2", "screenshot", device_id=None, requested_by="support-anna")
    fleet.finish("s-2", ok=False, message="refused: a session is active")
    hub.fleet_down = True
    assert one_round(hub, port, agent_config) == 0  # nothing waits in the outbox or events

    assert hub.action_results == {}
    hub.fleet_down = False
    assert one_round(hub, port, agent_config) == 0
    assert hub.action_results["s-2"]["ok"] is False
