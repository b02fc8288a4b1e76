"""One e-service on screen: the kiosk's bar above the page, the page, and the keyboard below it.

The bar names the service and the host the page is really on (with a lock on a secure
connection) and has Back, E-services (the list), Reload or Stop, and the page's size. There is
no address to type. Where the policy refuses a page, or a page cannot be loaded, the kiosk's own
words take its place, with Back. A window the page opens comes up inside the screen with a
Close. The on-screen keyboard docks under the page while a web field has the focus (the page's
input method says so), so it never covers the field; it types through the input method, å, ä
and ö included.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import shiboken6
from PySide6.QtCore import QEventLoop, Qt, QUrl, Signal
from PySide6.QtWebEngineCore import QWebEngineLoadingInfo, QWebEnginePage
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from eservices.catalogue import EService
from kiosk.ui.screens.eservices import texts
from kiosk.ui.screens.eservices.keyboard import WebFieldKeyboard
from kiosk.ui.screens.eservices.panels import (
    MAX_DIALOG_TEXT,
    DocumentChoice,
    Notice,
    Question,
    make_bar,
)
from kiosk.ui.screens.eservices.web import KioskPage, WebSession
from kiosk.ui.state import UiState
from kiosk.ui.theme import palette
from kiosk.ui.widgets.buttons import BigButton
from kiosk.ui.widgets.icons import icon_pixmap, on_surface
from kiosk.ui.widgets.labels import ElidedLabel, two_lines
from kiosk.ui.widgets.scrolling import scrolling
from kiosk.web.policy import BLANK, Refusal, host_of

log = logging.getLogger(__name__)

#: The citizen's own page sizes, times the text size of the kiosk's mode.
ZOOM_STEPS = (0.75, 0.9, 1.0, 1.15, 1.3, 1.5, 1.75)
#: The lock's side beside the host, at normal text size.
LOCK_PX = 22
#: Chromium's certificate error codes (net::ERR_CERT_*).
CERT_ERRORS = range(-299, -199)


def _forget_hook(web: WebSession, hook: object) -> None:
    if hook in web.on_close:
        web.on_close.remove(hook)


class WebView(QWebEngineView):
    """The page's view: no context menu, nothing dropped on it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.setAcceptDrops(False)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        # Small enough that the bars and the keyboard keep their room at any text size.
        self.setMinimumSize(320, 160)


