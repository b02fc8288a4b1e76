"""A page in a scroll area of its own, scrolled by finger as by the focus."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QScroller, QWidget


def scrolling(page: QWidget) -> QScrollArea:
    """`page` in a scroll area of its own: a screen taller than the display (very large text,
    many services) scrolls, by finger or as Tab moves the focus, instead of pushing the window
    past the screen's edge; a short one never shows a scroll bar."""
    area = QScrollArea()
    area.setObjectName("ContentScroll")
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(page)
    area.viewport().setAutoFillBackground(False)
    QScroller.grabGesture(area.viewport(), QScroller.ScrollerGestureType.TouchGesture)
    return area
