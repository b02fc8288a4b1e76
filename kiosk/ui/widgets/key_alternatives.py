"""Letters a long press on an on-screen key offers: š and ž of the Finnish alphabet, the accented
letters of names and addresses (é, ü, ñ, ø...), in a row of large keys above the key.

The row lies on a transparent layer over the whole window, so a tap anywhere but on one of its
letters closes it and presses nothing underneath. A letter is chosen by a tap, or by sliding the
finger from the held key onto it and letting go, or with the keypad: its arrows go from letter
to letter (a tap leaves the focus in the field) and OK types one.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QSizePolicy, QWidget

from kiosk.ui.widgets.buttons import BigButton

#: What a long press on a letter offers, in the order shown.
ALTERNATIVES: dict[str, str] = {
    "a": "àáâäåãæāą",
    "c": "çčć",
    "d": "ďđð",
    "e": "éèêëěęē",
    "g": "ğ",
    "i": "íìîïı",
    "l": "ł",
    "n": "ñńň",
    "o": "óòôöõøœő",
    "r": "ř",
    "s": "šßśş",
    "t": "ťþ",
    "u": "úùûüůű",
    "y": "ýÿ",
    "z": "žźż",
    # The Danish and Norwegian letters, where their keyboards have them.
    "ä": "æ",
    "ö": "øœ",
}
#: How long a key is held before its other letters show.
LONG_PRESS_MS = 450
#: A letter of the row: as large as a key, well above the smallest touch target.
LETTER_PX = 88


def alternatives(letter: str, *, upper: bool) -> list[str]:
    """The letters a long press on `letter` offers, in capitals after Shift."""
    found = ALTERNATIVES.get(letter.lower(), "")
    if not upper:
        return list(found)
    # A capital only where there is one of a single letter: ß stays ß, ı has none of its own.
    shown = [c.upper() if len(c.upper()) == 1 else c for c in found]
    return [c for i, c in enumerate(shown) if c != letter.upper() and c not in shown[:i]]


class AlternativesPopup(QWidget):
    """The row of letters over `window`, above `key`; `choose` is called with the one chosen."""

    def __init__(
        self,
        window: QWidget,
        key: QWidget,
        letters: list[str],
        choose: Callable[[str], None],
        name: str,
        closed: Callable[[AlternativesPopup], None],
    ) -> None:
        super().__init__(window)
        self._choose = choose
        self._closed = closed
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setGeometry(window.rect())
        self.box = QFrame(self)
        self.box.setProperty("role", "keyboard-popup")
        self.box.setAccessibleName(name)
        row = QHBoxLayout(self.box)
        row.setContentsMargins(12, 12, 12, 12)
        row.setSpacing(8)
        #: The buttons of the row, by the letter they type.
        self.buttons: dict[str, BigButton] = {}
        for letter in letters:
            button = BigButton(letter, role="osk")
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            button.setProperty("speech_role", "key")
            button.setFixedSize(LETTER_PX, LETTER_PX)
            button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            button.clicked.connect(lambda _=False, c=letter: self.choose(c))
            row.addWidget(button)
            self.buttons[letter] = button
        self.box.adjustSize()
        self.box.move(self._place(window, key))
        self.show()
        self.raise_()

    def _place(self, window: QWidget, key: QWidget) -> QPoint:
        """Centred above the key, inside the window."""
        size = self.box.sizeHint()
        top_left = key.mapTo(window, QPoint(0, 0))
        x = top_left.x() + key.width() // 2 - size.width() // 2
        y = top_left.y() - size.height() - 8
        x = max(0, min(x, window.width() - size.width()))
        return QPoint(x, max(0, y))

    def _under(self, global_pos: QPoint) -> BigButton | None:
        for button in self.buttons.values():
            local = button.mapFromGlobal(global_pos)
            if button.rect().contains(local):
                return button
        return None

    def track(self, global_pos: QPoint) -> None:
        """The finger slides from the held key: the letter under it shows pressed."""
        under = self._under(global_pos)
        for button in self.buttons.values():
            button.setDown(button is under)

    def release(self, global_pos: QPoint) -> None:
        """The finger is lifted: over a letter it types it; anywhere else the row stays open
        for a tap."""
        under = self._under(global_pos)
        if under is not None:
            self.choose(under.text().replace("&&", "&"))
        else:
            self.track(QPoint(-1, -1))

    def choose(self, letter: str) -> None:
        self.close_row()
        self._choose(letter)

    def close_row(self) -> None:
        if self.isVisible():
            self._closed(self)  # first: the keyboard takes back a focus one of the letters has
            self.hide()
            self.deleteLater()

    def box_rect(self) -> QRect:
        return self.box.geometry()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        # A tap beside the row closes it and presses nothing underneath.
        if not self.box.geometry().contains(event.position().toPoint()):
            self.close_row()
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        event.accept()
