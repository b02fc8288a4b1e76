"""The attract screen: a welcome in three languages; touching anywhere starts a session.

A language button starts the session in that language; a touch anywhere else starts it in the
default language (Finnish). After a session it shows, for a few seconds, that the data of the
previous citizen has been erased.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.i18n import LANGUAGES, N_, NATIVE_NAMES
from kiosk.ui.state import UiState
from kiosk.ui.widgets.buttons import BigButton

WELCOME = N_("Welcome")
KIOSK_NAME = N_("Public e-services kiosk")
TOUCH_TO_START = N_("Touch the screen to start")
ERASED = N_("Your session has ended and your data has been erased. Thank you!")
READ_ALOUD = N_("Read aloud")
READ_ALOUD_HOW = N_(
    "Read aloud. To have the kiosk read aloud, hold this spot for two seconds, or press any key "
    "on the keypad under the screen."
)
#: How long the Read aloud spot is held to switch Read aloud on.
READ_ALOUD_HOLD_MS = 2000


class AttractScreen(QWidget):
    start_requested = Signal(str)

    def __init__(self, ui: UiState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        #: Called once, after the first paint has been completed.
        self.on_first_paint: Callable[[], None] | None = None
        self.setObjectName("AttractScreen")
        self.setProperty("role", "screen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(80, 48, 80, 64)
        outer.setSpacing(24)

        self.erased_banner = QLabel()
        self.erased_banner.setProperty("role", "banner")
        self.erased_banner.setWordWrap(True)
        self.erased_banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # Its space stays reserved, so the welcome does not jump when it comes and goes.
        policy = self.erased_banner.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.erased_banner.setSizePolicy(policy)
        self.erased_banner.hide()
        outer.addWidget(self.erased_banner)
        self._banner_timer = QTimer(self)
        self._banner_timer.setSingleShot(True)
        self._banner_timer.timeout.connect(self.erased_banner.hide)

        outer.addStretch(2)
        columns = QHBoxLayout()
        columns.setSpacing(48)
        self.welcomes: dict[str, tuple[QLabel, QLabel, QLabel]] = {}
        self.language_buttons: dict[str, BigButton] = {}
        for lang in LANGUAGES:
            column = QVBoxLayout()
            column.setSpacing(16)
            welcome = QLabel()
            # The welcome of three languages side by side: large text grows it only so far
            # (the theme), and it wraps rather than widening the screen.
            welcome.setProperty("role", "h1")
            welcome.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            welcome.setWordWrap(True)
            name = QLabel()
            name.setProperty("role", "muted")
            name.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            name.setWordWrap(True)
            touch = QLabel()
            touch.setProperty("role", "lead")
            touch.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            touch.setWordWrap(True)
            button = BigButton(NATIVE_NAMES[lang], role="language")
            button.clicked.connect(lambda _=False, lang=lang: self.start_requested.emit(lang))
            for widget in (welcome, name, touch):
                column.addWidget(widget)
            column.addSpacing(24)
            column.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
            columns.addLayout(column, 1)
            self.welcomes[lang] = (welcome, name, touch)
            self.language_buttons[lang] = button
        outer.addLayout(columns)
        outer.addStretch(3)
        #: The marked spot that switches Read aloud on when held (shown when there is speech):
        #: a tap says what it is and how to use it.
        self.read_aloud_spot = BigButton(role="language")
        self.read_aloud_spot.setProperty("hold", "own")
        self.read_aloud_spot.pressed.connect(self._spot_pressed)
        self.read_aloud_spot.released.connect(self._spot_released)
        self.read_aloud_spot.hide()
        self._spot_timer = QTimer(self)
        self._spot_timer.setSingleShot(True)
        self._spot_timer.setInterval(READ_ALOUD_HOLD_MS)
        self._spot_timer.timeout.connect(self._spot_held)
        outer.addWidget(self.read_aloud_spot, 0, Qt.AlignmentFlag.AlignHCenter)
        self.retranslate()
        ui.changed.connect(self.retranslate)

    def retranslate(self) -> None:
        # Every language in its own words, whatever the current language is.
        for lang, (welcome, name, touch) in self.welcomes.items():
            welcome.setText(self.ui.t_in(lang, WELCOME))
            name.setText(self.ui.t_in(lang, KIOSK_NAME))
            touch.setText(self.ui.t_in(lang, TOUCH_TO_START))
            button = self.language_buttons[lang]
            button.set_label(NATIVE_NAMES[lang], self.ui.t_in(lang, TOUCH_TO_START))
            button.setProperty("speech_language", lang)
        self.read_aloud_spot.set_label(
            " · ".join(self.ui.t_in(lang, READ_ALOUD) for lang in self.welcomes),
            self.ui.t_in(self.ui.default_language, READ_ALOUD_HOW),
        )

    def offer_read_aloud(self, available: bool) -> None:
        self.read_aloud_spot.setVisible(available)

    def _spot_pressed(self) -> None:
        self._spot_timer.start()

    def _spot_released(self) -> None:
        if self._spot_timer.isActive():
            self._spot_timer.stop()
            if self.ui.speech is not None and not self.ui.read_aloud:
                self.ui.speech.say(
                    self.ui.t_in(self.ui.default_language, READ_ALOUD_HOW), always=True
                )

    def _spot_held(self) -> None:
        self.ui.set_read_aloud(True)

    def show_erased(self, language: str, seconds: float) -> None:
        """Tell the citizen who just left, in their language, that their data is gone."""
        self.erased_banner.setText(self.ui.t_in(language, ERASED))
        self.erased_banner.show()
        self._banner_timer.start(int(seconds * 1000))

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self.on_first_paint is not None:
            callback, self.on_first_paint = self.on_first_paint, None
            QTimer.singleShot(0, callback)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        # A touch anywhere but on a language button starts in the default language.
        self.start_requested.emit(self.ui.default_language)
        event.accept()
