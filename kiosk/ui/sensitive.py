"""Widgets whose content is kept from anyone watching the screen: a form's identity code, a
bank account, any field a form definition marks `x-sensitive` (eforms.definition.Field), and
every password field. What the advisor sees of a shared screen (kiosk.ui.screen_share) has these
painted over before the picture leaves the Qt thread.

Personal widgets (`mark_personal`: an address, and every sensitive one) are said aloud only
through headphones (kiosk.speech.narrator).
"""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QLineEdit, QWidget

PROPERTY = "sensitive"
PERSONAL = "personal"


def mark_sensitive(widget: QWidget) -> None:
    widget.setProperty(PROPERTY, True)


def mark_personal(widget: QWidget) -> None:
    widget.setProperty(PERSONAL, True)


def is_personal(widget: QWidget) -> bool:
    return widget.property(PERSONAL) is True or is_sensitive(widget)


def is_sensitive(widget: QWidget) -> bool:
    if widget.property(PROPERTY) is True:
        return True
    return isinstance(widget, QLineEdit) and widget.echoMode() != QLineEdit.EchoMode.Normal


def sensitive_rects(window: QWidget) -> list[QRect]:
    """Where on `window` (its own coordinates) sensitive widgets show now: the visible part of
    each, so that a field scrolled half out of view is covered where it shows."""
    rects: list[QRect] = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or not is_sensitive(widget):
            continue
        shown = widget.visibleRegion().boundingRect()
        if shown.isEmpty():
            continue
        top_left = widget.mapTo(window, shown.topLeft())
        # A little margin: a focus ring or a caret at the edge belongs to the field too.
        rects.append(QRect(top_left, shown.size()).adjusted(-4, -4, 4, 4))
    return rects
