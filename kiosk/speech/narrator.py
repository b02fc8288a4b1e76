"""The narrator: what the kiosk says aloud, in which order, and through what.

Everything said in one turn of the event loop (a new screen's name, then the control that took
the focus) becomes one utterance, so the first is not cut off by the second; anything said in a
later turn stops what is being said (EN 301 549 5.1.3.5: speech stops when something newer must
be said). An alert (an error, the idle warning) goes first in its turn. Repeat says the last
utterance again.

Private listening: personal pieces (`describe.Private`) are said only while headphones are
plugged in; through the loudspeaker they are replaced by words saying they are hidden. Before
the first words that go to the loudspeaker, and whenever headphones are pulled out, the citizen
is told that speech now comes from the loudspeaker (5.1.3.9, 5.1.3.2). Outside Read aloud (hold
to hear, the idle warning) nothing personal is said, and the notice would only delay the words.
Rate and volume can be changed by the citizen and return to the kiosk's defaults for the next
one (5.1.3.11-13).

Nothing said is logged or kept beyond the last utterance, which the session's end forgets.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from kiosk.i18n import N_, Catalogue
from kiosk.speech.describe import Phrase, plain
from kiosk.speech.engine import (
    MAX_RATE,
    MAX_VOLUME,
    MIN_RATE,
    MIN_VOLUME,
    SpeechEngine,
    Utterance,
)

RATE_STEP = 0.25
VOLUME_STEP = 0.1

READ_ALOUD_ON = N_("Read aloud is on.")
READ_ALOUD_OFF = N_("Read aloud is off.")
LOUDSPEAKER = N_(
    "Speech comes from the loudspeaker, so people nearby can hear it. For private listening, "
    "plug headphones into the socket under the screen. Personal details are only read "
    "through headphones."
)
NEEDS_HEADPHONES = N_(
    "To hear the kiosk read aloud, plug headphones into the socket under the screen."
)
HEADPHONES_IN = N_("Headphones connected. Speech comes through the headphones only.")
HEADPHONES_OUT = N_("Headphones removed.")
HIDDEN = N_("hidden, plug in headphones to hear it")
LOUDER = N_("Louder")
QUIETER = N_("Quieter")
FASTER = N_("Faster")
SLOWER = N_("Slower")
LOUDEST = N_("This is the loudest")
QUIETEST = N_("This is the quietest")
FASTEST = N_("This is the fastest")
SLOWEST = N_("This is the slowest")
NOTHING_TO_REPEAT = N_("Nothing has been said yet.")


class Kind(Enum):
    """Why something is said; an alert goes first in its turn."""

    SCREEN = "screen"
    FOCUS = "focus"
    MESSAGE = "message"
    ALERT = "alert"
    HELP = "help"
    #: A character typed, a setting changed: not what Repeat repeats.
    ECHO = "echo"


@dataclass(frozen=True)
class Said:
    """One utterance as it went to the engine (for tests and the kiosk's own transcript view)."""

    text: str
    language: str
    kinds: tuple[Kind, ...]
    headset: bool


class Narrator:
    """Turns what the screens say into utterances for the engine.

    `catalogue` translates; `schedule(fn)` runs `fn` once the current turn of the
    event loop is over (the Qt side passes a zero-time single shot)."""

    def __init__(
        self,
        engine: SpeechEngine,
        catalogue: Catalogue,
        schedule: Callable[[Callable[[], None]], None],
        *,
        language: str,
        rate: float = 0.0,
        volume: float = 0.8,
        loudspeaker: bool = True,
    ) -> None:
        self.engine = engine
        self.catalogue = catalogue
        self._schedule = schedule
        self.language = language
        self.default_rate = rate
        self.default_volume = volume
        self.rate = rate
        self.volume = volume
        #: Whether speech may come from the loudspeaker at all.
        self.loudspeaker = loudspeaker
        self._read_aloud = False
        self._headset = False
        self._loudspeaker_told = False
        #: What this turn said: each phrase, why, and its language if not the session's.
        self._pending: list[tuple[Phrase, Kind, str | None]] = []
        self._flush_scheduled = False
        self._last: list[tuple[Phrase, Kind, str | None]] = []
        self._listeners: list[Callable[[Said], None]] = []

    # ---- state --------------------------------------------------------------------------------

    @property
    def available(self) -> bool:
        """Whether there is an engine that can speak (else Read aloud is not offered)."""
        return self.engine.available

    @property
    def read_aloud(self) -> bool:
        return self._read_aloud

    @property
    def headset(self) -> bool:
        return self._headset

    def t(self, message: str) -> str:
        return self.catalogue.gettext(self.language, message)

    def nt(self, forms: tuple[str, str], n: int) -> str:
        return self.catalogue.ngettext(self.language, forms[0], forms[1], n)

    def on_said(self, listener: Callable[[Said], None]) -> None:
        self._listeners.append(listener)

    def set_read_aloud(self, on: bool) -> None:
        if on == self._read_aloud or (on and not self.available):
            return
        self._read_aloud = on
        if on:
            self.say(READ_ALOUD_ON, Kind.MESSAGE, translate=True)
        else:
            self.stop()
            self.say(READ_ALOUD_OFF, Kind.ECHO, translate=True, always=True)

    def set_headset(self, connected: bool) -> None:
        if connected == self._headset:
            return
        self._headset = connected
        if not self._read_aloud:
            return
        if connected:
            self.say(HEADPHONES_IN, Kind.MESSAGE, translate=True)
        else:
            # Told before anything more comes from the loudspeaker.
            self._loudspeaker_told = False
            self.say(HEADPHONES_OUT, Kind.ALERT, translate=True)

    def set_language(self, language: str) -> None:
        self.language = language

    # ---- saying -------------------------------------------------------------------------------

    def say(
        self,
        what: Phrase | str,
        kind: Kind = Kind.MESSAGE,
        *,
        translate: bool = False,
        always: bool = False,
        language: str | None = None,
    ) -> None:
        """Say `what` at the end of this turn, with whatever else is said in it. Only in Read
        aloud, unless `always` (hold to hear, the idle warning: said to anyone). `language`: the
        words are in another language than the session's (a language's own name)."""
        if not (self._read_aloud or always) or not self.available:
            return
        if isinstance(what, str):
            what = (self.t(what) if translate else what,)
        if not any(piece.strip() for piece in what):
            return
        self._pending.append((what, kind, language))
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self._schedule(self.flush)

    def repeat(self) -> None:
        """Say the last utterance again (in Read aloud, or after hold to hear)."""
        if not self.available:
            return
        if not self._last:
            self.say(NOTHING_TO_REPEAT, Kind.ECHO, translate=True, always=True)
            return
        self._pending.extend(self._last)
        self.flush()

    def stop(self) -> None:
        self._pending.clear()
        self.engine.stop()

    def flush(self) -> None:
        """Send what this turn said to the engine as one utterance, stopping the last one."""
        self._flush_scheduled = False
        pending, self._pending = self._pending, []
        if not pending:
            return
        # A language's own name in its own voice; anything mixed in the session's.
        languages = {language for _, _, language in pending}
        language = languages.pop() if len(languages) == 1 else None
        language = language or self.language
        # The focus moved more than once in this turn: only where it ended is said.
        focus = [i for i, item in enumerate(pending) if item[1] is Kind.FOCUS]
        pending = [item for i, item in enumerate(pending) if i not in focus[:-1]]
        pending.sort(key=lambda item: item[1] is not Kind.ALERT)  # stable: alerts first
        kinds = tuple(kind for _, kind, _ in pending)
        if any(kind is not Kind.ECHO for kind in kinds):
            self._last = [item for item in pending if item[1] is not Kind.ECHO]
        hidden = self.t(HIDDEN)
        texts = [plain(phrase, private_ok=self._headset, hidden=hidden) for phrase, _, _ in pending]
        if not self._headset:
            if not self.loudspeaker:
                texts = [self.t(NEEDS_HEADPHONES)]
            elif self._read_aloud and not self._loudspeaker_told:
                self._loudspeaker_told = True
                texts.insert(0, self.t(LOUDSPEAKER))
        text = " ".join(_sentence(text) for text in texts if text.strip())
        utterance = Utterance(text, language, rate=self.rate, volume=self.volume)
        self.engine.say(utterance)
        said = Said(text, language, kinds, self._headset)
        for listener in self._listeners:
            listener(said)

    # ---- the citizen's settings ---------------------------------------------------------------

    def adjust(self, action: str) -> None:
        """`louder`, `quieter`, `faster` or `slower`: one step, said in the new voice."""
        if action in ("louder", "quieter"):
            step = VOLUME_STEP if action == "louder" else -VOLUME_STEP
            new = _bounded(self.volume + step, MIN_VOLUME, MAX_VOLUME)
            moved = new != self.volume
            self.volume = new
            words = (
                (LOUDER if step > 0 else QUIETER) if moved else (LOUDEST if step > 0 else QUIETEST)
            )
        elif action in ("faster", "slower"):
            step = RATE_STEP if action == "faster" else -RATE_STEP
            new = _bounded(self.rate + step, MIN_RATE, MAX_RATE)
            moved = new != self.rate
            self.rate = new
            words = (
                (FASTER if step > 0 else SLOWER) if moved else (FASTEST if step > 0 else SLOWEST)
            )
        else:
            raise ValueError(f"no speech setting {action!r}")
        self.say(words, Kind.ECHO, translate=True, always=True)

    def reset(self) -> None:
        """The session is over: Read aloud off, the kiosk's rate and volume, nothing kept."""
        self.stop()
        self._read_aloud = False
        self._loudspeaker_told = False
        self._last = []
        self.rate = self.default_rate
        self.volume = self.default_volume


def _bounded(value: float, low: float, high: float) -> float:
    return round(min(high, max(low, value)), 2)


#: Signs the screen shows for the eye (a warning triangle, a tick, arrows, dots hiding a PIN):
#: an engine reads them as their Unicode names, or as nothing useful, so they are left out.
_SIGNS = str.maketrans(dict.fromkeys("⚠✓✔✗✕‹›«»•▾▴⌂◐→←↑↓⇧⌫↵★☆", " "))


def spoken(text: str) -> str:
    """`text` as it is said: without the screen's signs, spaces and stray punctuation tidied."""
    text = re.sub(r"\s+", " ", text.translate(_SIGNS)).strip()
    text = re.sub(r"\s+([.,:;!?])", r"\1", text)
    text = re.sub(r",(\s*,)+", ",", text)
    text = re.sub(r"[.!?:]+,", ",", text)  # a name ending in a full stop, then its role
    return re.sub(r"([.!?:])\.+", r"\1", text)


def _sentence(text: str) -> str:
    text = spoken(text)
    return text if text[-1:] in ".!?…:" else f"{text}."
