"""Words that always fit where they are shown: a label that shortens itself with "…" rather than
being cut, and buttons as wide as their longest label in any language, so that a change of
language moves nothing."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QLabel,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyleOptionButton,
    QWidget,
)

#: Room beside a button's longest line, so that it never touches the frame.
SLACK_PX = 8


class ElidedLabel(QLabel):
    """One line that takes the room it is given and ends in "…" when the words need more; the
    whole text stays its accessible name and tooltip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(0)

    def full_text(self) -> str:
        return self._full

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setAccessibleName(text)
        self._elide()

    def _elide(self) -> None:
        room = self.contentsRect().width()
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, room)
        self.setToolTip(self._full if shown != self._full else "")
        if shown != self.text():
            self.setText(shown)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._elide()


def two_lines(text: str) -> str:
    """`text` broken at the space nearest its middle (a symbol and one word stay together)."""
    spaces = [i for i, c in enumerate(text) if c == " "]
    if not spaces:
        return text
    middle = len(text) / 2
    at = min(spaces, key=lambda i: abs(i - middle))
    return text[:at] + "\n" + text[at + 1 :]


def snug_width(button: QPushButton, labels: Iterable[str], least: int = 0) -> int:
    """The width at which the longest line of any of `labels` fits `button`'s contents, with
    the theme's padding and frame around it (and never less than `least`)."""
    button.ensurePolished()
    option = QStyleOptionButton()
    button.initStyleOption(option)
    contents = button.style().subElementRect(
        QStyle.SubElement.SE_PushButtonContents, option, button
    )
    frame = button.width() - contents.width()
    metrics = button.fontMetrics()
    text = max(
        (metrics.horizontalAdvance(line) for label in labels for line in label.split("\n")),
        default=0,
    )
    return max(least, text + frame + SLACK_PX)
