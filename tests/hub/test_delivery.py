"""Delivery against real peers: an SMTP server (aiosmtpd) and an HTTPS endpoint with its own
certificate authority. What arrives is parsed with the stdlib e-mail package."""

from __future__ import annotations

import asyncio
import base64
import email
import json
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestClient

from hub.app import make_app
from hub.config import HubConfig, load_config
from hub.delivery.service import DELIVERY
from hub.delivery.worker import DeliveryWorker
from hub.store import open_configured
from tests.hub.conftest import (
    PDF,
    FixedClock,
    SmtpSink,
    add_kiosk,
    email_payload,
    form_payload,
    free_port,
    make_catalogue,
    run_app,
    sealed_for,
)

Client = TestClient[web.Request, web.Application]
ID = "0123456789abcdef0123456789abcdef"


def delivery_config(
    write_config: Callable[[str], Path], tmp_path: Path, smtp_port: int, extra: str = ""
) -> HubConfig:
    return load_config(
        write_config(
            f'[smtp]\nhost = "127.0.0.1"\nport = {smtp_port}\n'
            "allow_plain_smtp_to_loopback = true\n"
            f'[email]\nsender = "kioski@kirjasto.example.fi"\n'
            f'[forms]\ncatalogue_dir = "{tmp_path / "catalogue"}"\n{extra}'
        )
    )


def kiosk_headers(token: str, submission_id: str = ID, kind: str = "form") -> dict[str, str]:
    return {
        "Authorization": f"Bearer {token}",
        "X-Kiosk-Id": "itakeskus-1",
        "Content-Type": "application/octet-stream",
        "X-Submission-Id": submission_id,
        "X-Submission-Kind": kind,
    }


async def submit(client: Client, token: str, payload: dict[str, object]) -> None:
    kind = str(payload["kind"])
    response = await client.post(
        "/api/kiosk/submissions",
        data=sealed_for(payload),
        headers=kiosk_headers(token, str(payload["submission_id"]), kind),
    )
    assert (await response.json())["status"] == "stored"


def worker_of(app: web.Application) -> DeliveryWorker:
    worker = app[DELIVERY].worker
    assert worker is not None
    return worker


def parsed(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=default_policy)
    assert isinstance(message, EmailMessage)
    return message


def attachments(message: EmailMessage) -> dict[str, bytes]:
    found = {}
    for part in message.iter_attachments():
        assert isinstance(part, EmailMessage)
        content = part.get_content()
        assert isinstance(content, bytes)
        found[part.get_filename() or ""] = content
    return found


def test_a_form_goes_by_email_with_its_pdf_and_the_citizen_gets_a_copy(
    write_config: Callable[[str], Path], tmp_path: Path, smtp_sink: SmtpSink, clock: FixedClock
) -> None:
    make_catalogue(tmp_path / "catalogue")
    config = delivery_config(write_config, tmp_path, smtp_sink.port)
    smtp_sink.start()
    store = open_configured(config)
    token = add_kiosk(store, "itakeskus-1")
    app = make_app(config, store, clock=clock)
    scan = {"name": "liite.pdf", "content_type": "application/pdf", "data": "JVBERi0="}
    payload = form_payload(ID, copy_to="maija@example.fi", attachments=[scan])

    async def scenario(client: Client) -> None:
        await submit(client, token, payload)
        await worker_of(app).run_due()

    try:
        run_app(app, scenario)
        record = store.submissions.get(ID)
        assert record is not None
        assert (record.status, record.delivered_at, record.last_error) == (
            "delivered",
            "2025-01-13T08:00:00.000Z",
            None,
        )
        assert store.submissions.sealed(ID) == b""
    finally:
        store.close()
    (to_office, office_bytes), (to_citizen, copy_bytes) = smtp_sink.received
    assert to_office == ["kansalaisneuvonta@example.fi"]  # from the hub's catalogue
    office = parsed(office_bytes)
    assert office["From"] == "kioski@kirjasto.example.fi"
    assert office["Subject"] == "Yhteydenottopyyntö Kansalaisneuvontaan – AB12-CD34"
    body = office.get_body(("plain",))
    assert body is not None
    text = body.get_content().replace("\r\n", "\n")
    assert "Nimi: Maija Meikäläinen" in text
    assert "Mitä asiasi koskee?: Asuminen" in text  # the option's text, not its value
    assert "Kysymyksesi: Vuokrasopimus\n    päättyy." in text
    assert attachments(office) == {
        "kansalaisneuvonta-contact-AB12-CD34.pdf": PDF,
        "liite.pdf": base64.b64decode("JVBERi0="),
    }
    assert to_citizen == ["maija@example.fi"]
    copy = parsed(copy_bytes)
    assert copy["Subject"].startswith("Kopio: Yhteydenottopyyntö")
    assert attachments(copy) == {"kansalaisneuvonta-contact-AB12-CD34.pdf": PDF}


