"""A big button whose words wrap onto more lines instead of being cut off.

A form's buttons carry texts of any length in three languages and at any text size: an option,
a document's name, a consent. Qt's push button draws its text on one line and cuts what does
not fit. This one breaks it between words to the width it is given and asks its layout for the
height that takes (height-for-width). Its room is measured with the focus frame drawn, which
may be thicker than the plain one, so that focusing a button never cuts its last letters.
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QRect, QSize
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QStyle, QStyleOptionButton, QStylePainter

from kiosk.ui.widgets.buttons import BigButton

#: Room between a button's icon and its words (as Qt's own push button leaves).
ICON_GAP = 4


class WrapButton(BigButton):
    """A BigButton whose text wraps between words; `text()` is the whole text, unbroken."""

    # ---- measuring ----------------------------------------------------------------------------

    def wordWrap(self) -> bool:
        """Like QLabel's: this button's text wraps rather than being cut."""
        return True

    def frame_margins(self) -> QMargins:
        """Border and padding around the words, the widest of the plain and the focused look."""
        option = QStyleOptionButton()
        self.initStyleOption(option)
        outer = QRect(0, 0, 1000, 1000)
        option.rect = outer
        found = QMargins()
        for focused in (False, True):
            if focused:
                option.state |= QStyle.StateFlag.State_HasFocus
            else:
                option.state &= ~QStyle.StateFlag.State_HasFocus
            inner = self.style().subElementRect(
                QStyle.SubElement.SE_PushButtonContents, option, self
            )
            found = QMargins(
                max(found.left(), inner.left() - outer.left()),
                max(found.top(), inner.top() - outer.top()),
                max(found.right(), outer.right() - inner.right()),
                max(found.bottom(), outer.bottom() - inner.bottom()),
            )
        return found

    def _icon_room(self) -> int:
        return self.iconSize().width() + ICON_GAP if not self.icon().isNull() else 0

    def text_width(self, width: int | None = None) -> int:
        """How wide the words may be on a button `width` wide (its own width by default)."""
        margins = self.frame_margins()
        total = self.width() if width is None else width
        return max(1, total - margins.left() - margins.right() - self._icon_room())

    def lines(self, width: int | None = None) -> list[str]:
        """The text broken between words to fit `text_width(width)`; a word longer than the
        whole width is broken between its letters, so that nothing is ever cut off."""
        metrics = self.fontMetrics()
        room = self.text_width(width)
        found: list[str] = []
        for paragraph in self.text().split("\n"):
            line = ""
            for word in paragraph.split(" "):
                candidate = f"{line} {word}" if line else word
                if metrics.horizontalAdvance(candidate) <= room:
                    line = candidate
                    continue
                if line:
                    found.append(line)
                line = ""
                while metrics.horizontalAdvance(word) > room and len(word) > 1:
                    cut = len(word) - 1
                    while cut > 1 and metrics.horizontalAdvance(word[:cut]) > room:
                        cut -= 1
                    found.append(word[:cut])
                    word = word[cut:]
                line = word
            found.append(line)
        return found

    def _height_of(self, lines: int) -> int:
        margins = self.frame_margins()
        words = lines * self.fontMetrics().lineSpacing()
        icon = self.iconSize().height() if not self.icon().isNull() else 0
        return max(words, icon) + margins.top() + margins.bottom()

    # ---- size ---------------------------------------------------------------------------------

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        plain = super().sizeHint().height()
        return max(plain, self.minimumHeight(), self._height_of(len(self.lines(width))))

    def sizeHint(self) -> QSize:
        margins = self.frame_margins()
        metrics = self.fontMetrics()
        widest = max((metrics.horizontalAdvance(p) for p in self.text().split("\n")), default=0)
        width = widest + margins.left() + margins.right() + self._icon_room()
        width = max(width, super().sizeHint().width())
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:
        margins = self.frame_margins()
        metrics = self.fontMetrics()
        words = self.text().replace("\n", " ").split(" ")
        widest = max((metrics.horizontalAdvance(w) for w in words), default=0)
        width = max(widest + margins.left() + margins.right() + self._icon_room(), 1)
        return QSize(width, self.heightForWidth(width))

    # ---- drawing ------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        option = QStyleOptionButton()
        self.initStyleOption(option)
        option.text = "\n".join(self.lines())
        painter = QStylePainter(self)
        painter.drawControl(QStyle.ControlElement.CE_PushButton, option)
