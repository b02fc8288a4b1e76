"""Hub test helpers: a config on temporary folders, a store, a fixed clock, an app client."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from argon2 import PasswordHasher
from nacl.public import PrivateKey

from hub import accounts
from hub.accounts import enroll_kiosk, hash_password
from hub.app import make_app
from hub.config import HubConfig, load_config
from hub.hours import utc_iso
from hub.store import HubStore, open_configured
from tests.conftest import HUB_KEY
from tests.peers.smtp import SmtpSink, free_port

PASSWORD = "correct horse battery"
#: Monday 10:00 in Helsinki (UTC+2 in winter): the default lines are open.
MONDAY_MORNING = datetime(2025, 1, 13, 8, 0, tzinfo=UTC)


class FixedClock:
    """A wall clock the test sets and moves by hand."""

    def __init__(self, now: datetime = MONDAY_MORNING) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


#: Argon2 parameters that make a test's logins quick; the product uses argon2-cffi's defaults.
QUICK_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "hasher", QUICK_HASHER)


@functools.cache
def password_hash(password: str = PASSWORD) -> str:
    return hash_password(password)


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[[str], Path]:
    """Write a hub.toml (demo-like: plain HTTP, data under tmp_path) with `extra` appended."""

    def write(extra: str = "") -> Path:
        path = tmp_path / "hub.toml"
        path.write_text(f'[hub]\ndata_dir = "{tmp_path / "data"}"\ncookie_secure = false\n{extra}')
        return path

    return write


@pytest.fixture
def config(write_config: Callable[[str], Path]) -> HubConfig:
    return load_config(write_config(""))


@pytest.fixture
def store(config: HubConfig) -> Iterator[HubStore]:
    opened = open_configured(config)
    yield opened
    opened.close()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


def add_user(store: HubStore, username: str, role: str) -> None:
    store.add_user(username, role, password_hash(), at=utc_iso(MONDAY_MORNING))


def add_kiosk(store: HubStore, kiosk_id: str = "itakeskus-1") -> str:
    return enroll_kiosk(store, kiosk_id, "Itäkeskus 1", "Itäkeskus library", at=MONDAY_MORNING)


Scenario = Callable[[TestClient[web.Request, web.Application]], Awaitable[None]]


def run_app(app: web.Application, scenario: Scenario) -> None:
    """Serve `app` on a free port and run `scenario` with a client of it."""

    async def main() -> None:
        async with TestClient(TestServer(app)) as client:
            await scenario(client)

    asyncio.run(main())


@contextlib.asynccontextmanager
async def serving(app: web.Application) -> AsyncIterator[str]:
    """Serve `app` on 127.0.0.1 on a free port, on the running loop, for as long as the block
    runs; gives its base URL (for a browser, which needs a real address)."""
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


@pytest.fixture
def app(config: HubConfig, store: HubStore, clock: FixedClock) -> web.Application:
    return make_app(config, store, clock=clock)


async def log_in(
    client: TestClient[web.Request, web.Application] | aiohttp.ClientSession,
    username: str,
    password: str = PASSWORD,
) -> str:
    """Log in through the form; returns the session's CSRF token."""
    response = await client.post(
        "/login", data={"username": username, "password": password}, allow_redirects=False
    )
    assert response.status == 303, await response.text()
    me = await client.get("/api/me")
    assert me.status == 200
    token: str = (await me.json())["csrf_token"]
    return token


@pytest.fixture(autouse=True)
def sealing_key(tmp_path: Path) -> PrivateKey:
    """The test hub's sealing key where write_config's hub looks for it (<data_dir>/sealing.key,
    mode 0600): the key pair tests/conftest.py gives kiosks, so what they seal the hub opens."""
    path = tmp_path / "data" / "sealing.key"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(base64.b64encode(bytes(HUB_KEY)).decode() + "\n")
    path.chmod(0o600)
    return HUB_KEY


# Sealed submissions: payloads sealed as a kiosk does, and the real peers delivery talks to.

FORM_ID = "kansalaisneuvonta-contact"
PDF = b"%PDF-1.7\n% a filled form\n%%EOF\n"


def sealed_for(payload: dict[str, object], key: PrivateKey = HUB_KEY) -> bytes:
    """`payload` sealed to `key`'s public half exactly as kiosk.outbox.seal does it."""
    import json

    from nacl.public import SealedBox

    text = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return bytes(SealedBox(key.public_key).encrypt(text))


def form_payload(submission_id: str, **changes: object) -> dict[str, object]:
    payload: dict[str, object] = {
        "kind": "form",
        "submission_id": submission_id,
        "kiosk_id": "itakeskus-1",
        "language": "fi",
        "form": FORM_ID,
        "version": 1,
        "reference": "AB12-CD34",
        "answers": {
            "name": "Maija Meikäläinen",
            "contact_by": "phone",
            "phone": "040 123 4567",
            "language": "fi",
            "subject": "housing",
            "question": "Vuokrasopimus\npäättyy.",
        },
        "submitted_at": "2025-01-13T08:00:00Z",
        "pdf": base64.b64encode(PDF).decode(),
        "attachments": [],
    }
    payload.update(changes)
    return payload


def email_payload(submission_id: str, **changes: object) -> dict[str, object]:
    payload: dict[str, object] = {
        "kind": "email",
        "submission_id": submission_id,
        "kiosk_id": "itakeskus-1",
        "language": "sv",
        "to": ["someone@example.fi"],
        "subject": "Ansökan",
        "message": "Hej, här är min ansökan.",
        "attachments": [
            {
                "name": "scan-1.pdf",
                "content_type": "application/pdf",
                "data": base64.b64encode(PDF).decode(),
            }
        ],
        "submitted_at": "2025-01-13T08:00:00Z",
    }
    payload.update(changes)
    return payload


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """An SMTP sink on a free port, not yet started: a test starts it (or leaves it down)."""
    sink = SmtpSink(free_port())
    yield sink
    sink.stop()


@pytest.fixture
def self_signed(tmp_path: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by itself (cryptography), and its key: (cert, key)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "palaute test authority")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime.now(UTC) - timedelta(days=1))
        .not_valid_after(datetime.now(UTC) + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "authority.pem", tmp_path / "authority.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def make_catalogue(folder: Path, *, feedback_url: str | None = None) -> Path:
    """A copy of the shipped catalogue in `folder`, the feedback form posting to `feedback_url`."""
    import json

    from eforms.definition import SHIPPED

    folder.mkdir(parents=True, exist_ok=True)
    for source in SHIPPED.glob("*.json"):
        definition = json.loads(source.read_bytes())
        if feedback_url and definition["id"] == "helsinki-feedback":
            definition["delivery"] = {"to": "http", "url": feedback_url}
        (folder / source.name).write_text(json.dumps(definition, ensure_ascii=False))
    return folder
