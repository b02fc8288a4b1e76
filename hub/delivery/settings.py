"""The typed settings of sealed-submission delivery: the mail relay, e-mail limits, retries.

hub.config reads and checks them from hub.toml ([smtp], [email], [delivery]); they live here so
that the delivery code and the config checker share one definition.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from eforms.definition import SHIPPED

MIB = 1024 * 1024
#: The hub's own catalogue of e-forms, unless [forms] catalogue_dir names another folder.
SHIPPED_CATALOGUE = SHIPPED


@dataclass(frozen=True)
class SmtpSettings:
    """The site's mail relay that forms and kiosk e-mail leave through."""

    host: str = "localhost"
    port: int = 25
    starttls: bool = False
    username: str = ""
    #: A file holding the relay password (its first line); None when the relay needs no login.
    password_file: Path | None = None
    timeout_seconds: int = 30


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
