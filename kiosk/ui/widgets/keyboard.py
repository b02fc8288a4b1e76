"""An on-screen keyboard for the touchscreen, docked under the form being filled in.

Our own rather than Qt Virtual Keyboard: that one is not in PySide6-Essentials and does not work
on the offscreen platform the tests run on. No key can take the focus, so the field being typed
in keeps it (and its cursor); a key types into that field. Every layout has å, ä and ö (names and
addresses here have them whatever the citizen's language); holding a letter offers its accented
forms and the š and ž of the Finnish alphabet (`key_alternatives`).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QInputMethodEvent, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.i18n import N_
from kiosk.ui.speech.order import next_below, next_in_line
from kiosk.ui.state import UiState
from kiosk.ui.widgets.buttons import BigButton
from kiosk.ui.widgets.key_alternatives import LONG_PRESS_MS, AlternativesPopup, alternatives

LETTER_ROWS: dict[str, tuple[str, str, str]] = {
    "fi": ("qwertyuiopå", "asdfghjklöä", "zxcvbnm,.-"),
    "sv": ("qwertyuiopå", "asdfghjklöä", "zxcvbnm,.-"),
    "en": ("qwertyuiopå", "asdfghjklöä", "zxcvbnm,.-"),
}
SYMBOL_ROWS = ("1234567890", "@.-_+/:;()", "!?'\"&#%€*=")

SHIFT = N_("Capital letter")
BACKSPACE = N_("Delete the last character")
ENTER = N_("Next field")
SPACE = N_("Space")
SYMBOLS = N_("Numbers and symbols")
LETTERS = N_("Letters")
HIDE = N_("Hide the keyboard")
MORE_LETTERS = N_("More letters: tap one, or tap elsewhere to close")
#: Spoken names of keys whose character a screen reader might not say.
KEY_NAMES = {
    ",": N_("Comma"),
    ".": N_("Full stop"),
    "-": N_("Hyphen"),
    "@": N_("At sign"),
    "_": N_("Underscore"),
    "/": N_("Slash"),
    "+": N_("Plus sign"),
    ":": N_("Colon"),
    ";": N_("Semicolon"),
    "(": N_("Opening parenthesis"),
    ")": N_("Closing parenthesis"),
    "!": N_("Exclamation mark"),
    "?": N_("Question mark"),
    "'": N_("Apostrophe"),
    '"': N_("Quotation mark"),
    "&": N_("Ampersand"),
    "#": N_("Number sign"),
    "%": N_("Percent sign"),
    "€": N_("Euro sign"),
    "*": N_("Asterisk"),
    "=": N_("Equals sign"),
}


class LetterKey(BigButton):
    """A letter key that offers other letters when held (see `key_alternatives`)."""

    def __init__(self, keyboard: OnScreenKeyboard, letter: str) -> None:
        super().__init__(role="osk")
        self.keyboard = keyboard
        self.letter = letter

    def mousePressEvent(self, event: QMouseEvent) -> None:
        super().mousePressEvent(event)
        if event.button() == Qt.MouseButton.LeftButton:
            self.keyboard.key_held(self)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        popup = self.keyboard.popup
        if popup is not None and self.keyboard.popup_key is self:
            # The row is open: the finger slides over it, the key itself stays released.
            popup.track(event.globalPosition().toPoint())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self.keyboard.hold_timer.stop()
        popup = self.keyboard.popup
        if popup is not None and self.keyboard.popup_key is self:
            self.keyboard.popup_key = None
            self.setDown(False)  # no click: the long press was not a tap on the letter
            super().mouseReleaseEvent(event)
            popup.release(event.globalPosition().toPoint())
            return
        super().mouseReleaseEvent(event)


def wants_digits(field: QWidget) -> bool:
    """Whether a field asks for numbers first (postal code, phone, identity code...). A web
    page's field says so through the input method (type=number, tel, date...)."""
    asked = field.inputMethodQuery(Qt.InputMethodQuery.ImHints)
    hints = field.inputMethodHints() | Qt.InputMethodHint(int(asked or 0))
    numeric = (
        Qt.InputMethodHint.ImhDigitsOnly
        | Qt.InputMethodHint.ImhPreferNumbers
        | Qt.InputMethodHint.ImhFormattedNumbersOnly
        | Qt.InputMethodHint.ImhDialableCharactersOnly
        | Qt.InputMethodHint.ImhDate
    )
    return bool(hints & numeric)


