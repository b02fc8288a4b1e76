"""A citizen at the tactile keypad, listening: keys pressed as the numeric keypad sends them, and
what the kiosk said, in order.

Keys go where a real keypad's go, to the widget with the focus (else the window), marked as the
keypad's (`KeypadModifier`). What is said is heard by a `HeardEngine`: one utterance per turn of
the event loop. Nothing here moves the kiosk on but keys.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.exceptions import TimeoutError
from pytestqt.qtbot import QtBot

from kiosk.i18n import NATIVE_NAMES
from kiosk.speech.describe import Role
from kiosk.speech.narrator import READ_ALOUD_ON, spoken
from kiosk.ui.widgets.buttons import BigButton
from kiosk.ui.widgets.keyboard import OnScreenKeyboard
from kiosk.ui.window import KioskWindow
from tests.ui.speech_double import HeardEngine

#: The keypad's keys by what they do (kiosk.speech.keypad.DEFAULT_KEYS).
KEYS: dict[str, Qt.Key] = {
    "up": Qt.Key.Key_8,
    "down": Qt.Key.Key_2,
    "left": Qt.Key.Key_4,
    "right": Qt.Key.Key_6,
    "ok": Qt.Key.Key_5,
    "enter": Qt.Key.Key_Enter,
    "back": Qt.Key.Key_Minus,
    "help": Qt.Key.Key_Plus,
    "repeat": Qt.Key.Key_0,
    "louder": Qt.Key.Key_Asterisk,
    "quieter": Qt.Key.Key_Slash,
    "faster": Qt.Key.Key_9,
    "slower": Qt.Key.Key_3,
    "read_aloud": Qt.Key.Key_Period,
}

#: How long a test waits for the kiosk to say something (the reader polls every 200 ms; a
#: passing test never waits this long).
SAY_TIMEOUT_MS = 10_000
#: The most presses a search by ear makes before giving up (a screen has fewer controls).
MOST_PRESSES = 80
#: How many utterances a failed check shows.
SHOWN = 120


@dataclass(frozen=True)
class Place:
    """Where a phrase was heard: which utterance, and where in it."""

    utterance: int
    offset: int


def in_order(texts: Sequence[str], expected: Sequence[str], start: Place | None = None) -> Place:
    """Where the last of `expected` was heard, each phrase heard after the one before it (in a
    later utterance, or later in the same one), as the narrator says it (`spoken`: without the
    screen's signs); AssertionError names the first that was not."""
    place = start or Place(0, 0)
    for shown_words in expected:
        # As the words are said: the screen's signs (⚠, ✓, ‹) are not read out.
        want = spoken(shown_words)
        found = _find(texts, want, place)
        if found is None:
            shown = list(enumerate(texts))[place.utterance :][:SHOWN]
            said = "\n".join(f"  [{i}] {text}" for i, text in shown)
            raise AssertionError(
                f"not heard after utterance {place.utterance} (offset {place.offset}): "
                f"{want!r}\nheard:\n{said}"
            )
        place = Place(found.utterance, found.offset + len(want))
    return place


def _find(texts: Sequence[str], want: str, after: Place) -> Place | None:
    for index in range(after.utterance, len(texts)):
        begin = after.offset if index == after.utterance else 0
        offset = texts[index].find(want, begin)
        if offset >= 0:
            return Place(index, offset)
    return None


class Keypad:
    """The keypad in a citizen's hand, and their ears."""

    def __init__(self, qtbot: QtBot, window: KioskWindow, engine: HeardEngine) -> None:
        self.qtbot = qtbot
        self.window = window
        self.engine = engine

    @classmethod
    def at(cls, qtbot: QtBot, window: KioskWindow) -> Keypad:
        """A keypad at `window`, whose speech is heard by a new `HeardEngine`."""
        engine = HeardEngine()
        window.start_speech(engine)
        return cls(qtbot, window, engine)

    # ---- hearing ------------------------------------------------------------------------------

    def heard(self) -> list[str]:
        return self.engine.texts()

    def languages(self) -> list[str]:
        return [u.language for u in self.engine.heard]

    def last(self) -> str:
        return self.engine.heard[-1].text if self.engine.heard else ""

    def mark(self) -> int:
        """How many utterances have been heard so far (for `since`)."""
        return len(self.engine.heard)

    def since(self, mark: int) -> list[str]:
        return self.engine.since(mark)

    def wait_for(self, *phrases: str, since: int = 0, timeout: int = SAY_TIMEOUT_MS) -> Place:
        """Wait until `phrases` have been heard in this order (from utterance `since` on)."""
        found: list[Place] = []

        def heard_them() -> None:
            found[:] = [in_order(self.heard(), phrases, Place(since, 0))]

        self.qtbot.waitUntil(heard_them, timeout=timeout)
        return found[0]

    def said_in_order(
        self, expected: Sequence[str], *, since: int = 0, language: str | None = None
    ) -> None:
        """`expected` was heard in this order from utterance `since` on; with `language`, each
        utterance it was heard in was spoken in that language's voice."""
        texts = self.heard()
        languages = self.languages()
        place = Place(since, 0)
        for want in expected:
            found = in_order(texts, [want], place)
            index = found.utterance
            if language is not None:
                assert languages[index] == language, (
                    f"{want!r} was said in {languages[index]!r}, not {language!r}: {texts[index]}"
                )
            place = found

    def nameless(self, language: str) -> list[str]:
        """Utterances that said a control's role with no name before it ("…. button."): a
        control a citizen cannot tell apart by ear."""
        catalogue = self.window.ui.catalogue
        roles = [catalogue.gettext(language, role.value) for role in Role if role.value]
        said = re.compile(rf"(^|[.!?…:] )({'|'.join(map(re.escape, roles))})[.,]")
        return [text for text in self.heard() if said.search(text)]

    # ---- pressing -----------------------------------------------------------------------------

    def start(self, language: str) -> None:
        """On the attract screen: a key switches Read aloud on, the arrows go to the language's
        button (each said in its own language), OK starts the session in it."""
        self.press("ok")
        self.wait_for(self.window.ui.t_in(self.window.ui.default_language, READ_ALOUD_ON))
        if QApplication.focusWidget() is not self.window.attract.language_buttons[language]:
            self.move_to(NATIVE_NAMES[language])
        self.press("ok")
        session = self.window.kiosk.session.current
        assert session is not None and session.language == language

    def press(self, action: str, times: int = 1) -> None:
        """Press the key of `action` (up, down, left, right, ok, back, help, repeat...), each
        press answered by something said before the next."""
        for _ in range(times):
            self._activate()
            mark = self.mark()
            self._click(KEYS[action])
            try:
                self.qtbot.waitUntil(lambda m=mark: self.mark() > m, timeout=SAY_TIMEOUT_MS)
            except TimeoutError:
                focus = QApplication.focusWidget()
                raise AssertionError(
                    f"pressing {action} said nothing; the focus is on {focus!r} "
                    f"({focus.accessibleName() if focus else ''!r})\n" + _tail(self.heard())
                ) from None

    def press_quietly(self, action: str) -> None:
        """Press a key without waiting for words (a key that moves the kiosk on, whose words
        come with the next screen's)."""
        self._click(KEYS[action])

    def _activate(self) -> None:
        """The kiosk's window is the only one, and active, as under the kiosk's compositor; on
        the test platform a window Qt makes for itself (a web view's) can take that away, and
        with it the focus the keys go to. Given back, the window's focus comes back with it
        (and the reader says where it is)."""
        if QApplication.activeWindow() is not self.window:
            self.window.activateWindow()
            self.qtbot.waitUntil(lambda: QApplication.activeWindow() is self.window)
            self.qtbot.wait(1)  # what the focus coming back says, said before the key

    def _click(self, key: Qt.Key) -> None:
        self._activate()
        target: QWidget = QApplication.focusWidget() or self.window
        QTest.keyClick(target, key, Qt.KeyboardModifier.KeypadModifier)

    def move_to(self, name: str, action: str = "right") -> QWidget:
        """Press `action` (an arrow) until what is said starts with `name` (the control moved
        to), as a citizen listens for it; the control then focused."""
        for _ in range(MOST_PRESSES):
            self.press(action)
            if self.last().startswith(name):
                focus = QApplication.focusWidget()
                assert focus is not None
                return focus
        raise AssertionError(f"{name!r} never heard by pressing {action}:\n" + _tail(self.heard()))

    # ---- the on-screen keyboard by keys ---------------------------------------------------------

    def keyboard(self) -> OnScreenKeyboard:
        shown = [k for k in self.window.findChildren(OnScreenKeyboard) if k.isVisible()]
        assert shown, "no on-screen keyboard is shown"
        return shown[0]

    def type_text(self, text: str) -> None:
        """Type `text` with the on-screen keyboard's cursor (OK on a field has started it): the
        arrows to each key, OK to type it; Shift for a capital, the numbers page for a digit."""
        keyboard = self.keyboard()
        for char in text:
            page = keyboard.symbols if char.isdigit() else keyboard.letters
            if char != " " and keyboard.pages.currentWidget() is not page:
                switch = "symbols" if page is keyboard.symbols else "letters"
                self._key_to(keyboard, lambda k, n=switch: k is keyboard.key(n))
                self.press("ok")
            if char.isupper():
                self._key_to(keyboard, lambda k: k is keyboard.key("shift"))
                self.press("ok")
            name = "space" if char == " " else char.lower()
            self._key_to(keyboard, lambda k, n=name: k is keyboard.key(n))
            self.press("ok")

    def _key_to(self, keyboard: OnScreenKeyboard, is_it: Callable[[BigButton], bool]) -> None:
        """The cursor to the key `is_it` picks, the shorter way round the page's keys (the
        arrows move it in reading order and wrap)."""
        keys = keyboard.page_keys()
        [target] = [k for k in keys if is_it(k)]
        cursor = keyboard.key_cursor
        assert cursor is not None, "the keypad is not typing"
        ahead = (keys.index(target) - keys.index(cursor)) % len(keys)
        action, times = ("right", ahead) if ahead <= len(keys) // 2 else ("left", len(keys) - ahead)
        self.press(action, times)
        assert keyboard.key_cursor is target, "the keyboard's cursor did not reach the key"


def _tail(texts: Sequence[str], n: int = 8) -> str:
    return "\n".join(f"  {text}" for text in texts[-n:])
