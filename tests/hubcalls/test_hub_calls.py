"""Every request the kiosk makes to its hub, against the hub as it runs (`kiosk-hub serve`).

A stand-in hub once took a token without the kiosk's id, while the real hub answers that with
401: the E-mail screen said the service was offline although mail was delivered. So each call
below is made here by the kiosk's own code (the app's back end, `kiosk-agent --once` as a
process, the call link on the app's engine) to a real hub, and what the hub holds afterwards is
read from its database. All of them are built by kiosk.hubclient.

The calls (`grep -rn "hub_url\\|/api/kiosk" kiosk`), and where each is tested against a real hub:

- GET /api/kiosk/email-policy, kiosk.mail for the E-mail screen: here; the words on the screen
  in test_email_screen.py.
- GET /api/kiosk/forms, kiosk-agent's catalogue (kiosk.agent.catalogue): here.
- GET /api/kiosk/eservices, kiosk-agent's e-services catalogue (kiosk.agent.catalogue):
  tests/fleet/test_eservices_end_to_end.py.
- POST /api/kiosk/submissions, kiosk-agent's outbox (kiosk.agent.shipper): here (an e-mail);
  forms in tests/delivery/test_exactly_once.py.
- POST /api/kiosk/heartbeat, kiosk-agent (kiosk.agent.health): here, and
  tests/fleet/test_fleet_end_to_end.py.
- POST /api/kiosk/events and POST /api/kiosk/usage, kiosk-agent (kiosk.agent.events): here, and
  the events in tests/fleet/test_fleet_end_to_end.py.
- POST /api/kiosk/actions/{id}/result and POST /api/kiosk/self-test, kiosk-agent's remote
  actions (kiosk.agent.actions): here.
- GET /api/lines and the WebSocket GET /ws/kiosk with the hub's hello, the call link
  (kiosk.video.hub_link): here; calls over it in tests/video/test_call_resilience.py.

A wrong token is refused by the hub; the kiosk says so as that (the hub refused this kiosk's
credentials), for the e-mail policy, kiosk-agent and the call link alike, never as "offline".
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from kiosk.app import Kiosk
from kiosk.engine import Engine
from kiosk.forms.cache import read_cache
from kiosk.hubclient import REFUSED_CODE, HubRefused
from kiosk.mail import EmailPolicy
from kiosk.remote import RemoteActions
from kiosk.session import EndReason
from kiosk.store.fleet import Fleet
from kiosk.submissions.email import EmailSending
from kiosk.video.advice import AdvicePhase
from kiosk.video.hub_client import HubAdviceClient
from tests.hubcalls.conftest import (
    KIOSK_ID,
    LINE,
    PASSWORD,
    PER_HOUR,
    SENDER,
    SUPPORT,
    Site,
    log_lines,
)
from tests.peers.hub import wait_until

REFUSED_WORDS = "the hub refused this kiosk's credentials"


@pytest.fixture
def app(site: Site) -> Iterator[Kiosk]:
    """The kiosk app's back end (devices, store, engine), without a screen."""
    kiosk = Kiosk(site.config)
    kiosk.start_backend()
    yield kiosk
    kiosk.shutdown()


def policy(kiosk: Kiosk) -> EmailPolicy:
    assert kiosk.submissions is not None
    return kiosk.submissions.email_policy().result(timeout=30)


def test_the_e_mail_policy_is_the_hubs_and_counts_what_the_kiosk_sent(
    site: Site, app: Kiosk
) -> None:
    first = policy(app)
    assert first.known and not first.exhausted
    assert (first.sender, first.messages_per_hour, first.remaining_this_hour) == (
        SENDER,
        PER_HOUR,
        PER_HOUR,
    )

    # A citizen sends an e-mail: sealed into the outbox, shipped by kiosk-agent.
    app.session.start("fi")
    assert app.submissions is not None
    app.submissions.submit_email(
        EmailSending(
            to="ystava@example.fi",
            subject="Asiakirjat",
            message="Tässä ne ovat.",
            attachments=(),
            language="fi",
        )
    ).result(timeout=30)
    app.session.end(EndReason.USER)
    assert site.agent_once().returncode == 0
    [stored] = site.hub.submissions()
    assert (stored["kiosk_id"], stored["kind"]) == (KIOSK_ID, "email")

    assert policy(app).remaining_this_hour == PER_HOUR - 1