class OnScreenKeyboard(QFrame):
    #: Enter was tapped: the screen moves on to the next field.
    enter_pressed = Signal(QWidget)
    #: The citizen wants the keyboard out of the way.
    hide_requested = Signal()

    def __init__(self, ui: UiState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.setProperty("role", "keyboard")
        # A tap on a key would otherwise give the focus to a scroll area around the keyboard:
        # the keyboard takes it itself and hands it on (as focus proxy) to the field.
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.target: QWidget | None = None
        self.shifted = False
        #: Holding a letter key this long opens the row of its other letters.
        self.hold_timer = QTimer(self)
        self.hold_timer.setSingleShot(True)
        self.hold_timer.setInterval(LONG_PRESS_MS)
        self.hold_timer.timeout.connect(self.show_alternatives)
        self._held: LetterKey | None = None
        #: The row of other letters while it is open, and the key it belongs to while held.
        self.popup: AlternativesPopup | None = None
        self.popup_key: LetterKey | None = None
        self._layout_language = ""
        self._cursor: BigButton | None = None
        column = QVBoxLayout(self)
        column.setContentsMargins(24, 12, 24, 12)
        self.pages = QStackedWidget()
        column.addWidget(self.pages)
        self.letters = QWidget()
        self.symbols = QWidget()
        self.pages.addWidget(self.letters)
        self.pages.addWidget(self.symbols)
        #: The keys of each page, by the character they type or a name: shift, backspace,
        #: enter, space, symbols, letters, hide.
        self.letter_keys: dict[str, BigButton] = {}
        self.symbol_keys: dict[str, BigButton] = {}
        self._build_symbols()
        self.retranslate()
        ui.changed.connect(self.retranslate)

    # ---- building ---------------------------------------------------------------------------

    def _key(
        self, keys: dict[str, BigButton], name: str, row: QHBoxLayout, stretch: int = 2
    ) -> None:
        if keys is self.letter_keys and len(name) == 1 and alternatives(name, upper=False):
            key: BigButton = LetterKey(self, name)
        else:
            key = BigButton(role="osk")
        key.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        key.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        key.setMinimumHeight(72)
        if len(name) == 1:
            letter = keys is self.letter_keys and name.isalpha()
            key.clicked.connect(lambda _=False, c=name, up=letter: self._type(c, shiftable=up))
        else:
            key.clicked.connect(getattr(self, f"_{name}"))
        keys[name] = key
        row.addWidget(key, stretch)

    def _rows(self, page: QWidget) -> list[QHBoxLayout]:
        old = page.layout()
        if old is not None:
            QWidget().setLayout(old)  # the old keys go with a throw-away parent
        grid = QVBoxLayout(page)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(8)
        rows = []
        for _ in range(4):
            row = QHBoxLayout()
            row.setSpacing(8)
            grid.addLayout(row)
            rows.append(row)
        return rows

    def _build_letters(self, language: str) -> None:
        self._layout_language = language
        if self._cursor in self.letter_keys.values():
            self._cursor = None  # its key goes with the old letters
        self.letter_keys = {}
        keys = self.letter_keys
        first, second, third = LETTER_ROWS.get(language, LETTER_ROWS["en"])
        rows = self._rows(self.letters)
        for char in first:
            self._key(keys, char, rows[0])
        self._key(keys, "backspace", rows[0], 3)
        rows[1].addStretch(1)
        for char in second:
            self._key(keys, char, rows[1])
        self._key(keys, "enter", rows[1], 4)
        self._key(keys, "shift", rows[2], 4)
        for char in third:
            self._key(keys, char, rows[2])
        self._key(keys, "symbols", rows[3], 3)
        self._key(keys, "@", rows[3])
        self._key(keys, "space", rows[3], 14)
        self._key(keys, "hide", rows[3], 3)

    def _build_symbols(self) -> None:
        keys = self.symbol_keys
        rows = self._rows(self.symbols)
        for char in SYMBOL_ROWS[0]:
            self._key(keys, char, rows[0])
        self._key(keys, "backspace", rows[0], 3)
        for char in SYMBOL_ROWS[1]:
            self._key(keys, char, rows[1])
        self._key(keys, "enter", rows[1], 3)
        for char in SYMBOL_ROWS[2]:
            self._key(keys, char, rows[2])
        self._key(keys, "letters", rows[3], 3)
        self._key(keys, "space", rows[3], 14)
        self._key(keys, "hide", rows[3], 3)

    # ---- use ----------------------------------------------------------------------------------

    def key(self, name: str) -> BigButton:
        """The key on the page shown that types `name` (a character) or does it (shift...)."""
        keys = self.letter_keys if self.pages.currentWidget() is self.letters else self.symbol_keys
        return keys[name]

    def attach(self, field: QWidget) -> None:
        """Type into `field` from now on (a line, a text box, or a web page's field); a field
        for numbers opens the numbers page."""
        changed = field is not self.target
        self.target = field
        self.setFocusProxy(field)
        if changed:
            self.shifted = False
            self.pages.setCurrentWidget(self.symbols if wants_digits(field) else self.letters)
            self.retranslate()

    # ---- typing by the keypad's keys -----------------------------------------------------------

    def page_keys(self) -> list[BigButton]:
        """The keys of the page shown, row by row (the keypad's cursor moves over them)."""
        keys = self.letter_keys if self.pages.currentWidget() is self.letters else self.symbol_keys
        return sorted(keys.values(), key=lambda k: (k.y(), k.x()))

    @property
    def key_cursor(self) -> BigButton | None:
        """The key the keypad's cursor is on (the keys never take the focus: the field keeps
        it); None while the keypad is not typing."""
        return self._cursor

    def start_cursor(self) -> BigButton:
        keys = self.page_keys()
        self._set_cursor(keys[0])
        return keys[0]

    def move_cursor(self, step: int, *, vertical: bool) -> BigButton | None:
        keys: list[QWidget] = list(self.page_keys())
        current = self._cursor if self._cursor in keys else None
        moved = (
            next_below(keys, current, step, self) if vertical else next_in_line(keys, current, step)
        )
        if isinstance(moved, BigButton):
            self._set_cursor(moved)
        return self._cursor

    def press_cursor(self) -> BigButton | None:
        """Type the key under the cursor, as a tap would; the cursor stays on that key, or on
        the first key of a page the key opened."""
        key = self._cursor
        if key is None:
            return None
        key.click()
        if key not in self.page_keys():
            self.start_cursor()
        return key

    def end_cursor(self) -> None:
        self._set_cursor(None)

    def _set_cursor(self, key: BigButton | None) -> None:
        old, self._cursor = self._cursor, key
        for each in (old, key):
            if each is not None:
                each.setProperty("cursor", each is key)
                each.update()

    # ---- other letters by a long press --------------------------------------------------------

    def key_held(self, key: LetterKey) -> None:
        self.close_alternatives()
        self._held = key
        self.hold_timer.start()

    def show_alternatives(self) -> None:
        """The held key's other letters, in a row above it."""
        self.hold_timer.stop()
        key, self._held = self._held, None
        if key is None or not key.isDown() or not key.isVisible():
            return
        letters = alternatives(key.letter, upper=self.shifted)
        if not letters:
            return
        key.setDown(False)
        self.popup = AlternativesPopup(
            key.window(), key, letters, self._type, self.ui.t(MORE_LETTERS), self._popup_closed
        )
        self.popup_key = key

    def _popup_closed(self, popup: AlternativesPopup) -> None:
        if popup is self.popup:
            self.popup = None
            self.popup_key = None
        focused = QApplication.focusWidget()
        if focused is not None and popup.isAncestorOf(focused) and self.target is not None:
            self.target.setFocus(Qt.FocusReason.OtherFocusReason)  # the keypad chose a letter

    def holds(self, widget: QWidget | None) -> bool:
        """Whether `widget` is part of the keyboard: a key, or a letter of the row of others
        (the keypad gives those the focus)."""
        return widget is not None and (
            widget is self
            or self.isAncestorOf(widget)
            or (self.popup is not None and self.popup.isAncestorOf(widget))
        )

    def close_alternatives(self) -> None:
        if self.popup is not None:
            self.popup.close_row()

    def hideEvent(self, event: QHideEvent) -> None:
        self.end_cursor()
        self.hold_timer.stop()
        self.close_alternatives()
        super().hideEvent(event)

    def _field(self) -> QWidget | None:
        focused = QApplication.focusWidget()
        if isinstance(focused, QLineEdit | QPlainTextEdit):
            return focused
        return self.target

    def _type(self, text: str, *, shiftable: bool = False) -> None:
        field = self._field()
        if field is None:
            return
        if shiftable and self.shifted:
            text = text.upper()
        if isinstance(field, QLineEdit):
            field.insert(text)
        elif isinstance(field, QPlainTextEdit):
            field.insertPlainText(text)
        else:
            # A web page's field takes text as an input method commits it.
            commit = QInputMethodEvent()
            commit.setCommitString(text)
            QApplication.sendEvent(field, commit)
        if self.shifted:
            self.shifted = False
            self.retranslate()

    def _backspace(self) -> None:
        field = self._field()
        if field is not None:
            QApplication.sendEvent(
                field,
                QKeyEvent(
                    QKeyEvent.Type.KeyPress, Qt.Key.Key_Backspace, Qt.KeyboardModifier.NoModifier
                ),
            )

    def _space(self) -> None:
        self._type(" ")

    def _enter(self) -> None:
        field = self._field()
        if field is not None:
            self.enter_pressed.emit(field)

    def _shift(self) -> None:
        self.shifted = not self.shifted
        self.retranslate()

    def _symbols(self) -> None:
        self.pages.setCurrentWidget(self.symbols)

    def _letters(self) -> None:
        self.pages.setCurrentWidget(self.letters)

    def _hide(self) -> None:
        self.hide_requested.emit()

    # ---- text ---------------------------------------------------------------------------------

    def retranslate(self) -> None:
        t = self.ui.t
        self.close_alternatives()
        if self.ui.language != self._layout_language:
            self._build_letters(self.ui.language)
        labels = {
            "shift": ("⇧", SHIFT),
            "backspace": ("⌫", BACKSPACE),
            "enter": ("↵", ENTER),
            "space": ("", SPACE),
            "symbols": ("123", SYMBOLS),
            "letters": ("ABC", LETTERS),
            "hide": ("▾", HIDE),
        }
        for keys in (self.letter_keys, self.symbol_keys):
            for name, key in keys.items():
                if name in labels:
                    text, spoken = labels[name]
                    key.setText(text)
                    key.setAccessibleName(t(spoken))
                    continue
                char = name.upper() if self.shifted and keys is self.letter_keys else name
                key.setText(char.replace("&", "&&"))  # a lone & would mark a shortcut
                key.setAccessibleName(t(KEY_NAMES[char]) if char in KEY_NAMES else char)
        shift = self.letter_keys["shift"]
        shift.setCheckable(True)
        shift.setChecked(self.shifted)
