"""Limits per client address and account that hold across hub instances (PostgreSQL): the
store's window itself (two connections racing), then two `kiosk-hub serve` processes: the
login lock-out, the login throttle and the home page's limit, each reached by alternating."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from hub.store import HubStore, open_postgres
from tests.cluster.hubs import PASSWORD, HubCluster
from tests.peers.postgres import PostgresServer


@pytest.fixture
def two_stores(postgres_server: PostgresServer) -> Iterator[tuple[HubStore, HubStore]]:
    """Two connections to one fresh schema, as two instances have."""
    url = postgres_server.schema_url()
    first = open_postgres(url)
    second = open_postgres(url)
    yield first, second
    first.close()
    second.close()
    postgres_server.drop_schema(url)


def test_the_stores_window_lets_exactly_its_limit_through_from_racing_instances(
    two_stores: tuple[HubStore, HubStore],
) -> None:
    first, second = two_stores
    key = first.rate_hits.key("test", "192.0.2.7")
    assert key == second.rate_hits.key("test", "192.0.2.7")
    assert "192.0.2.7" not in key and len(key) == 64
    allowed: list[int] = []

    def hammer(store: HubStore) -> None:
        for _ in range(50):
            # All at one instant: every hit is in the window.
            if store.rate_hits.hit("test", key, now=1000.0, span=60.0, limit=17) is None:
                allowed.append(1)

    threads = [threading.Thread(target=hammer, args=(store,)) for store in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(allowed) == 17
    assert first.rate_hits.count("test", key, since=0.0) == 17
    # Full until the oldest hit leaves the window; then one more.
    assert second.rate_hits.hit("test", key, now=1059.0, span=60.0, limit=17) == 1060.0
    assert second.rate_hits.hit("test", key, now=1060.5, span=60.0, limit=17) is None
    assert first.rate_hits.prune("test", before=1000.0) == 17
    assert first.rate_hits.count("test", key, since=0.0) == 1
    # Nothing stored says whose hits they were.
    rows = first.db.execute("SELECT scope, key FROM rate_hits").fetchall()
    assert all("192.0.2.7" not in str(row) for row in rows)


async def login(session: aiohttp.ClientSession, url: str, password: str) -> int:
    response = await session.post(
        f"{url}/login",
        data={"username": "anna", "password": password},
        allow_redirects=False,
    )
    await response.read()
    return response.status


def test_wrong_passwords_spread_over_both_instances_lock_the_account(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    cluster = HubCluster.make(
        postgres_server,
        tmp_path,
        extra="[login]\nmax_failures = 3\nlockout_minutes = 15\n"
        "[access]\nlogin_attempts_per_minute = 1000\n",
    )
    try:
        cluster.start()
        cluster.add_user("anna", "advisor")
        first, second = (hub.url for hub in cluster.hubs)

        async def scenario() -> None:
            async with aiohttp.ClientSession() as session:
                # Two wrong, alternating, then right: not locked (fewer than 3 in a row).
                assert await login(session, first, "wrong password 1") == 200
                assert await login(session, second, "wrong password 2") == 200
                assert await login(session, first, PASSWORD) == 303
                # Three wrong over both instances: locked on both, even the right password.
                assert await login(session, second, "wrong password 3") == 200
                assert await login(session, first, "wrong password 4") == 200
                assert await login(session, second, "wrong password 5") == 200
                assert await login(session, first, PASSWORD) == 200
                assert await login(session, second, PASSWORD) == 200

        asyncio.run(scenario())
        [user] = cluster.rows("SELECT locked_until FROM users WHERE username = 'anna'")
        assert user["locked_until"] is not None
        keys = cluster.rows("SELECT scope, key FROM rate_hits WHERE scope = 'login-lock'")
        assert len(keys) == 1 and "127.0.0.1" not in keys[0]["key"]
    finally:
        cluster.drop()


def test_the_login_throttle_and_the_home_pages_limit_count_both_instances(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    cluster = HubCluster.make(
        postgres_server,
        tmp_path,
        extra="[access]\nlogin_attempts_per_minute = 4\n"
        "[home]\npage_requests_per_address_per_minute = 6\n",
    )
    try:
        cluster.start()
        cluster.add_user("anna", "advisor")
        urls = [hub.url for hub in cluster.hubs]

        async def scenario() -> None:
            async with aiohttp.ClientSession() as session:
                # Two attempts on each instance: the third anywhere is one too many.
                statuses = [await login(session, urls[n % 2], "wrong password") for n in range(4)]
                assert statuses == [200] * 4
                for url in urls:
                    response = await session.post(
                        f"{url}/login", data={"username": "anna", "password": PASSWORD}
                    )
                    assert response.status == 429
                    assert 1 <= int(response.headers["Retry-After"]) <= 60
                # The home page: 3 requests to each, then each instance refuses.
                for n in range(6):
                    async with session.get(f"{urls[n % 2]}/api/home/lines") as response:
                        assert response.status == 200, n
                for url in urls:
                    async with session.get(f"{url}/api/home/lines") as response:
                        assert response.status == 429
                        assert 1 <= int(response.headers["Retry-After"]) <= 60

        asyncio.run(scenario())
    finally:
        cluster.drop()
