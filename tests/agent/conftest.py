"""Fixtures for kiosk-agent: a kiosk store with an outbox sealed to a real key pair, the hub's
stand-in, a kiosk.toml for the agent, and running the agent as a process of its own."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from nacl.public import PrivateKey

from kiosk.outbox import Outbox
from kiosk.store import Store, open_store
from tests.agent.hub_double import TOKEN, HubDouble, free_port

#: The forms the hub's stand-in knows.
KNOWN_FORMS = {"library-card", "kansalaisneuvonta-contact"}


@pytest.fixture
def hub_key() -> PrivateKey:
    return PrivateKey.generate()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def store(data_dir: Path) -> Iterator[Store]:
    store = open_store(data_dir / "kiosk.db")
    yield store
    store.close()


@pytest.fixture
def outbox(store: Store, hub_key: PrivateKey) -> Outbox:
    return Outbox(store, bytes(hub_key.public_key))


@pytest.fixture
def hub(hub_key: PrivateKey) -> HubDouble:
    return HubDouble(hub_key, KNOWN_FORMS)


@pytest.fixture
def port() -> int:
    return free_port()


def put_form(outbox: Outbox, form: str = "library-card") -> str:
    """A filled form as the app puts it in the outbox; returns its submission id."""
    payload: dict[str, Any] = {
        "kiosk_id": "test-kiosk",
        "language": "fi",
        "form": form,
        "version": 1,
        "reference": "AB12-CD34",
        "answers": {"first_name": "Testi"},
        "submitted_at": "2026-11-28T10:00:00Z",
        "attachments": [],
    }
    return outbox.put("form", payload, session_id="s1", service="forms", outcome="sent")


def row(store: Store, submission_id: str) -> dict[str, Any]:
    with store.lock:
        found: dict[str, Any] = store.db["outbox"].get(submission_id)
    return found


@pytest.fixture
def agent_config(tmp_path: Path, data_dir: Path, port: int) -> Path:
    """A kiosk.toml that points the agent at the hub's stand-in on `port`."""
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f"""
[kiosk]
id = "test-kiosk"
data_dir = "{data_dir}"
hub_url = "http://127.0.0.1:{port}"
hub_token = "{TOKEN}"
[agent]
retry_initial_seconds = 1
retry_max_seconds = 10
"""
    )
    return path


@dataclass
class AgentRun:
    returncode: int
    stderr: str


async def start_agent(config: Path, *args: str) -> asyncio.subprocess.Process:
    """`kiosk-agent --config CONFIG ARGS` as a process of its own."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "kiosk.agent",
        "--config",
        str(config),
        *args,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def finish(process: asyncio.subprocess.Process, timeout: float = 60.0) -> AgentRun:
    _, stderr = await asyncio.wait_for(process.communicate(), timeout)
    assert process.returncode is not None
    return AgentRun(process.returncode, stderr.decode())
