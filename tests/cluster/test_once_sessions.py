"""A staff session is the store's, not an instance's: an advisor logged in through one hub
instance has the console's call socket on the other; logging out through the first closes that
socket (4401) within the desk's revalidation time, and the cookie is refused everywhere."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp

from hub.calls.desk import CREDENTIAL_ENDED, REVALIDATE_SECONDS
from tests.cluster.hubs import PASSWORD, HubCluster
from tests.peers.postgres import PostgresServer

COOKIE = "hub-session"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: A line anna answers, open around the clock.
LINE = '[lines.virka-info]\nadvisors = ["anna"]\n[lines.virka-info.hours]\n' + "".join(
    f'{day} = "00:00-24:00"\n' for day in DAYS
)


def test_a_logout_on_one_instance_closes_the_advisors_socket_on_the_other(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    cluster = HubCluster.make(postgres_server, tmp_path, extra=LINE)
    try:
        cluster.start()
        cluster.add_user("anna", "advisor")
        first, second = cluster.hubs

        async def scenario() -> None:
            async with aiohttp.ClientSession() as session:
                response = await session.post(
                    f"{first.url}/login",
                    data={"username": "anna", "password": PASSWORD},
                    allow_redirects=False,
                )
                assert response.status == 303, await response.text()
                cookie = {"Cookie": f"{COOKIE}={response.cookies[COOKIE].value}"}
                me = await session.get(f"{first.url}/api/me", headers=cookie)
                csrf = (await me.json())["csrf_token"]
                socket = await session.ws_connect(
                    f"{second.ws_url}/ws/advisor", origin=second.url, headers=cookie
                )
                hello = await socket.receive_json(timeout=30)
                while hello.get("type") != "hello":
                    hello = await socket.receive_json(timeout=30)
                assert hello["username"] == "anna"

                out = await session.post(
                    f"{first.url}/logout",
                    headers={**cookie, "X-CSRF-Token": csrf},
                    allow_redirects=False,
                )
                assert out.status == 303
                # The other instance's desk sees the store's credentials count move and
                # closes the socket; at the latest at its next look at every socket.
                async with asyncio.timeout(REVALIDATE_SECONDS + 10):
                    while True:
                        message = await socket.receive()
                        if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                            break
                assert socket.close_code == CREDENTIAL_ENDED
                for hub in cluster.hubs:
                    gone = await session.get(f"{hub.url}/api/me", headers=cookie)
                    assert gone.status in (401, 403)

        asyncio.run(scenario())
    finally:
        cluster.drop()
