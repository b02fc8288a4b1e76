"""The kiosk's on-screen keyboard for a web page's fields.

A page's field has no widget of its own: the view's input method says when one has the focus
(`ImEnabled`), and the keyboard types into the view's widget as an input method commits text,
å, ä and ö included. So the page is looked at a few times a second; the keyboard docks under
the page while a field has the focus, never over it, and the field is scrolled into sight above
it. A keyboard the citizen hid comes back when they touch a field again.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWebEngineCore import QWebEngineScript
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.ui.state import UiState
from kiosk.ui.widgets.keyboard import OnScreenKeyboard

#: How often the page's input method is asked whether a web field has the focus.
FIELD_POLL_MS = 150


class WebFieldKeyboard(QObject):
    """The keyboard for the fields of the page `shown_view()` shows (None: no page)."""

    def __init__(
        self,
        ui: UiState,
        shown_view: Callable[[], QWebEngineView | None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._shown_view = shown_view
        self.keyboard = OnScreenKeyboard(ui)
        self.keyboard.hide()
        self.keyboard.enter_pressed.connect(self._next_field)
        self.keyboard.hide_requested.connect(self._dismiss)
        #: Whether a web field had the focus at the last look, and whether the citizen hid the
        #: keyboard over it.
        self._focused = False
        self._dismissed = False
        self._poll = QTimer(self)
        self._poll.setInterval(FIELD_POLL_MS)
        self._poll.timeout.connect(self._look)
        self._poll.start()

    def stop(self) -> None:
        self._poll.stop()
        self.keyboard.hide()

    def web_field(self) -> QWidget | None:
        """The widget the shown page types into, when one of its fields has the focus."""
        view = self._shown_view()
        if view is None:
            return None
        proxy = view.focusProxy()
        if proxy is None or not view.isVisible() or QApplication.focusWidget() is not proxy:
            return None
        return proxy if proxy.inputMethodQuery(Qt.InputMethodQuery.ImEnabled) else None

    def _look(self) -> None:
        field = self.web_field()
        if field is not None and not self._focused:
            self._dismissed = False
        self._focused = field is not None
        if field is not None and not self._dismissed:
            if self.keyboard.target is not field:
                self.keyboard.attach(field)
            if self.keyboard.isHidden():
                self.keyboard.show()
                # The page's room shrinks: keep the field in sight above the keyboard.
                QTimer.singleShot(50, self._reveal_field)
        elif (
            field is None
            and not self.keyboard.isHidden()
            and not self.keyboard.holds(QApplication.focusWidget())
        ):
            self.keyboard.hide()

    def _reveal_field(self) -> None:
        view = self._shown_view()
        if view is not None:
            view.page().runJavaScript(
                "document.activeElement && document.activeElement.scrollIntoView"
                "({block: 'center', inline: 'nearest'})",
                QWebEngineScript.ScriptWorldId.ApplicationWorld,
            )

    def _dismiss(self) -> None:
        self._dismissed = True
        self.keyboard.hide()

    def _next_field(self, field: QWidget) -> None:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(
                field, QKeyEvent(kind, Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier)
            )