def test_no_citizen_copy_when_the_form_does_not_allow_one(
    write_config: Callable[[str], Path], tmp_path: Path, smtp_sink: SmtpSink, clock: FixedClock
) -> None:
    make_catalogue(tmp_path / "catalogue")
    config = delivery_config(write_config, tmp_path, smtp_sink.port)
    smtp_sink.start()
    store = open_configured(config)
    token = add_kiosk(store, "itakeskus-1")
    app = make_app(config, store, clock=clock)
    card = form_payload(
        ID, form="library-card", answers={"first_names": "Maija"}, copy_to="maija@example.fi"
    )

    async def scenario(client: Client) -> None:
        await submit(client, token, card)
        await worker_of(app).run_due()

    try:
        run_app(app, scenario)
    finally:
        store.close()
    assert [to for to, _ in smtp_sink.received] == [["kirjastokortit@example.fi"]]


def test_smtp_down_is_retried_later_and_delivered_once_when_it_is_up(
    write_config: Callable[[str], Path], tmp_path: Path, smtp_sink: SmtpSink, clock: FixedClock
) -> None:
    make_catalogue(tmp_path / "catalogue")
    config = delivery_config(
        write_config, tmp_path, smtp_sink.port, "[delivery]\ninitial_backoff_seconds = 60\n"
    )
    store = open_configured(config)
    token = add_kiosk(store, "itakeskus-1")
    app = make_app(config, store, clock=clock)

    async def scenario(client: Client) -> None:
        await submit(client, token, form_payload(ID))
        worker = worker_of(app)
        await worker.run_due()
        record = store.submissions.get(ID)
        assert record is not None
        assert (record.status, record.attempts) == ("pending", 1)
        assert record.next_attempt_at == "2025-01-13T08:01:00.000Z"
        assert "unreachable" in (record.last_error or "")
        smtp_sink.start()
        await worker.run_due()  # not due yet
        assert smtp_sink.received == []
        clock.advance(seconds=61)
        await worker.run_due()
        await worker.run_due()

    try:
        run_app(app, scenario)
        record = store.submissions.get(ID)
        assert record is not None and (record.status, record.attempts) == ("delivered", 2)
    finally:
        store.close()
    assert len(smtp_sink.received) == 1


def test_a_refusal_is_kept_for_support_without_the_address(
    write_config: Callable[[str], Path], tmp_path: Path, smtp_sink: SmtpSink, clock: FixedClock
) -> None:
    make_catalogue(tmp_path / "catalogue")
    config = delivery_config(write_config, tmp_path, smtp_sink.port)
    smtp_sink.refuse.add("someone@example.fi")
    smtp_sink.start()
    store = open_configured(config)
    token = add_kiosk(store, "itakeskus-1")
    app = make_app(config, store, clock=clock)

    async def scenario(client: Client) -> None:
        await submit(client, token, email_payload(ID))
        await worker_of(app).run_due()

    try:
        run_app(app, scenario)
        record = store.submissions.get(ID)
    finally:
        store.close()
    assert record is not None and record.status == "failed"  # a 5xx refusal: no retrying
    error = record.last_error or ""
    assert "550" in error and "Recipient address rejected" in error
    assert "@" not in error and "someone" not in error
    assert smtp_sink.received == []


