"""The kiosk's own panels in an e-service page's place: its words for a page it does not show,
a page's question, and the visit's documents for a page's file field. A page's words are shown
as plain text, never as markup."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
)

from kiosk.ui.forms.wrapping import WrapButton
from kiosk.ui.screens.eservices import texts
from kiosk.ui.state import UiState
from kiosk.ui.widgets.buttons import BigButton

#: The most of a page's message or question the kiosk shows.
MAX_DIALOG_TEXT = 600


def make_bar() -> tuple[QFrame, QHBoxLayout]:
    """A bar above a page; the page gives up room before the bar does."""
    bar = QFrame()
    bar.setProperty("role", "bar")
    bar.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
    row = QHBoxLayout(bar)
    row.setContentsMargins(16, 8, 16, 8)
    row.setSpacing(12)
    return bar, row


class Notice(QFrame):
    """The kiosk's own page in place of one it does not show."""

    back = Signal()
    again = Signal()

    def __init__(self, ui: UiState) -> None:
        super().__init__()
        self.ui = ui
        column = QVBoxLayout(self)
        column.setContentsMargins(96, 64, 96, 64)
        column.setSpacing(24)
        self.title = QLabel()
        self.title.setProperty("role", "h1")
        self.title.setWordWrap(True)
        self.text = QLabel()
        self.text.setProperty("role", "lead")
        self.text.setWordWrap(True)
        row = QHBoxLayout()
        self.back_button = BigButton(role="primary")
        self.back_button.clicked.connect(self.back.emit)
        self.again_button = BigButton()
        self.again_button.clicked.connect(self.again.emit)
        row.addWidget(self.back_button)
        row.addWidget(self.again_button)
        row.addStretch(1)
        column.addWidget(self.title)
        column.addWidget(self.text)
        column.addLayout(row)
        column.addStretch(1)
        #: (title, text, host, whether Try again is offered) of what is shown.
        self.shown: tuple[str, str, str, bool] | None = None

    def show_words(self, title: str, text: str, host: str = "", *, again: bool = False) -> None:
        self.shown = (title, text, host, again)
        self.retranslate()

    def retranslate(self) -> None:
        t = self.ui.t
        self.back_button.set_label("← " + t(texts.BACK))
        self.again_button.set_label("⟳ " + t(texts.TRY_AGAIN))
        if self.shown is None:
            return
        title, text, host, again = self.shown
        self.title.setText(t(title))
        self.text.setText(t(text).format(host=host or "—"))
        self.again_button.setVisible(again)


class Question(QFrame):
    """A page's question, in the kiosk's panel: the page's words as plain text, OK and Cancel."""

    answered = Signal(bool)

    def __init__(self, ui: UiState) -> None:
        super().__init__()
        self.ui = ui
        column = QVBoxLayout(self)
        column.setContentsMargins(96, 64, 96, 64)
        column.setSpacing(24)
        self.heading = QLabel()
        self.heading.setProperty("role", "h2")
        self.text = QLabel()
        self.text.setProperty("role", "lead")
        self.text.setWordWrap(True)
        # The page's words are shown as they are, never as markup.
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        row = QHBoxLayout()
        self.ok_button = BigButton(role="primary")
        self.ok_button.clicked.connect(lambda: self.answered.emit(True))
        self.cancel_button = BigButton()
        self.cancel_button.clicked.connect(lambda: self.answered.emit(False))
        row.addWidget(self.ok_button)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        column.addWidget(self.heading)
        column.addWidget(self.text)
        column.addLayout(row)
        column.addStretch(1)

    def show_question(self, text: str) -> None:
        self.text.setText(text[:MAX_DIALOG_TEXT])
        self.retranslate()

    def retranslate(self) -> None:
        self.heading.setText(self.ui.t(texts.PAGE_ASKS))
        self.ok_button.set_label(self.ui.t(texts.OK))
        self.cancel_button.set_label(self.ui.t(texts.CANCEL))


class DocumentChoice(QFrame):
    """The visit's documents for a page's file field: one button each, and Cancel."""

    chosen = Signal(object)

    def __init__(self, ui: UiState) -> None:
        super().__init__()
        self.ui = ui
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(96, 64, 96, 64)
        self.column.setSpacing(20)
        self.heading = QLabel()
        self.heading.setProperty("role", "h2")
        self.heading.setWordWrap(True)
        self.column.addWidget(self.heading)
        self.buttons: list[WrapButton] = []
        self.entries = QVBoxLayout()
        self.entries.setSpacing(16)
        self.column.addLayout(self.entries)
        self.cancel_button = BigButton()
        self.cancel_button.clicked.connect(lambda: self.chosen.emit(None))
        row = QHBoxLayout()
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        self.column.addLayout(row)
        self.column.addStretch(1)

    def offer(self, documents: list[tuple[str, Path]]) -> None:
        for button in self.buttons:
            button.deleteLater()
        self.buttons = []
        for label, path in documents:
            button = WrapButton()
            button.setMinimumHeight(96)
            button.set_label(label)
            button.clicked.connect(lambda _=False, path=path: self.chosen.emit(path))
            self.entries.addWidget(button)
            self.buttons.append(button)
        self.retranslate()

    def retranslate(self) -> None:
        t = self.ui.t
        self.heading.setText(t(texts.CHOOSE_DOCUMENT if self.buttons else texts.NO_DOCUMENTS))
        self.cancel_button.set_label("← " + t(texts.CANCEL if self.buttons else texts.BACK))
