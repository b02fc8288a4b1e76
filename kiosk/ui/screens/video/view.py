"""The Video advice screen's widgets and their words: one page per step (the lines, the camera
check, the queue, the call, the rating, the apology), and what each says in the citizen's
language for the call's status. Each line in the list says what a call would meet now (advisors
free, the queue, nobody there, or closed until when) before the citizen taps it. The flow between
the pages is kiosk.ui.screens.video.screen's.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui.context import ServiceContext
from kiosk.ui.screens.video import texts as T
from kiosk.ui.widgets.buttons import BigButton
from kiosk.video.advice import AdviceClient, AdviceLine, AdvicePhase, AdviceStatus

REMOTE_SIZE = (960, 540)
SELF_SIZE = (320, 180)
PREVIEW_SIZE = (640, 360)


class _Page(QWidget):
    """One step of the screen. Hidden (another step is shown), it asks for no room: the
    stack would take the largest of all its pages, and a long list of lines would make the
    camera check or the queue scroll."""

    def sizeHint(self) -> QSize:
        return QSize(0, 0) if self.isHidden() else super().sizeHint()

    def minimumSizeHint(self) -> QSize:
        return QSize(0, 0) if self.isHidden() else super().minimumSizeHint()

    def heightForWidth(self, width: int) -> int:
        return 0 if self.isHidden() else super().heightForWidth(width)


def _page(spacing: int = 24) -> tuple[QWidget, QVBoxLayout]:
    page = _Page()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(spacing)
    return page, layout


def _label(role: str | None = None) -> QLabel:
    label = QLabel()
    if role:
        label.setProperty("role", role)
    label.setWordWrap(True)
    return label


def _video_label(size: tuple[int, int]) -> QLabel:
    label = QLabel()
    label.setFixedSize(*size)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setStyleSheet("background: #202020; border-radius: 8px;")
    return label


class LineButton(BigButton):
    """One service line in the list: its name, what a call would meet now, what it is for and
    its languages, each on its own and wrapping as it must (a push button's own text cannot)."""

    def __init__(self) -> None:
        super().__init__()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        column = self._column = QVBoxLayout(self)
        column.setContentsMargins(28, 16, 28, 16)
        column.setSpacing(6)
        self.name_label = _label("h2")
        self.state_label = _label("lead")
        self.state_label.setStyleSheet("font-weight: bold;")
        self.description_label = _label()
        self.languages_label = _label("muted")
        for label in self.labels():
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            column.addWidget(label)

    def labels(self) -> tuple[QLabel, ...]:
        return (self.name_label, self.state_label, self.description_label, self.languages_label)

    def set_texts(self, name: str, state: str, description: str, languages: str) -> None:
        for label, text in zip(self.labels(), (name, state, description, languages), strict=True):
            label.setText(text)
            label.setVisible(bool(text))
        self.setAccessibleName(f"{name}. {state}")
        self.setAccessibleDescription(f"{description} {languages}".strip())
        self._fit()

    def shown_text(self) -> str:
        """What the button says, line by line."""
        return "\n".join(label.text() for label in self.labels() if label.text())

    def _fit(self) -> None:
        height = self._column.totalHeightForWidth(max(self.width(), 200))
        if height > 0 and height != self.minimumHeight():
            self.setMinimumHeight(height)
            self.updateGeometry()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), max(self.minimumHeight(), 120))


