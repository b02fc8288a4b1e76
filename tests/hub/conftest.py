"""Hub test helpers: a config on temporary folders, a store, a fixed clock, an app client."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from argon2 import PasswordHasher

from hub import accounts
from hub.accounts import enroll_kiosk, hash_password
from hub.app import make_app
from hub.config import HubConfig, load_config
from hub.lines import utc_iso
from hub.store import HubStore, open_store

PASSWORD = "correct horse battery"
#: Monday 10:00 in Helsinki (UTC+2 in winter): the default lines are open.
MONDAY_MORNING = datetime(2025, 1, 13, 8, 0, tzinfo=UTC)


class FixedClock:
    """A wall clock the test sets and moves by hand."""

    def __init__(self, now: datetime = MONDAY_MORNING) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


#: Argon2 parameters that make a test's logins quick; the product uses argon2-cffi's defaults.
QUICK_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "hasher", QUICK_HASHER)


@functools.cache
def password_hash(password: str = PASSWORD) -> str:
    return hash_password(password)


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[[str], Path]:
    """Write a hub.toml (demo-like: plain HTTP, data under tmp_path) with `extra` appended."""

    def write(extra: str = "") -> Path:
        path = tmp_path / "hub.toml"
        path.write_text(f'[hub]\ndata_dir = "{tmp_path / "data"}"\ncookie_secure = false\n{extra}')
        return path

    return write


@pytest.fixture
def config(write_config: Callable[[str], Path]) -> HubConfig:
    return load_config(write_config(""))


@pytest.fixture
def store(config: HubConfig) -> Iterator[HubStore]:
    opened = open_store(config.db_path)
    yield opened
    opened.close()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


def add_user(store: HubStore, username: str, role: str) -> None:
    store.add_user(username, role, password_hash(), at=utc_iso(MONDAY_MORNING))


def add_kiosk(store: HubStore, kiosk_id: str = "itakeskus-1") -> str:
    return enroll_kiosk(store, kiosk_id, "Itäkeskus 1", "Itäkeskus library", at=MONDAY_MORNING)


Scenario = Callable[[TestClient[web.Request, web.Application]], Awaitable[None]]


def run_app(app: web.Application, scenario: Scenario) -> None:
    """Serve `app` on a free port and run `scenario` with a client of it."""

    async def main() -> None:
        async with TestClient(TestServer(app)) as client:
            await scenario(client)

    asyncio.run(main())


@pytest.fixture
def app(config: HubConfig, store: HubStore, clock: FixedClock) -> web.Application:
    return make_app(config, store, clock=clock)


async def log_in(
    client: TestClient[web.Request, web.Application] | aiohttp.ClientSession,
    username: str,
    password: str = PASSWORD,
) -> str:
    """Log in through the form; returns the session's CSRF token."""
    response = await client.post(
        "/login", data={"username": username, "password": password}, allow_redirects=False
    )
    assert response.status == 303, await response.text()
    me = await client.get("/api/me")
    assert me.status == 200
    token: str = (await me.json())["csrf_token"]
    return token
