"""The speech engine's interface, as the narrator uses it.

An engine says one text at a time in one language. `say` replaces whatever it is saying (the
narrator decides what is newer and more important); `stop` silences it. Both return at once: an
engine that talks to a speech server does so on a thread of its own, never the caller's. An
engine that cannot speak (no speech server, no voice for the language) says so by `available`
being False; the kiosk then hides Read aloud and carries on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

#: Rate as the engine takes it: -1.0 (slowest) .. 0.0 (the voice's own) .. 1.0 (fastest).
MIN_RATE = -1.0
MAX_RATE = 1.0
#: Volume: 0.0 .. 1.0.
MIN_VOLUME = 0.1
MAX_VOLUME = 1.0


@dataclass(frozen=True)
class Utterance:
    """One text to say, in a language ("fi", "sv", "en"), at a rate and volume."""

    text: str
    language: str
    rate: float = 0.0
    volume: float = 0.8


class SpeechEngine(Protocol):
    """What the narrator needs of a speech engine."""

    @property
    def available(self) -> bool:
        """Whether it can speak at all (known once it has started)."""
        ...

    def say(self, utterance: Utterance) -> None:
        """Stop what is being said and say this instead; returns at once."""
        ...

    def stop(self) -> None:
        """Say nothing more; returns at once."""
        ...

    def on_started(self, callback: Callable[[Utterance], None]) -> None:
        """Call `callback` (on the thread that made the engine) when an utterance starts to be
        heard."""
        ...


class SilentEngine:
    """No engine: nothing is said, and Read aloud is not offered."""

    available = False

    def say(self, utterance: Utterance) -> None:
        pass

    def stop(self) -> None:
        pass

    def on_started(self, callback: Callable[[Utterance], None]) -> None:
        pass
