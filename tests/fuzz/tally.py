"""How many cases each fuzz target tried, for the run's summary (tests/fuzz/conftest.py)."""

from __future__ import annotations

from collections import Counter

CASES: Counter[str] = Counter()


def tried(target: str) -> None:
    CASES[target] += 1
