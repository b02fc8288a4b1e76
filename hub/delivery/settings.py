"""The typed settings of sealed-submission delivery: the mail relay, e-mail limits, retries.

hub.config reads and checks them from hub.toml ([smtp], [email], [delivery]); they live here so
that the delivery code and the config checker share one definition.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

from eforms.definition import SHIPPED

MIB = 1024 * 1024
#: How the hub encrypts its connection to the relay: STARTTLS on a plain port (25, 587), or TLS
#: from the first byte (465). Either way the relay's certificate is verified.
SMTP_TLS = ("starttls", "implicit")
#: Host names that always mean this machine (RFC 6761), besides the loopback addresses.
LOOPBACK_NAMES = ("localhost", "localhost.localdomain")
#: The hub's own catalogue of e-forms, unless [forms] catalogue_dir names another folder.
SHIPPED_CATALOGUE = SHIPPED


def is_loopback(host: str) -> bool:
    """Whether `host` (a name or an address) is this machine: 127.0.0.0/8, ::1, localhost."""
    name = host.strip("[]").lower().rstrip(".")
    if name in LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class SmtpSettings:
    """The site's mail relay that forms, kiosk e-mail and alert mail leave through.

    The connection is always encrypted (`tls`), except to a relay on this machine when
    `allow_plain_smtp_to_loopback` says so: what the hub sends carries personal data.
    """

    host: str = "localhost"
    port: int = 25
    tls: str = "starttls"
    #: Extra CA certificates (PEM) trusted for the relay's certificate, besides the system's.
    ca_file: Path | None = None
    #: Plain SMTP to a loopback relay (a local MTA or the demo's mail catcher); hub.config
    #: refuses it with any other host.
    allow_plain_smtp_to_loopback: bool = False
    username: str = ""
    #: A file holding the relay password (its first line); None when the relay needs no login.
    password_file: Path | None = None
    timeout_seconds: int = 30

    @property
    def plain(self) -> bool:
        """True when the hub speaks plain SMTP: allowed, and the relay is on this machine."""
        return self.allow_plain_smtp_to_loopback and is_loopback(self.host)


@dataclass(frozen=True)
class EmailSettings:
    """What a kiosk may send as e-mail, and the fixed From address of everything sent."""

    sender: str = "kioski@example.fi"
    max_recipients: int = 3
    messages_per_kiosk_per_hour: int = 10
    max_attachment_bytes: int = 10 * MIB


@dataclass(frozen=True)
class DeliverySettings:
    """How the delivery worker retries, and what intake accepts."""

    initial_backoff_seconds: int = 60
    max_backoff_seconds: int = 3600
    #: After this many failed attempts a submission is `failed` and waits for support.
    max_attempts: int = 48
    #: An extra certificate authority (PEM) to trust for HTTPS destinations.
    ca_file: Path | None = None
    max_submission_bytes: int = 25 * MIB
    #: How long one hub instance holds a submission it is delivering before another may take
    #: it (the holder died): longer than an attempt may take (the SMTP timeout, an upload).
    claim_lease_seconds: int = 300
