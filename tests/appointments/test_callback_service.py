"""A callback request without a screen: the phone number or address checked as forms check it,
sealed to the hub's key into the outbox on the store's writer thread as kind "callback", with
the reference the citizen is given at once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kiosk.appointments.callback import CallbackRequest, new_callback_reference
from kiosk.appointments.contact import NOT_A_CONTACT, Contact, check_contact
from kiosk.appointments.service import Appointments
from kiosk.outbox import Outbox, open_sealed, parse_public_key
from kiosk.session import EndReason, SessionManager
from kiosk.store import StoreWriter, open_store
from kiosk.submissions.service import NoOutbox, Submissions
from tests.conftest import HUB_KEY, HUB_PUBLIC_KEY

KIOSK_ID = "kallio-1"
WAIT = 30


@dataclass
class Rig:
    sessions: SessionManager
    writer: StoreWriter
    outbox: Outbox
    appointments: Appointments


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    sessions = SessionManager(tmp_path / "sessions", idle_seconds=120, warning_seconds=20)
    sessions.prepare_root()
    writer = StoreWriter(open_store(tmp_path / "data" / "kiosk.db"))
    outbox = Outbox(writer.store, parse_public_key(HUB_PUBLIC_KEY))
    submissions = Submissions(sessions=sessions, writer=writer, outbox=outbox, kiosk_id=KIOSK_ID)
    sessions.start("fi")
    yield Rig(sessions, writer, outbox, Appointments(submissions))
    sessions.end(EndReason.SHUTDOWN)
    writer.close()


@pytest.mark.parametrize(
    ("typed", "kind", "value"),
    [
        ("040 123 4567", "phone", "+358401234567"),
        ("0401234567", "phone", "+358401234567"),
        ("+358 40 123 4567", "phone", "+358401234567"),
        ("+46 8 123 456 78", "phone", "+46812345678"),
        (" Maija.Meikalainen@Example.fi ", "email", "Maija.Meikalainen@example.fi"),
    ],
)
def test_a_phone_number_or_an_address_is_checked_and_normalised(
    typed: str, kind: str, value: str
) -> None:
    checked = check_contact(typed)
    assert checked.error is None
    assert checked.contact == Contact(kind, value)


@pytest.mark.parametrize("typed", ["123", "call me", "maija@", "040 123 45678 999 1"])
def test_what_is_neither_says_what_to_give(typed: str) -> None:
    checked = check_contact(typed)
    assert checked.contact is None
    assert checked.error == NOT_A_CONTACT


def test_a_contact_never_shows_in_a_repr() -> None:
    request = CallbackRequest(
        "virka-info", "housing", "morning", "fi", Contact("phone", "+358401234567")
    )
    assert "358401234567" not in repr(request)


def test_the_reference_is_easy_to_read_out() -> None:
    for _ in range(50):
        assert re.fullmatch(r"TP-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}", new_callback_reference())


def test_a_callback_goes_sealed_into_the_outbox_as_the_contract_says(rig: Rig) -> None:
    contact = check_contact("040 123 4567").contact
    assert contact is not None
    request = CallbackRequest("virka-info", "housing", "morning", "sv", contact)
    sent = rig.appointments.send_callback(request).result(WAIT)
    assert sent.reference == request.reference
    [row] = rig.outbox.pending()
    assert row.kind == "callback" and row.id == sent.submission_id
    assert b"358401234567" not in row.sealed
    opened = open_sealed(row.sealed, bytes(HUB_KEY))
    assert opened["kind"] == "callback"
    assert opened["submission_id"] == sent.submission_id
    assert opened["reference"] == request.reference
    assert opened["language"] == "sv"
    assert opened["kiosk_id"] == KIOSK_ID
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", opened["asked_at"])
    assert opened["callback"] == {
        "line": "virka-info",
        "topic": "housing",
        "time_of_day": "morning",
        "contact": {"phone": "+358401234567"},
    }
    with rig.writer.store.lock:
        usage = [
            (r["service"], r["value"])
            for r in rig.writer.store.db["usage"].rows
            if r["kind"] == "outcome"
        ]
    assert ("advice", "callback-asked") in usage


def test_an_address_goes_as_email(rig: Rig) -> None:
    contact = check_contact("maija@example.fi").contact
    assert contact is not None
    request = CallbackRequest("virka-info", "taxes", "any", "en", contact)
    rig.appointments.send_callback(request).result(WAIT)
    [row] = rig.outbox.pending()
    opened = open_sealed(row.sealed, bytes(HUB_KEY))
    assert opened["callback"]["contact"] == {"email": "maija@example.fi"}


def test_without_the_hubs_key_nothing_is_sent_and_the_citizen_is_told(
    tmp_path: Path, rig: Rig
) -> None:
    submissions = Submissions(
        sessions=rig.sessions, writer=rig.writer, outbox=None, kiosk_id=KIOSK_ID
    )
    contact = Contact("phone", "+358401234567")
    future = Appointments(submissions).send_callback(
        CallbackRequest("virka-info", "housing", "morning", "fi", contact)
    )
    with pytest.raises(NoOutbox):
        future.result(WAIT)
    assert rig.outbox.pending() == []
