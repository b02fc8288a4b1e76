"""Video-advice calls: the queue per service line and the signalling relay, as pure code.

`Switchboard` holds the state; the WebSocket layer feeds it connections and messages and
delivers the `Effects` it returns. The wire protocol is `docs/call-protocol.md`.
"""

from hub.calls.estimate import WaitEstimator
from hub.calls.model import (
    CallError,
    CallRecord,
    Effects,
    EndReason,
    LineConfig,
    Message,
    Notify,
    Opening,
    OpeningHours,
    Outcome,
    Party,
    Role,
    advisor,
    always_open,
    kiosk,
)
from hub.calls.parties import CallState
from hub.calls.queue import Switchboard
from hub.calls.status import LineState, LineStatus

__all__ = [
    "CallError",
    "CallRecord",
    "CallState",
    "Effects",
    "EndReason",
    "LineConfig",
    "LineState",
    "LineStatus",
    "Message",
    "Notify",
    "Opening",
    "OpeningHours",
    "Outcome",
    "Party",
    "Role",
    "Switchboard",
    "WaitEstimator",
    "advisor",
    "always_open",
    "kiosk",
]
