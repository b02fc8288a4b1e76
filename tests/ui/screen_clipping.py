"""The clipping check: a label's or a button's words fit the room its style leaves them, on one
line or wrapped, in the focused look too, and no container cuts them off."""

from __future__ import annotations

from collections.abc import Iterator

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QAbstractButton, QAbstractScrollArea, QLabel, QWidget

from tests.ui.screen_widgets import (
    Finding,
    button_room,
    describe,
    icon_room,
    label_room,
    text_lines,
    text_span,
    wrapped_lines,
)

#: Up and down, words may lose this much of the gap under their last line without harm.
SLACK_PX = 2


def clipping(widget: QWidget, text: str, window: QWidget) -> Iterator[Finding]:
    if isinstance(widget, QLabel):
        yield from _label_clipping(widget, text)
    elif isinstance(widget, QAbstractButton):
        yield from _button_clipping(widget, text)
    else:
        return
    span = text_span(widget, text)
    if span is not None:
        # What the widget itself cuts off is told above; here, what its containers cut off.
        if isinstance(widget, QLabel):
            span = span.intersected(label_room(widget))
        elif isinstance(widget, QAbstractButton):
            span = span.intersected(button_room(widget, widget.hasFocus()))
        if not span.isEmpty():
            yield from _cut_by_containers(widget, text, span, window)


def _label_clipping(label: QLabel, text: str) -> Iterator[Finding]:
    room = label_room(label)
    metrics = label.fontMetrics()
    flags = int(label.alignment())
    if label.wordWrap():
        bound = metrics.boundingRect(
            QRect(0, 0, max(room.width(), 1), 1 << 20), flags | Qt.TextFlag.TextWordWrap, text
        )
        if bound.width() > room.width():
            word = max(text.split(), key=metrics.horizontalAdvance)
            yield Finding(
                "clipping",
                describe(label),
                text,
                f"the word {word!r} needs {metrics.horizontalAdvance(word)} px, has {room.width()}",
            )
        if bound.height() > room.height() + SLACK_PX:
            yield Finding(
                "clipping",
                describe(label),
                text,
                f"wrapped to {room.width()} px it needs {bound.height()} px of height, "
                f"has {room.height()}",
            )
        return
    bound = metrics.boundingRect(QRect(0, 0, 1 << 20, 1 << 20), flags, text)
    if bound.width() > room.width():
        yield Finding(
            "clipping",
            describe(label),
            text,
            f"needs {bound.width()} px, has {room.width()} (and does not wrap)",
        )
    if bound.height() > room.height() + SLACK_PX:
        yield Finding(
            "clipping",
            describe(label),
            text,
            f"needs {bound.height()} px of height, has {room.height()}",
        )


def _button_clipping(button: QAbstractButton, text: str) -> Iterator[Finding]:
    """The words against the room the style leaves them, in the button's plain look and, for a
    button the citizen can move the focus to, in its focused look (a thicker frame leaves less
    room, and the painter cuts the words at the edge of that room)."""
    metrics = button.fontMetrics()
    icon = icon_room(button)
    wrapped = wrapped_lines(button)
    lines = wrapped if wrapped is not None else text_lines(text)
    if wrapped is not None and " ".join(" ".join(lines).split()) != " ".join(text.split()):
        yield Finding("clipping", describe(button), text, f"drawn as {lines!r}: words are missing")
    widest = max(metrics.horizontalAdvance(line) for line in lines) + icon
    tall = metrics.lineSpacing() * (len(lines) - 1) + metrics.height()
    plain = button_room(button, False)
    looks = [(plain, "")]
    if button.focusPolicy() & Qt.FocusPolicy.TabFocus:
        focused = button_room(button, True)
        if focused != plain:
            looks.append((focused, " when focused"))
    for room, when in looks:
        if widest > room.width():
            line = max(lines, key=metrics.horizontalAdvance)
            yield Finding(
                "clipping", describe(button), line, f"needs {widest} px, has {room.width()}{when}"
            )
            return
        if tall > room.height() + SLACK_PX:
            yield Finding(
                "clipping",
                describe(button),
                text,
                f"{len(lines)} line(s) need {tall} px of height, has {room.height()}{when}",
            )
            return


def _scrolls(viewport: QWidget) -> tuple[bool, bool]:
    """Whether what lies beyond `viewport` can be scrolled to: (across, down)."""
    area = viewport.parentWidget()
    if isinstance(area, QAbstractScrollArea) and area.viewport() is viewport:
        off = Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        return (
            area.horizontalScrollBarPolicy() != off,
            area.verticalScrollBarPolicy() != off,
        )
    return (False, False)


def _cut_by_containers(
    widget: QWidget, text: str, span: QRect, window: QWidget
) -> Iterator[Finding]:
    """Words drawn where an ancestor does not show them: beyond its edge, with no scrolling to
    bring them into view. A scroll area shows what lies beyond its viewport when scrolled, so
    past one only the part of the words within its viewport is followed further up."""
    words = span.translated(widget.mapTo(window, QPoint(0, 0)))
    parent = widget.parentWidget()
    while parent is not None:
        top_left = parent.mapTo(window, QPoint(0, 0)) if parent is not window else QPoint(0, 0)
        shown = QRect(top_left, parent.size())
        across, down = _scrolls(parent)
        if across:
            words = QRect(shown.left(), words.top(), shown.width(), words.height()).intersected(
                words
            )
        if down:
            words = QRect(words.left(), shown.top(), words.width(), shown.height()).intersected(
                words
            )
        if words.isEmpty():
            return  # scrolled out of sight
        left_out = max(0, shown.left() - words.left()) + max(0, words.right() - shown.right())
        top_out = max(0, shown.top() - words.top()) + max(0, words.bottom() - shown.bottom())
        if left_out > 1:
            yield Finding(
                "clipping",
                describe(widget),
                text,
                f"{left_out} px of its {words.width()} px of words lie beyond the edge of "
                f"{describe(parent)}",
            )
            return
        if top_out > SLACK_PX:
            yield Finding(
                "clipping",
                describe(widget),
                text,
                f"{top_out} px of its {words.height()} px high words lie beyond the edge of "
                f"{describe(parent)}",
            )
            return
        if parent is window:
            return
        parent = parent.parentWidget()
