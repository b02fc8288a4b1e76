"""The inputs of a form's fields: a line and a text box that say when the citizen leaves them
and keep one height whatever their look, and the line that says what is wrong with a field."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QStyle,
    QStyleOptionFrame,
)


class FieldLine(QLineEdit):
    """A line that says when the citizen leaves it (not when the window merely loses focus)."""

    left = Signal()
    #: The height it keeps whatever its look (TextFieldView measures it).
    steady_height = 0

    def sizeHint(self) -> QSize:
        return super().sizeHint().expandedTo(QSize(0, self.steady_height))

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        if event.reason() not in (
            Qt.FocusReason.ActiveWindowFocusReason,
            Qt.FocusReason.PopupFocusReason,
        ):
            self.left.emit()


class FieldBox(QPlainTextEdit):
    left = Signal()
    steady_height = 0

    def sizeHint(self) -> QSize:
        return super().sizeHint().expandedTo(QSize(0, self.steady_height))

    def minimumSizeHint(self) -> QSize:
        return super().minimumSizeHint().expandedTo(QSize(0, self.steady_height))

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        if event.reason() not in (
            Qt.FocusReason.ActiveWindowFocusReason,
            Qt.FocusReason.PopupFocusReason,
        ):
            self.left.emit()


class ProblemLine(QLabel):
    """What is wrong with a field, in words. Its first line's room is kept while there is
    nothing to say, so that the form does not move under the citizen's finger when a problem
    appears or goes."""

    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)
        policy = self.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.setSizePolicy(policy)

    def _line(self) -> int:
        margins = self.contentsMargins()
        # Measured as QLabel measures its words, with the sign a problem starts with (which
        # may come from a taller font).
        room = QRect(0, 0, 4000, 4000)
        flags = Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft
        words = self.fontMetrics().boundingRect(room, flags, "⚠ Åg").height()
        return max(words, self.fontMetrics().lineSpacing()) + margins.top() + margins.bottom()

    def heightForWidth(self, width: int) -> int:
        return max(super().heightForWidth(width), self._line())

    def sizeHint(self) -> QSize:
        return super().sizeHint().expandedTo(QSize(0, self._line()))

    def minimumSizeHint(self) -> QSize:
        return super().minimumSizeHint().expandedTo(QSize(0, self._line()))


def focus_growth(editor: QLineEdit | QPlainTextEdit) -> int:
    """How much taller a line grows when it has the focus (its focus frame may be thicker)."""
    if not isinstance(editor, QLineEdit):
        return 0
    option = QStyleOptionFrame()
    editor.initStyleOption(option)
    sizes = []
    for focused in (False, True):
        if focused:
            option.state |= QStyle.StateFlag.State_HasFocus
        else:
            option.state &= ~QStyle.StateFlag.State_HasFocus
        size = editor.style().sizeFromContents(
            QStyle.ContentsType.CT_LineEdit, option, QSize(100, 40), editor
        )
        sizes.append(size.height())
    return max(0, sizes[1] - sizes[0])
