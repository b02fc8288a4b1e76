"""What the hub delivers leaves encrypted: the relay is spoken to over STARTTLS or TLS with its
certificate verified, and plain SMTP only to a relay on this machine that hub.toml allows it for.

Against real relays (aiosmtpd, with a certificate made here); the hub's own delivery worker and
alert notifier send, and `kiosk-hub check-config` checks the file as at start-up.
"""

from __future__ import annotations

import asyncio
import logging
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import pytest
from aiohttp import web

from hub.app import make_app
from hub.config import HubConfig, load_config
from hub.delivery.settings import SmtpSettings
from hub.delivery.transport import DeliveryError, Mailer, Outgoing, Poster
from hub.store import HubStore, open_configured
from tests.hub.conftest import PDF, FixedClock, add_kiosk, form_payload, make_catalogue, run_app
from tests.hub.test_alerts import mails
from tests.hub.test_delivery import Client, attachments, parsed, submit, worker_of
from tests.hub.test_fleet import Kiosk, Support, fleet_scenario, printer
from tests.peers.hub import BIN
from tests.peers.smtp import free_port
from tests.peers.smtp_tls import TlsSmtpSink

ID = "0123456789abcdef0123456789abcdef"
Mode = Literal["starttls", "implicit", "none"]


def relay(tmp_path: Path, cert: tuple[Path, Path], mode: Mode) -> TlsSmtpSink:
    sink = TlsSmtpSink(free_port(), *cert, mode=mode)
    sink.start()
    return sink


def tls_config(write_config: Callable[[str], Path], tmp_path: Path, smtp: str) -> HubConfig:
    return load_config(
        write_config(
            f'[smtp]\nhost = "127.0.0.1"\ntimeout_seconds = 10\n{smtp}'
            f'[email]\nsender = "kioski@kirjasto.example.fi"\n'
            f'[forms]\ncatalogue_dir = "{make_catalogue(tmp_path / "catalogue")}"\n'
        )
    )


def deliver_one(config: HubConfig, clock: FixedClock) -> tuple[str, int, str | None, str | None]:
    """A kiosk submits the contact form; the hub tries once. (status, attempts, error, next)."""
    store = open_configured(config)
    token = add_kiosk(store, "itakeskus-1")
    app = make_app(config, store, clock=clock)

    async def scenario(client: Client) -> None:
        await submit(client, token, form_payload(ID))
        await worker_of(app).run_due()

    try:
        run_app(app, scenario)
        record = store.submissions.get(ID)
        assert record is not None
        return record.status, record.attempts, record.last_error, record.next_attempt_at
    finally:
        store.close()


def test_a_form_reaches_the_relay_over_starttls_with_its_certificate_verified(
    write_config: Callable[[str], Path],
    tmp_path: Path,
    self_signed: tuple[Path, Path],
    clock: FixedClock,
) -> None:
    sink = relay(tmp_path, self_signed, "starttls")
    try:
        config = tls_config(
            write_config, tmp_path, f'port = {sink.port}\nca_file = "{self_signed[0]}"\n'
        )
        assert deliver_one(config, clock)[:3] == ("delivered", 1, None)
    finally:
        sink.stop()
    ((to, data),) = sink.received
    assert to == ["kansalaisneuvonta@example.fi"]
    assert sink.encrypted == [True]
    assert "kansalaisneuvonta-contact-AB12-CD34.pdf" in attachments(parsed(data))
    assert attachments(parsed(data))["kansalaisneuvonta-contact-AB12-CD34.pdf"] == PDF


def test_a_relay_on_port_465_gets_tls_from_the_first_byte(
    write_config: Callable[[str], Path],
    tmp_path: Path,
    self_signed: tuple[Path, Path],
    clock: FixedClock,
) -> None:
    sink = relay(tmp_path, self_signed, "implicit")
    try:
        config = tls_config(
            write_config,
            tmp_path,
            f'port = {sink.port}\ntls = "implicit"\nca_file = "{self_signed[0]}"\n',
        )
        assert deliver_one(config, clock)[:3] == ("delivered", 1, None)
    finally:
        sink.stop()
    assert sink.encrypted == [True]


