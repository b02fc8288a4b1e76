"""A form reaches the authority exactly once: the kiosk's outbox, kiosk-agent and the hub as the
processes they run as, and a real SMTP server (aiosmtpd) as the authority's mail relay.

1. Sent while the hub is down; the kiosk restarted; then the hub started: delivered once, with
   its PDF, and not again after the agent and the hub run once more.
2. The agent killed after the hub stored the submission but before the acknowledgement
   reached it (a proxy holds the hub's answer back): the retry is a duplicate, delivered once.
"""

from __future__ import annotations

import base64
import contextlib
import email
import email.policy
import os
import signal
import socket
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from nacl.public import PrivateKey

from kiosk.outbox import Outbox
from kiosk.store import open_store
from tests.peers.hub import BIN, Hub, wait_until
from tests.peers.smtp import SmtpSink, free_port

AUTHORITY = "neuvonta@kansalaisneuvonta.example"


@dataclass
class Kiosk:
    config: Path
    data: Path
    public_key: bytes

    def submit(self, reference: str) -> str:
        """What the Forms screen puts in the outbox when a citizen sends a form."""
        store = open_store(self.data / "kiosk.db")
        try:
            payload = {
                "form": "kansalaisneuvonta-contact",
                "version": 1,
                "reference": reference,
                "language": "fi",
                "answers": {
                    "name": "Testi Testinen",
                    "subject": "housing",
                    "language": "fi",
                    "contact_by": "phone",
                    "phone": "040 123 4567",
                    "question": "Miten haen asumistukea?",
                },
                "submitted_at": "2026-11-28T10:00:00Z",
                "pdf": base64.b64encode(b"%PDF-1.4 " + reference.encode() + b"\n%%EOF\n").decode(),
                "attachments": [],
                "kiosk_id": "library-1",
            }
            return Outbox(store, self.public_key).put(
                "form", payload, session_id="s-" + reference, service="forms", outcome="sent"
            )
        finally:
            store.close()

    def agent_once(self) -> int:
        return subprocess.run(
            [str(BIN / "kiosk-agent"), "--config", str(self.config), "--once"],
            stderr=subprocess.DEVNULL,
            timeout=120,
        ).returncode

    def outbox(self) -> list[dict[str, Any]]:
        store = open_store(self.data / "kiosk.db")
        try:
            with store.lock:
                return list(store.db["outbox"].rows)
        finally:
            store.close()


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink(free_port())
    yield sink
    sink.stop()


@pytest.fixture
def setup(tmp_path: Path, smtp_sink: SmtpSink) -> Iterator[tuple[Hub, Kiosk, SmtpSink]]:
    key = PrivateKey.generate()
    key_file = tmp_path / "sealing.key"
    key_file.write_text(base64.b64encode(bytes(key)).decode() + "\n")
    key_file.chmod(0o600)
    catalogue = tmp_path / "forms"
    catalogue.mkdir()
    shipped = Path(__file__).resolve().parents[2] / "eforms" / "catalogue"
    contact = (shipped / "kansalaisneuvonta-contact.json").read_text()
    (catalogue / "kansalaisneuvonta-contact.json").write_text(
        contact.replace(_address(contact), AUTHORITY)
    )
    port = free_port()
    hub_toml = tmp_path / "hub.toml"
    hub_toml.write_text(
        f'[hub]\nlisten_port = {port}\ndata_dir = "{tmp_path / "hub"}"\ncookie_secure = false\n'
        f'[sealing]\nprivate_key_file = "{key_file}"\n'
        f'[smtp]\nhost = "127.0.0.1"\nport = {smtp_sink.port}\n'
        "allow_plain_smtp_to_loopback = true\n"
        f'[forms]\ncatalogue_dir = "{catalogue}"\n'
        "[delivery]\ninitial_backoff_seconds = 1\nmax_backoff_seconds = 2\n"
    )
    hub = Hub(hub_toml, port)
    enrolled = hub.cli(
        "kiosk", "add", "library-1", "--name", "Library 1", "--location", "Itäkeskus"
    )
    token = enrolled.strip().splitlines()[-1]
    data = tmp_path / "kiosk"
    data.mkdir()
    kiosk_toml = tmp_path / "kiosk.toml"
    kiosk = Kiosk(kiosk_toml, data, bytes(key.public_key))
    kiosk_toml.write_text(
        f'[kiosk]\nid = "library-1"\nhub_url = "{hub.url}"\nhub_token = "{token}"\n'
        f'hub_public_key = "{base64.b64encode(bytes(key.public_key)).decode()}"\n'
        f'data_dir = "{data}"\n'
        "[agent]\nretry_initial_seconds = 1\nretry_max_seconds = 10\n"
    )
    yield hub, kiosk, smtp_sink
    hub.stop()


def _address(definition: str) -> str:
    import json

    address = json.loads(definition)["delivery"]["address"]
    assert isinstance(address, str)
    return address


