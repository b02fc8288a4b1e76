"""Sending: e-mail through the site's SMTP relay (aiosmtplib), forms to HTTPS endpoints (aiohttp).

Both are encrypted with the peer's certificate verified: the relay over STARTTLS or TLS (plain
SMTP only to a relay on this machine that [smtp] allow_plain_smtp_to_loopback allows), form
endpoints over HTTPS only.

Each failure becomes a `DeliveryError` that says whether trying again could help, with a text for
support from which every e-mail address has been removed (a relay's refusal quotes them).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import aiosmtplib
from aiosmtplib.protocol import SMTPProtocol

from hub.delivery.settings import SmtpSettings, is_loopback

_ADDRESS_LIKE = re.compile(r"[^\s<>\"'(),;:\[\]@]*@[^\s<>\"'(),;:\[\]@]+")
MAX_ERROR = 300


class DeliveryError(Exception):
    """An attempt that failed; `permanent` when the same attempt can never succeed."""

    def __init__(self, text: str, *, permanent: bool = False) -> None:
        super().__init__(scrub(text))
        self.text = scrub(text)
        self.permanent = permanent


def scrub(text: str) -> str:
    """`text` without e-mail addresses, on one line, at most MAX_ERROR characters."""
    cleaned = _ADDRESS_LIKE.sub("<address>", " ".join(text.split()))
    return cleaned if len(cleaned) <= MAX_ERROR else cleaned[: MAX_ERROR - 3] + "..."


@dataclass(frozen=True)
class Outgoing:
    """A message ready for the relay: envelope sender, recipients and the bytes."""

    sender: str
    recipients: tuple[str, ...]
    data: bytes

    @classmethod
    def of(cls, message: EmailMessage, sender: str, recipients: list[str]) -> Outgoing:
        return cls(sender, tuple(recipients), message.as_bytes(policy=SMTP_POLICY))


class Mailer:
    """One relay connection per batch of messages, encrypted and the relay's certificate
    verified; plain only to a relay on this machine that [smtp] allows it for."""

    def __init__(self, settings: SmtpSettings, password: str | None) -> None:
        self._settings = settings
        self._password = password
        self._context: ssl.SSLContext | None = None

    def _tls_context(self) -> ssl.SSLContext:
        if self._context is None:
            context = ssl.create_default_context()
            if self._settings.ca_file is not None:
                context.load_verify_locations(cafile=self._settings.ca_file)
            self._context = context
        return self._context

    def _client(self) -> aiosmtplib.SMTP:
        s = self._settings
        common: dict[str, Any] = {"hostname": s.host, "port": s.port, "timeout": s.timeout_seconds}
        if s.plain:
            return aiosmtplib.SMTP(**common, start_tls=False)
        try:
            context = self._tls_context()
        except (OSError, ssl.SSLError) as exc:
            raise DeliveryError(f"smtp.ca_file {s.ca_file} cannot be read: {exc}") from exc
        if s.tls == "implicit":
            return aiosmtplib.SMTP(**common, use_tls=True, tls_context=context)
        # STARTTLS is asked for by hand, so that a relay without it is named as such.
        return aiosmtplib.SMTP(**common, start_tls=False, tls_context=context)

    async def _secure(self, client: aiosmtplib.SMTP) -> None:
        """Upgrade a connection made in the clear, or check that a plain one is loopback."""
        s = self._settings
        where = f"SMTP relay {s.host}:{s.port}"
        if s.plain:
            peer = client.get_transport_info("peername")
            address = peer[0] if isinstance(peer, tuple) and peer else ""
            if not is_loopback(str(address).partition("%")[0]):
                raise DeliveryError(
                    f"{where} is at {address}, not on this machine: plain SMTP is allowed "
                    "only to a loopback relay; nothing was sent"
                )
            return
        if s.tls == "implicit":
            return
        await client.ehlo()
        if not client.supports_extension("starttls"):
            raise DeliveryError(
                f"{where} does not offer STARTTLS, so nothing was sent: the hub never sends "
                'unencrypted. The relay must offer STARTTLS (or set smtp.tls = "implicit" '
                "for a TLS port)"
            )
        await client.starttls()

    async def send(self, outgoing: list[Outgoing]) -> list[str]:
        """Send every message over one connection; returns a note per partly refused message
        (some of its recipients refused). Raises DeliveryError when a message is not sent."""
        s = self._settings
        client = self._client()
        notes = []
        connection: SMTPProtocol | None = None
        try:
            async with client:
                connection = client.protocol
                await self._secure(client)
                if s.username:
                    await client.login(s.username, self._password or "")
                for item in outgoing:
                    refused, _reply = await client.sendmail(
                        item.sender, list(item.recipients), item.data
                    )
                    if refused:
                        notes.append(f"{len(refused)} of {len(item.recipients)} recipients refused")
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(
                f"SMTP relay refused the recipients: {exc}", permanent=True
            ) from exc
        except aiosmtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(f"SMTP login failed: {exc.code} {exc.message}") from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise DeliveryError(
                f"SMTP relay answered {exc.code} {exc.message}", permanent=exc.code >= 500
            ) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            untrusted = _certificate_error(exc)
            if untrusted is not None:
                raise DeliveryError(
                    f"SMTP relay {s.host}:{s.port}: its certificate is not trusted "
                    f"({untrusted}); nothing was sent. A private relay's CA goes in smtp.ca_file"
                ) from exc
            raise DeliveryError(f"SMTP relay {s.host}:{s.port} unreachable: {exc}") from exc
        finally:
            await _closed(connection)
        return notes


async def _closed(connection: SMTPProtocol | None, wait: float = 2.0) -> None:
    """Wait (a little) for the relay connection to be let go of: a TLS connection's close is a
    shutdown exchange with the relay, which would otherwise still be under way when the hub
    stops, leaving its socket open. aiosmtplib offers no awaitable for it; the protocol drops
    its transport when the connection is lost."""
    if connection is None:
        return
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(wait):
            while connection.transport is not None:
                await asyncio.sleep(0.01)


def _certificate_error(exc: BaseException) -> str | None:
    """The verification failure behind `exc` (aiosmtplib wraps it), if it is one."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return seen.verify_message or seen.reason or "not verified"
        seen = seen.__cause__ or seen.__context__
    return None


class Poster:
    """HTTPS POSTs of JSON to form endpoints, trusting an extra CA when configured."""

    def __init__(self, ca_file: Path | None, timeout_seconds: float = 60.0) -> None:
        self._ssl = ssl.create_default_context()
        if ca_file is not None:
            self._ssl.load_verify_locations(cafile=ca_file)
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._session: aiohttp.ClientSession | None = None

    async def post_json(self, url: str, body: bytes) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        parts = urlsplit(url)
        host = parts.hostname or "?"
        if parts.scheme != "https":
            # The catalogue accepts only https:// endpoints; this holds whatever it becomes.
            raise DeliveryError(
                f"{parts.scheme or '?'}:// to {host} refused: forms go to HTTPS endpoints only",
                permanent=True,
            )
        try:
            async with self._session.post(
                url,
                data=body,
                headers={"Content-Type": "application/json"},
                ssl=self._ssl,
                allow_redirects=False,
            ) as response:
                status = response.status
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise DeliveryError(f"HTTPS to {host} failed: {type(exc).__name__}: {exc}") from exc
        if 200 <= status < 300:
            return
        retry = status >= 500 or status in (408, 425, 429)
        raise DeliveryError(f"HTTPS to {host} answered {status}", permanent=not retry)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
