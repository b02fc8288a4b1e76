"""The "Help and privacy" service: how to use the kiosk by touch, and the privacy notice.

The notice says what this software keeps and for how long (it knows that itself), and who is
responsible for the data and how to reach them, from the site's [privacy] config.
"""

from __future__ import annotations

from dataclasses import fields

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from kiosk.config import PrivacySettings
from kiosk.i18n import N_
from kiosk.ui.context import ServiceContext
from kiosk.ui.widgets.buttons import BigButton
from kiosk.ui.widgets.scrolling import touch_scrolling

USING = N_("Using the kiosk")
PRIVACY = N_("Your privacy")
KEPT = N_("What is kept, and for how long")
RESPONSIBLE = N_("Who is responsible for your data")
GETTING_HELP = N_("Getting help")
CONTROLLER = N_("Controller: {controller}")
CONTACT = N_("Questions about your data: {contact}")
READ_ALOUD = N_("Read aloud")
READ_ALOUD_TEXT = N_(
    "The kiosk can read its screens aloud. With the keypad under the screen you can use every "
    "service without looking: the arrows move, OK chooses, Help reads the whole screen and zero "
    "repeats. Holding your finger on any text also reads it aloud."
)
#: The voice's four buttons: what each does, by the speech setting it changes.
VOICE_BUTTONS = (
    ("slower", N_("Slower")),
    ("faster", N_("Faster")),
    ("quieter", N_("Quieter")),
    ("louder", N_("Louder")),
)

#: The sections of the page: a heading and its paragraphs. "{controller}", "{contact}" and
#: "{more}" are the site's own texts from [privacy].
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        USING,
        (
            N_(
                "Touch a button to choose it. The Home button at the top brings you back to the "
                "list of services."
            ),
            N_(
                "You can change the language, make the text larger or switch to high contrast "
                "at any time with the buttons at the top of the screen."
            ),
            N_("A long page moves when you swipe it up or down with your finger."),
            N_(
                "When you type, a keyboard opens at the bottom of the screen. Hold a letter down "
                "to get letters like é, ü or š."
            ),
        ),
    ),
    (
        PRIVACY,
        (
            N_(
                "What you do here is kept only for this session. When you press End session, "
                "or when nobody has touched the screen for a while, the session ends and "
                "everything you did is erased: documents, typed text and card details."
            ),
            N_("Before the session ends by itself, a countdown is shown so that you can continue."),
            N_("Remember to take your card and your documents with you."),
        ),
    ),
    (
        KEPT,
        (
            N_(
                "Forms and e-mail you send are sealed on the kiosk so that only the library's "
                "e-services hub can open them. They wait on the kiosk only until the hub has "
                "received them, and are then deleted from the kiosk."
            ),
            N_(
                "For a card payment, the amount, the time and the last four digits of the card "
                "are kept for the library's accounting. Your PIN never reaches the kiosk."
            ),
            N_(
                "The kiosk keeps anonymous usage figures, such as which services were used, in "
                "which language and for how long, and records of its devices' condition, such "
                "as a printer out of paper. They never contain your name, identity code or "
                "anything you typed. Device records are deleted from the kiosk a week after "
                "they have been sent on."
            ),
            N_(
                "Video calls are not recorded. Only the time and length of a call and the "
                "rating you gave are kept, without your name."
            ),
            "{more}",
        ),
    ),
    (RESPONSIBLE, (CONTROLLER, CONTACT)),
    (
        GETTING_HELP,
        (
            N_(
                "Library staff can help you with the kiosk itself, for example if the printer "
                "is out of paper."
            ),
        ),
    ),
)


def site_text(privacy: PrivacySettings, name: str, language: str) -> str:
    """The site's text `name` ("controller", "contact", "more") in `language`. A Swedish or
    English text left as it was while the Finnish one was changed is the built-in Helsinki one
    and not this site's: the Finnish text is shown instead."""
    defaults = {f.name: f.default for f in fields(PrivacySettings)}
    finnish = str(getattr(privacy, f"{name}_fi"))
    wanted = str(getattr(privacy, f"{name}_{language}", finnish))
    if not wanted or (
        wanted == defaults[f"{name}_{language}"] and finnish != defaults[f"{name}_fi"]
    ):
        return finnish
    return wanted


class HelpScreen(QWidget):
    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ctx.ui
        self.privacy = ctx.config.privacy
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        touch_scrolling(scroll.viewport())
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(96, 40, 96, 40)
        column.setSpacing(18)
        self._labels: list[tuple[QLabel, str]] = []
        for heading, paragraphs in SECTIONS:
            title = QLabel()
            title.setProperty("role", "h2")
            title.setWordWrap(True)
            column.addSpacing(12)
            column.addWidget(title)
            self._labels.append((title, heading))
            for paragraph in paragraphs:
                label = QLabel()
                label.setWordWrap(True)
                label.setTextFormat(Qt.TextFormat.PlainText)
                label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
                column.addWidget(label)
                self._labels.append((label, paragraph))
        #: Read aloud and the voice, when the kiosk can speak.
        self.read_aloud_button: BigButton | None = None
        self.voice_buttons: dict[str, BigButton] = {}
        if self.ui.speech_available:
            self._add_read_aloud(column)
        column.addStretch(1)
        scroll.setWidget(body)
        outer.addWidget(scroll)
        self.scroll_area = scroll
        self.retranslate()
        self.ui.changed.connect(self.retranslate)

    def _add_read_aloud(self, column: QVBoxLayout) -> None:
        title = QLabel()
        title.setProperty("role", "h2")
        column.addSpacing(12)
        column.addWidget(title)
        self._labels.append((title, READ_ALOUD))
        text = QLabel()
        text.setWordWrap(True)
        column.addWidget(text)
        self._labels.append((text, READ_ALOUD_TEXT))
        row = QHBoxLayout()
        row.setSpacing(12)
        switch = BigButton()
        switch.setCheckable(True)
        switch.clicked.connect(lambda on: self.ui.set_read_aloud(bool(on)))
        row.addWidget(switch)
        self.read_aloud_button = switch
        for action, _ in VOICE_BUTTONS:
            button = BigButton()
            button.clicked.connect(lambda _=False, a=action: self._adjust(a))
            row.addWidget(button)
            self.voice_buttons[action] = button
        row.addStretch(1)
        column.addLayout(row)

    def _adjust(self, action: str) -> None:
        if self.ui.speech is not None:
            self.ui.speech.adjust(action)

    def _text(self, message: str) -> str:
        language = self.ui.language
        if message == "{more}":
            return site_text(self.privacy, "more", language)
        if message in (CONTROLLER, CONTACT):
            site = {
                name: site_text(self.privacy, name, language) for name in ("controller", "contact")
            }
            return self.ui.t(message).format(**site)
        return self.ui.t(message)

    def retranslate(self) -> None:
        for label, message in self._labels:
            text = self._text(message)
            label.setText(text)
            label.setVisible(bool(text))
        self.scroll_area.setAccessibleName(self.ui.t(SECTIONS[0][0]))
        if self.read_aloud_button is not None:
            self.read_aloud_button.set_label(self.ui.t(READ_ALOUD))
            self.read_aloud_button.setChecked(self.ui.read_aloud)
        labels = dict(VOICE_BUTTONS)
        for action, button in self.voice_buttons.items():
            button.set_label(self.ui.t(labels[action]))
