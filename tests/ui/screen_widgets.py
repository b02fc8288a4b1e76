"""What a widget shows and where, for the screen checks: its words, the room its style leaves
them, the part of it its containers show, and its name in a report."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QStyle,
    QStyleOptionButton,
    QTextEdit,
    QWidget,
)


@dataclass(frozen=True)
class Finding:
    #: "glyphs", "clipping", "contrast" or "touch".
    check: str
    #: Which widget: its class, where it lives (the screen's attribute), its accessible name.
    widget: str
    #: The words concerned (or the icon's description).
    text: str
    #: What is wrong, with the figure: "needs 412 px, has 380", "contrast 2.4:1 < 7:1".
    figure: str

    def __str__(self) -> str:
        return f"{self.check}: {self.widget} {short(self.text)!r}: {self.figure}"


def short(text: str, length: int = 48) -> str:
    flat = " ⏎ ".join(part.strip() for part in text.splitlines() if part.strip())
    return flat if len(flat) <= length else flat[: length - 1] + "…"


def shown_text(widget: QWidget) -> str | None:
    """The words `widget` draws itself, or None for a widget that draws none."""
    if isinstance(widget, QLabel):
        if not widget.pixmap().isNull():
            return None
        text = widget.text()
        rich = widget.textFormat() == Qt.TextFormat.RichText or (
            widget.textFormat() == Qt.TextFormat.AutoText and GuiQt.mightBeRichText(text)
        )
        if rich:
            document = QTextDocument()
            document.setHtml(text)
            return document.toPlainText()
        return text
    if isinstance(widget, QAbstractButton):
        return widget.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
    if isinstance(widget, QLineEdit):
        return widget.displayText() or widget.placeholderText()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText() or widget.placeholderText()
    if isinstance(widget, QTextEdit):
        return widget.toPlainText() or widget.placeholderText()
    return None


def describe(widget: QWidget) -> str:
    """The widget's class, the attribute of the screen object holding it and its accessible
    name: "BigButton FormView.next_button [Next]"."""
    where = ""
    parent = widget.parentWidget()
    hops = 0
    while parent is not None and hops < 6 and not where:
        where = _attribute_naming(parent, widget)
        parent = parent.parentWidget()
        hops += 1
    if not where:
        owner = widget.parentWidget()
        while owner is not None and not type(owner).__module__.startswith("kiosk"):
            owner = owner.parentWidget()
        where = f"in {type(owner).__name__}" if owner is not None else ""
    name = widget.objectName()
    accessible = widget.accessibleName()
    parts = [type(widget).__name__ + (f"#{name}" if name else "")]
    if where:
        parts.append(where)
    if accessible:
        parts.append(f"[{short(accessible, 40)}]")
    return " ".join(parts)


def _attribute_naming(owner: QWidget, widget: QWidget) -> str:
    for attribute, value in vars(owner).items():
        if value is widget:
            return f"{type(owner).__name__}.{attribute}"
        if isinstance(value, dict):
            for key, item in value.items():
                if item is widget:
                    return f"{type(owner).__name__}.{attribute}[{key!r}]"
                if isinstance(item, tuple) and any(part is widget for part in item):
                    return f"{type(owner).__name__}.{attribute}[{key!r}]"
    return ""


def text_lines(text: str) -> list[str]:
    return text.split("\n")


def label_room(label: QLabel) -> QRect:
    room = label.contentsRect()
    margin = label.margin()
    return room.adjusted(margin, margin, -margin, -margin)


def button_option(button: QAbstractButton, focused: bool) -> QStyleOptionButton:
    option = QStyleOptionButton()
    try:
        button.initStyleOption(option)  # type: ignore[attr-defined]
    except (AttributeError, TypeError):
        option.initFrom(button)
        option.text = button.text()
        option.icon = button.icon()
        option.iconSize = button.iconSize()
    if focused:
        option.state |= QStyle.StateFlag.State_HasFocus
    else:
        option.state &= ~QStyle.StateFlag.State_HasFocus
    return option


def button_room(button: QAbstractButton, focused: bool) -> QRect:
    element = QStyle.SubElement.SE_PushButtonContents
    if isinstance(button, QCheckBox):
        element = QStyle.SubElement.SE_CheckBoxContents
    elif isinstance(button, QRadioButton):
        element = QStyle.SubElement.SE_RadioButtonContents
    option = button_option(button, focused)
    return button.style().subElementRect(element, option, button)


def icon_room(button: QAbstractButton) -> int:
    return button.iconSize().width() + 4 if not button.icon().isNull() else 0


def wrapped_lines(button: QAbstractButton) -> list[str] | None:
    """The lines a button that wraps its words draws them on, or None for one that does not."""
    wraps = getattr(button, "wordWrap", None)
    lines = getattr(button, "lines", None)
    if callable(wraps) and wraps() and callable(lines):
        found = lines()
        return [str(line) for line in found]
    return None


def text_span(widget: QWidget, text: str) -> QRect | None:
    """Where in `widget` its words are drawn (widget coordinates)."""
    if isinstance(widget, QLabel):
        room = label_room(widget)
        flags = int(widget.alignment())
        if widget.wordWrap():
            flags |= int(Qt.TextFlag.TextWordWrap)
        return (
            widget.fontMetrics()
            .boundingRect(room, flags, text)
            .intersected(QRect(QPoint(0, 0), widget.size()).adjusted(-(1 << 20), 0, 1 << 20, 0))
        )
    if isinstance(widget, QPushButton):
        room = button_room(widget, widget.hasFocus())
        metrics = widget.fontMetrics()
        wrapped = wrapped_lines(widget)
        lines = wrapped if wrapped is not None else text_lines(text)
        width = max(metrics.horizontalAdvance(line) for line in lines) + icon_room(widget)
        height = metrics.lineSpacing() * (len(lines) - 1) + metrics.height()
        centre = room.center()
        if widget.property("role") == "tile" or "text-align: left" in widget.styleSheet():
            left = room.left()
        else:
            left = centre.x() - width // 2
        return QRect(left, centre.y() - height // 2, width, height)
    if isinstance(widget, QAbstractButton):
        room = button_room(widget, widget.hasFocus())
        return room
    return None


def visible_rect(widget: QWidget, window: QWidget) -> QRect:
    """The part of `widget` its ancestors show, in window coordinates."""
    rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        rect = rect.intersected(QRect(parent.mapTo(window, QPoint(0, 0)), parent.size()))
        parent = parent.parentWidget()
    return rect.intersected(window.rect())
