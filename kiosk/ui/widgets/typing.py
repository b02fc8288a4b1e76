"""A service screen the citizen types into: its content scrolls above the on-screen keyboard,
which is docked at the bottom and shown while a text field of the screen has the focus.

The Forms and E-mail services build on it. The keyboard never takes the focus; touching a field
brings back a keyboard the citizen had hidden, and the field stays in sight above it. Content
may come with a bar (a form's Back and Next), fixed between it and the keyboard.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui.state import UiState
from kiosk.ui.widgets.keyboard import OnScreenKeyboard
from kiosk.ui.widgets.scrolling import touch_scrolling


class TypingScreen(QWidget):
    def __init__(self, ui: UiState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.area = QScrollArea()
        self.area.setObjectName("ContentScroll")
        self.area.setWidgetResizable(True)
        self.area.setFrameShape(QFrame.Shape.NoFrame)
        self.area.viewport().setAutoFillBackground(False)
        touch_scrolling(self.area.viewport())
        # When the room above the keyboard changes, the field being typed in stays in sight.
        self.area.viewport().installEventFilter(self)
        column.addWidget(self.area, 1)
        #: Where the content's bar goes (a form's Back and Next): under the content, above the
        #: keyboard, never scrolled away.
        self.footer = QVBoxLayout()
        self.footer.setContentsMargins(0, 0, 0, 0)
        column.addLayout(self.footer)
        self.bar: QWidget | None = None
        self._bar_home: QWidget | None = None
        self.keyboard = OnScreenKeyboard(ui)
        self.keyboard.hide()
        self.keyboard.enter_pressed.connect(self.enter_pressed)
        self.keyboard.hide_requested.connect(self.keyboard.hide)
        column.addWidget(self.keyboard)
        #: Content that is kept when another replaces it (it is shown again later).
        self.kept: set[QWidget] = set()
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.focusChanged.connect(self._focus_changed)

    def set_content(self, widget: QWidget, bar: QWidget | None = None) -> None:
        """Show `widget` above the keyboard, and its `bar` fixed under it; the one it replaces
        is deleted unless kept, and its bar goes back to where it came from."""
        self._set_bar(bar)
        old = self.area.takeWidget()
        self.area.setWidget(widget)
        if old is not None and old is not widget:
            if old in self.kept:
                self.keep(old)
            else:
                old.deleteLater()
        self.area.verticalScrollBar().setValue(0)
        self.chain_bar()

    def show_bar(self, bar: QWidget | None) -> None:
        """Put `bar` (a page's own buttons) fixed under the content, above the keyboard, or take
        the one there away: for screens whose pages change inside one content widget."""
        self._set_bar(bar)
        self.chain_bar()

    def chain_bar(self) -> None:
        """Tab goes from the content's last control to its bar's; again after the content
        made new controls (a form's summary)."""
        content = self.area.widget()
        if content is not None and self.bar is not None:
            _chain_after(content, self.bar)

    def _set_bar(self, bar: QWidget | None) -> None:
        old, home = self.bar, self._bar_home
        if old is bar:
            return
        if old is not None:
            self.footer.removeWidget(old)
            old.hide()
            old.setParent(home)  # it goes (or is kept) with what it belonged to
        self.bar, self._bar_home = bar, None
        if bar is not None:
            self._bar_home = bar.parentWidget()
            self.footer.addWidget(bar)
            bar.show()

    def keep(self, widget: QWidget) -> None:
        """Hold `widget` hidden until it is shown again. It stays a child of this screen, so Qt
        deletes it with the screen: a widget without a parent would be left to Python's
        collector, which may run on any thread, and Qt widgets must die on the Qt thread."""
        self.kept.add(widget)
        if widget.parent() is not self and self.area.widget() is not widget:
            widget.hide()
            widget.setParent(self)

    def enter_pressed(self, field: QWidget) -> None:
        """The keyboard's Enter key in `field`; by default it puts the keyboard away."""
        self.keyboard.hide()

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is None or self.keyboard.holds(new):
            return
        if isinstance(new, QLineEdit | QPlainTextEdit) and self.isAncestorOf(new):
            new.installEventFilter(self)  # once only, however often it is installed
            self.keyboard.attach(new)
            self.keyboard.show()
            # Once the keyboard has taken its room, the field must still be in sight.
            QTimer.singleShot(0, lambda: self._reveal(new))
        else:
            self.keyboard.hide()
            content = self.area.widget()
            if content is not None and content.isAncestorOf(new):
                # A choice reached by ↵ or Tab is brought into sight too.
                self.area.ensureWidgetVisible(new, 0, 24)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.area.viewport():
            focused = QApplication.focusWidget()
            typing = isinstance(focused, QLineEdit | QPlainTextEdit)
            if typing and focused is not None and self.keyboard.isVisible():
                self._reveal(focused)
            return False
        # Touching a field brings back a keyboard the citizen had hidden.
        pressed = event.type() == QEvent.Type.MouseButtonPress
        if pressed and isinstance(watched, QLineEdit | QPlainTextEdit) and watched.hasFocus():
            self.keyboard.attach(watched)
            self.keyboard.show()
        return False

    def _reveal(self, field: QWidget) -> None:
        if self.isAncestorOf(field):
            # The field with its label and error line, unless what holds it is taller than the
            # room above the keyboard: then the field itself, never cut at the keyboard's edge.
            parent = field.parentWidget()
            fits = parent is not None and parent.height() + 48 <= self.area.viewport().height()
            self.area.ensureWidgetVisible(parent if fits and parent else field, 0, 24)


def _descendants_in_chain(widget: QWidget) -> list[QWidget]:
    """`widget`'s descendants that Tab reaches, in Tab order. The whole window's chain is
    walked: controls made later (a form's summary) join it at its end, not beside their
    parent."""
    found: list[QWidget] = []
    start = widget.window()
    current = start.nextInFocusChain()
    while current is not None and current is not start:
        if widget.isAncestorOf(current) and current.focusPolicy() & Qt.FocusPolicy.TabFocus:
            found.append(current)
        current = current.nextInFocusChain()
    return found


def _chain_after(content: QWidget, bar: QWidget) -> None:
    """Tab goes from the content's last control to the bar's (Back, then Next), as they are
    seen, however the bar came to be where it is."""
    inside = _descendants_in_chain(content)
    if not inside:
        return
    previous = inside[-1]
    for control in _descendants_in_chain(bar):
        QWidget.setTabOrder(previous, control)
        previous = control