def messages(sink: SmtpSink) -> list[EmailMessage]:
    found = []
    for _rcpt, content in sink.received:
        message = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        found.append(message)
    return found


def pdf_of(message: EmailMessage) -> bytes:
    [pdf] = [
        part for part in message.iter_attachments() if part.get_content_type() == "application/pdf"
    ]
    payload = pdf.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload


def test_sent_while_the_hub_is_down_is_delivered_once_when_it_is_back(
    setup: tuple[Hub, Kiosk, SmtpSink],
) -> None:
    hub, kiosk, sink = setup
    sink.start()
    submission = kiosk.submit("KANA1234")
    # The hub is down: the agent keeps it and says something is still waiting.
    assert kiosk.agent_once() == 1
    [row] = kiosk.outbox()
    assert row["delivered_at"] is None and row["attempts"] == 1
    # The kiosk restarts (its store is opened anew by the next agent); then the hub comes up.
    hub.start()
    assert kiosk.agent_once() == 0
    wait_until(lambda: len(sink.received) >= 1, "the authority's relay has the form")
    [message] = messages(sink)
    assert message["To"] == AUTHORITY
    assert "KANA1234" in message["Subject"]
    assert pdf_of(message) == b"%PDF-1.4 KANA1234\n%%EOF\n"
    [held] = hub.submissions()
    assert held["id"] == submission
    wait_until(lambda: hub.submissions()[0]["status"] == "delivered", "the hub records it")
    # Nothing readable is left on the kiosk.
    [row] = kiosk.outbox()
    assert row["delivered_at"] is not None and row["sealed"] == b""

    # Once more around: the agent has nothing to send, the restarted hub nothing to deliver.
    assert kiosk.agent_once() == 0
    hub.stop()
    hub.start()
    marker = kiosk.submit("MERK5678")
    assert kiosk.agent_once() == 0
    wait_until(lambda: len(sink.received) >= 2, "the marker arrives")
    subjects = [m["Subject"] for m in messages(sink)]
    assert sum("KANA1234" in s for s in subjects) == 1
    assert sum("MERK5678" in s for s in subjects) == 1
    assert {s["id"] for s in hub.submissions()} == {submission, marker}


class AckEater:
    """A TCP proxy in front of the hub that passes the request on, lets the hub answer, and
    holds the answer back: the hub has stored the submission, the agent never hears so."""

    def __init__(self, hub_port: int) -> None:
        self.port = free_port()
        self.hub_port = hub_port
        self.answered = threading.Event()
        self._open: list[socket.socket] = []
        self._forward: threading.Thread | None = None
        self._server = socket.create_server(("127.0.0.1", self.port))
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        client, _ = self._server.accept()
        upstream = socket.create_connection(("127.0.0.1", self.hub_port))
        self._open = [client, upstream]

        def forward() -> None:
            with contextlib.suppress(OSError):
                while data := client.recv(65536):
                    upstream.sendall(data)

        self._forward = threading.Thread(target=forward, daemon=True)
        self._forward.start()
        with contextlib.suppress(OSError):
            if upstream.recv(65536):  # the hub's answer: stored, and now lost on the way
                self.answered.set()

    def close(self) -> None:
        for sock in (*self._open, self._server):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self._thread.join(10)
        if self._forward is not None:
            self._forward.join(10)


def test_agent_killed_between_the_hub_storing_and_acknowledging(
    setup: tuple[Hub, Kiosk, SmtpSink],
) -> None:
    hub, kiosk, sink = setup
    sink.start()
    hub.start()
    submission = kiosk.submit("TAPP9876")
    proxy = AckEater(hub.port)
    via = kiosk.config.with_name("kiosk-via.toml")
    text = kiosk.config.read_text().replace(hub.url, f"http://127.0.0.1:{proxy.port}")
    via.write_text(text)
    agent = subprocess.Popen(
        [str(BIN / "kiosk-agent"), "--config", str(via), "--once"], stderr=subprocess.DEVNULL
    )
    try:
        assert proxy.answered.wait(60), "the hub never answered the agent's request"
        os.kill(agent.pid, signal.SIGKILL)
        agent.wait(10)
    finally:
        proxy.close()
    # The hub has it; the kiosk still thinks it is waiting.
    assert [s["id"] for s in hub.submissions()] == [submission]
    [row] = kiosk.outbox()
    assert row["delivered_at"] is None
    # The agent starts again and sends it again: the hub says duplicate, nothing new is sent.
    assert kiosk.agent_once() == 0
    [row] = kiosk.outbox()
    assert row["delivered_at"] is not None
    wait_until(lambda: hub.submissions()[0]["status"] == "delivered", "the hub delivers it")
    marker = kiosk.submit("MERK1111")
    assert kiosk.agent_once() == 0
    wait_until(lambda: len(sink.received) >= 2, "the marker arrives")
    subjects = [m["Subject"] for m in messages(sink)]
    assert sum("TAPP9876" in s for s in subjects) == 1
    assert {s["id"] for s in hub.submissions()} == {submission, marker}
