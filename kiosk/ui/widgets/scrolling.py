"""A page in a scroll area of its own, scrolled by finger as by the focus."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QScroller, QWidget


class _Flick:
    """The one touch gesture every scroll area flicks with.

    `QScroller.grabGesture` registers a new gesture recognizer for each widget it is given, and
    what that leaves behind (Qt's recognizer and PySide6's enum member for its new gesture
    type, about 10 kB) is never freed, even after the widget is gone. Screens are made anew
    for every citizen, so a long-running kiosk grew by that for each scroll area of each
    session. The recognizer serves any widget that has a scroller: it is registered once, on an
    object of its own that lives as long as the process."""

    def __init__(self) -> None:
        self._owner: QObject | None = None
        self._gesture: Qt.GestureType | None = None

    def gesture(self) -> Qt.GestureType:
        if self._gesture is None:
            # Owned by Python and never let go: the recognizer goes with it.
            self._owner = QObject()
            self._gesture = QScroller.grabGesture(
                self._owner, QScroller.ScrollerGestureType.TouchGesture
            )
        return self._gesture


_FLICK = _Flick()


def touch_scrolling(viewport: QWidget) -> None:
    """A finger dragged or flicked on `viewport` scrolls its scroll area (as
    `QScroller.grabGesture(viewport, TouchGesture)` does, without a new recognizer each time)."""
    QScroller.scroller(viewport)  # the gesture moves the scroller of the widget it is on
    viewport.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
    viewport.grabGesture(_FLICK.gesture())


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
    touch_scrolling(area.viewport())
    return area
