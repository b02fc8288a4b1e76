"""The help beside the advisor's picture in a call: text written both ways as it is typed, a
paper shown to the advisor, and what the advisor sent, to open with a tap.

The panel is a view: the call's screen (kiosk.ui.screens.video.screen) hands it the call's help
(kiosk.video.help.CallHelp) and what changes in it, on the Qt thread, and answers its requests
(show a paper, open what arrived). Typing goes straight to the call's help: every change of the
field is sent at once, so the advisor reads it as it is written (real-time text).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui.screens.video import texts as T
from kiosk.ui.state import UiState
from kiosk.ui.widgets.buttons import BigButton, ColumnButton
from kiosk.ui.widgets.scrolling import touch_scrolling

if TYPE_CHECKING:
    from kiosk.video.help import Arrived, CallHelp

#: What an arrived item is called above its name.
KIND_WORDS = {"eservice": T.ARRIVED_ESERVICE, "form": T.ARRIVED_FORM, "pdf": T.ARRIVED_DOCUMENT}


def _label(role: str | None = None) -> QLabel:
    label = QLabel()
    if role:
        label.setProperty("role", role)
    label.setWordWrap(True)
    return label


class _TextArea(QScrollArea):
    """Lines of text that keep their newest line in sight, `lines` of them tall at least."""

    def __init__(self, lines: int) -> None:
        super().__init__()
        self.lines = lines
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.label = _label("lead")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.setWidget(self.label)
        self.viewport().setAutoFillBackground(False)
        bar = self.verticalScrollBar()
        bar.rangeChanged.connect(lambda _low, high: bar.setValue(high))

    def minimumSizeHint(self) -> QSize:
        self.label.ensurePolished()
        return QSize(120, self.label.fontMetrics().lineSpacing() * self.lines + 8)

    def sizeHint(self) -> QSize:
        return self.minimumSizeHint()


class ArrivedButton(ColumnButton):
    """Something the advisor sent: what it is, and its name, wrapping as it must (a push
    button's own text cannot)."""

    def __init__(self) -> None:
        # As tall as the row it is in: two of a row line up whatever their names' lengths.
        super().__init__(
            margins=(24, 10, 24, 10),
            spacing=2,
            least_height=96,
            vertical=QSizePolicy.Policy.Minimum,
        )
        self.kind_label = _label()
        self.name_label = _label("lead")
        self.name_label.setStyleSheet("font-weight: bold;")
        for label in (self.kind_label, self.name_label):
            self.add_label(label)

    def set_texts(self, kind: str, name: str) -> None:
        self.kind_label.setText(kind)
        self.name_label.setText(name)
        self.setAccessibleName(f"{kind}: {name}")
        self._fit()

    def shown_text(self) -> str:
        return f"{self.kind_label.text()}\n{self.name_label.text()}"


class _ArrivedArea(QScrollArea):
    """What arrived, scrolling on its own when the page has no room for all of it: it asks for
    one row, and takes as much more as the text beside it leaves (up to all of it)."""

    def __init__(self, content: QWidget) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(content)
        self.content = content
        self.viewport().setAutoFillBackground(False)
        touch_scrolling(self.viewport())

    def _row(self) -> int:
        buttons = self.content.findChildren(ArrivedButton)
        return min((b.sizeHint().height() for b in buttons), default=96)

    def fit(self) -> None:
        """All of it at most: no empty room under the last row."""
        content = self.content
        layout = content.layout()
        full = (
            layout.totalHeightForWidth(max(self.viewport().width(), 200))
            if layout is not None and layout.hasHeightForWidth()
            else content.sizeHint().height()
        )
        self.setMaximumHeight(max(full, self._row()))

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self._row())

    def minimumSizeHint(self) -> QSize:
        return QSize(120, self._row())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.resized()
        self.fit()

    def resized(self) -> None:
        """Set by the panel: the buttons may go in other columns at another width."""


