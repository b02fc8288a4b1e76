"""Sending: e-mail through the site's SMTP relay (aiosmtplib), forms to HTTPS endpoints (aiohttp).

Each failure becomes a `DeliveryError` that says whether trying again could help, with a text for
support from which every e-mail address has been removed (a relay's refusal quotes them).
"""

from __future__ import annotations

import re
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import aiosmtplib

from hub.delivery.settings import SmtpSettings

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
    """One relay connection per batch of messages."""

    def __init__(self, settings: SmtpSettings, password: str | None) -> None:
        self._settings = settings
        self._password = password

    async def send(self, outgoing: list[Outgoing]) -> list[str]:
        """Send every message over one connection; returns a note per partly refused message
        (some of its recipients refused). Raises DeliveryError when a message is not sent."""
        s = self._settings
        client = aiosmtplib.SMTP(
            hostname=s.host, port=s.port, timeout=s.timeout_seconds, start_tls=s.starttls
        )
        notes = []
        try:
            async with client:
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
            raise DeliveryError(f"SMTP relay {s.host}:{s.port} unreachable: {exc}") from exc
        return notes


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
        host = urlsplit(url).hostname or "?"
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
