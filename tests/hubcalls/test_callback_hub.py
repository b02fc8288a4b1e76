"""A callback asked at the kiosk reaches the hub as it runs: the kiosk's service seals it into
the outbox with the reference shown at once, kiosk-agent ships it, and the line's advisor lists
it (without the contact) and, claiming it, reads the phone number the citizen typed."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest

from kiosk.app import Kiosk
from kiosk.appointments.callback import CallbackRequest
from kiosk.appointments.contact import check_contact
from kiosk.appointments.service import Appointments
from tests.hubcalls.conftest import ADVISOR, LINE, PASSWORD, Site

WAIT = 30


@pytest.fixture
def app(site: Site) -> Iterator[Kiosk]:
    """The kiosk app's back end (devices, store, engine), without a screen."""
    kiosk = Kiosk(site.config)
    kiosk.start_backend()
    yield kiosk
    kiosk.shutdown()


async def as_staff(
    site: Site, calls: list[tuple[str, str, dict[str, Any] | None]], user: str = ADVISOR
) -> list[tuple[int, Any]]:
    """Log in as `user` and make `calls` ((method, path, JSON body)) with the CSRF token; the
    status and JSON answer of each."""
    answers: list[tuple[int, Any]] = []
    jar = aiohttp.CookieJar(unsafe=True)  # the hub is at an IP address
    async with aiohttp.ClientSession(base_url=site.hub.url, cookie_jar=jar) as http:
        login = {"username": user, "password": PASSWORD}
        async with http.post("/login", data=login, allow_redirects=False) as response:
            assert response.status == 303
        async with http.get("/api/me") as response:
            csrf = (await response.json())["csrf_token"]
        for method, path, body in calls:
            async with http.request(
                method, path, json=body, headers={"X-CSRF-Token": csrf}
            ) as response:
                answers.append((response.status, await response.json(content_type=None)))
    return answers


def test_a_callback_asked_at_the_kiosk_is_listed_for_the_advisor_and_claimed(
    site: Site, app: Kiosk
) -> None:
    assert app.submissions is not None
    appointments = Appointments(app.submissions, app.printing)
    options = appointments.options().result(WAIT)
    assert options.known
    topic = next(t for t in options.topics if t.id == "housing")
    assert topic.name("fi") == "Asuminen"
    morning = next(t for t in options.times_of_day if t.id == "morning")

    app.session.start("sv")
    contact = check_contact("040 123 4567").contact
    assert contact is not None
    request = CallbackRequest(LINE, topic.id, morning.id, "sv", contact)
    sent = appointments.send_callback(request).result(WAIT)
    assert sent.reference == request.reference  # the citizen has it before the hub does

    shipped = site.agent_once()
    assert shipped.returncode == 0, shipped.stderr
    assert "358401234567" not in shipped.stderr  # the agent's log has ids only

    [(status, listed), (claimed_status, claimed)] = asyncio.run(
        as_staff(
            site,
            [
                ("GET", "/api/advisor/callbacks", None),
                ("POST", f"/api/advisor/callbacks/{request.reference}/claim", None),
            ],
        )
    )
    assert status == 200
    [item] = [c for c in listed["callbacks"] if c["id"] == request.reference]
    assert (item["line"], item["language"], item["topic"], item["time_of_day"]) == (
        LINE,
        "sv",
        "housing",
        "morning",
    )
    assert "contact" not in item and "358401234567" not in str(listed)
    assert claimed_status == 200
    assert claimed["callback"]["contact"] == {"phone": "+358401234567"}
