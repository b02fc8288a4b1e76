"""A video appointment booked through the kiosk's client on the hub as it runs: the advisor's
free slot is offered, booking it gives an eight-digit code, the same slot again is "taken",
the slip prints free on the simulated printer and its e-mail goes into the outbox sealed; the
advisor who holds the slot sees the contact the citizen left. With the hub away the kiosk says
so and books nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from kiosk.app import Kiosk
from kiosk.appointments.booking import HELSINKI, BookingUnavailable, SlotTaken
from kiosk.appointments.contact import check_contact
from kiosk.appointments.service import Appointments
from kiosk.appointments.slip import Slip
from kiosk.devices.status import PrintJobCompleted
from kiosk.outbox import open_sealed
from kiosk.printing.job import PrintJob
from tests.conftest import HUB_KEY
from tests.hubcalls.conftest import LINE, Site
from tests.hubcalls.test_callback_hub import as_staff

WAIT = 30


@pytest.fixture
def app(site: Site) -> Iterator[Kiosk]:
    kiosk = Kiosk(site.config)
    kiosk.start_backend()
    yield kiosk
    kiosk.shutdown()


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def test_a_slot_booked_at_the_kiosk_gives_a_code_a_slip_and_an_e_mail(
    site: Site, app: Kiosk
) -> None:
    starts = (datetime.now(UTC) + timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
    [(status, slot)] = asyncio.run(
        as_staff(
            site, [("POST", "/api/schedule/slots", {"line": LINE, "starts_at": utc_iso(starts)})]
        )
    )
    assert status == 201, slot

    assert app.submissions is not None
    appointments = Appointments(app.submissions, app.printing)
    app.session.start("fi")
    slots = appointments.slots(LINE).result(WAIT)
    [offered] = [s for s in slots if s.id == slot["id"]]
    assert offered.starts_at == starts

    contact = check_contact("040 765 4321").contact
    booking = appointments.book(offered, language="fi", topic="housing", contact=contact).result(
        WAIT
    )
    assert booking.code.isdigit() and len(booking.code) == 8
    assert booking.shown_code == f"{booking.code[:4]} {booking.code[4:]}"
    assert (booking.line, booking.starts_at) == (LINE, starts)

    with pytest.raises(SlotTaken):
        appointments.book(offered, language="fi", topic="housing").result(WAIT)

    slip = Slip(booking, "Virka-info", site.hub.url + "/call")
    job = appointments.print_slip(slip, lambda m: m, "fi").result(WAIT)
    assert isinstance(job, PrintJob)
    assert isinstance(job.ended.result(WAIT), PrintJobCompleted)

    sent = appointments.email_slip(slip, lambda m: m, "fi", "maija@example.fi").result(WAIT)
    assert app.outbox is not None
    [row] = [r for r in app.outbox.pending() if r.id == sent.submission_id]
    assert row.kind == "email"
    mail = open_sealed(row.sealed, bytes(HUB_KEY))
    assert mail["to"] == ["maija@example.fi"]
    assert booking.shown_code in mail["message"]

    day = starts.astimezone(HELSINKI).date().isoformat()
    [(status, listed)] = asyncio.run(
        as_staff(site, [("GET", f"/api/advisor/appointments?day={day}", None)])
    )
    assert status == 200, listed
    [mine] = [a for a in listed["appointments"] if a["booking"] == booking.booking]
    assert mine["contact"] == {"phone": "+358407654321"}


def test_with_the_hub_away_nothing_is_booked_and_the_kiosk_says_so(site: Site, app: Kiosk) -> None:
    assert app.submissions is not None
    appointments = Appointments(app.submissions, app.printing)
    site.hub.stop()
    with pytest.raises(BookingUnavailable):
        appointments.slots(LINE).result(WAIT)
    with pytest.raises(BookingUnavailable):
        appointments.options().result(WAIT)
