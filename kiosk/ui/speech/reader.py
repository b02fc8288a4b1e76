"""The screen reader: what the window shows, said through the narrator.

In Read aloud, each screen says what it is (its headings and its lead text) when it comes, and
what can be done (how many choices, and the keys); moving the focus says the focused control;
any words that appear or change on the screen while it stays (an error, a notice, progress,
the queue's position, the idle countdown) are said as they come, an error first. Help says the
whole screen in reading order, then the keys.

It watches rather than being told: the application's focus signal, and a light poll of what is
on screen while Read aloud is on. A screen therefore needs nothing of its own to be read,
beyond accessible names on its controls and roles on its labels (the theme's roles: `h1` and
`h2` name the screen, `error` and `warning` are alerts, a `countdown` is said every ten seconds
and then each of the last five). A label whose text changes all the time (a clock) is marked
`speech="off"`; a heading that changes in place (a count of copies) `speech="message"`, said as
it changes rather than taken for a new screen; what a screen is for (a form's reference)
`speech="screen"`, said with the screen by its accessible name.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget

from kiosk.i18n import N_, NP_
from kiosk.speech.describe import Phrase, phrase, sentences
from kiosk.speech.narrator import Kind, Narrator
from kiosk.ui.speech.describe_widget import describe_widget, label_phrase, text_of
from kiosk.ui.speech.order import reading_order, takes_keys, walk, what_is_shown

POLL_MS = 200
HEADINGS = ("h1", "h2")
#: Labels whose changes are said as they come; the first three as alerts.
ALERTS = ("error", "status-bad", "warning")
LIVE = (*ALERTS, "banner", "countdown", "status")
#: Labels whose changes are not messages: headings (a new heading is a new screen) and a form
#: field's own label.
NOT_MESSAGES = (*HEADINGS, "field")
#: Where a screen starts being read: not the top bar every screen has.
BAR_ROLES = ("bar",)

CHOICES = NP_("{n} choice.", "{n} choices.")
KEYS = N_(
    "Move with the arrow keys, choose with OK, the key with the raised dot. Back goes back, "
    "Help reads the whole screen, and zero repeats."
)
NO_CHOICES = N_("Nothing to choose here.")


class ScreenReader(QObject):
    def __init__(self, window: QWidget, narrator: Narrator) -> None:
        super().__init__(window)
        self.window = window
        self.narrator = narrator
        self._screen: tuple[object, ...] = ()
        self._live: dict[int, str] = {}
        self._poll_soon = False
        self._focus_pending = False
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.poll)
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.focusChanged.connect(self._focus_changed)

    def t(self, message: str) -> str:
        return self.narrator.t(message)

    def start(self) -> None:
        """Read aloud was switched on: say the screen, and keep watching it."""
        self._screen = ()
        self._timer.start()
        self.poll(focus_too=True)
        self.narrator.say(KEYS, Kind.HELP, translate=True)

    def stop(self) -> None:
        self._timer.stop()

    # ---- what is on screen --------------------------------------------------------------------

    def shown(self) -> QWidget:
        return what_is_shown(self.window)

    def controls(self) -> list[QWidget]:
        return reading_order(self.shown())

    def _labels(self, root: QWidget) -> list[QLabel]:
        return [
            label
            for label in root.findChildren(QLabel)
            if label.isVisible()
            and label.property("speech") != "off"
            and text_of(label)
            and not _in_control(label)
        ]

    def _screen_key(self, root: QWidget) -> tuple[object, ...]:
        headings = tuple(
            text_of(label)
            for label in self._labels(root)
            if label.property("role") in HEADINGS and label.property("speech") != "message"
        )
        return (id(root), headings)

    def screen_phrase(self) -> Phrase:
        """What the screen is and what can be done: headings, the lead, messages, choices."""
        root = self.shown()
        labels = self._labels(root)
        texts: list[Phrase] = [
            label_phrase(label) for label in labels if label.property("role") in HEADINGS
        ]
        # Then the lead and the messages, in reading order.
        shown = {id(label) for label in labels}
        lead_said = False
        for widget in walk(root, set()):
            if not isinstance(widget, QLabel) or id(widget) not in shown:
                continue
            role = widget.property("role")
            if widget.property("speech") == "screen":
                # What the screen is for (a form's reference): said with it, as its name says it.
                texts.append((widget.accessibleName() or text_of(widget),))
            elif role in LIVE or (role == "lead" and not lead_said):
                lead_said = lead_said or role == "lead"
                texts.append(label_phrase(widget))
        count = len(self.controls())
        choices = (
            self.narrator.t(NO_CHOICES)
            if count == 0
            else self.narrator.nt(CHOICES, count).format(n=count)
        )
        texts.append((choices,))
        return sentences(texts)

    def whole_screen(self) -> Phrase:
        """Every text and control of the screen in reading order, then the keys (Help)."""
        said: list[Phrase] = []
        for widget in walk(self.shown(), set()):
            if isinstance(widget, QLabel):
                if not _in_control(widget) and widget.property("speech") != "off":
                    said.append(label_phrase(widget))
            elif takes_keys(widget):
                said.append(phrase(describe_widget(widget), self.t))
        said.append((self.t(KEYS),))
        return sentences(said)

    # ---- watching -----------------------------------------------------------------------------

    def _in_window(self, widget: QWidget | None) -> bool:
        return widget is not None and (widget is self.window or self.window.isAncestorOf(widget))

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if not self.narrator.read_aloud or not self._in_window(new):
            return
        # Said once this turn is over: a screen being built moves the focus on its way (to a
        # button not yet named), and only where it ends, on the screen as it ends, is said.
        if not self._focus_pending:
            self._focus_pending = True
            QTimer.singleShot(0, self._focus_settled)

    def _focus_settled(self) -> None:
        self._focus_pending = False
        focus = QApplication.focusWidget()
        if not self.narrator.read_aloud or focus is None or not self._in_window(focus):
            return
        self._check_screen()
        self._check_messages()  # what changed with the focus (a form's page) is said before it
        order = self.controls()
        if order and focus not in order:
            # The focus is on no control (a new screen itself): on to its first, said with it
            # rather than a turn later over the screen's name. Not into the top bar: while a
            # screen only waits (printing, finding a page), OK must not go Home.
            first = next((w for w in order if not _in_bar(w)), None)
            if first is None:
                return
            focus = first
            self._focus_pending = True
            focus.setFocus()
            self._focus_pending = False
        self.say_focus(focus)

    def say_focus(self, widget: QWidget) -> None:
        language = widget.property("speech_language")
        if isinstance(language, str):
            # A language's own name, all of it in that language's voice and words.
            catalogue = self.narrator.catalogue
            words = phrase(describe_widget(widget), lambda m: catalogue.gettext(language, m))
            self.narrator.say(words, Kind.FOCUS, language=language)
        else:
            self.narrator.say(phrase(describe_widget(widget), self.t), Kind.FOCUS)

    def poll(self, *, focus_too: bool = False) -> None:
        if not self.narrator.read_aloud:
            return
        changed = self._check_screen()
        self._check_messages()
        focus = QApplication.focusWidget()
        order = self.controls()
        if order and (focus not in order):
            # A new screen, or the focused control went away: the focus goes to the screen's
            # first control, so a citizen using keys is never lost.
            first = next((w for w in order if not _in_bar(w)), None)
            if first is not None:
                first.setFocus()
        elif (changed or focus_too) and focus is not None and self._in_window(focus):
            self.say_focus(focus)

    def label_painted(self, label: QLabel) -> None:
        """A label is being drawn: if its words changed, the screen is looked at in this turn
        rather than at the next poll, so that a short message (a page printed) is not missed."""
        if self._poll_soon or self._live.get(id(label)) == text_of(label):
            return
        self._poll_soon = True
        QTimer.singleShot(0, self._poll_now)

    def _poll_now(self) -> None:
        self._poll_soon = False
        self.poll()

    def _check_screen(self) -> bool:
        root = self.shown()
        key = self._screen_key(root)
        if key == self._screen:
            return False
        self._screen = key
        self._live = {id(label): text_of(label) for label in self._labels(root)}
        self.narrator.say(self.screen_phrase(), Kind.SCREEN)
        return True

    def _check_messages(self) -> None:
        for label in self._labels(self.shown()):
            role = label.property("role")
            if role in NOT_MESSAGES and label.property("speech") != "message":
                continue
            text = text_of(label)
            if self._live.get(id(label)) == text:
                continue
            self._live[id(label)] = text
            if role == "countdown" and not _worth_saying(text):
                continue
            self.narrator.say(label_phrase(label), Kind.ALERT if role in ALERTS else Kind.MESSAGE)


def _in_bar(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if parent.property("role") in BAR_ROLES:
            return True
        parent = parent.parentWidget()
    return False


def _in_control(label: QLabel) -> bool:
    """A label that is part of a button (a tile's title): said with the button."""
    parent = label.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractButton):
            return True
        parent = parent.parentWidget()
    return False


def _worth_saying(countdown: str) -> bool:
    """A countdown is said every ten seconds, then each of the last five."""
    match = re.search(r"\d+", countdown)
    if match is None:
        return True
    n = int(match.group())
    return n % 10 == 0 or n <= 5
