"""The citizen's rating of a call, accepted once per answered call for a while after it ends."""

from __future__ import annotations

from dataclasses import replace

from hub.calls.model import CallError, CallRecord


class RatingBook:
    """The records of recently ended calls, kept only until their caller may no longer rate.

    The caller is the kiosk's id or a home caller's socket id (the record itself says only
    "home" of the latter)."""

    def __init__(self, window_s: float) -> None:
        self._window = window_s
        # call id → (record, deadline, the caller's id)
        self._open: dict[str, tuple[CallRecord, float, str]] = {}

    def ended(self, record: CallRecord, now: float, caller: str | None = None) -> None:
        self._open[record.call_id] = (record, now + self._window, caller or record.kiosk_id)

    def rate(self, kiosk_id: str, call_id: str, stars: int) -> CallRecord:
        """The record with the rating set, or `CallError` saying why it cannot be rated."""
        if isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= 5:
            raise CallError(f"a rating is a whole number from 1 to 5, not {stars!r}")
        entry = self._open.get(call_id)
        if entry is None or entry[2] != kiosk_id:
            raise CallError(f"call {call_id} cannot be rated (unknown or too late)")
        record, deadline, caller = entry
        if record.answered_at is None:
            raise CallError(f"call {call_id} was never answered, so it cannot be rated")
        if record.rating is not None:
            raise CallError(f"call {call_id} has already been rated")
        rated = replace(record, rating=stars)
        self._open[call_id] = (rated, deadline, caller)
        return rated

    def recent(self, call_id: str, caller: str) -> CallRecord | None:
        """The record of a call that `caller` made and that ended lately, else None."""
        entry = self._open.get(call_id)
        return entry[0] if entry is not None and entry[2] == caller else None

    def forget_kiosk(self, kiosk_id: str) -> None:
        """A kiosk that went away cannot rate any more (its session is over)."""
        self._open = {k: v for k, v in self._open.items() if v[2] != kiosk_id}

    def expire(self, now: float) -> None:
        self._open = {k: v for k, v in self._open.items() if now < v[1]}