class AdviceView(QWidget):
    """The pages and their words. The screen (a subclass) sets `status`, `line` and `rated`
    and connects the buttons."""

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ui = ctx.ui
        self.client: AdviceClient | None = ctx.advice
        self.line: AdviceLine | None = None
        self.status = AdviceStatus(AdvicePhase.IDLE)
        self.rated: int | None = None

        outer = QVBoxLayout(self)
        outer.setContentsMargins(96, 40, 96, 40)
        outer.setSpacing(24)
        self.heading = _label("lead")
        outer.addWidget(self.heading)
        self.pages = QStackedWidget()
        outer.addWidget(self.pages, 1)

        self.loading_page, _ = _page()
        self.lines_page, self.lines_layout = _page(20)
        self.line_buttons: dict[str, LineButton] = {}
        self.lines: dict[str, AdviceLine] = {}

        self.preview_page, preview = _page()
        self.preview_view = _video_label(PREVIEW_SIZE)
        preview.addWidget(self.preview_view, 0, Qt.AlignmentFlag.AlignHCenter)
        #: The chosen line's state, kept up to date as in the list.
        self.line_state = _label("lead")
        preview.addWidget(self.line_state)
        self.consent = _label("h2")
        preview.addWidget(self.consent)
        self.call_button = BigButton(role="primary")
        self.back_button = BigButton()
        preview.addLayout(_row(self.call_button, self.back_button))
        preview.addStretch(1)

        self.waiting_page, waiting = _page()
        self.position = _label("h2")
        self.wait = _label("lead")
        self.cancel_button = BigButton(role="danger")
        for widget in (self.position, self.wait):
            waiting.addWidget(widget)
        waiting.addLayout(_row(self.cancel_button))
        waiting.addStretch(1)

        self.call_page = _Page()
        call = QHBoxLayout(self.call_page)
        call.setContentsMargins(0, 0, 0, 0)
        call.setSpacing(24)
        self.remote_view = _video_label(REMOTE_SIZE)
        self.remote_view.setAccessibleName("advisor video")
        call.addWidget(self.remote_view, 0, Qt.AlignmentFlag.AlignTop)
        side = QVBoxLayout()
        side.setSpacing(20)
        self.self_view = _video_label(SELF_SIZE)
        side.addWidget(self.self_view)
        self.mute_button = BigButton()
        self.mute_button.setCheckable(True)
        self.muted_note = _label("warning")
        self.muted_note.hide()
        self.end_button = BigButton(role="danger")
        for control in (self.mute_button, self.muted_note, self.end_button):
            side.addWidget(control)
        side.addStretch(1)
        call.addLayout(side, 1)

        self.after_page, after = _page()
        self.rate_text = _label("lead")
        after.addWidget(self.rate_text)
        self.star_buttons: dict[int, BigButton] = {}
        stars = QHBoxLayout()
        stars.setSpacing(16)
        for n in range(1, 6):
            button = BigButton(str(n))
            button.setMinimumSize(96, 96)
            self.star_buttons[n] = button
            stars.addWidget(button)
        stars.addStretch(1)
        after.addLayout(stars)
        self.thanks = _label("banner")
        self.thanks.hide()
        after.addWidget(self.thanks)
        self.done_button = BigButton(role="primary")
        after.addLayout(_row(self.done_button))
        after.addStretch(1)

        self.sorry_page, sorry = _page()
        self.sorry = _label("warning")
        sorry.addWidget(self.sorry)
        self.phones = _label("lead")
        sorry.addWidget(self.phones)
        self.other_button = BigButton()
        self.leave_button = BigButton(role="primary")
        sorry.addLayout(_row(self.leave_button, self.other_button))
        sorry.addStretch(1)

        for page in (
            self.loading_page,
            self.lines_page,
            self.preview_page,
            self.waiting_page,
            self.call_page,
            self.after_page,
            self.sorry_page,
        ):
            self.pages.addWidget(page)

    # ---- words --------------------------------------------------------------------------------

    def retranslate(self) -> None:
        t, nt, language = self.ui.t, self.ui.nt, self.ui.language
        page = self.pages.currentWidget()
        line = self.line
        line_name = line.name(language) if line is not None else ""
        headings = {
            self.loading_page: t(T.LOADING),
            self.lines_page: t(T.CHOOSE),
            self.preview_page: t(T.CONSENT_HEADING),
            self.waiting_page: t(T.CALLING).format(line=line_name),
            self.call_page: t(T.CONNECTED).format(line=line_name),
            self.after_page: t(T.ENDED),
            self.sorry_page: "",
        }
        self.heading.setText(headings.get(page, "") if page is not None else "")
        self.heading.setVisible(bool(self.heading.text()))
        now = self.now()
        for line_id, line_button in self.line_buttons.items():
            shown = self.lines[line_id]
            line_button.set_texts(
                shown.name(language),
                T.state_text(nt, t, language, shown, now),
                shown.description(language),
                T.languages_text(t, shown),
            )
        self.line_state.setText(
            T.state_text(nt, t, language, line, now) if line is not None else ""
        )
        self.consent.setText(t(T.CONSENT))
        self.call_button.set_label(t(T.CALL))
        self.back_button.set_label(t(T.BACK))
        self.position.setText(T.position_text(nt, t, self.status.position))
        self.wait.setText(T.wait_text(nt, t, self.status.estimated_wait_s))
        self.cancel_button.set_label(t(T.CANCEL))
        muted = self.mute_button.isChecked()
        self.mute_button.set_label(t(T.UNMUTE) if muted else t(T.MUTE))
        self.muted_note.setText(t(T.MUTED))
        self.muted_note.setVisible(muted)
        self.self_view.setAccessibleName("own video")
        self.end_button.set_label(t(T.END_CALL))
        self.rate_text.setText(t(T.RATE))
        for n, button in self.star_buttons.items():
            button.setAccessibleName(nt(*T.STARS, n).format(n=n))
            button.setEnabled(self.rated is None)
            button.setChecked(False)
        self.thanks.setText(t(T.THANKS))
        self.thanks.setVisible(self.rated is not None)
        self.rate_text.setVisible(self.status.can_rate and self.rated is None)
        for button in self.star_buttons.values():
            button.setVisible(self.status.can_rate and self.rated is None)
        self.done_button.set_label(t(T.BACK_TO_WHERE))
        self.leave_button.set_label(t(T.BACK_TO_WHERE))
        self.other_button.set_label(t(T.CHOOSE_ANOTHER))
        self._sorry_texts()

    def _sorry_texts(self) -> None:
        t, language = self.ui.t, self.ui.language
        status, line = self.status, self.line
        lines = self.client.lines() if self.client is not None else []
        self.other_button.setVisible(bool(self.line_buttons))
        if status.phase is AdvicePhase.REFUSED and line is not None:
            name = line.name(language)
            if status.reason == "line_closed":
                text = t(T.LINE_CLOSED).format(line=name)
                if status.next_opening is not None:
                    text += " " + T.opening_text(t, language, status.next_opening, self.now())
            elif status.reason == "error":
                text = t(T.CALL_FAILED).format(line=name)
            else:
                text = t(T.NOBODY).format(line=name)
            self.sorry.setText(text)
            self.phones.setText(
                t(T.PHONE).format(line=name, phone=T.unbroken(line.phone)) if line.phone else ""
            )
        else:
            self.sorry.setText(t(T.UNAVAILABLE))
            self.phones.setText(T.phones_text(t, lines, language))

    def now(self) -> datetime:
        """The wall clock, for "opens today / tomorrow" (a test may set another)."""
        return datetime.now(UTC)


def _row(*buttons: BigButton) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setSpacing(24)
    for button in buttons:
        row.addWidget(button)
    row.addStretch(1)
    return row