class Browser(QWidget):
    """An e-service's pages, for one session's `WebSession`."""

    #: The citizen wants the list of e-services again.
    services_requested = Signal()
    #: The citizen wants the page shown as a PDF among the visit's documents.
    save_requested = Signal()

    def __init__(self, ui: UiState, web: WebSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.web = web
        self.service: EService | None = None
        self.zoom_step = ZOOM_STEPS.index(1.0)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)

        bar, row = make_bar()
        self.back_button = BigButton()
        self.back_button.clicked.connect(self.go_back)
        self.services_button = BigButton()
        self.services_button.clicked.connect(self.services_requested.emit)
        where = QVBoxLayout()
        where.setSpacing(0)
        # The service's name and the host shorten themselves ("…") before a button does.
        self.name = ElidedLabel()
        self.name.setProperty("role", "h2")
        self.host = ElidedLabel()
        self.host.setProperty("role", "muted")
        #: A lock beside the host while the connection is secure.
        self.lock = QLabel()
        host_row = QHBoxLayout()
        host_row.setSpacing(8)
        host_row.addWidget(self.lock)
        host_row.addWidget(self.host, 1)
        where.addWidget(self.name)
        where.addLayout(host_row)
        self.reload_button = BigButton()
        self.reload_button.clicked.connect(self.reload_or_stop)
        self.save_button = BigButton()
        self.save_button.clicked.connect(self.save_requested.emit)
        self.smaller_button = BigButton()
        self.smaller_button.clicked.connect(lambda: self.zoom(-1))
        self.larger_button = BigButton()
        self.larger_button.clicked.connect(lambda: self.zoom(+1))
        row.addWidget(self.back_button)
        row.addWidget(self.services_button)
        row.addLayout(where, 1)
        for button in (
            self.save_button,
            self.reload_button,
            self.smaller_button,
            self.larger_button,
        ):
            row.addWidget(button)
        for button in self._bar_buttons():
            button.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Preferred)
        column.addWidget(bar)
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(8)
        self.progress.setRange(0, 100)
        column.addWidget(self.progress)
        #: What became of a download, under the bar.
        self.banner = QLabel()
        self.banner.setProperty("role", "banner")
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.PlainText)  # a page's message may be in it
        self.banner.hide()
        column.addWidget(self.banner)

        self.stack = QStackedWidget()
        self.view = WebView()
        self.page = self._new_page()
        self.view.setPage(self.page)
        self.notice = Notice(ui)
        self.notice.back.connect(self.go_back)
        self.notice.again.connect(self.try_again)
        self.notice_area = scrolling(self.notice)
        self.popup_panel = QWidget()
        popup_column = QVBoxLayout(self.popup_panel)
        popup_column.setContentsMargins(0, 0, 0, 0)
        popup_column.setSpacing(0)
        popup_bar, popup_row = make_bar()
        self.popup_title = QLabel()
        self.popup_title.setProperty("role", "h2")
        self.close_popup_button = BigButton(role="primary")
        self.close_popup_button.clicked.connect(self.close_popup)
        popup_row.addWidget(self.popup_title, 1)
        popup_row.addWidget(self.close_popup_button)
        popup_column.addWidget(popup_bar)
        self.popup_view = WebView()
        popup_column.addWidget(self.popup_view, 1)
        self.popup_page: KioskPage | None = None
        self.question = Question(ui)
        self.question.answered.connect(self._answered)
        self.question_area = scrolling(self.question)
        self.choice = DocumentChoice(ui)
        self.choice.chosen.connect(self._document_chosen)
        self.choice_area = scrolling(self.choice)
        #: The visit's documents a page's file field may be given: (label, file).
        self.documents: Callable[[], list[tuple[str, Path]]] = list
        #: The loop a page's question or file field waits in, and the answer given.
        self._question_loop: QEventLoop | None = None
        self._answer = False
        self._chosen: Path | None = None
        for widget in (
            self.view,
            self.notice_area,
            self.popup_panel,
            self.question_area,
            self.choice_area,
        ):
            self.stack.addWidget(widget)
        column.addWidget(self.stack, 1)

        self.fields = WebFieldKeyboard(ui, self._shown_view, self)
        self.keyboard = self.fields.keyboard
        column.addWidget(self.keyboard)
        self.loading = False
        self.closed = False
        self.retranslate()
        ui.changed.connect(self.retranslate)
        web.on_close.append(self._web_closed)
        self.destroyed.connect(lambda _=None, web=web: _forget_hook(web, self._web_closed))
        # The page's renderer starts while the citizen reads the list, not after the tap.
        #: Whether that empty page has loaded.
        self.warm = False
        self.page.loadFinished.connect(self._warmed)
        self.page.setUrl(QUrl(BLANK))

    def _web_closed(self) -> None:
        """The session is ending: the views go now, before their pages and the profile."""
        self.closed = True
        if self._question_loop is not None:
            self._answered(False)
        self.fields.stop()
        self.ui.changed.disconnect(self.retranslate)
        for view in (self.view, self.popup_view):
            if shiboken6.isValid(view):
                shiboken6.delete(view)
        self.popup_page = None

    # ---- pages --------------------------------------------------------------------------------

    def _new_page(self) -> KioskPage:
        page = self.web.new_page(self)
        page.on_popup = self._popup
        page.on_message = self.show_message
        page.on_question = self.ask
        page.on_choose_files = self.choose_files
        page.refused.connect(self._refused)
        page.certificate_failed.connect(self._certificate_failed)
        page.loadStarted.connect(self._load_started)
        page.loadProgress.connect(self.progress.setValue)
        page.loadingChanged.connect(self._loading_changed)
        page.urlChanged.connect(lambda _url: self.retranslate())
        page.titleChanged.connect(lambda _title: self.retranslate())
        page.windowCloseRequested.connect(self.close_popup)
        return page

    def _shown_view(self) -> QWebEngineView | None:
        """The view of the page the citizen sees: the page's, or a window's it opened."""
        if self.closed:
            return None
        return self.popup_view if self.stack.currentWidget() is self.popup_panel else self.view

    def web_field(self) -> QWidget | None:
        """The widget a web page types into, when a field of the page shown has the focus."""
        return self.fields.web_field()

    def _warmed(self, _ok: bool) -> None:
        self.warm = True
        self.page.loadFinished.disconnect(self._warmed)
        if self.service is not None:  # tapped before the empty page was done: load it now
            self.page.setUrl(self.service.start_url)

    def open(self, service: EService) -> None:
        """Show the service's start page (the guard lets its origins through from now on)."""
        self.service = service
        self.banner.hide()
        self.close_popup()
        self.page.history().clear()
        self.stack.setCurrentWidget(self.view)
        # A navigation asked for while the empty page still loads could be lost: it waits.
        if self.warm:
            self.page.setUrl(service.start_url)
        self.retranslate()

    def go_back(self) -> None:
        if self.stack.currentWidget() is self.popup_panel:
            self.close_popup()
        elif self.stack.currentWidget() is self.notice_area:
            self.stack.setCurrentWidget(self.view)
            if not self.page.url().isValid() or self.page.url().isEmpty():
                self.services_requested.emit()
        elif self.page.history().canGoBack():
            self.page.triggerAction(QWebEnginePage.WebAction.Back)
        else:
            self.services_requested.emit()
        self.retranslate()

    def try_again(self) -> None:
        self.stack.setCurrentWidget(self.view)
        self.page.triggerAction(QWebEnginePage.WebAction.Reload)

    def reload_or_stop(self) -> None:
        action = QWebEnginePage.WebAction.Stop if self.loading else QWebEnginePage.WebAction.Reload
        self.page.triggerAction(action)

    def zoom(self, change: int) -> None:
        self.zoom_step = max(0, min(len(ZOOM_STEPS) - 1, self.zoom_step + change))
        self.retranslate()

    def _apply_zoom(self) -> None:
        factor = max(0.25, min(5.0, ZOOM_STEPS[self.zoom_step] * self.ui.scale))
        self.view.setZoomFactor(factor)
        self.popup_view.setZoomFactor(factor)

    def _load_started(self) -> None:
        # What the banner said was about the page before.
        self.banner.hide()
        self.loading = True
        self.progress.setValue(0)
        self.progress.show()
        self.retranslate()

    def _loading_changed(self, info: QWebEngineLoadingInfo) -> None:
        status = info.status()
        if status == QWebEngineLoadingInfo.LoadStatus.LoadStartedStatus:
            return
        self.loading = False
        self.progress.hide()
        if status == QWebEngineLoadingInfo.LoadStatus.LoadFailedStatus:
            code = info.errorCode()
            host = host_of(info.url().toString())
            if code in CERT_ERRORS:
                self._certificate_failed(host)
            elif info.errorDomain() == QWebEngineLoadingInfo.ErrorDomain.InternalErrorDomain:
                pass  # refused by the kiosk itself: already said
            elif code == -20:  # ERR_BLOCKED_BY_CLIENT: the request guard (e.g. a redirect)
                self._refused(info.url().toString(), Refusal.OFF_LIST)
            elif code != -3:  # ERR_ABORTED: the citizen stopped it, or a download took over
                log.info("e-service page not loaded", extra={"code": str(code)})
                self.notice.show_words(texts.NO_NETWORK_TITLE, texts.NO_NETWORK, host, again=True)
                self.stack.setCurrentWidget(self.notice_area)
        self.retranslate()

    def _refused(self, address: str, refusal: object) -> None:
        if not isinstance(refusal, Refusal):
            return
        self.banner.hide()
        self.notice.show_words(texts.REFUSED_TITLE, texts.REFUSED[refusal], host_of(address))
        self.stack.setCurrentWidget(self.notice_area)
        self.notice.back_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _certificate_failed(self, host: str) -> None:
        self.notice.show_words(texts.CERTIFICATE_TITLE, texts.CERTIFICATE, host)
        self.stack.setCurrentWidget(self.notice_area)

    # ---- a window the page opens --------------------------------------------------------------

    def _popup(self, page: KioskPage) -> bool:
        if self.popup_page is not None:
            return False  # one at a time
        self.popup_page = page
        page.on_message = self.show_message
        page.on_question = self.ask
        page.on_choose_files = self.choose_files
        page.refused.connect(self._refused)
        page.windowCloseRequested.connect(self.close_popup)
        page.titleChanged.connect(lambda _title: self.retranslate())
        self.popup_view.setPage(page)
        self.stack.setCurrentWidget(self.popup_panel)
        self.retranslate()
        return True

    def close_popup(self) -> None:
        page, self.popup_page = self.popup_page, None
        if self.stack.currentWidget() is self.popup_panel:
            self.stack.setCurrentWidget(self.view)
        if page is not None and shiboken6.isValid(page):
            page.deleteLater()
        self.retranslate()

    # ---- a page's dialogs ---------------------------------------------------------------------

    def show_message(self, text: str) -> None:
        """A page's message (alert): under the bar, in the kiosk's words; the page goes on."""
        if self.closed:
            return
        self.banner.setText(f"{self.ui.t(texts.PAGE_SAYS)} {text[:MAX_DIALOG_TEXT]}")
        self.banner.show()

    def ask(self, text: str) -> bool:
        """A page's question (confirm, or whether to leave a page being filled in) in the
        kiosk's panel; the page waits for the answer, as it would for a browser's dialog. The
        session's end answers Cancel."""
        self._answer = False
        self.question.show_question(text)
        self._wait_in(self.question_area, self.question.ok_button)
        return self._answer

    def choose_files(self, multiple: bool) -> list[str]:
        """A page's file field: the citizen picks one of the visit's documents (scans, sent
        forms, downloads), or none; the page waits, as for a browser's file dialog."""
        self._chosen = None
        self.choice.offer(self.documents())
        first = self.choice.buttons[0] if self.choice.buttons else self.choice.cancel_button
        self._wait_in(self.choice_area, first)
        chosen, self._chosen = self._chosen, None
        return [str(chosen)] if chosen is not None else []

    def _wait_in(self, area: QWidget, focus: QWidget) -> None:
        """Show `area` until it is answered (or the session ends), in a loop of its own."""
        if self.closed or self._question_loop is not None:
            return
        shown = self.stack.currentWidget()
        self.stack.setCurrentWidget(area)
        focus.setFocus(Qt.FocusReason.OtherFocusReason)
        loop = QEventLoop()
        self._question_loop = loop
        self.web.dialogs += 1
        try:
            loop.exec()
        finally:
            self.web.dialogs -= 1
            self._question_loop = None
        if not self.closed and shown is not None:
            self.stack.setCurrentWidget(shown)

    def _answered(self, yes: bool) -> None:
        self._answer = yes
        if self._question_loop is not None:
            self._question_loop.quit()

    def _document_chosen(self, path: object) -> None:
        self._chosen = path if isinstance(path, Path) else None
        if self._question_loop is not None:
            self._question_loop.quit()

    # ---- words --------------------------------------------------------------------------------

    def _bar_buttons(self) -> tuple[BigButton, ...]:
        return (
            self.back_button,
            self.services_button,
            self.save_button,
            self.reload_button,
            self.smaller_button,
            self.larger_button,
        )

    def retranslate(self) -> None:
        if self.closed:
            return
        t = self.ui.t
        url = self.page.url()
        fit = two_lines if self.ui.large_text else str
        self.back_button.set_label(fit("← " + t(texts.BACK)), t(texts.BACK_HINT))
        self.services_button.set_label(fit("☰ " + t(texts.SERVICES)), t(texts.SERVICES_HINT))
        if self.loading:
            self.reload_button.set_label(fit("✕ " + t(texts.STOP)))
        else:
            self.reload_button.set_label(fit("⟳ " + t(texts.RELOAD)))
        self.save_button.set_label(fit(t(texts.SAVE_PAGE)), t(texts.SAVE_PAGE_HINT))
        self.save_button.setEnabled(not self.loading and bool(url.host()))
        self.smaller_button.set_label("A−", t(texts.SMALLER))
        self.smaller_button.setAccessibleName(t(texts.SMALLER))
        self.larger_button.set_label("A+", t(texts.LARGER))
        self.larger_button.setAccessibleName(t(texts.LARGER))
        self._apply_zoom()  # large text zooms the page too
        self.smaller_button.setEnabled(self.zoom_step > 0)
        self.larger_button.setEnabled(self.zoom_step < len(ZOOM_STEPS) - 1)
        language = self.ui.language
        self.name.set_full_text(self.service.name(language) if self.service is not None else "")
        secure = url.scheme() == "https"
        host = host_of(url.toString())
        self.lock.setVisible(bool(host) and secure)
        if host and secure:
            side = round(LOCK_PX * self.ui.scale)
            colours = on_surface(palette(high_contrast=self.ui.high_contrast))
            self.lock.setPixmap(icon_pixmap("lock.svg", side, colours, self.devicePixelRatioF()))
        if host:
            words = t(texts.SECURE if secure else texts.NOT_SECURE)
            self.host.set_full_text(f"{host} · {words}")
        else:
            self.host.set_full_text(t(texts.LOADING_PAGE) if self.loading else "")
        self.close_popup_button.set_label("✕ " + t(texts.CLOSE_WINDOW))
        popup = self.popup_page
        title = popup.title() if popup is not None and shiboken6.isValid(popup) else ""
        self.popup_title.setText(title or t(texts.WINDOW))
        self.notice.retranslate()
        self.question.retranslate()
        self.choice.retranslate()