class CallHelpPanel(QWidget):
    """Text, a paper, and what the advisor sent. The screen sets `help` (`start`), tells of
    changes, and answers `show_requested` and `item_chosen`."""

    #: The citizen asks for the paper under the camera to be shown to the advisor.
    show_requested = Signal()
    #: The citizen tapped something the advisor sent (its Arrived).
    item_chosen = Signal(object)

    def __init__(self, ui: UiState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        #: The call's help; None before a call connects and after it ends.
        self.help: CallHelp | None = None
        self.ready = False
        #: A paper is being looked for under the camera and sent.
        self.looking = False
        #: Whether the keyboard is up under the panel: the paper and what arrived make room.
        self.typing = False
        #: What arrived, in order, and how to name it in the citizen's language.
        self.arrived: list[Arrived] = []
        self.namer: Callable[[Arrived, str], str] = lambda item, _language: item.target
        self._own: list[str] = []
        self._remote: tuple[tuple[str, ...], str] = ((), "")
        self._shown_text: tuple[str, int] | None = None
        self._saved: str | None = None
        self._clearing = False
        #: Where each arrived item's button is in the grid (row, column).
        self._placed: dict[str, tuple[int, int]] = {}

        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(16)

        self.text_card = QFrame()
        self.text_card.setProperty("role", "card")
        card = QVBoxLayout(self.text_card)
        card.setContentsMargins(20, 10, 20, 10)
        card.setSpacing(10)
        self.advisor_caption = _label()
        self.advisor_caption.setStyleSheet("font-weight: bold;")
        self.advisor_area = _TextArea(2)
        #: The advisor's ended lines and the line they are writing now, one a line.
        self.advisor_text = self.advisor_area.label
        self.own_caption = _label()
        self.own_caption.setStyleSheet("font-weight: bold;")
        self.own_area = _TextArea(1)
        #: The citizen's ended lines.
        self.own_text = self.own_area.label
        card.addWidget(self.advisor_caption)
        card.addWidget(self.advisor_area, 3)
        card.addWidget(self.own_caption)
        card.addWidget(self.own_area, 2)
        row = QHBoxLayout()
        row.setSpacing(16)
        self.text_field = QLineEdit()
        self.text_field.setMaxLength(500)
        self.text_field.textChanged.connect(self._draft)
        self.text_field.returnPressed.connect(self.say)
        self.say_button = BigButton()
        self.say_button.clicked.connect(self.say)
        row.addWidget(self.text_field, 1)
        row.addWidget(self.say_button)
        card.addLayout(row)
        self.not_kept = _label()
        card.addWidget(self.not_kept)
        column.addWidget(self.text_card, 1)

        #: Showing a paper: the call's page puts it under the citizen's own picture.
        #: Showing a paper: the call's page puts it under the citizen's own picture.
        self.paper = QWidget()
        paper = QVBoxLayout(self.paper)
        paper.setContentsMargins(0, 0, 0, 0)
        paper.setSpacing(8)
        self.show_hint = _label()
        paper.addWidget(self.show_hint)
        row = QHBoxLayout()
        row.setSpacing(20)
        self.show_button = BigButton()
        self.show_button.clicked.connect(self._show_clicked)
        row.addWidget(self.show_button, 0, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.shown_label = _label()
        self.shown_label.setStyleSheet("font-weight: bold;")
        row.addWidget(self.shown_label, 1)
        paper.addLayout(row)

        self.arrived_box = QWidget()
        box = QVBoxLayout(self.arrived_box)
        box.setContentsMargins(0, 0, 0, 0)
        # No taller than what it holds: the text beside the picture has the rest.
        box.setSizeConstraint(QLayout.SizeConstraint.SetMaximumSize)
        box.setSpacing(10)
        self.arrived_heading = _label("lead")
        self.arrived_heading.setStyleSheet("font-weight: bold;")
        box.addWidget(self.arrived_heading)
        # Two a row (one with large text, for long names), so that a few of them leave the
        # text its room; more scroll.
        arrived_list = QWidget()
        self.arrived_layout = QGridLayout(arrived_list)
        self.arrived_layout.setContentsMargins(0, 0, 0, 0)
        self.arrived_layout.setSpacing(10)
        self.arrived_layout.setColumnStretch(0, 1)
        self.arrived_layout.setColumnStretch(1, 1)
        self.arrived_area = _ArrivedArea(arrived_list)
        self.arrived_area.resized = self._place_arrived  # type: ignore[method-assign]
        box.addWidget(self.arrived_area, 1)
        #: Where a document the advisor sent is, once the citizen tapped it.
        self.saved_label = _label("banner")
        box.addWidget(self.saved_label)
        self.arrived_buttons: dict[str, ArrivedButton] = {}
        column.addWidget(self.arrived_box, 3)
        self.typing_note = _label("banner")
        column.addWidget(self.typing_note)
        # Only the list of what arrived grows (up to all of it); the rest of the room is the
        # text's.
        for label in (self.arrived_heading, self.saved_label, self.typing_note):
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

        self.set_ready(False)
        self.retranslate()
        ui.changed.connect(self.retranslate)

    # ---- what the screen tells ----------------------------------------------------------------

    def start(self, help: CallHelp | None) -> None:
        """A call's help (a new call, or a transferred one: a new advisor, a fresh panel)."""
        self.help = help
        self._own.clear()
        self._remote = ((), "")
        self.arrived.clear()
        for button in self.arrived_buttons.values():
            self.arrived_layout.removeWidget(button)
            button.deleteLater()
        self.arrived_buttons.clear()
        self._placed.clear()
        self._shown_text = None
        self._saved = None
        self.looking = False
        self._clearing = True
        self.text_field.clear()
        self._clearing = False
        self.set_ready(bool(help is not None and help.ready))
        self.retranslate()

    def set_ready(self, ready: bool) -> None:
        """The call's channels are open (or gone): writing and showing a paper work now."""
        self.ready = ready
        for widget in (self.text_field, self.say_button):
            widget.setEnabled(ready)
        self.show_button.setEnabled(ready and not self.looking)

    def show_remote(self, lines: tuple[str, ...], current: str) -> None:
        self._remote = (lines, current)
        self._texts()

    def add_arrived(self, item: Arrived) -> bool:
        """Offer what arrived (once); False when it was already offered."""
        if item.id in self.arrived_buttons:
            return False
        self.arrived.append(item)
        button = ArrivedButton()
        button.clicked.connect(lambda _=False, item=item: self.item_chosen.emit(item))
        self.arrived_buttons[item.id] = button
        self.retranslate()
        return True

    def set_shown(self, message: str, number: int = 0) -> None:
        """Say what came of showing a paper (a message of texts, with the page's number)."""
        self._shown_text = (message, number)
        self.retranslate()

    def set_saved(self, name: str | None) -> None:
        """Say where the document `name` the advisor sent is (None: say nothing)."""
        self._saved = name
        self.retranslate()

    def set_typing(self, typing: bool) -> None:
        """The keyboard is up (or down): the paper and what arrived make room while it is."""
        self.typing = typing
        self._visibility()

    # ---- what the citizen does ----------------------------------------------------------------

    def _draft(self, text: str) -> None:
        if self._clearing or self.help is None:
            return
        self.help.set_draft(text)

    def say(self) -> None:
        """The line is said: the advisor has it ended, and the field starts afresh."""
        text = self.text_field.text()
        if self.help is None or not self.ready or not text.strip():
            return
        self.help.end_line()
        self._own.append(text)
        self._clearing = True  # the help starts the next line itself
        self.text_field.clear()
        self._clearing = False
        self._texts()

    def _show_clicked(self) -> None:
        self.looking = True
        self.show_button.setEnabled(False)
        self.set_shown(T.LOOKING_FOR_PAPER)
        self.show_requested.emit()

    def page_done(self, message: str, number: int = 0) -> None:
        """Showing a paper came to an end: say how, and the button may be tapped again."""
        self.looking = False
        self.show_button.setEnabled(self.ready)
        self.set_shown(message, number)

    # ---- words --------------------------------------------------------------------------------

    def _texts(self) -> None:
        lines, current = self._remote
        self.advisor_text.setText("\n".join([*lines, current] if current else lines))
        self.own_text.setText("\n".join(self._own))

    def _columns(self) -> int:
        """Two a row, unless a name has a word too long for half the width (or large text)."""
        if self.ui.large_text:
            return 1
        half = (self.arrived_area.viewport().width() - self.arrived_layout.spacing()) // 2
        for button in self.arrived_buttons.values():
            label = button.name_label
            margins = button.contentsMargins()
            room = half - margins.left() - margins.right() - 24
            widest = max(
                (label.fontMetrics().horizontalAdvance(w) for w in label.text().split()), default=0
            )
            if widest > room:
                return 1
        return 2

    def _place_arrived(self) -> None:
        columns = self._columns()
        layout = self.arrived_layout
        for n, item in enumerate(self.arrived):
            button = self.arrived_buttons[item.id]
            position = (n // columns, n % columns)
            if self._placed.get(item.id) != position:
                layout.removeWidget(button)
                layout.addWidget(button, *position)
                self._placed[item.id] = position
        layout.setColumnStretch(1, 1 if columns == 2 else 0)
        self.arrived_area.fit()

    def _visibility(self) -> None:
        self.paper.setVisible(not self.typing)
        self.arrived_box.setVisible(bool(self.arrived) and not self.typing)
        self.saved_label.setVisible(self._saved is not None)
        self.typing_note.setVisible(bool(self.arrived) and self.typing)

    def retranslate(self) -> None:
        t, language = self.ui.t, self.ui.language
        self.text_card.setAccessibleName(t(T.TEXT_HEADING))
        self.advisor_caption.setText(t(T.ADVISOR_WROTE))
        self.own_caption.setText(t(T.YOU_WROTE))
        self.advisor_area.setAccessibleName(t(T.ADVISOR_WROTE))
        self.own_area.setAccessibleName(t(T.YOU_WROTE))
        self.text_field.setAccessibleName(t(T.TEXT_FIELD))
        self.text_field.setPlaceholderText(t(T.TEXT_PLACEHOLDER))
        self.say_button.set_label(t(T.SEND_LINE))
        self.not_kept.setText(t(T.TEXT_NOT_KEPT))
        self.show_button.set_label(t(T.SHOW_PAGE), t(T.SHOW_HINT))
        self.show_hint.setText(t(T.SHOW_HINT))
        shown = self._shown_text
        self.shown_label.setText(t(shown[0]).format(n=shown[1]) if shown is not None else "")
        self.shown_label.setVisible(shown is not None)
        self.arrived_heading.setText(t(T.ARRIVED_HEADING))
        for item in self.arrived:
            button = self.arrived_buttons[item.id]
            button.set_texts(t(KIND_WORDS[item.kind]), self.namer(item, language))
        self._place_arrived()
        saved = self._saved
        self.saved_label.setText(t(T.DOCUMENT_SAVED).format(name=saved) if saved else "")
        self.typing_note.setText(t(T.ARRIVED_WHILE_TYPING))
        self._texts()
        self._visibility()
