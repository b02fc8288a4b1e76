"""Callbacks and bookings for a screen: every step returns a `Future` at once and runs where it
may block (kiosk.threads): the hub's requests on the engine, sealing and the outbox's durable
commit on the store's writer thread, drawing the slip on the engine's workers.

A failure is the future's exception, and nothing the citizen gave is lost by it: the screen
still holds what was typed. Logs carry ids only (a submission id, a booking id), never a
phone number, an address or a code."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, TypeVar

from kiosk.appointments.booking import Booking, Slot, book_slot, fetch_slots
from kiosk.appointments.callback import KIND, CallbackRequest, CallbackSent
from kiosk.appointments.contact import Contact
from kiosk.appointments.options import AppointmentOptions, parse_options
from kiosk.appointments.slip import Slip, Translate, write_slip_pdf
from kiosk.hubclient import HubRefused, refused
from kiosk.outbox import seal
from kiosk.submissions.email import EmailSending
from kiosk.submissions.service import NoOutbox

if TYPE_CHECKING:
    from kiosk.engine import Engine
    from kiosk.hubclient import HubClient
    from kiosk.outbox import Outbox
    from kiosk.printing.job import PrintJob
    from kiosk.printing.service import Printing
    from kiosk.session import Session
    from kiosk.submissions.service import EmailSent, Submissions

log = logging.getLogger(__name__)

T = TypeVar("T")

LINES_PATH = "/api/lines"
#: The usage records' service name: callbacks and bookings are part of video advice.
SERVICE = "advice"


class NoHub(RuntimeError):
    """This kiosk has no hub to ask (no engine, or no hub client)."""


def _failed(exc: BaseException) -> Future[Any]:
    future: Future[Any] = Future()
    future.set_exception(exc)
    return future


class Appointments:
    """A callback sent, a slot booked, its slip printed or e-mailed, for the running session."""

    def __init__(self, submissions: Submissions, printing: Printing | None = None) -> None:
        self.submissions = submissions
        self.sessions = submissions.sessions
        self.printing = printing

    @property
    def engine(self) -> Engine | None:
        return self.submissions.engine

    @property
    def hub(self) -> HubClient | None:
        return self.submissions.hub

    def _on_engine(self, make: Callable[[HubClient], Any]) -> Future[Any]:
        engine, hub = self.engine, self.hub
        if engine is None or hub is None:
            return _failed(NoHub("no engine or no hub client"))
        try:
            return engine.submit(make(hub))
        except Exception as exc:  # the engine has stopped: the kiosk is shutting down
            return _failed(exc)

    # ---- what the hub offers ------------------------------------------------------------------

    def options(self) -> Future[AppointmentOptions]:
        """The callback topics, times of day, long wait and home page, as the hub says now."""
        return self._on_engine(_fetch_options)

    def slots(self, line: str) -> Future[list[Slot]]:
        """The free slots of `line`, earliest first (BookingUnavailable when the hub is away)."""
        return self._on_engine(lambda hub: fetch_slots(hub, line))

    # ---- a booking ----------------------------------------------------------------------------

    def book(
        self, slot: Slot, *, language: str, topic: str, contact: Contact | None = None
    ) -> Future[Booking]:
        """Book `slot`; the contact, if the citizen gave one for the advisor, goes sealed to the
        hub's key (the kiosk cannot read it back)."""
        outbox = self.submissions.outbox
        if contact is not None and outbox is None:
            return _failed(NoOutbox("no hub public key to seal the contact to"))
        key = outbox.public_key if outbox is not None else b""
        session = self.sessions.current

        async def run(hub: HubClient) -> Booking:
            import asyncio

            sealed = None
            if contact is not None:
                sealed = await asyncio.to_thread(seal, contact.as_json(), key)
            booking = await book_slot(
                hub, slot.id, language=language, topic=topic, contact_sealed=sealed
            )
            if session is not None and self.sessions.current is session:
                self.sessions.outcome(SERVICE, "booked")
            return booking

        return self._on_engine(run)

    def print_slip(self, slip: Slip, t: Translate, language: str) -> Future[PrintJob]:
        """Draw the slip into the session's folder and print it, free of charge as a receipt
        is (no print order: it costs no pages of the visit's)."""
        session = self.sessions.current
        printing = self.printing
        engine = self.engine
        if session is None or printing is None or engine is None:
            return _failed(RuntimeError("no session, printer or engine"))
        path = session.folder / f"appointment-{slip.booking.booking or 'slip'}.pdf"

        def run() -> PrintJob:
            write_slip_pdf(slip, t, language, path)
            job = printing.send(path)
            self.sessions.outcome(SERVICE, "slip-printed")
            return job

        try:
            return engine.run_blocking(run)
        except Exception as exc:
            return _failed(exc)

    def email_slip(self, slip: Slip, t: Translate, language: str, to: str) -> Future[EmailSent]:
        """The slip's words as a sealed e-mail to `to`, through the outbox like every e-mail."""
        mail = EmailSending(
            to=to,
            subject=slip.email_subject(t),
            message=slip.email_text(t, language),
            attachments=(),
            language=language,
        )
        return self.submissions.submit_email(mail)

    # ---- a callback ---------------------------------------------------------------------------

    def send_callback(self, request: CallbackRequest) -> Future[CallbackSent]:
        """Seal the request into the outbox with the usage record of its asking, in one durable
        transaction on the writer thread; kiosk-agent ships it to the hub."""
        submissions = self.submissions
        payload = {**request.payload(), "kiosk_id": submissions.kiosk_id}

        def send(outbox: Outbox, session: Session) -> CallbackSent:
            submission_id = outbox.put(
                KIND, payload, session_id=session.id, service=SERVICE, outcome="callback-asked"
            )
            log.info(
                "callback request in the outbox",
                extra={"service": SERVICE, "submission_id": submission_id},
            )
            return CallbackSent(request.reference, submission_id)

        # The citizen was told the request is on its way: a session that ends before the writer
        # got to it waits for it.
        return submissions.on_writer(self.sessions.current, send, resource="callback")


async def _fetch_options(hub: HubClient) -> AppointmentOptions:
    import aiohttp

    from kiosk.appointments.booking import CONNECT_SECONDS, REQUEST_SECONDS, BookingUnavailable

    try:
        async with (
            hub.session(total=REQUEST_SECONDS, connect=CONNECT_SECONDS) as http,
            http.get(hub.url(LINES_PATH)) as response,
        ):
            if refused(response.status):
                raise HubRefused(response.status)
            if response.status != 200:
                raise BookingUnavailable(f"the hub answered {response.status} to {LINES_PATH}")
            payload = await response.json()
    except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as exc:
        raise BookingUnavailable(str(exc) or type(exc).__name__) from exc
    return parse_options(payload, hub.base_url)
