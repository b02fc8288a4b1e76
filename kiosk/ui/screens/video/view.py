"""The Video advice screen's widgets and their words: one page per step (the lines, the camera
check, the queue, the call, the rating, the apology), and what each says in the citizen's
language for the call's status. Each line in the list says what a call would meet now (advisors
free, the queue, nobody there, or closed until when) before the citizen taps it. The flow between
the pages is kiosk.ui.screens.video.screen's.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui.context import ServiceContext
from kiosk.ui.screens.video import texts as T
from kiosk.ui.screens.video.help_panel import CallHelpPanel
from kiosk.ui.widgets.buttons import BigButton, ColumnButton
from kiosk.ui.widgets.keyboard import OnScreenKeyboard
from kiosk.video.advice import (
    AdviceClient,
    AdviceLine,
    AdvicePhase,
    AdviceStatus,
    CallGuest,
    booking_code,
)

#: The advisor's picture on the call page: smaller with large text, and smaller still while
#: the keyboard is up under it.
REMOTE_SIZE = (768, 432)
REMOTE_SIZE_LARGE_TEXT = (544, 306)
REMOTE_SIZE_TYPING = (480, 270)
REMOTE_SIZE_TYPING_LARGE_TEXT = (432, 243)
SELF_SIZE = (240, 135)
#: Between the advisor's picture and a third person's.
GUEST_GAP = 12
#: The picture's column with large text, for the words of its buttons beside the citizen's own
#: picture.
SIDE_WIDTH_LARGE_TEXT = 736
SIDE_WIDTH_TYPING_LARGE_TEXT = 512
SELF_SIZE_LARGE_TEXT = (192, 108)
PREVIEW_SIZE = (640, 360)
#: A key of the booking code's pad: a square a finger finds.
DIGIT_PX = 112
#: Why a call with a booking code was refused (docs/appointments.md): said of the code.
CODE_REFUSALS = ("booking_unknown", "booking_early", "booking_over")


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
    # Its own selector: what is said over the picture (the muted note) keeps the theme's look.
    label.setObjectName("VideoView")
    label.setStyleSheet("QLabel#VideoView { background: #202020; border-radius: 8px; }")
    return label


class CodeDisplay(QLabel):
    """The booking code as typed: shown in two groups with dots for the digits to come, and
    heard digit by digit with how many there are (the screen reader takes `full_text`)."""

    def __init__(self) -> None:
        super().__init__()
        self.setProperty("role", "h1")
        self.setProperty("speech", "message")  # said as it changes, not as a new screen
        self.spoken = ""

    def full_text(self) -> str:
        return self.spoken


class LineButton(ColumnButton):
    """One service line in the list: its name, what a call would meet now, what it is for and
    its languages, each on its own and wrapping as it must (a push button's own text cannot)."""

    def __init__(self) -> None:
        super().__init__(margins=(28, 16, 28, 16), spacing=6, least_height=120)
        self.name_label = _label("h2")
        self.state_label = _label("lead")
        self.state_label.setStyleSheet("font-weight: bold;")
        self.description_label = _label()
        self.languages_label = _label("muted")
        for label in self.labels():
            self.add_label(label)

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
        #: Whether the keyboard is up under the call, for the citizen to write.
        self.typing = False
        #: A third person in the call, while they are in it.
        self.guest: CallGuest | None = None
        #: The last one to join: when the advisor leaves them the call, its line is theirs.
        self.last_guest: CallGuest | None = None

        outer = self._outer = QVBoxLayout(self)
        outer.setContentsMargins(96, 40, 96, 40)
        outer.setSpacing(24)
        self.heading = _label("lead")
        outer.addWidget(self.heading)
        self.pages = QStackedWidget()
        outer.addWidget(self.pages, 1)

        self.loading_page, _ = _page()
        self.lines_page, lines_column = _page(20)
        #: The lines' buttons (made afresh when other lines come), then the way in with a code.
        self.lines_layout = QVBoxLayout()
        self.lines_layout.setSpacing(20)
        lines_column.addLayout(self.lines_layout)
        self.line_buttons: dict[str, LineButton] = {}
        self.lines: dict[str, AdviceLine] = {}
        self.code_button = BigButton()
        lines_column.addLayout(_row(self.code_button))
        lines_column.addStretch(1)

        # The booking code: shown as typed, a pad of digits, and the call with it.
        self.code_page, code = _page()
        self.code_help = _label("lead")
        code.addWidget(self.code_help)
        #: The digits typed so far.
        self.code = ""
        self.code_display = CodeDisplay()
        code.addWidget(self.code_display)
        #: Why the last code did not start a call (beside the pad, to try again).
        self.code_error = _label("warning")
        self.code_error.hide()
        code.addWidget(self.code_error)
        self.digit_buttons: dict[str, BigButton] = {}
        pad = QGridLayout()
        pad.setSpacing(12)
        for n, digit in enumerate("123456789"):
            pad.addWidget(self._digit(digit), n // 3, n % 3)
        self.erase_button = BigButton()
        self.erase_button.setMinimumSize(DIGIT_PX, DIGIT_PX)
        pad.addWidget(self.erase_button, 3, 0)
        pad.addWidget(self._digit("0"), 3, 1)
        pad_row = QHBoxLayout()
        pad_row.addLayout(pad)
        pad_row.addStretch(1)
        code.addLayout(pad_row)
        self.code_call_button = BigButton(role="primary")
        self.code_back_button = BigButton()
        self.code_back_button.setProperty("keypad", "back")
        code.addLayout(_row(self.code_call_button, self.code_back_button))
        code.addStretch(1)

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
        self.back_button.setProperty("keypad", "back")  # the keypad's Back presses it
        preview.addLayout(_row(self.call_button, self.back_button))
        preview.addStretch(1)

        self.waiting_page, waiting = _page()
        self.position = _label("h2")
        self.position.setProperty("speech", "message")  # said as it changes, with the wait
        self.wait = _label("lead")
        self.cancel_button = BigButton(role="danger")
        for widget in (self.position, self.wait):
            waiting.addWidget(widget)
        waiting.addLayout(_row(self.cancel_button))
        waiting.addStretch(1)

        # The call: the advisor's picture with the citizen's own and the call's buttons under
        # it, the help beside it (text, a paper, what the advisor sent), and the keyboard
        # across the page's foot while the citizen writes (the picture shrinks to make room).
        self.call_page = _Page()
        call_column = self._call_column = QVBoxLayout(self.call_page)
        call_column.setContentsMargins(0, 0, 0, 0)
        call_column.setSpacing(16)
        call = QHBoxLayout()
        call.setSpacing(32)
        call_column.addLayout(call, 1)
        #: The advisor's picture, the citizen's own, the call's buttons and showing a paper: as
        #: wide as the picture (a little wider with large text, for the buttons' words).
        self.call_side = QWidget()
        side = QVBoxLayout(self.call_side)
        side.setContentsMargins(0, 0, 0, 0)
        side.setSpacing(12)
        self.remote_view = _video_label(REMOTE_SIZE)
        self.remote_view.setAccessibleName("advisor video")
        #: A third person in the call (an interpreter, another authority) beside the advisor:
        #: the two pictures share the advisor's room while they are both in.
        self.guest_view = _video_label(REMOTE_SIZE)
        self.guest_view.setAccessibleName("guest video")
        self.guest_view.hide()
        pictures = QHBoxLayout()
        pictures.setSpacing(GUEST_GAP)
        pictures.addWidget(self.remote_view)
        pictures.addWidget(self.guest_view)
        pictures.addStretch(1)
        side.addLayout(pictures)
        #: Who joined the call and why, while they are in it.
        self.guest_note = _label("banner")
        self.guest_note.hide()
        side.addWidget(self.guest_note)
        own = QHBoxLayout()
        own.setSpacing(16)
        self.self_view = _video_label(SELF_SIZE)
        own.addWidget(self.self_view, 0, Qt.AlignmentFlag.AlignTop)
        controls = QVBoxLayout()
        controls.setSpacing(16)
        self.mute_button = BigButton()
        self.mute_button.setCheckable(True)
        self.end_button = BigButton(role="danger")
        controls.addWidget(self.mute_button)
        controls.addWidget(self.end_button)
        controls.addStretch(1)
        own.addLayout(controls, 1)
        side.addLayout(own)
        # Said over the foot of the advisor's picture, where the citizen looks, taking no room.
        self.muted_note = _label("warning")
        self.muted_note.hide()
        over_picture = QVBoxLayout(self.remote_view)
        over_picture.setContentsMargins(12, 12, 12, 12)
        over_picture.addStretch(1)
        over_picture.addWidget(self.muted_note)
        self.help_panel = CallHelpPanel(self.ui)
        side.addWidget(self.help_panel.paper)
        side.addStretch(1)
        call.addWidget(self.call_side)
        call.addWidget(self.help_panel, 1)
        self.keyboard = OnScreenKeyboard(self.ui)
        self.keyboard.hide()
        call_column.addWidget(self.keyboard)

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
        #: After a booking code the hub refused: the pad again, the digits kept to correct.
        self.code_again_button = BigButton(role="primary")
        self.code_again_button.hide()
        sorry.addLayout(_row(self.code_again_button, self.leave_button, self.other_button))
        sorry.addStretch(1)

        for page in (
            self.loading_page,
            self.lines_page,
            self.code_page,
            self.preview_page,
            self.waiting_page,
            self.call_page,
            self.after_page,
            self.sorry_page,
        ):
            self.pages.addWidget(page)

    def _digit(self, digit: str) -> BigButton:
        button = BigButton(digit)
        button.setMinimumSize(DIGIT_PX, DIGIT_PX)
        self.digit_buttons[digit] = button
        return button

    # ---- words --------------------------------------------------------------------------------

    def retranslate(self) -> None:
        t, nt, language = self.ui.t, self.ui.nt, self.ui.language
        page = self.pages.currentWidget()
        line = self.line
        line_name = self.line_name()
        headings = {
            self.loading_page: t(T.LOADING),
            self.lines_page: t(T.CHOOSE),
            self.code_page: t(T.CODE_HEADING),
            self.preview_page: t(T.CONSENT_HEADING),
            self.waiting_page: (
                t(T.CALLING).format(line=line_name) if line_name else t(T.CALLING_BOOKED)
            ),
            self.call_page: t(T.CONNECTED).format(line=line_name),
            self.after_page: t(T.ENDED),
            self.sorry_page: "",
        }
        self.heading.setText(headings.get(page, "") if page is not None else "")
        self._size_call()
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
        if self.status.booked:
            # First in the line for the advisor who holds the slot: a place would mislead.
            self.position.setText(t(T.BOOKED_WAIT))
            self.wait.setText("")
        else:
            self.position.setText(T.position_text(nt, t, self.status.position))
            self.wait.setText(T.wait_text(nt, t, self.status.estimated_wait_s))
        self.wait.setVisible(bool(self.wait.text()))
        self.code_button.set_label(t(T.HAVE_CODE), t(T.HAVE_CODE_HINT))
        self.code_help.setText(t(T.CODE_HELP))
        count = nt(*T.CODE_DIGITS, len(self.code)).format(n=len(self.code))
        self.code_display.spoken = f"{t(T.CODE_FIELD)}: {' '.join(self.code)}. {count}"
        self.code_display.setText(T.code_shown(self.code))
        self.code_display.setAccessibleName(t(T.CODE_FIELD))
        self.code_display.setAccessibleDescription(count)
        self.erase_button.set_label(t(T.ERASE))
        self.erase_button.setEnabled(bool(self.code))
        # The pad's keys all as wide as its widest word, in columns of one width.
        self.erase_button.setMinimumWidth(0)
        side = max(DIGIT_PX, self.erase_button.sizeHint().width())
        for key in (*self.digit_buttons.values(), self.erase_button):
            key.setMinimumWidth(side)
        self.code_call_button.set_label(t(T.CALL_WITH_CODE))
        self.code_call_button.setEnabled(booking_code(self.code) is not None)
        self.code_back_button.set_label(t(T.BACK))
        self.cancel_button.set_label(t(T.CANCEL))
        muted = self.mute_button.isChecked()
        self.mute_button.set_label(t(T.UNMUTE) if muted else t(T.MUTE))
        # Heard as a switch named for what it switches, its state apart: "Mute microphone, on".
        self.mute_button.setAccessibleName(t(T.MUTE))
        self.muted_note.setText(t(T.MUTED))
        self.muted_note.setVisible(muted)
        guest = self.guest
        self.guest_note.setVisible(guest is not None)
        if guest is not None:
            self.guest_note.setText(T.guest_text(t, self.ui.language, guest))
            self.guest_view.setAccessibleName(guest.name(self.ui.language))
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

    def set_typing(self, typing: bool) -> None:
        """The keyboard up under the call (or down again): the advisor's picture shrinks, the
        citizen's own and the heading go, and the help panel makes room while it is up."""
        self.typing = typing
        self.keyboard.setVisible(typing)
        self.help_panel.set_typing(typing)
        self._size_call()

    def remote_size(self) -> tuple[int, int]:
        """The advisor's picture as large as the call page leaves room for now."""
        large = self.ui.large_text
        if self.typing:
            return REMOTE_SIZE_TYPING_LARGE_TEXT if large else REMOTE_SIZE_TYPING
        return REMOTE_SIZE_LARGE_TEXT if large else REMOTE_SIZE

    def _size_call(self) -> None:
        on_call = self.pages.currentWidget() is self.call_page
        self.heading.setVisible(bool(self.heading.text()) and not (on_call and self.typing))
        # The keyboard takes the page's foot: the margins give it what they can.
        margin = 8 if on_call and self.typing else 40
        self._outer.setContentsMargins(96, margin, 96, margin)
        self._call_column.setSpacing(8 if self.typing else 16)
        width, height = self.remote_size()
        if self.guest is not None:
            # Two people side by side in the advisor's room, each in the call's shape.
            half = (width - GUEST_GAP) // 2
            picture = (half, half * 9 // 16)
        else:
            picture = (width, height)
        if (self.remote_view.width(), self.remote_view.height()) != picture:
            self.remote_view.setFixedSize(*picture)
            self.guest_view.setFixedSize(*picture)
        self.guest_view.setVisible(self.guest is not None)
        if self.ui.large_text:
            least = SIDE_WIDTH_TYPING_LARGE_TEXT if self.typing else SIDE_WIDTH_LARGE_TEXT
            self.call_side.setFixedWidth(max(width, least))
        else:
            self.call_side.setFixedWidth(width)
        own = SELF_SIZE_LARGE_TEXT if self.ui.large_text else SELF_SIZE
        if (self.self_view.width(), self.self_view.height()) != own:
            self.self_view.setFixedSize(*own)
        self.self_view.setVisible(not self.typing)

    def _sorry_texts(self) -> None:
        t, language = self.ui.t, self.ui.language
        status, line = self.status, self.line
        lines = self.client.lines() if self.client is not None else []
        self.other_button.setVisible(bool(self.line_buttons))
        if status.phase is AdvicePhase.REFUSED and line is not None:
            name = line.name(language)
            if status.reason in CODE_REFUSALS:
                text = self._code_refusal()
            elif status.reason == "queue_full":
                text = t(T.QUEUE_FULL).format(line=name)
            elif status.reason == "rate_limited":
                text = t(T.RATE_LIMITED)
            elif status.reason == "line_closed":
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
        elif status.phase is AdvicePhase.REFUSED and status.reason in CODE_REFUSALS:
            # A code the hub refused before naming its line.
            self.sorry.setText(self._code_refusal())
            self.phones.setText("")
        elif status.phase is AdvicePhase.REFUSED and status.reason == "rate_limited":
            self.sorry.setText(t(T.RATE_LIMITED))
            self.phones.setText("")
        else:
            self.sorry.setText(t(T.UNAVAILABLE))
            self.phones.setText(T.phones_text(t, lines, language))
        self.code_again_button.set_label(t(T.TRY_CODE_AGAIN))
        self.code_again_button.setVisible(
            status.phase is AdvicePhase.REFUSED and status.reason in CODE_REFUSALS
        )

    def _code_refusal(self) -> str:
        """Why the booking code did not start a call, in the citizen's words."""
        t, status = self.ui.t, self.status
        if status.reason == "booking_early":
            return T.booking_early_text(t, self.ui.language, status.opens_at, self.now())
        if status.reason == "booking_over":
            return t(T.BOOKING_OVER)
        return t(T.BOOKING_UNKNOWN)

    def line_name(self) -> str:
        """The name of the call's line in the citizen's language ("" before one is chosen):
        the line of whoever the citizen talks to now, a guest who took over too."""
        language = self.ui.language
        guest = self.last_guest
        if guest is not None and self.status.line == guest.line:
            return guest.name(language)
        return self.line.name(language) if self.line is not None else ""

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
