"""What the hub offers for callbacks and bookings: the topics and times of day a citizen chooses
from, and how long a wait is too long (`GET /api/lines`, docs/appointments.md).

When a line is a dead end (`dead_end`) the citizen is offered a callback and a booking besides
the phone number."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.video.advice import AdviceLine, LineState

#: The languages a callback may be asked in (the kiosk's).
CALLBACK_LANGUAGES = ("fi", "sv", "en")
#: Ended reasons of a call that met nobody (docs/call-protocol.md).
DEAD_END_REASONS = frozenset({"no_advisor", "line_closed"})


@dataclass(frozen=True)
class Choice:
    """One item of a list the citizen chooses from: its id and its name in each language."""

    id: str
    names: dict[str, str]

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names.get("en") or self.id


@dataclass(frozen=True)
class AppointmentOptions:
    topics: tuple[Choice, ...] = ()
    times_of_day: tuple[Choice, ...] = ()
    #: An estimated wait above this offers a callback or a booking; None = the hub did not say.
    long_wait_s: int | None = None
    #: The hub's page for video advice from home, where a booking code works too ("" = none).
    home_url: str = ""

    @property
    def known(self) -> bool:
        """The hub has said what a callback may be about (a callback needs a topic)."""
        return bool(self.topics and self.times_of_day)


def _choices(raw: Any) -> tuple[Choice, ...]:
    found: list[Choice] = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            continue
        names = item.get("name")
        names = names if isinstance(names, dict) else {}
        found.append(
            Choice(item["id"], {str(k): v for k, v in names.items() if isinstance(v, str)})
        )
    return tuple(found)


def parse_options(payload: Any, hub_url: str = "") -> AppointmentOptions:
    """The callback topics, times of day and long wait of a `/api/lines` answer; what is missing
    or of the wrong shape is left out. The page for calls from home is the hub's `home_url`, or
    `/call` at `hub_url` when the hub says it takes calls from home."""
    if not isinstance(payload, dict):
        return AppointmentOptions()
    long_wait = payload.get("long_wait_s")
    home_url = payload.get("home_url")
    if not isinstance(home_url, str) or not home_url.startswith(("https://", "http://")):
        home_url = hub_url.rstrip("/") + "/call" if payload.get("home_calls") is True else ""
    return AppointmentOptions(
        topics=_choices(payload.get("callback_topics")),
        times_of_day=_choices(payload.get("times_of_day")),
        long_wait_s=long_wait if isinstance(long_wait, int) and long_wait >= 0 else None,
        home_url=home_url if hub_url or payload.get("home_url") else "",
    )


def dead_end(line: AdviceLine, options: AppointmentOptions) -> bool:
    """Whether a call to `line` now would meet nobody soon: it is closed or unstaffed, or busy
    with an estimated wait above the hub's long wait."""
    if not line.open_now or line.state in (LineState.CLOSED, LineState.UNSTAFFED):
        return True
    if line.state is LineState.BUSY and options.long_wait_s is not None:
        wait = line.estimated_wait_s
        return wait is not None and wait > options.long_wait_s
    return False