def test_kiosk_email_says_where_it_was_sent_from(
    write_config: Callable[[str], Path], tmp_path: Path, smtp_sink: SmtpSink, clock: FixedClock
) -> None:
    make_catalogue(tmp_path / "catalogue")
    config = delivery_config(write_config, tmp_path, smtp_sink.port)
    smtp_sink.start()
    store = open_configured(config)
    token = add_kiosk(store, "itakeskus-1")
    app = make_app(config, store, clock=clock)

    async def scenario(client: Client) -> None:
        await submit(client, token, email_payload(ID))
        await worker_of(app).run_due()

    try:
        run_app(app, scenario)
    finally:
        store.close()
    ((to, data),) = smtp_sink.received
    assert to == ["someone@example.fi"]
    message = parsed(data)
    assert (message["From"], message["Subject"]) == ("kioski@kirjasto.example.fi", "Ansökan")
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content().replace("\r\n", "\n")
    assert text.startswith("Hej, här är min ansökan.")
    assert "allmänna kiosken Itäkeskus 1 (Itäkeskus library)" in text
    assert "inte verifierats" in text
    assert attachments(message) == {"scan-1.pdf": PDF}


def test_a_restarted_hub_delivers_what_was_pending(
    write_config: Callable[[str], Path], tmp_path: Path, smtp_sink: SmtpSink, clock: FixedClock
) -> None:
    make_catalogue(tmp_path / "catalogue")
    config = delivery_config(write_config, tmp_path, smtp_sink.port)
    first_store = open_configured(config)
    token = add_kiosk(first_store, "itakeskus-1")
    first = make_app(config, first_store, clock=clock)

    async def before(client: Client) -> None:
        await submit(client, token, form_payload(ID))
        await worker_of(first).run_due()  # the relay is down

    try:
        run_app(first, before)
    finally:
        first_store.close()
    smtp_sink.start()
    clock.advance(minutes=5)
    store = open_configured(config)
    second = make_app(config, store, clock=clock)

    async def after(client: Client) -> None:
        # Nobody asks: the worker looks for due rows as the hub starts.
        for _ in range(200):
            record = store.submissions.get(ID)
            if record is not None and record.status == "delivered":
                break
            await asyncio.sleep(0.05)

    try:
        run_app(second, after)
        record = store.submissions.get(ID)
        assert record is not None and record.status == "delivered"
    finally:
        store.close()
    assert len(smtp_sink.received) == 1


def test_an_http_form_is_posted_to_an_endpoint_trusted_through_ca_file(
    write_config: Callable[[str], Path],
    tmp_path: Path,
    smtp_sink: SmtpSink,
    clock: FixedClock,
    self_signed: tuple[Path, Path],
) -> None:
    cert, key = self_signed
    port = free_port()
    make_catalogue(tmp_path / "catalogue", feedback_url=f"https://127.0.0.1:{port}/feedback")
    config = delivery_config(
        write_config, tmp_path, smtp_sink.port, f'[delivery]\nca_file = "{cert}"\n'
    )
    store = open_configured(config)
    token = add_kiosk(store, "itakeskus-1")
    app = make_app(config, store, clock=clock)
    received: list[tuple[str, dict[str, object]]] = []
    answers = iter([503, 200])

    async def endpoint(request: web.Request) -> web.Response:
        received.append((request.content_type, await request.json()))
        return web.json_response({}, status=next(answers))

    payload = form_payload(ID, form="helsinki-feedback", answers={"feedback": "Kiitos"})

    async def scenario(client: Client) -> None:
        authority = web.Application()
        authority.router.add_post("/feedback", endpoint)
        runner = web.AppRunner(authority)
        await runner.setup()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        await web.TCPSite(runner, "127.0.0.1", port, ssl_context=context).start()
        try:
            await submit(client, token, payload)
            worker = worker_of(app)
            await worker.run_due()
            record = store.submissions.get(ID)
            assert record is not None
            assert (record.status, record.last_error) == (
                "pending",
                "HTTPS to 127.0.0.1 answered 503",
            )
            clock.advance(minutes=5)
            await worker.run_due()
        finally:
            await runner.cleanup()

    try:
        run_app(app, scenario)
        record = store.submissions.get(ID)
        assert record is not None and record.status == "delivered"
    finally:
        store.close()
    assert [content_type for content_type, _ in received] == ["application/json"] * 2
    assert received[1][1] == json.loads(json.dumps(payload))
