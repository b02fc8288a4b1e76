"""kiosk-agent as the service runs it: a process of its own beside the app's store. Killed
between the hub's commit and its answer, it sends the row again and it ends delivered once;
SIGTERM lets the request under way finish; --once and a bad config say so in the exit status."""

from __future__ import annotations

import asyncio
import fcntl
import json
import signal
from pathlib import Path

from kiosk.agent.__main__ import LOCK_FILE
from kiosk.outbox import Outbox
from kiosk.store import Store
from tests.agent.conftest import AgentRun, finish, put_form, row, start_agent
from tests.agent.hub_double import HubDouble, serving


def test_killed_before_the_answer_the_row_is_sent_again_and_delivered_once(
    outbox: Outbox, store: Store, hub: HubDouble, port: int, agent_config: Path
) -> None:
    submission = put_form(outbox)
    hub.hold = True

    async def scenario() -> None:
        async with serving(hub, port):
            first = await start_agent(agent_config, "--once")
            await asyncio.wait_for(hub.held.wait(), 60)
            first.kill()  # SIGKILL: the hub has committed, the agent never hears back
            await finish(first)
            assert first.returncode == -signal.SIGKILL
            assert outbox.waiting() == 1
            hub.hold = False
            second = await finish(await start_agent(agent_config, "--once"))
            assert second.returncode == 0, second.stderr

    asyncio.run(scenario())
    assert hub.seen == [submission, submission]
    assert hub.answers == ["stored", "duplicate"]
    assert list(hub.stored) == [submission]
    delivered = row(store, submission)
    assert delivered["delivered_at"] and delivered["sealed"] == b""
    assert outbox.waiting() == 0


def test_sigterm_finishes_the_request_under_way_then_exits_0(
    outbox: Outbox, store: Store, hub: HubDouble, port: int, agent_config: Path
) -> None:
    submission = put_form(outbox)
    hub.hold = True

    async def scenario() -> None:
        async with serving(hub, port):
            agent = await start_agent(agent_config)
            await asyncio.wait_for(hub.held.wait(), 60)
            agent.send_signal(signal.SIGTERM)
            await asyncio.sleep(0.2)  # let the signal land while the request is held
            hub.release.set()
            run = await finish(agent)
            assert run.returncode == 0, run.stderr
            lines = [json.loads(line) for line in run.stderr.splitlines()]
            messages = [line["msg"] for line in lines]
            assert f"submission {submission} delivered (stored)" in messages
            assert messages[-1] == "kiosk-agent stopped"
            assert all(line["level"] in ("INFO", "DEBUG") for line in lines)

    asyncio.run(scenario())
    assert hub.seen == [submission]
    assert row(store, submission)["delivered_at"]


def test_once_exits_1_while_rows_wait_for_an_absent_hub(
    outbox: Outbox, store: Store, agent_config: Path
) -> None:
    submission = put_form(outbox)

    async def scenario() -> None:
        run = await finish(await start_agent(agent_config, "--once"))
        assert run.returncode == 1, run.stderr
        warnings = [json.loads(line) for line in run.stderr.splitlines() if "WARNING" in line]
        assert [w["msg"] for w in warnings][:1] == [
            "submissions: the hub is unavailable (unreachable); retrying"
        ]

    asyncio.run(scenario())
    failed = row(store, submission)
    assert failed["attempts"] == 1 and failed["delivered_at"] is None


def test_once_exits_0_with_an_empty_outbox(hub: HubDouble, port: int, agent_config: Path) -> None:
    async def scenario() -> None:
        async with serving(hub, port):
            run = await finish(await start_agent(agent_config, "--once"))
            assert run.returncode == 0, run.stderr

    asyncio.run(scenario())
    assert hub.seen == [] and len(hub.forms_requests) == 1


def test_config_problems_exit_2_with_one_line(tmp_path: Path, agent_config: Path) -> None:
    no_token = tmp_path / "no-token.toml"
    no_token.write_text(
        "\n".join(line for line in agent_config.read_text().splitlines() if "hub_token" not in line)
    )
    backwards = tmp_path / "backwards.toml"
    backwards.write_text(
        agent_config.read_text().replace("retry_initial_seconds = 1", "retry_initial_seconds = 60")
    )

    async def scenario() -> list[str]:
        errors = []
        for config in (no_token, backwards, tmp_path / "missing.toml"):
            run = await finish(await start_agent(config, "--once"))
            assert run.returncode == 2
            assert len(run.stderr.splitlines()) == 1
            errors.append(run.stderr)
        return errors

    no_token_error, backwards_error, missing_error = asyncio.run(scenario())
    assert no_token_error.startswith(f"kiosk-agent: {no_token}: kiosk.hub_token is empty")
    assert "agent.retry_max_seconds = 10 is not allowed" in backwards_error
    assert "no such file" in missing_error


def test_a_second_agent_on_the_same_data_folder_exits_2(data_dir: Path, agent_config: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / LOCK_FILE, "ab") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        run = asyncio.run(_run_once(agent_config))
    assert run.returncode == 2
    assert (
        run.stderr == f"kiosk-agent: another kiosk-agent is running for {data_dir} "
        f"(it holds {LOCK_FILE})\n"
    )


async def _run_once(config: Path) -> AgentRun:
    return await finish(await start_agent(config, "--once"))
