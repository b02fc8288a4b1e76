"""E-mail from the kiosk: what the hub allows, and the sealed message the E-mail service sends.

The hub relays the message from a fixed sender address and limits what one kiosk may send
(recipients, messages an hour, attachment size); it says so at `GET /api/kiosk/email-policy`
(docs/outbox-protocol.md). The kiosk asks when the service opens, so a citizen hears of a limit
before typing; the hub checks again when the message arrives. Without the hub the defaults
below apply and the message waits sealed in the outbox until kiosk-agent can deliver it.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.hubclient import HubClient, HubRefused, refused
from kiosk.threads import blocking

log = logging.getLogger(__name__)

POLICY_PATH = "/api/kiosk/email-policy"
MAX_SUBJECT = 120
MAX_MESSAGE = 2000


@dataclass(frozen=True)
class EmailPolicy:
    max_recipients: int = 1
    max_attachment_bytes: int = 10 * 1024 * 1024
    messages_per_hour: int = 10
    #: How many more this kiosk may send this hour; None when the hub could not be asked.
    remaining_this_hour: int | None = None
    #: The address the hub sends from; "" when unknown.
    sender: str = ""

    @property
    def known(self) -> bool:
        return self.remaining_this_hour is not None

    @property
    def exhausted(self) -> bool:
        return self.remaining_this_hour is not None and self.remaining_this_hour <= 0


async def fetch_email_policy(hub: HubClient, *, timeout: float = 5.0) -> EmailPolicy:
    """The hub's limits for this kiosk now. Raises HubRefused when the hub refuses the kiosk's
    credentials, OSError when it cannot be reached, ValueError for an answer not understood."""
    import aiohttp

    try:
        async with (
            hub.session(total=timeout) as client,
            client.get(hub.url(POLICY_PATH)) as response,
        ):
            if refused(response.status):
                raise HubRefused(response.status)
            if response.status != 200:
                raise ValueError(f"the hub answered {response.status}")
            data: Any = await response.json()
    except HubRefused as exc:
        log.error("e-mail policy: %s", exc, extra={"service": "email", **exc.log_fields})
        raise
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise OSError(f"the hub cannot be reached: {type(exc).__name__}") from exc
    try:
        return EmailPolicy(
            max_recipients=int(data["max_recipients"]),
            max_attachment_bytes=int(data["max_attachment_bytes"]),
            messages_per_hour=int(data["messages_per_hour"]),
            remaining_this_hour=int(data["remaining_this_hour"]),
            sender=str(data.get("sender", "")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"the hub's e-mail policy is not understood: {exc!r}") from None


@dataclass(frozen=True)
class Attachment:
    """A file of the session the citizen may send: a scan or a sent form's PDF."""

    key: str
    path: Path
    content_type: str = "application/pdf"

    @property
    def size(self) -> int:
        try:
            return self.path.stat().st_size
        except OSError:
            return 0


@blocking
def email_payload(
    *,
    to: Iterable[str],
    subject: str,
    message: str,
    attachments: Iterable[Attachment],
    language: str,
    submitted_at: str,
) -> dict[str, Any]:
    """The message as it is sealed for the hub (docs/outbox-protocol.md, kind "email"); reads
    the attached files."""
    return {
        "to": list(to),
        "subject": subject[:MAX_SUBJECT],
        "message": message[:MAX_MESSAGE],
        "language": language,
        "submitted_at": submitted_at,
        "attachments": [
            {
                "name": a.path.name,
                "content_type": a.content_type,
                "data": base64.b64encode(a.path.read_bytes()).decode("ascii"),
            }
            for a in attachments
        ],
    }