def test_the_agent_keeps_the_hubs_forms_catalogue(site: Site) -> None:
    done = site.agent_once()
    assert done.returncode == 0, done.stderr
    cached = read_cache(site.config.data_dir)
    assert cached is not None and cached.version
    ids = {form["id"] for form in cached.forms}
    assert {"library-card", "kansalaisneuvonta-contact"} <= ids
    assert any("forms catalogue" in str(r.get("msg")) for r in log_lines(done.stderr))

    again = site.agent_once()  # unchanged: the hub answers 304 and nothing is written
    assert again.returncode == 0
    assert not any("cached" in str(r.get("msg")) for r in log_lines(again.stderr))
    assert read_cache(site.config.data_dir) == cached


def test_heartbeat_events_and_usage_reach_the_hub(site: Site, app: Kiosk) -> None:
    logging.getLogger("kiosk.hubcalls-test").warning("a warning support should read")
    app.session.start("sv")
    app.session.end(EndReason.USER)
    writer = app.writer
    assert writer is not None
    wait_until(lambda: writer.flush(1), "the app's records are written")
    assert site.agent_once().returncode == 0

    [status] = site.hub.rows("SELECT * FROM kiosk_status WHERE kiosk_id = ?", (KIOSK_ID,))
    devices = json.loads(status["devices_json"])
    assert devices["printer"]["state"] == "online"
    messages = {
        row["message"]
        for row in site.hub.rows("SELECT message FROM kiosk_events WHERE kiosk_id = ?", (KIOSK_ID,))
    }
    assert "a warning support should read" in messages
    usage = site.hub.rows("SELECT kind, language FROM kiosk_usage WHERE kiosk_id = ?", (KIOSK_ID,))
    assert ("session_start", "sv") in {(u["kind"], u["language"]) for u in usage}


async def ask_for(site: Site, kind: str) -> str:
    """Support asks for a remote action on the dashboard's API; its id."""
    jar = aiohttp.CookieJar(unsafe=True)  # the hub is at an IP address
    async with aiohttp.ClientSession(base_url=site.hub.url, cookie_jar=jar) as http:
        login = {"username": SUPPORT, "password": PASSWORD}
        async with http.post("/login", data=login, allow_redirects=False) as response:
            assert response.status == 303
        async with http.get("/api/me") as response:
            csrf = (await response.json())["csrf_token"]
        async with http.post(
            f"/api/support/kiosks/{KIOSK_ID}/actions",
            json={"kind": kind},
            headers={"X-CSRF-Token": csrf},
        ) as response:
            assert response.status == 202, await response.text()
            answer: dict[str, Any] = await response.json()
    return str(answer["id"])


