"""The E-services service: the list of e-services, and the chosen one in the kiosk's browser.

The catalogue is the hub's, as kiosk-agent keeps it (the shipped one until then), read off the
Qt thread when the screen opens. The browser belongs to the session (`web_session`): a login
made in one e-service holds while the citizen goes to the list and back, or to Video advice and
back, and nothing of it outlives the session, whose end destroys the profile with all it held.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from pathlib import Path

import shiboken6
from PySide6.QtCore import QSize, Qt
from PySide6.QtWebEngineCore import QWebEngineDownloadRequest
from PySide6.QtWidgets import (
    QApplication,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from eservices.catalogue import Catalogue, Checked
from kiosk.submissions.email import visit_documents
from kiosk.ui.context import ServiceContext
from kiosk.ui.screens.eservices import texts
from kiosk.ui.screens.eservices.browser import Browser
from kiosk.ui.screens.eservices.catalogue import ServiceList
from kiosk.ui.screens.eservices.web import WebSession
from kiosk.ui.widgets.scrolling import scrolling
from kiosk.visit import Download
from kiosk.web import downloads
from kiosk.web.policy import WebPolicy

log = logging.getLogger(__name__)

#: The browser of each running session, by session id; closed and dropped at the session's end.
_web_sessions: dict[str, WebSession] = {}


def web_session(ctx: ServiceContext) -> WebSession:
    """The running session's browser, made the first time it is wanted."""
    session = ctx.session
    web = _web_sessions.get(session.id)
    if web is None:
        folder = session.folder / "downloads"
        folder.mkdir(mode=0o700, exist_ok=True)
        web = WebSession(folder, session.language, QApplication.instance())
        _web_sessions[session.id] = web
        session_id = session.id
        ctx.sessions.add_resource("e-services browser", lambda: close_web(session_id))
    return web


def close_web(session_id: str) -> None:
    web = _web_sessions.pop(session_id, None)
    if web is not None:
        web.close()


