"""The frame around every screen of a session: the top bar, the content and the footer.

The top bar always offers the language, text size, contrast and "End session"; the footer keeps
the help area where the video-advice button lives. A frame belongs to one session: when the
session ends the window throws the whole frame away and builds a new one, so nothing a citizen
typed or saw can survive in a widget.

A video call goes on while the citizen goes elsewhere (to open what the advisor sent, or to
another service): the frame keeps the call's screen aside, and the help area says "In a call
with ..." with a way back to the call and a way to end it, until the call ends.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QShowEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.i18n import LANGUAGES, N_, NATIVE_NAMES
from kiosk.services import ServiceSpec
from kiosk.speech.cue import TURN
from kiosk.ui.context import ServiceContext
from kiosk.ui.screens.home import HomeScreen
from kiosk.ui.screens.video import texts as video_texts
from kiosk.ui.theme import MIN_TOUCH_PX, palette
from kiosk.ui.widgets.buttons import BigButton
from kiosk.ui.widgets.icons import icon_pixmap, on_primary
from kiosk.ui.widgets.labels import ElidedLabel, snug_width, two_lines
from kiosk.ui.widgets.scrolling import scrolling

log = logging.getLogger(__name__)

HOME = N_("Home")
LARGER_TEXT = N_("Larger text")
HIGH_CONTRAST = N_("High contrast")
END_SESSION = N_("End session")
END_SESSION_HINT = N_("Ends your session and erases your data")
VIDEO_ADVICE = N_("Video advice")
VIDEO_ADVICE_HINT = N_("Talk to an advisor on video")
#: The video-advice icon's side beside its label, at normal text size.
ADVICE_ICON_PX = 40
#: The widest "In a call with ..." is kept on one line; a longer one wraps.
CALL_LABEL_MAX_PX = 560
PRIVACY_HINT = N_("When you end the session, everything you did here is erased.")
#: What the frame says of the card in the reader, by what came of reading it.
CARD_NOTICES = {
    "reading": N_("Reading your ID card…"),
    "read": N_(
        "Your ID card has been read: forms will fill in your name. "
        "Taking the card out ends your session."
    ),
    "not_id": N_("This card is not a Finnish ID card. You can use the kiosk without a card."),
    "unreadable": N_(
        "Your ID card could not be read. Take it out and put it in again, or go on without it."
    ),
}


class SessionFrame(QWidget):
    end_requested = Signal()

    def __init__(
        self, ctx: ServiceContext, services: list[ServiceSpec], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = replace(ctx, open_service=self.open_service)
        self.ui = ctx.ui
        self.services = {spec.id: spec for spec in services}
        self.setProperty("role", "screen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)

        bar = QFrame()
        bar.setProperty("role", "bar")
        # One row in every language and text size: each button is as wide as its longest label
        # in any language (so a change of language moves nothing), labels go on two lines with
        # large text, and the service's title shortens itself with "…" if it must.
        self.bar_layout = QBoxLayout(QBoxLayout.Direction.LeftToRight, bar)
        self.bar_layout.setContentsMargins(24, 12, 24, 12)
        self.bar_layout.setSpacing(12)
        where = QHBoxLayout()
        where.setSpacing(16)
        self.home_button = BigButton()
        self.home_button.clicked.connect(self.show_home)
        self.title = ElidedLabel()
        self.title.setProperty("role", "h2")
        where.addWidget(self.home_button)
        where.addWidget(self.title, 1)
        tools = QHBoxLayout()
        tools.setSpacing(12)
        tools.addStretch(1)
        self.language_buttons: dict[str, BigButton] = {}
        for lang in LANGUAGES:
            button = BigButton(lang.upper())
            # Said as the language's own name, in its own voice.
            button.setAccessibleName(NATIVE_NAMES[lang])
            button.setProperty("speech_language", lang)
            button.setProperty("speech_role", "option")  # one of three, not a switch
            button.setCheckable(True)
            button.clicked.connect(lambda _=False, lang=lang: self._choose_language(lang))
            self.language_buttons[lang] = button
            tools.addWidget(button)
        tools.addSpacing(12)
        self.large_text_button = BigButton()
        self.large_text_button.setCheckable(True)
        self.large_text_button.toggled.connect(self.ui.set_large_text)
        self.contrast_button = BigButton()
        self.contrast_button.setCheckable(True)
        self.contrast_button.toggled.connect(self.ui.set_high_contrast)
        self.end_button = BigButton(role="danger")
        self.end_button.clicked.connect(self.end_requested.emit)
        for widget in (self.large_text_button, self.contrast_button):
            tools.addWidget(widget)
        tools.addSpacing(12)
        tools.addWidget(self.end_button)
        self.bar_layout.addLayout(where, 1)
        self.bar_layout.addLayout(tools)
        layout.addWidget(bar)

        #: What became of the card in the reader, said under the bar; hidden with no card.
        self.card_notice = QLabel()
        self.card_notice.setProperty("role", "banner")
        self.card_notice.setWordWrap(True)
        self.card_notice.hide()
        self._card_notice: str | None = None
        notice_row = QHBoxLayout()
        notice_row.setContentsMargins(24, 16, 24, 0)
        notice_row.addWidget(self.card_notice)
        layout.addLayout(notice_row)

        #: An advisor answered the citizen's call while they were on another screen: said over
        #: it, with the way back, until they are back at the call.
        self.turn_notice = QFrame()
        self.turn_notice.setProperty("role", "card")
        self.turn_notice.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        turn_row = QHBoxLayout(self.turn_notice)
        turn_row.setContentsMargins(24, 16, 24, 16)
        turn_row.setSpacing(24)
        self.turn_label = QLabel()
        self.turn_label.setProperty("role", "banner")
        self.turn_label.setStyleSheet("font-weight: bold;")
        self.turn_label.setWordWrap(True)
        self.turn_button = BigButton(role="primary")
        self.turn_button.clicked.connect(self.back_to_call)
        turn_row.addWidget(self.turn_label, 1)
        turn_row.addWidget(self.turn_button)
        # Its margins belong to a widget that is hidden with it: a bare layout's margins would
        # take their room above every screen even while the notice is hidden.
        self.turn_area = QWidget()
        turn_outer = QHBoxLayout(self.turn_area)
        turn_outer.setContentsMargins(24, 16, 24, 0)
        turn_outer.addWidget(self.turn_notice)
        self.turn_area.hide()
        layout.addWidget(self.turn_area)

        self.stack = QStackedWidget()
        self.home = HomeScreen(self.ui, services)
        self.home.service_chosen.connect(self.open_service)
        self.home_page = scrolling(self.home)
        self.stack.addWidget(self.home_page)
        layout.addWidget(self.stack, 1)
        self.service_screen: QWidget | None = None
        #: What holds the service screen on the stack: a scroll area, or the screen itself when
        #: it scrolls its own content (`scrolls_itself`, as E-services' web pages do).
        self._service_page: QWidget | None = None
        self.service_id: str | None = None

        footer = QFrame()
        footer.setProperty("role", "footer")
        foot = QHBoxLayout(footer)
        foot.setContentsMargins(24, 8, 24, 8)
        self.privacy_hint = QLabel()
        self.privacy_hint.setProperty("role", "muted")
        self.privacy_hint.setWordWrap(True)
        foot.addWidget(self.privacy_hint, 1)
        #: Where the video-advice button goes; kept on every screen of the session.
        self.help_area = QWidget()
        self.help_area.setObjectName("HelpArea")
        help_row = QHBoxLayout(self.help_area)
        help_row.setContentsMargins(0, 0, 0, 0)
        foot.addWidget(self.help_area)
        #: Video advice over whatever the citizen is doing, which stays as it was underneath.
        #: While a call goes on, the screen stays here even when the citizen goes elsewhere.
        self.advice_button: BigButton | None = None
        self.advice_screen: QWidget | None = None
        self._advice_page: QWidget | None = None
        if "advice" in self.services:
            self.advice_button = BigButton(role="primary")
            self.advice_button.clicked.connect(self.open_advice)
            help_row.addWidget(self.advice_button)
        #: Said in the help area while a call goes on and the citizen is elsewhere.
        self.call_strip = QWidget()
        strip = QHBoxLayout(self.call_strip)
        strip.setContentsMargins(0, 0, 0, 0)
        strip.setSpacing(16)
        self.call_label = QLabel()
        self.call_label.setProperty("role", "lead")
        self.call_label.setStyleSheet("font-weight: bold;")
        self.call_label.setWordWrap(True)  # a long line name at large text wraps
        self.back_to_call_button = BigButton(role="primary")
        self.back_to_call_button.clicked.connect(self.back_to_call)
        self.end_call_button = BigButton(role="danger")
        self.end_call_button.clicked.connect(self.end_call)
        strip.addWidget(self.call_label)
        strip.addWidget(self.back_to_call_button)
        strip.addWidget(self.end_call_button)
        self.call_strip.hide()
        help_row.addWidget(self.call_strip)
        layout.addWidget(footer)

        self._sync_toggles()
        self.retranslate()
        self.ui.changed.connect(self.retranslate)
        self._update_bar()

    # ---- navigation -------------------------------------------------------------------------

    def at_home(self) -> bool:
        return self.stack.currentWidget() is self.home_page

    def show_home(self) -> None:
        self._leave_advice()
        self.stack.setCurrentWidget(self.home_page)
        self._drop_service_screen()
        self._update_bar()
        first = next((t for t in self.home.tiles.values() if t.isEnabled()), None)
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    def open_service(self, service_id: str) -> None:
        if service_id not in self.services:
            log.warning("service not enabled", extra={"service": service_id})
            return
        if service_id == "advice" and self.call_under_way:
            self.back_to_call()  # one call at a time: the tile leads back to it
            return
        spec = self.services[service_id]
        module_name, _, class_name = spec.screen.partition(":")
        screen_class: Callable[[ServiceContext], QWidget] = getattr(
            importlib.import_module(module_name), class_name
        )
        screen = screen_class(self.ctx)
        self._leave_advice()
        self._drop_service_screen()
        leave = getattr(screen, "leave", None)
        if leave is not None:
            leave.connect(self.show_home)
        self._follow_call(screen)
        self.service_screen = screen
        self.service_id = service_id
        self._service_page = (
            screen if getattr(screen, "scrolls_itself", False) else scrolling(screen)
        )
        self.stack.addWidget(self._service_page)
        self.stack.setCurrentWidget(self._service_page)
        self.ctx.sessions.service_opened(service_id)
        log.info("service opened", extra={"service": service_id})
        self._update_bar()
        screen.setFocus(Qt.FocusReason.OtherFocusReason)
        screen.focusNextChild()

    def open_advice(self) -> None:
        """Video advice from the help button: the screen the citizen was on waits underneath
        and comes back as it was when they are done."""
        from kiosk.ui.screens.video.compose import advice_screen

        if self._advice_page is not None:
            self.back_to_call()
            return
        if self.service_id == "advice":
            return
        screen = advice_screen(self.ctx)
        screen.leave.connect(self.close_advice)
        self._follow_call(screen)
        self.advice_screen = screen
        self._advice_page = scrolling(screen)
        self.stack.addWidget(self._advice_page)
        self.stack.setCurrentWidget(self._advice_page)
        self.ctx.sessions.service_opened("advice")
        log.info("service opened", extra={"service": "advice"})
        self._update_bar()
        screen.setFocus(Qt.FocusReason.OtherFocusReason)
        screen.focusNextChild()

    def close_advice(self) -> None:
        self._drop_advice()
        self.stack.setCurrentWidget(self._service_page or self.home_page)
        self._update_bar()

    # ---- a call that goes on elsewhere --------------------------------------------------------

    @property
    def call_under_way(self) -> bool:
        """A video call is asked for, queued or connected (wherever the citizen is now)."""
        screen = self.advice_screen or self.service_screen
        return bool(getattr(screen, "in_call", False))

    @property
    def on_call_page(self) -> bool:
        return self._advice_page is not None and self.stack.currentWidget() is self._advice_page

    def _follow_call(self, screen: QWidget) -> None:
        changed = getattr(screen, "call_changed", None)
        if changed is not None:
            changed.connect(self._call_changed)
        requested = getattr(screen, "open_requested", None)
        if requested is not None:
            requested.connect(self.open_from_call)

    def _leave_advice(self) -> None:
        """The citizen goes elsewhere: a call under way goes on, its screen kept aside (the
        Video advice service's own screen too); with no call, the screen goes."""
        screen = self.service_screen
        if self.service_id == "advice" and getattr(screen, "in_call", False):
            assert screen is not None and self._service_page is not None
            # From now on it is the call over whatever the citizen does, as from the button.
            screen.leave.disconnect(self.show_home)  # type: ignore[attr-defined]
            screen.leave.connect(self.close_advice)  # type: ignore[attr-defined]
            self.advice_screen, self._advice_page = screen, self._service_page
            self.service_screen, self._service_page, self.service_id = None, None, None
            return
        if self.call_under_way:
            return
        self._drop_advice()

    def back_to_call(self) -> None:
        """The call's page again, over whatever the citizen was doing."""
        if self._advice_page is None:
            return
        self.stack.setCurrentWidget(self._advice_page)
        self._update_bar()
        if self.advice_screen is not None:
            self.advice_screen.setFocus(Qt.FocusReason.OtherFocusReason)
            self.advice_screen.focusNextChild()

    def end_call(self) -> None:
        """Hang up from wherever the citizen is; the strip goes once the call has ended."""
        hang_up = getattr(self.advice_screen, "hang_up", None)
        if callable(hang_up):
            hang_up()

    def _call_changed(self) -> None:
        # A call that ended while the citizen was elsewhere leaves nothing behind: its screen
        # goes, and the advice button comes back.
        if self._advice_page is not None and not self.on_call_page and not self.call_under_way:
            self._drop_advice()
        self._update_bar()

    def open_from_call(self, service_id: str, item: str) -> None:
        """Open what the advisor sent in its service (an e-service, a form; a document in Print,
        chosen); the call goes on."""
        if service_id not in self.services:
            log.warning("service not enabled", extra={"service": service_id})
            return
        if self.service_id == service_id and self._service_page is not None:
            self.stack.setCurrentWidget(self._service_page)
            self._update_bar()
        else:
            self.open_service(service_id)
        screen = self.service_screen
        if service_id == "print":
            chooser = getattr(screen, "chooser", None)
            documents = getattr(chooser, "documents", [])
            found = [n for n, d in enumerate(documents) if str(d.path) == item]
            if chooser is not None and found:
                chooser.choose(found[-1])
            return
        opener = {"eservices": "open_service", "forms": "open_form"}.get(service_id)
        open_item = getattr(screen, opener or "", None)
        if callable(open_item):
            open_item(item)

    def _drop_advice(self) -> None:
        if self._advice_page is not None:
            self._release(self.advice_screen)
            self.stack.removeWidget(self._advice_page)
            self._advice_page.deleteLater()
            self._advice_page = None
        self.advice_screen = None

    @staticmethod
    def _release(screen: QWidget | None) -> None:
        # A screen holding a call or the camera lets go of them as it goes.
        release = getattr(screen, "release", None)
        if callable(release):
            release()

    def _drop_service_screen(self) -> None:
        if self._service_page is not None:
            self._release(self.service_screen)
            self.stack.removeWidget(self._service_page)
            self._service_page.deleteLater()  # and the screen inside it, if any
            self._service_page = None
        self.service_screen = None
        self.service_id = None

    def set_card_notice(self, kind: str | None) -> None:
        """Say what became of the card in the reader (a key of CARD_NOTICES), or nothing."""
        if kind is not None and kind not in CARD_NOTICES:
            raise ValueError(f"no card notice {kind!r}")
        self._card_notice = kind
        self.card_notice.setVisible(kind is not None)
        self.retranslate()

    # ---- bar ----------------------------------------------------------------------------------

    def _choose_language(self, lang: str) -> None:
        # Plain buttons, not a radio group: each language is its own Tab stop.
        self.ctx.sessions.set_language(lang)
        self.ui.set_language(lang)
        self._sync_toggles()

    def _sync_toggles(self) -> None:
        for lang, button in self.language_buttons.items():
            button.setChecked(lang == self.ui.language)
        for button, on in (
            (self.large_text_button, self.ui.large_text),
            (self.contrast_button, self.ui.high_contrast),
        ):
            button.blockSignals(True)
            button.setChecked(on)
            button.blockSignals(False)

    def _update_bar(self) -> None:
        in_advice = self.on_call_page
        in_service = self.service_id is not None or in_advice
        self.home_button.setVisible(in_service)
        # On the home screen there is no service to name nor a home to go back to.
        self.title.setVisible(in_service)
        if in_advice:
            self.title.set_full_text(self.ui.t(self.services["advice"].title))
        elif self.service_id is not None:
            self.title.set_full_text(self.ui.t(self.services[self.service_id].title))
        else:
            self.title.set_full_text("")
        elsewhere = self.call_under_way and not in_advice and self.service_id != "advice"
        self.call_strip.setVisible(elsewhere)
        turn = elsewhere and bool(getattr(self.advice_screen, "turn_unseen", False))
        if turn and not self.turn_area.isVisible():
            self.turn_area.show()
            self.turn_button.setFocus(Qt.FocusReason.OtherFocusReason)  # the keypad's OK goes
        elif not turn:
            self.turn_area.hide()
        if elsewhere:
            line = getattr(self.advice_screen, "line_name", lambda: "")()
            text = self.ui.t(video_texts.IN_CALL_WITH).format(line=line.replace("-", "\u2011"))
            self.call_label.setText(text)
            # On one line when it can be (the privacy words beside it wrap first).
            self.call_label.ensurePolished()
            whole = self.call_label.fontMetrics().horizontalAdvance(text) + 8
            self.call_label.setMinimumWidth(min(whole, CALL_LABEL_MAX_PX))
        if self.advice_button is not None:
            self.advice_button.setVisible(
                not elsewhere and not in_advice and self.service_id != "advice"
            )

    def retranslate(self) -> None:
        t = self.ui.t
        for lang, button in self.language_buttons.items():
            # The language's own name, so a citizen who cannot read the current one finds theirs.
            button.set_label(lang.upper(), NATIVE_NAMES[lang])
            button.setAccessibleName(NATIVE_NAMES[lang])
        for button, symbol, message in self._bar_buttons():
            button.set_label(self._bar_label(symbol, message, self.ui.language))
            button.setAccessibleName(t(message))
        self.end_button.setAccessibleDescription(t(END_SESSION_HINT))
        self._fit_bar()
        self.privacy_hint.setText(t(PRIVACY_HINT))
        if self.advice_button is not None:
            self.advice_button.set_label(t(VIDEO_ADVICE), t(VIDEO_ADVICE_HINT))
            side = round(ADVICE_ICON_PX * self.ui.scale)
            colours = on_primary(palette(high_contrast=self.ui.high_contrast))
            ratio = self.advice_button.devicePixelRatioF()
            self.advice_button.setIcon(QIcon(icon_pixmap("advice.svg", side, colours, ratio)))
            self.advice_button.setIconSize(QSize(side, side))
        # On two lines with large text, as the bar's are: the strip shares the footer.
        fold = two_lines if self.ui.large_text else str
        for button, message in (
            (self.back_to_call_button, video_texts.BACK_TO_CALL),
            (self.end_call_button, video_texts.END_CALL),
        ):
            button.set_label(fold(t(message)))
        self.turn_label.setText(t(TURN))
        self.turn_button.set_label(t(video_texts.BACK_TO_CALL))
        notice = self._card_notice
        self.card_notice.setText(t(CARD_NOTICES[notice]) if notice is not None else "")
        self._sync_toggles()
        self._update_bar()

    def _bar_buttons(self) -> tuple[tuple[BigButton, str, str], ...]:
        return (
            (self.home_button, "⌂", HOME),
            (self.large_text_button, "A+", LARGER_TEXT),
            (self.contrast_button, "◐", HIGH_CONTRAST),
            (self.end_button, "✕", END_SESSION),
        )

    def _fit_bar(self) -> None:
        """Each button of the bar as wide as its longest label in any language. Measured once
        the bar is shown, in the font the theme gives it then."""
        if not self.isVisible():
            return
        self.ensurePolished()
        least = MIN_TOUCH_PX + 16
        languages = list(self.language_buttons.values())
        width = snug_width(languages[0], [lang.upper() for lang in LANGUAGES], least)
        for button in languages:
            button.setFixedWidth(width)
        for button, symbol, message in self._bar_buttons():
            labels = [self._bar_label(symbol, message, lang) for lang in LANGUAGES]
            button.setFixedWidth(snug_width(button, labels, least))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit_bar()

    def _bar_label(self, symbol: str, message: str, language: str) -> str:
        text = f"{symbol} {self.ui.t_in(language, message)}"
        return two_lines(text) if self.ui.large_text else text