def test_remote_actions_come_with_the_heartbeat_and_their_outcomes_go_back(
    site: Site, app: Kiosk
) -> None:
    restart = asyncio.run(ask_for(site, "restart-app"))
    self_test = asyncio.run(ask_for(site, "self-test"))

    # The heartbeat's answer brings both: the agent restarts the app itself (its restart
    # command is `true` here) and reports that at once; the self-test is the app's.
    assert site.agent_once().returncode == 0
    writer = app.writer
    assert writer is not None
    remote = RemoteActions(
        writer, session_active=lambda: False, devices=app.devices_list, printing=app.printing
    )
    [command] = remote.poll().result(timeout=30)
    assert (command.id, command.kind) == (self_test, "self-test")
    remote.self_test(command)

    def finished() -> bool:
        writer.flush(1)
        return any(r.id == self_test for r in Fleet(writer.store).finished_unreported(10))

    wait_until(finished, "the app has run the self-test")
    assert site.agent_once().returncode == 0

    actions = {
        row["id"]: row
        for row in site.hub.rows("SELECT * FROM actions WHERE kiosk_id = ?", (KIOSK_ID,))
    }
    assert actions[restart]["ok"] == 1 and actions[restart]["done_at"]
    assert actions[self_test]["ok"] == 1, actions[self_test]["message"]
    [status] = site.hub.rows("SELECT * FROM kiosk_status WHERE kiosk_id = ?", (KIOSK_ID,))
    results = json.loads(status["last_self_test_json"])["results"]
    assert results["printer"] == "ok"


def open_link(engine: Engine, site: Site, token: str) -> HubAdviceClient:
    link = HubAdviceClient(
        hub_url=site.hub.url, token=token, kiosk_id=KIOSK_ID, loop=engine.loop, camera=None
    )
    link.open()
    return link


def close_link(engine: Engine, link: HubAdviceClient) -> None:
    engine.submit(link.aclose()).result(timeout=30)


def test_the_call_link_is_let_in_by_the_hub(site: Site, engine: Engine) -> None:
    link = open_link(engine, site, site.token)
    try:
        wait_until(lambda: link.hub_connected, "the hub says hello on the kiosk's socket")
        lines = link.refresh_lines().result(timeout=30)
        assert [line.id for line in lines] == [LINE]
        assert link.status.phase is AdvicePhase.IDLE
    finally:
        close_link(engine, link)


# ---- a token the hub never issued ----------------------------------------------------------


def test_a_wrong_token_is_said_to_be_refused_for_the_e_mail_policy(
    wrong_token: tuple[Path, Any], caplog: pytest.LogCaptureFixture
) -> None:
    _, config = wrong_token
    kiosk = Kiosk(config)
    kiosk.start_backend()
    try:
        with pytest.raises(HubRefused) as refused:
            policy(kiosk)
    finally:
        kiosk.shutdown()
    assert refused.value.status == 401
    assert REFUSED_WORDS in str(refused.value)
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR and r.name == "kiosk.mail"]
    assert REFUSED_WORDS in record.getMessage() and "hub_token" in record.getMessage()
    assert record.__dict__["code"] == REFUSED_CODE


def test_a_wrong_token_is_said_to_be_refused_by_kiosk_agent(
    site: Site, wrong_token: tuple[Path, Any]
) -> None:
    config_file, _ = wrong_token
    done = site.agent_once(config_file)
    # The technician checking a new kiosk with `--once` is told, as of any config unusable.
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1].startswith(f"kiosk-agent: {REFUSED_WORDS} (HTTP 401)")
    errors = [r for r in log_lines(done.stderr) if r.get("level") == "ERROR"]
    assert errors, done.stderr
    for record in errors:
        assert REFUSED_WORDS in str(record["msg"]) and record.get("code") == REFUSED_CODE
    said = " ".join(str(r.get("msg")) for r in log_lines(done.stderr))
    assert "unavailable" not in said and "unreachable" not in said


def test_a_wrong_token_is_said_to_be_refused_by_the_call_link(
    site: Site, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    link = open_link(engine, site, "not-the-token-the-hub-gave")
    try:
        wait_until(
            lambda: link.status.phase is AdvicePhase.UNAVAILABLE, "the link gives up on the hub"
        )
        assert link.status.reason == "hub_refused"
        wait_until(
            lambda: any(r.levelno >= logging.ERROR for r in caplog.records),
            "the refusal is logged",
        )
    finally:
        close_link(engine, link)
    assert not link.hub_connected
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1  # once, not at each try
    assert REFUSED_WORDS in errors[0].getMessage()
    assert not any("not reachable" in r.getMessage() for r in caplog.records)
