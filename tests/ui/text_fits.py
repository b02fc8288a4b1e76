"""Whether a button's words all show: on one line within its contents, or wrapped onto lines
that each fit and that the button is tall enough to hold."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QPushButton, QStyle, QStyleOptionButton, QWidget


def contents_rect(button: QPushButton) -> QRect:
    """Where the style draws a button's words (and icon), in its present state (focused...)."""
    option = QStyleOptionButton()
    button.initStyleOption(option)
    return button.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, button)


def cut_text(button: QPushButton) -> str | None:
    """What is wrong with how `button` shows its words, or None when every letter shows."""
    room = contents_rect(button)
    metrics = button.fontMetrics()
    text = button.text().replace("&&", "&")
    icon = button.iconSize().width() + 4 if not button.icon().isNull() else 0
    wraps = getattr(button, "wordWrap", None)
    if callable(wraps) and wraps():
        lines: list[str] = button.lines()  # type: ignore[attr-defined]
        if " ".join(" ".join(lines).split()) != " ".join(text.split()):
            return f"{text!r} is drawn as {lines!r}"
        for line in lines:
            if metrics.horizontalAdvance(line) + icon > room.width():
                return f"{line!r} of {text!r} is wider than {room.width()} px"
        if len(lines) * metrics.lineSpacing() > room.height():
            return f"{len(lines)} lines of {text!r} do not fit {room.height()} px"
        return None
    widest = max(metrics.horizontalAdvance(line) for line in text.split("\n"))
    if widest + icon > room.width():
        return f"{text!r} needs {widest + icon} px, has {room.width()}"
    return None


def sticks_out(widget: QWidget, within: QWidget) -> bool:
    """Whether some of `widget` lies left or right of `within`, an ancestor (a scroll area's
    viewport: what lies beyond it is not seen)."""
    left = widget.mapTo(within, QPoint(0, 0)).x()
    return left < 0 or left + widget.width() > within.width()
