"""The kiosk window's input, watched widget by widget rather than by a filter on the application.

The window needs every touch and key of a session (the idle timer, the lockdown keys, the
technician gesture) and the theme whether keys are in use. A Python event filter on the whole
application would see them, but PySide then hands Python every object any event reaches,
QtWebEngine's own Qt Quick objects included; making their Python wrappers from inside a filter
crashes the process (the wrapper's first property change re-enters the filter half-way). So
`InputWatch` filters the window's widgets instead: all of them when installed, and each one
added later as it is polished, before it is first shown and can be touched. That is every widget
a citizen can reach, the web view's included, and no Qt Quick object behind it.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QChildEvent, QEvent, QObject
from PySide6.QtWidgets import QWidget


class InputWatch(QObject):
    """Hands the events of `root` and all its widgets to `filters`, in order; the first that
    returns True swallows the event."""

    def __init__(self, root: QWidget, filters: Sequence[QObject]) -> None:
        super().__init__(root)
        self._filters = tuple(filters)
        self.watch(root)

    def watch(self, widget: QWidget) -> None:
        """Filter `widget` and everything in it (installing twice changes nothing)."""
        widget.installEventFilter(self)
        for child in widget.findChildren(QWidget):
            child.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ChildPolished and isinstance(event, QChildEvent):
            child = event.child()
            if isinstance(child, QWidget):
                self.watch(child)
        return any(f.eventFilter(watched, event) for f in self._filters)