def test_a_relay_without_starttls_gets_nothing_and_the_submission_waits_with_the_reason(
    write_config: Callable[[str], Path],
    tmp_path: Path,
    self_signed: tuple[Path, Path],
    clock: FixedClock,
) -> None:
    sink = relay(tmp_path, self_signed, "none")
    try:
        config = tls_config(write_config, tmp_path, f"port = {sink.port}\n")
        status, attempts, error, next_at = deliver_one(config, clock)
    finally:
        sink.stop()
    assert sink.received == []
    assert (status, attempts) == ("pending", 1)
    assert next_at is not None  # kept, and tried again later
    assert error is not None and f"127.0.0.1:{sink.port} does not offer STARTTLS" in error
    assert "nothing was sent" in error


def test_a_relay_whose_certificate_is_not_trusted_gets_nothing(
    write_config: Callable[[str], Path],
    tmp_path: Path,
    self_signed: tuple[Path, Path],
    clock: FixedClock,
) -> None:
    sink = relay(tmp_path, self_signed, "starttls")
    try:
        # No ca_file: the test's own authority is not among the system's.
        config = tls_config(write_config, tmp_path, f"port = {sink.port}\n")
        status, attempts, error, _next = deliver_one(config, clock)
    finally:
        sink.stop()
    assert sink.received == []
    assert (status, attempts) == ("pending", 1)
    assert error is not None and "certificate is not trusted" in error
    assert "smtp.ca_file" in error


def test_plain_smtp_to_a_loopback_relay_only_when_hub_toml_allows_it(
    write_config: Callable[[str], Path],
    tmp_path: Path,
    self_signed: tuple[Path, Path],
    clock: FixedClock,
) -> None:
    sink = relay(tmp_path, self_signed, "none")
    try:
        config = tls_config(
            write_config, tmp_path, f"port = {sink.port}\nallow_plain_smtp_to_loopback = true\n"
        )
        assert deliver_one(config, clock)[:3] == ("delivered", 1, None)
    finally:
        sink.stop()
    assert sink.encrypted == [False]
    assert len(sink.received) == 1


def check_config(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "kiosk-hub"), "--config", str(path), "check-config"],
        capture_output=True,
        text=True,
        check=False,
    )


def test_plain_smtp_to_a_relay_elsewhere_stops_the_hub_at_start(
    write_config: Callable[[str], Path],
) -> None:
    path = write_config(
        '[smtp]\nhost = "mail.example.fi"\nport = 25\nallow_plain_smtp_to_loopback = true\n'
    )
    done = check_config(path)
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert "smtp.allow_plain_smtp_to_loopback = true is not allowed" in line
    assert '"mail.example.fi"' in line and "STARTTLS or TLS" in line
    # The same switch with the relay on this machine, as in the demo, is fine.
    for host in ("127.0.0.1", "localhost", "::1"):
        fine = write_config(f'[smtp]\nhost = "{host}"\nallow_plain_smtp_to_loopback = true\n')
        assert check_config(fine).returncode == 0, host


def test_the_former_starttls_key_says_what_replaced_it(
    write_config: Callable[[str], Path],
) -> None:
    done = check_config(write_config('[smtp]\nhost = "mail.example.fi"\nstarttls = false\n'))
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert "smtp.starttls is no longer a key" in line and 'smtp.tls = "starttls"' in line
    done = check_config(write_config('[smtp]\ntls = "none"\n'))
    assert done.returncode == 2
    assert 'smtp.tls = "none" is not allowed: "starttls"' in done.stderr


