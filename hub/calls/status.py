"""What a citizen choosing a line should know before calling: is it open, is anyone free, how
many wait and for about how long. Counts only: no advisor's name leaves the hub this way.

The states, as `/api/lines` gives them (docs/call-protocol.md):

- `available`: open, and at least one advisor is free (a call would ring them at once);
- `busy`: open, advisors on duty but every one in a call or being rung: a call queues;
- `unstaffed`: open, but no advisor is signed in and available: a call is refused;
- `closed`: outside opening hours (`next_opening` says when it opens).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from hub.calls.estimate import WaitEstimator
from hub.calls.floor import Floor
from hub.calls.model import Opening
from hub.hours import utc_iso


class LineState(StrEnum):
    AVAILABLE = "available"
    BUSY = "busy"
    UNSTAFFED = "unstaffed"
    CLOSED = "closed"


@dataclass(frozen=True)
class LineStatus:
    line: str
    state: LineState
    #: Advisors of the line who are signed in and available, and of those the ones free now.
    advisors_on_duty: int
    advisors_free: int
    #: Calls in the line's queue (ringing ones included).
    waiting: int
    #: A new caller's estimated wait, while the line is busy; None otherwise.
    estimated_wait_s: int | None
    #: When a closed line opens next (None: open now, or no hours ahead).
    next_opening: datetime | None

    def as_json(self) -> dict[str, Any]:
        return {
            "state": str(self.state),
            "advisors_on_duty": self.advisors_on_duty,
            "advisors_free": self.advisors_free,
            "waiting": self.waiting,
            "estimated_wait_s": self.estimated_wait_s,
            "next_opening": utc_iso(self.next_opening) if self.next_opening else None,
        }


def line_status(
    floor: Floor, line: str, opening: Opening, estimator: WaitEstimator, now: float
) -> LineStatus:
    """The status of `line` on `floor` now (`now` on the switchboard's monotonic clock)."""
    floor.line(line)
    on_duty = [a for a in floor.line_advisors(line) if a.on_duty]
    free = [a for a in on_duty if a.free]
    waiting = len(floor.queue(line))
    if not opening.is_open:
        state = LineState.CLOSED
    elif not on_duty:
        state = LineState.UNSTAFFED
    elif free:
        state = LineState.AVAILABLE
    else:
        state = LineState.BUSY
    estimate = estimator.estimate(line, now, waiting + 1) if state is LineState.BUSY else None
    return LineStatus(
        line=line,
        state=state,
        advisors_on_duty=len(on_duty),
        advisors_free=len(free),
        waiting=waiting,
        estimated_wait_s=estimate,
        next_opening=None if opening.is_open else opening.next_opening,
    )
