"""The estimated wait a queued citizen is shown, learnt from the line's recent answered calls.

The measure is *seconds per place*: a call that joined at position 3 and was answered after
240 s says each place ahead took 80 s. The estimate for position p is p times the mean of the
last `samples` such figures on that line that are younger than `max_age_s`, rounded up to whole
seconds. With no recent sample (a quiet morning, a fresh hub) `default_s_per_place` is used.
Old samples are dropped rather than weighted, because the staffing of a line changes by the hour.
"""

from __future__ import annotations

import math
from collections import deque


class WaitEstimator:
    def __init__(
        self,
        *,
        default_s_per_place: float = 120.0,
        samples: int = 10,
        max_age_s: float = 3600.0,
    ) -> None:
        if default_s_per_place < 0 or samples < 1 or max_age_s <= 0:
            raise ValueError("WaitEstimator needs default >= 0, samples >= 1, max_age_s > 0")
        self._default = default_s_per_place
        self._samples = samples
        self._max_age = max_age_s
        self._seen: dict[str, deque[tuple[float, float]]] = {}

    def answered(self, line: str, now: float, waited_s: float, joined_at_position: int) -> None:
        """A call on `line` that joined at `joined_at_position` was answered after `waited_s`."""
        per_place = max(waited_s, 0.0) / max(joined_at_position, 1)
        self._seen.setdefault(line, deque(maxlen=self._samples)).append((now, per_place))

    def seconds_per_place(self, line: str, now: float) -> float:
        recent = [s for at, s in self._seen.get(line, ()) if now - at <= self._max_age]
        return sum(recent) / len(recent) if recent else self._default

    def estimate(self, line: str, now: float, position: int) -> int:
        """Whole seconds until a call at `position` (1 = next) is expected to be answered."""
        return math.ceil(self.seconds_per_place(line, now) * max(position, 1))