def test_a_missing_smtp_ca_file_stops_the_hub_at_start(
    write_config: Callable[[str], Path], tmp_path: Path
) -> None:
    path = write_config(f'[smtp]\nca_file = "{tmp_path / "no-such.pem"}"\n')
    done = subprocess.run(
        [str(BIN / "kiosk-hub"), "--config", str(path), "serve"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 2
    assert "smtp.ca_file" in done.stderr and "no-such.pem" in done.stderr


def alert_app(
    write_config: Callable[[str], Path], store: HubStore, clock: FixedClock, smtp: str
) -> web.Application:
    config = load_config(
        write_config(
            f'[smtp]\nhost = "127.0.0.1"\ntimeout_seconds = 10\n{smtp}'
            '[alerts]\nnotify_maintenance = ["huolto@example.fi"]\n'
        )
    )
    return make_app(config, store, clock=clock)


def test_alert_mail_is_not_sent_to_a_relay_in_the_clear(
    write_config: Callable[[str], Path],
    tmp_path: Path,
    self_signed: tuple[Path, Path],
    store: HubStore,
    clock: FixedClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sink = relay(tmp_path, self_signed, "none")
    app = alert_app(write_config, store, clock, f"port = {sink.port}\n")

    async def toner(kiosk: Kiosk, support: Support) -> None:
        await kiosk.beat(devices=printer("maintenance", "toner-empty"))
        fleet = await support.get("/api/support/fleet")
        assert [a["code"] for a in fleet["kiosks"][0]["open_alerts"]] == ["toner-empty"]
        async with asyncio.timeout(20):
            while not (failed := [r for r in caplog.records if r.msg == "alert mail not sent"]):
                await asyncio.sleep(0.02)
        assert "does not offer STARTTLS" in failed[0].__dict__["error"]

    try:
        with caplog.at_level(logging.WARNING, logger="hub.fleet.alerts"):
            fleet_scenario(app, store, toner)
    finally:
        sink.stop()
    assert sink.received == []
    assert store.db.execute("SELECT notified_at FROM alerts").fetchall() == [(None,)]


def test_alert_mail_goes_over_starttls(
    write_config: Callable[[str], Path],
    tmp_path: Path,
    self_signed: tuple[Path, Path],
    store: HubStore,
    clock: FixedClock,
) -> None:
    sink = relay(tmp_path, self_signed, "starttls")
    app = alert_app(
        write_config, store, clock, f'port = {sink.port}\nca_file = "{self_signed[0]}"\n'
    )

    async def jam(kiosk: Kiosk, support: Support) -> None:
        await kiosk.beat(devices=printer("maintenance", "paper-jam"))
        ((to, text),) = await mails(sink, 1)
        assert to == ["huolto@example.fi"] and "paper-jam" in text

    try:
        fleet_scenario(app, store, jam)
    finally:
        sink.stop()
    assert sink.encrypted == [True]


def test_forms_go_to_https_endpoints_only(tmp_path: Path) -> None:
    """An http:// endpoint, even a live one on this machine, gets nothing."""
    hits: list[bytes] = []

    async def endpoint(request: web.Request) -> web.Response:
        hits.append(await request.read())
        return web.Response(status=204)

    async def main() -> DeliveryError:
        app = web.Application()
        app.router.add_post("/forms", endpoint)
        runner = web.AppRunner(app)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        poster = Poster(None)
        try:
            await poster.post_json(f"http://127.0.0.1:{port}/forms", b"{}")
        except DeliveryError as exc:
            return exc
        finally:
            await poster.close()
            await runner.cleanup()
        raise AssertionError("posted over plain HTTP")

    error = asyncio.run(main())
    assert hits == []
    assert error.permanent and "forms go to HTTPS endpoints only" in error.text


def sockets_to(port: int) -> list[str]:
    """This process's TCP connections to `port` on 127.0.0.1, from /proc."""
    wanted = f"0100007F:{port:04X}"
    rows = [line.split() for line in Path("/proc/self/net/tcp").read_text().splitlines()[1:]]
    # Column 3 is the remote address, column 10 the socket's inode: 0 once no process holds it
    # (TIME_WAIT, which the kernel keeps a while on its own).
    return [" ".join(row) for row in rows if row[2] == wanted and row[9] != "0"]


@pytest.mark.parametrize("mode", ["starttls", "implicit"])
def test_the_relay_connection_is_closed_when_sending_returns(
    tmp_path: Path, self_signed: tuple[Path, Path], mode: Mode
) -> None:
    """A TLS connection's close is a shutdown exchange with the relay: it is over by the time
    the send returns, so that a hub stopping right after leaves no socket open."""
    sink = relay(tmp_path, self_signed, mode)
    settings = SmtpSettings(
        host="127.0.0.1", port=sink.port, tls=mode, ca_file=self_signed[0], timeout_seconds=10
    )
    message = Outgoing(
        "kioski@kirjasto.example.fi", ("neuvonta@example.fi",), b"Subject: x\r\n\r\nx\r\n"
    )

    async def send() -> tuple[list[str], list[str]]:
        notes = await Mailer(settings, None).send([message])
        return notes, sockets_to(sink.port)

    try:
        notes, left = asyncio.run(send())
    finally:
        sink.stop()
    assert notes == [] and len(sink.received) == 1 and sink.encrypted == [True]
    assert left == []
