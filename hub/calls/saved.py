"""One hub's switchboard kept in its store, so that a hub killed and started again keeps its
queues and the calls in progress (every party away until it reconnects and resumes:
hub.calls.away, hub.calls.snapshot).

The snapshot is a row of `switchboard_state` named `single` (hubs that share a switchboard
through PostgreSQL keep theirs under `snapshot`: hub.cluster). It is written only when the calls
changed, not when only their clocks moved: a snapshot holds each call's age when it was taken,
so an older one with the same calls restores the same times. Signalling, which changes no call,
costs no write.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from hub.calls.queue import Switchboard
from hub.store import HubStore

log = logging.getLogger(__name__)

ROW = "single"
#: The parts of a snapshot that change with the clock alone.
_TIMED = ("age_s", "leg_s")


def untimed(snapshot: dict[str, Any]) -> str:
    """The snapshot without its clock readings, as text: equal for the same calls."""
    calls = [{k: v for k, v in call.items() if k not in _TIMED} for call in snapshot["calls"]]
    return json.dumps({"version": snapshot["version"], "calls": calls}, sort_keys=True)


class SavedSwitchboard:
    """Writes the switchboard's snapshot into the store when its calls change, and reads it
    back at start."""

    def __init__(self, store: HubStore) -> None:
        self._store = store
        self._written: str | None = None
        #: The switchboard's shape when last saved or restored: unchanged, nothing to compare.
        self._shape: object = None

    def load(self) -> dict[str, Any] | None:
        """The last snapshot saved; None when there is none or it cannot be read."""
        value = self._store.switchboard_state(ROW)
        if value is None:
            return None
        try:
            saved: dict[str, Any] = json.loads(value)
            self._written = untimed(saved)
        except (ValueError, KeyError, TypeError):
            log.error("the saved switchboard cannot be read: its calls are not restored")
            return None
        return saved

    def restore_into(self, switchboard: Switchboard) -> int:
        """Restore the last snapshot into a switchboard with no calls yet; how many calls it
        brought back."""
        saved = self.load()
        if saved is None:
            return 0
        try:
            switchboard.restore(saved)
        except (ValueError, KeyError, TypeError) as exc:
            log.error("the saved switchboard could not be restored: %s", exc)
            return 0
        self._shape = switchboard.shape()
        calls = switchboard.snapshot()["calls"]
        restored = len(calls) if isinstance(calls, list) else 0
        log.info("restored the switchboard", extra={"calls": restored})
        return restored

    def save(self, switchboard: Switchboard) -> bool:
        """Write the snapshot if its calls changed since the last write; whether it wrote."""
        shape = switchboard.shape()
        if shape == self._shape:
            return False  # the common case, every signalling message: no snapshot taken
        snapshot: dict[str, Any] = switchboard.snapshot()
        text = untimed(snapshot)
        wrote = text != self._written
        if wrote:
            self._store.save_switchboard_state(ROW, json.dumps(snapshot), at=snapshot["taken_at"])
            self._written = text
        self._shape = shape
        return wrote