class EServicesScreen(QWidget):
    #: The list scrolls in its own area and a page in its view: the frame puts the screen on
    #: its stack as it is, the page as tall as the room there is.
    scrolls_itself = True

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ui = ctx.ui
        self.web = web_session(ctx)
        self.catalogue: Catalogue | None = None
        #: A service asked for before the catalogue was read (a video advisor sent it).
        self._opening: str | None = None
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        self.stack = QStackedWidget()
        column.addWidget(self.stack)
        self.list = ServiceList(self.ui)
        self.list.service_chosen.connect(self.open_service)
        # The list scrolls on its own, so that a long one does not make the page taller.
        self.list_area = scrolling(self.list)
        self.stack.addWidget(self.list_area)
        self.browser = Browser(self.ui, self.web)
        self.browser.services_requested.connect(self.show_list)
        self.browser.save_requested.connect(self.save_page)
        self.browser.documents = self._documents
        self.stack.addWidget(self.browser)
        self.web.download.connect(self._download)
        #: Downloads under way, by their request.
        self._waiting: dict[QWebEngineDownloadRequest, Download] = {}
        #: Downloads and saved pages being checked, by the future of their check, with what
        #: to say once one is among the documents.
        self._checking: dict[Future[downloads.DownloadRefusal | None], tuple[Download, str]] = {}
        #: The page being saved as a PDF, if one is.
        self._saving: Download | None = None
        self.ui.changed.connect(self._language)
        from kiosk.web.cache import read_catalogue

        future = ctx.run_blocking(read_catalogue, ctx.config.data_dir)
        ctx.bridge.when_done(future, self._catalogue_read)

    # As small as it can be, whatever its width: the frame gives it the room its bars leave,
    # never squeezing them for a page that would like more (a web view's own hint is a desktop
    # window's, and a wrapped message under the bar would ask for its height at every width).

    def sizeHint(self) -> QSize:
        return self.minimumSizeHint()

    def hasHeightForWidth(self) -> bool:
        return False

    # ---- catalogue ----------------------------------------------------------------------------

    def _catalogue_read(self, future: Future[Checked]) -> None:
        error = future.exception()
        if error is not None:
            log.error("the e-services catalogue could not be read", exc_info=error)
            return
        checked = future.result()
        for problem in checked.errors:
            log.error("an e-service cannot be offered: %s", problem, extra={"service": "eservices"})
        self.catalogue = checked.catalogue
        self.list.set_catalogue(checked.catalogue)
        if self._opening is not None:
            self.open_service(self._opening)
            return
        first = self.list.first_button()
        if first is not None and self.stack.currentWidget() is self.list_area:
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    def open_service(self, service_id: str) -> None:
        catalogue = self.catalogue
        if catalogue is None:
            self._opening = service_id  # asked for before the catalogue was read: once it is
            return
        service = catalogue.service(service_id)
        if service is None:
            return
        allow_http = self.ctx.config.browser.allow_plain_http
        self.web.guard.policy = WebPolicy.for_service(
            catalogue, service, allow_plain_http=allow_http
        )
        self.ctx.sessions.eservice_opened(service.id)
        log.info("e-service opened", extra={"service": "eservices", "state": service.id})
        self.stack.setCurrentWidget(self.browser)
        self.browser.open(service)
        self.browser.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_list(self) -> None:
        self.browser.close_popup()
        self.stack.setCurrentWidget(self.list_area)
        self.list.search.clear()
        first = self.list.first_button()
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    def _documents(self) -> list[tuple[str, Path]]:
        """The visit's documents a page's file field may be given, as the citizen knows them."""
        if self.ctx.sessions.current is None:
            return []
        found = visit_documents(self.ctx.visit)
        return [(d.text(self.ui.language, self.ui.t), d.attachment.path) for d in found]

    def _language(self) -> None:
        if not self.web.closed:
            self.web.set_language(self.ui.language)

    # ---- downloads ----------------------------------------------------------------------------

    @property
    def limit_bytes(self) -> int:
        return self.ctx.config.browser.max_download_mb * 1024 * 1024

    def _download(self, request: QWebEngineDownloadRequest) -> None:
        service = self.browser.service
        refusal = downloads.offered(
            request.mimeType(), request.suggestedFileName(), request.totalBytes(), self.limit_bytes
        )
        if refusal is not None or service is None:
            request.cancel()
            log.info(
                "e-service download refused",
                extra={"reason": (refusal or downloads.DownloadRefusal.NOT_PDF).value},
            )
            self._say(texts.NOT_SAVED[refusal or downloads.DownloadRefusal.NOT_PDF])
            return
        folder = Path(self.web.profile.downloadPath())
        taken = {d.name for d in self.ctx.visit.downloads} | {p.name for p in self._pending()}
        name = downloads.file_name(request.suggestedFileName(), taken)
        request.setDownloadDirectory(str(folder))
        request.setDownloadFileName(name)
        pending = Download(folder / name, name, service.id)
        self._waiting[request] = pending
        request.isFinishedChanged.connect(self._download_finished)
        request.accept()
        self._say(texts.SAVING, name=name)

    def save_page(self) -> None:
        """The page as shown, as a PDF among the visit's documents."""
        service = self.browser.service
        page = self.browser.page
        if service is None or self._saving is not None:
            return
        title = page.title().strip() or page.url().host() or service.name(self.ui.language)
        taken = {d.name for d in self.ctx.visit.downloads} | {p.name for p in self._pending()}
        name = downloads.file_name(title, taken)
        self._saving = Download(Path(self.web.profile.downloadPath()) / name, name, service.id)
        page.pdfPrintingFinished.connect(self._page_saved)
        page.printToPdf(str(self._saving.pdf))
        self._say(texts.SAVING, name=name)

    def _page_saved(self, path: str, ok: bool) -> None:
        pending, self._saving = self._saving, None
        self.browser.page.pdfPrintingFinished.disconnect(self._page_saved)
        if pending is None:
            return
        if not ok:
            log.error("an e-service page could not be saved as a PDF")
            self._say(texts.NOT_SAVED[downloads.DownloadRefusal.BROKEN])
            return
        self._check(pending, texts.PAGE_SAVED)

    def _check(self, pending: Download, saved: str) -> None:
        future = self.ctx.run_blocking(downloads.received, pending.pdf, self.limit_bytes)
        self._checking[future] = (pending, saved)
        self.ctx.bridge.when_done(future, self._download_checked)

    def _pending(self) -> list[Path]:
        checking = [pending for pending, _saved in self._checking.values()]
        saving = [self._saving] if self._saving is not None else []
        return [d.pdf for d in (*self._waiting.values(), *checking, *saving)]

    def _download_finished(self) -> None:
        for request, pending in list(self._waiting.items()):
            if not shiboken6.isValid(request) or not request.isFinished():
                continue
            del self._waiting[request]
            if request.state() != QWebEngineDownloadRequest.DownloadState.DownloadCompleted:
                log.info(
                    "e-service download failed",
                    extra={"reason": request.interruptReasonString()[:80]},
                )
                self._say(texts.NOT_SAVED[downloads.DownloadRefusal.BROKEN])
                continue
            self._check(pending, texts.SAVED)

    def _download_checked(self, future: Future[downloads.DownloadRefusal | None]) -> None:
        pending, saved = self._checking.pop(future)
        error = future.exception()
        refusal = downloads.DownloadRefusal.BROKEN if error is not None else future.result()
        if refusal is not None:
            log.info("e-service download refused", extra={"reason": refusal.value})
            self._say(texts.NOT_SAVED[refusal])
            return
        if self.ctx.sessions.current is None:
            return
        self.ctx.visit.downloads.append(pending)
        self.ctx.sessions.outcome("eservices", "downloaded")
        self._say(saved, name=pending.name)

    def _say(self, message: str, **values: object) -> None:
        text = self.ui.t(message).format(mb=self.ctx.config.browser.max_download_mb, **values)
        self.browser.banner.setText(text)
        self.browser.banner.show()

    def release(self) -> None:
        """Leaving E-services for the home screen: the profile stays for the session."""
        self.web.guard.policy = None
