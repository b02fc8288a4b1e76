"""The hub as a process against floods and credentials that end while a socket is open: a login
flood from one address leaves an advisor elsewhere able to log in; a logout, `kiosk-hub user
disable` (another process writing the database) and `kiosk-hub kiosk revoke` close the open call
socket with a reason; hub.db and its -wal and -shm are readable by their owner only."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import stat
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from hub.calls.desk import CREDENTIAL_ENDED
from tests.conftest import HUB_KEY
from tests.peers.hub import Hub
from tests.peers.smtp import free_port

ADVISOR, PASSWORD = "anna", "a long enough password 123"
KIOSK_ID = "itakeskus-1"
LINE = "virka-info"
FLOODER, ADVISOR_DESK = "203.0.113.7", "198.51.100.2"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEADLINE = 60.0


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    """A hub behind a proxy on 127.0.0.1 (so X-Forwarded-For names the client), an advisor on
    a line open all week, a kiosk; started."""
    key_file = tmp_path / "sealing.key"
    key_file.write_text(base64.b64encode(bytes(HUB_KEY)).decode() + "\n")
    key_file.chmod(0o600)
    port = free_port()
    hours = "\n".join(f'{day} = "00:00-24:00"' for day in DAYS)
    config = tmp_path / "hub.toml"
    config.write_text(
        f'[hub]\nlisten_port = {port}\ndata_dir = "{tmp_path / "hub"}"\ncookie_secure = false\n'
        f'[sealing]\nprivate_key_file = "{key_file}"\n'
        '[access]\ntrusted_proxies = ["127.0.0.1"]\n'
        f'[lines.{LINE}]\nadvisors = ["{ADVISOR}"]\n[lines.{LINE}.hours]\n{hours}\n'
    )
    running = Hub(config, port)
    running.cli("user", "add", ADVISOR, "--role", "advisor", stdin=PASSWORD + "\n")
    running.start()
    yield running
    running.stop()


def kiosk_token(hub: Hub) -> str:
    out = hub.cli("kiosk", "add", KIOSK_ID, "--name", "Itäkeskus 1", "--location", "Itäkeskus")
    return out.strip().splitlines()[-1]


async def log_in(session: aiohttp.ClientSession, hub: Hub, source: str, password: str) -> int:
    response = await session.post(
        f"{hub.url}/login",
        data={"username": ADVISOR, "password": password},
        headers={"X-Forwarded-For": source},
        allow_redirects=False,
    )
    await response.read()
    return response.status


async def advisor_socket(
    session: aiohttp.ClientSession, hub: Hub
) -> aiohttp.ClientWebSocketResponse:
    ws = await session.ws_connect(f"{hub.url}/ws/advisor", headers={"Origin": hub.url})
    hello = await ws.receive_json(timeout=DEADLINE)
    assert hello["type"] == "hello"
    return ws


async def kiosk_socket(
    session: aiohttp.ClientSession, hub: Hub, token: str
) -> aiohttp.ClientWebSocketResponse:
    ws = await session.ws_connect(f"{hub.url}/ws/kiosk", headers=kiosk_headers(token))
    hello = await ws.receive_json(timeout=DEADLINE)
    assert hello["type"] == "hello"
    return ws


def kiosk_headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "X-Kiosk-Id": KIOSK_ID}


async def closed_with(ws: aiohttp.ClientWebSocketResponse) -> tuple[int | None, str]:
    """The close code and reason the hub ended the socket with (messages before it skipped)."""

    async def read() -> tuple[int | None, str]:
        while True:
            frame = await ws.receive()
            if frame.type is aiohttp.WSMsgType.CLOSE:
                # The frame's code: ws.close_code may say 1006 when the hub has already hung up
                # by the time the client's answering close frame goes out.
                return int(frame.data), str(frame.extra or "")
            if frame.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                return ws.close_code, ""

    return await asyncio.wait_for(read(), DEADLINE)


def test_a_login_flood_from_one_address_leaves_an_advisor_elsewhere_able_to_log_in(
    hub: Hub,
) -> None:
    async def scenario() -> None:
        async with aiohttp.ClientSession() as flooder, aiohttp.ClientSession() as advisor:
            flood = [
                asyncio.create_task(log_in(flooder, hub, FLOODER, f"wrong password {n}"))
                for n in range(80)
            ]
            assert await log_in(advisor, hub, ADVISOR_DESK, PASSWORD) == 303
            statuses = await asyncio.gather(*flood)
            assert 429 in statuses
            assert set(statuses) <= {200, 429}  # the form again (wrong password), or wait
            # Whatever the flood did to the account, it did it from its own address only.
            async with aiohttp.ClientSession() as again:
                assert await log_in(again, hub, ADVISOR_DESK, PASSWORD) == 303
            healthz = await advisor.get(f"{hub.url}/healthz")
            assert healthz.status == 200

    asyncio.run(scenario())


def test_too_many_logins_are_told_when_to_come_back(hub: Hub) -> None:
    async def scenario() -> None:
        async with aiohttp.ClientSession() as flooder:
            for n in range(40):
                response = await flooder.post(
                    f"{hub.url}/login",
                    data={"username": f"nobody{n}", "password": "whatever it is"},
                    headers={"X-Forwarded-For": FLOODER},
                    allow_redirects=False,
                )
                await response.read()
                if response.status == 429:
                    assert int(response.headers["Retry-After"]) >= 1
                    return
                assert response.status == 200
        raise AssertionError("40 logins from one address in a row were all let through")

    asyncio.run(scenario())


def test_logging_out_closes_the_advisors_call_socket(hub: Hub) -> None:
    async def scenario() -> None:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
            assert await log_in(browser, hub, ADVISOR_DESK, PASSWORD) == 303
            csrf = (await (await browser.get(f"{hub.url}/api/me")).json())["csrf_token"]
            ws = await advisor_socket(browser, hub)
            response = await browser.post(
                f"{hub.url}/logout", headers={"X-CSRF-Token": csrf}, allow_redirects=False
            )
            assert response.status == 303
            code, reason = await closed_with(ws)
            assert code == CREDENTIAL_ENDED and reason

    asyncio.run(scenario())


def test_disabling_the_account_in_another_process_closes_its_socket(hub: Hub) -> None:
    async def scenario() -> None:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
            assert await log_in(browser, hub, ADVISOR_DESK, PASSWORD) == 303
            ws = await advisor_socket(browser, hub)
            await asyncio.to_thread(hub.cli, "user", "disable", ADVISOR)
            code, reason = await closed_with(ws)
            assert code == CREDENTIAL_ENDED and reason
            # Not again with the same cookie: the session went with the account.
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await browser.ws_connect(f"{hub.url}/ws/advisor", headers={"Origin": hub.url})
            assert refused.value.status == 401

    asyncio.run(scenario())


def test_revoking_a_kiosks_token_closes_its_socket_and_refuses_its_calls(hub: Hub) -> None:
    token = kiosk_token(hub)

    async def scenario() -> None:
        async with aiohttp.ClientSession() as kiosk:
            hello = await kiosk.post(f"{hub.url}/api/kiosk/hello", headers=kiosk_headers(token))
            assert hello.status == 200
            ws = await kiosk_socket(kiosk, hub, token)
            out = await asyncio.to_thread(hub.cli, "kiosk", "revoke", KIOSK_ID)
            assert "revoked" in out
            code, reason = await closed_with(ws)
            assert code == CREDENTIAL_ENDED and reason
            hello = await kiosk.post(f"{hub.url}/api/kiosk/hello", headers=kiosk_headers(token))
            assert hello.status == 401
            listed = await asyncio.to_thread(hub.cli, "kiosk", "list")
            assert "token revoked" in listed

    asyncio.run(scenario())


def test_a_kiosk_given_a_new_token_by_an_enrollment_code_loses_its_old_socket(hub: Hub) -> None:
    token = kiosk_token(hub)
    code = hub.cli(
        "kiosk", "enroll-code", KIOSK_ID, "--name", "Itäkeskus 1", "--location", "Itäkeskus"
    ).strip()

    async def scenario() -> None:
        async with aiohttp.ClientSession() as kiosk:
            ws = await kiosk_socket(kiosk, hub, token)
            enrolled = await kiosk.post(f"{hub.url}/api/enroll", json={"code": code})
            assert enrolled.status == 200
            new_token = (await enrolled.json())["token"]
            code_, reason = await closed_with(ws)
            assert code_ == CREDENTIAL_ENDED and reason
            old = await kiosk.post(f"{hub.url}/api/kiosk/hello", headers=kiosk_headers(token))
            assert old.status == 401
            new = await kiosk.post(f"{hub.url}/api/kiosk/hello", headers=kiosk_headers(new_token))
            assert new.status == 200

    asyncio.run(scenario())


@pytest.mark.sqlite_only("the mode of hub.db and its -wal and -shm; PostgreSQL keeps no file here")
def test_the_database_and_its_wal_are_for_their_owner_only(hub: Hub) -> None:
    kiosk_token(hub)  # a write, so that the running hub's -wal and -shm are there
    data = hub.config.parent / "hub"
    files = [data / name for name in ("hub.db", "hub.db-wal", "hub.db-shm")]
    assert all(path.exists() for path in files)
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


def test_an_enrollment_code_comes_with_the_sealing_keys_fingerprint(hub: Hub) -> None:
    import subprocess

    from tests.peers.hub import BIN

    command = [str(BIN / "kiosk-hub"), "--config", str(hub.config), "kiosk", "enroll-code"]
    done = subprocess.run(
        [*command, KIOSK_ID, "--name", "Itäkeskus 1", "--location", "Itäkeskus"],
        capture_output=True,
        text=True,
        check=True,
    )
    digest = hashlib.sha256(bytes(HUB_KEY.public_key)).digest()[:16].hex().upper()
    expected = " ".join(digest[i : i + 4] for i in range(0, 32, 4))
    assert expected in done.stderr
    assert len(expected) == 39 and expected not in done.stdout  # stdout: the code alone
