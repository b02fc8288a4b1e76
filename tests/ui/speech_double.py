"""A speech engine that hears what the kiosk says: each utterance, in order, with its language.

It stands in for the speech server where a test is about what is said and when (the real engine
is tested against speech-dispatcher in tests/ui/test_speech_engine.py)."""

from __future__ import annotations

from collections.abc import Callable

from kiosk.speech.engine import Utterance


class HeardEngine:
    available = True

    def __init__(self) -> None:
        self.heard: list[Utterance] = []
        self.stops = 0
        self._started: list[Callable[[Utterance], None]] = []

    def say(self, utterance: Utterance) -> None:
        self.heard.append(utterance)
        for callback in self._started:
            callback(utterance)

    def stop(self) -> None:
        self.stops += 1

    def on_started(self, callback: Callable[[Utterance], None]) -> None:
        self._started.append(callback)

    def texts(self) -> list[str]:
        return [u.text for u in self.heard]

    def since(self, mark: int) -> list[str]:
        return [u.text for u in self.heard[mark:]]
