"""The citizen's rating of a call, accepted once per answered call for a while after it ends."""

from __future__ import annotations

from dataclasses import replace

from hub.calls.model import CallError, CallRecord


class RatingBook:
    """The records of recently ended calls, kept only until their kiosk may no longer rate."""

    def __init__(self, window_s: float) -> None:
        self._window = window_s
        self._open: dict[str, tuple[CallRecord, float]] = {}  # call id → (record, deadline)

    def ended(self, record: CallRecord, now: float) -> None:
        self._open[record.call_id] = (record, now + self._window)

    def rate(self, kiosk_id: str, call_id: str, stars: int) -> CallRecord:
        """The record with the rating set, or `CallError` saying why it cannot be rated."""
        if isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= 5:
            raise CallError(f"a rating is a whole number from 1 to 5, not {stars!r}")
        entry = self._open.get(call_id)
        if entry is None or entry[0].kiosk_id != kiosk_id:
            raise CallError(f"call {call_id} cannot be rated (unknown or too late)")
        record, deadline = entry
        if record.answered_at is None:
            raise CallError(f"call {call_id} was never answered, so it cannot be rated")
        if record.rating is not None:
            raise CallError(f"call {call_id} has already been rated")
        rated = replace(record, rating=stars)
        self._open[call_id] = (rated, deadline)
        return rated

    def forget_kiosk(self, kiosk_id: str) -> None:
        """A kiosk that went away cannot rate any more (its session is over)."""
        self._open = {k: v for k, v in self._open.items() if v[0].kiosk_id != kiosk_id}

    def expire(self, now: float) -> None:
        self._open = {k: v for k, v in self._open.items() if now < v[1]}
