"""A callback request: who to call (a phone number or an e-mail address), in which language,
about what and when; sealed to the hub's key and kept in the outbox like a form
(docs/appointments.md, "Callbacks (kiosk)"). The citizen gets the reference at once: the
kiosk does not wait for the hub, which may be away."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kiosk.appointments.contact import Contact
from kiosk.store import utc_iso
from kiosk.submissions.reference import new_reference

#: The outbox's kind for a callback request (X-Submission-Kind).
KIND = "callback"


def new_callback_reference() -> str:
    """A reference such as TP-7K3M-2QXA: letters and digits nobody mixes up, in two groups to
    read out on the phone."""
    code = new_reference()
    return f"TP-{code[:4]}-{code[4:]}"


@dataclass(frozen=True)
class CallbackRequest:
    line: str
    topic: str
    time_of_day: str
    #: The language to call back in.
    language: str
    contact: Contact = field(repr=False)
    reference: str = field(default_factory=new_callback_reference)

    def payload(self, asked_at: datetime | None = None) -> dict[str, Any]:
        """The request as it is sealed for the hub (the outbox adds the submission id and the
        kind)."""
        return {
            "language": self.language,
            "reference": self.reference,
            "asked_at": utc_iso(asked_at or datetime.now(UTC)),
            "callback": {
                "line": self.line,
                "topic": self.topic,
                "time_of_day": self.time_of_day,
                "contact": self.contact.as_json(),
            },
        }


@dataclass(frozen=True)
class CallbackSent:
    """A callback request in the outbox: the reference the citizen quotes, and its id."""

    reference: str
    submission_id: str
