"""QtWebEngine under the kiosk's rules: one off-the-record profile per session, every request
asked of the e-service's `WebPolicy`, every permission denied, no window of its own.

`WebSession` is the session's browser: made when the citizen first opens an e-service, kept
while the session lasts (so a login holds from one service page to the next) and destroyed at
its end with its cookies, storage, cache and history, all of which were only ever in memory.
Its pages are `KioskPage`s, which refuse navigations the policy refuses (the screen then shows
the kiosk's own page), deny what a page asks for (location, camera, microphone, notifications,
clipboard, full screen, files), reject certificate errors without a way past them, and hand a
new window to the screen instead of opening one.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, QTimer, QUrl, Signal
from PySide6.QtWebEngineCore import (
    QWebEngineCertificateError,
    QWebEngineDownloadRequest,
    QWebEnginePage,
    QWebEnginePermission,
    QWebEngineProfile,
    QWebEngineSettings,
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
)
from PySide6.QtWidgets import QApplication

from kiosk.web.policy import BLANK, Refusal, WebPolicy

log = logging.getLogger(__name__)

Attribute = QWebEngineSettings.WebAttribute
#: What a kiosk page may and may not do, beyond the profile's defaults.
SETTINGS: dict[QWebEngineSettings.WebAttribute, bool] = {
    Attribute.JavascriptEnabled: True,
    Attribute.LocalStorageEnabled: True,
    # A page's window.open() and target=_blank become a panel inside the screen (createWindow).
    Attribute.JavascriptCanOpenWindows: True,
    Attribute.JavascriptCanAccessClipboard: False,
    Attribute.JavascriptCanPaste: False,
    Attribute.AllowWindowActivationFromJavaScript: False,
    Attribute.LocalContentCanAccessFileUrls: False,
    Attribute.LocalContentCanAccessRemoteUrls: False,
    Attribute.AllowRunningInsecureContent: False,
    Attribute.AllowGeolocationOnInsecureOrigins: False,
    Attribute.FullScreenSupportEnabled: False,
    Attribute.ScreenCaptureEnabled: False,
    Attribute.PluginsEnabled: False,
    # A PDF is downloaded into the visit's documents, not shown by Chromium's viewer.
    Attribute.PdfViewerEnabled: False,
    # The kiosk shows its own words for a failed load.
    Attribute.ErrorPageEnabled: False,
    # Dropping a link or a file on the page must not navigate it.
    Attribute.NavigateOnDropEnabled: False,
    # No lookups or pings of hosts the citizen has not gone to.
    Attribute.DnsPrefetchEnabled: False,
    Attribute.HyperlinkAuditingEnabled: False,
    Attribute.WebRTCPublicInterfacesOnly: True,
    Attribute.TouchIconsEnabled: False,
    Attribute.FocusOnNavigationEnabled: True,
    Attribute.ShowScrollBars: True,
    Attribute.PlaybackRequiresUserGesture: True,
}

_sandbox_said = False


def prepare_environment(as_root: bool | None = None) -> None:
    """Before QtWebEngine starts: no remote debugging, and Chromium's sandbox off only where it
    cannot run (as root: the tests and the demo), said once in the log. A kiosk in use runs as
    its own user with the sandbox on."""
    global _sandbox_said
    os.environ.pop("QTWEBENGINE_REMOTE_DEBUGGING", None)
    root = os.geteuid() == 0 if as_root is None else as_root
    if root:
        os.environ["QTWEBENGINE_DISABLE_SANDBOX"] = "1"
        if not _sandbox_said:
            _sandbox_said = True
            log.warning(
                "the e-services browser runs without Chromium's sandbox (running as root)",
                extra={"reason": "root"},
            )


class RequestGuard(QWebEngineUrlRequestInterceptor):
    """Asks the policy about every request of the profile's pages; a refused one is blocked
    before it leaves the box. No policy (between services) refuses everything."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.policy: WebPolicy | None = None
        #: Requests blocked since the profile was made, by reason (for the log and the tests).
        self.blocked: dict[Refusal, int] = {}

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:
        policy = self.policy
        url = info.requestUrl().toString()
        refusal = Refusal.OFF_LIST if policy is None else policy.request(url)
        if refusal is None:
            return
        info.block(True)
        self.blocked[refusal] = self.blocked.get(refusal, 0) + 1
        # No address in the log: it could carry what the citizen typed.
        log.info(
            "e-service request blocked",
            extra={"reason": refusal.value, "code": info.resourceType().name},
        )


class KioskPage(QWebEnginePage):
    #: A navigation of the page itself was refused: (the address, why).
    refused = Signal(str, object)
    #: The certificate of a page's host was not valid: the load was stopped.
    certificate_failed = Signal(str)

    def __init__(self, session: WebSession, parent: QObject | None = None) -> None:
        super().__init__(session.profile, parent)
        self._session = session
        #: Asked when the page opens a new window (window.open, target=_blank) with the new
        #: window's page: True when the screen shows it (in a panel of its own). None refuses.
        self.on_popup: Callable[[KioskPage], bool] | None = None
        #: Shows a page's message (alert) in the kiosk's own words and panel; None: dropped.
        self.on_message: Callable[[str], None] | None = None
        #: Lets the citizen choose files of the visit for a page's file field (True: more than
        #: one may be chosen) and gives their paths; None gives none. Never a file dialog.
        self.on_choose_files: Callable[[bool], list[str]] | None = None
        #: Asks the citizen a page's question (confirm, and "leave this page?") in the kiosk's
        #: own panel and gives the answer; None answers no.
        self.on_question: Callable[[str], bool] | None = None
        self.permissionRequested.connect(self._deny)
        self.fileSystemAccessRequested.connect(lambda request: request.reject())
        self.fullScreenRequested.connect(lambda request: request.reject())
        self.registerProtocolHandlerRequested.connect(lambda request: request.reject())
        self.certificateError.connect(self._certificate_error)
        self.desktopMediaRequested.connect(lambda request: request.cancel())
        self.selectClientCertificate.connect(lambda selection: selection.selectNone())

    def acceptNavigationRequest(
        self, url: QUrl | str, kind: QWebEnginePage.NavigationType, is_main_frame: bool
    ) -> bool:
        address = url.toString() if isinstance(url, QUrl) else url
        policy = self._session.guard.policy
        if policy is None:
            # Between services only the empty page, which readies the page's renderer.
            refusal = None if address == BLANK else Refusal.OFF_LIST
        else:
            refusal = policy.navigation(address)
        if refusal is None:
            return True
        log.info("e-service navigation refused", extra={"reason": refusal.value})
        if is_main_frame:
            self.refused.emit(address, refusal)
        return False

    def createWindow(  # type: ignore[override]  # None refuses the window, as in Qt's C++
        self, kind: QWebEnginePage.WebWindowType
    ) -> QWebEnginePage | None:
        if self.on_popup is None:
            log.info("e-service window refused", extra={"code": kind.name})
            return None
        page = self._session.new_page(self.parent())
        if self.on_popup(page):
            return page
        page.deleteLater()
        return None

    def javaScriptConsoleMessage(
        self,
        level: QWebEnginePage.JavaScriptConsoleMessageLevel,
        message: str,
        line: int,
        source: str,
    ) -> None:
        # A page's console may hold what the citizen typed: it goes nowhere.
        return

    # A page's dialogs: Qt's own would be windows of their own over the kiosk's.

    def javaScriptAlert(self, origin: QUrl | str, message: str) -> None:
        if self.on_message is not None:
            self.on_message(message)

    def javaScriptConfirm(self, origin: QUrl | str, message: str) -> bool:
        return self.on_question(message) if self.on_question is not None else False

    def chooseFiles(
        self,
        mode: QWebEnginePage.FileSelectionMode,
        old_files: Sequence[str],
        accepted: Sequence[str],
    ) -> list[str]:
        # Qt's own would be a file dialog over the kiosk's files: the visit's documents instead.
        if self.on_choose_files is None:
            return []
        return self.on_choose_files(mode == QWebEnginePage.FileSelectionMode.FileSelectOpenMultiple)

    def javaScriptPrompt(self, origin: QUrl | str, message: str, default: str) -> tuple[bool, str]:
        # A question to type an answer to has no place in the kiosk's panel: refused, as a
        # browser with prompts turned off would.
        log.info("e-service text prompt refused")
        return False, ""

    def _deny(self, permission: QWebEnginePermission) -> None:
        # Answered once the request has been made in full: a camera request answered from
        # inside its own signal fails with an error instead of a refusal.
        QTimer.singleShot(0, permission.deny)
        self._session.denied.append(permission.permissionType().name)
        log.info("e-service permission denied", extra={"code": permission.permissionType().name})

    def _certificate_error(self, error: QWebEngineCertificateError) -> None:
        # No way past a bad certificate: the load stops and the screen says so.
        error.rejectCertificate()
        log.warning("e-service certificate refused", extra={"code": error.type().name})
        self.certificate_failed.emit(error.url().host())


class WebSession(QObject):
    """The session's browser profile, its request guard and its downloads' folder."""

    #: A page asked to download a file: the screen decides (kiosk.web.downloads).
    download = Signal(object)

    def __init__(self, downloads: Path, language: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        prepare_environment()
        # No storage name: off the record, everything in memory. Parented to the application so
        # that it outlives its pages, which are deleted first when the session ends.
        app = QApplication.instance()
        self.profile = QWebEngineProfile(app)
        assert self.profile.isOffTheRecord()
        self.profile.setHttpCacheType(QWebEngineProfile.HttpCacheType.MemoryHttpCache)
        self.profile.setPersistentCookiesPolicy(
            QWebEngineProfile.PersistentCookiesPolicy.NoPersistentCookies
        )
        self.profile.setPersistentPermissionsPolicy(
            QWebEngineProfile.PersistentPermissionsPolicy.AskEveryTime
        )
        self.profile.setSpellCheckEnabled(False)
        self.profile.setDownloadPath(str(downloads))
        self.set_language(language)
        settings = self.profile.settings()
        for attribute, on in SETTINGS.items():
            settings.setAttribute(attribute, on)
        self.guard = RequestGuard(self.profile)
        self.profile.setUrlRequestInterceptor(self.guard)
        self.profile.downloadRequested.connect(self._download)
        self.pages: list[KioskPage] = []
        #: Page dialogs waiting for the citizen's answer (their pages must outlive them).
        self.dialogs = 0
        #: What pages asked for and were refused, by permission type's name, in order.
        self.denied: list[str] = []
        #: Called first when the session ends: views let go of their pages before they go.
        self.on_close: list[Callable[[], None]] = []
        self.closed = False

    def set_language(self, language: str) -> None:
        """Pages in the citizen's language where the site has it, then Finnish and English."""
        order = {"fi": "fi,sv;q=0.8,en;q=0.6", "sv": "sv,fi;q=0.8,en;q=0.6"}
        self.profile.setHttpAcceptLanguage(order.get(language, "en,fi;q=0.8,sv;q=0.6"))

    def new_page(self, parent: QObject | None = None) -> KioskPage:
        page = KioskPage(self, parent)
        self.pages.append(page)
        page.destroyed.connect(lambda _=None, page=page: self._forget(page))
        return page

    def _forget(self, page: KioskPage) -> None:
        if page in self.pages:
            self.pages.remove(page)

    def _download(self, request: QWebEngineDownloadRequest) -> None:
        self.download.emit(request)

    def close(self) -> None:
        """Destroy the profile and all it held: the views showing its pages, the pages (Qt
        insists they go first), then the profile."""
        if self.closed:
            return
        self.closed = True
        self.guard.policy = None
        hooks, self.on_close = self.on_close, []
        for hook in hooks:
            try:
                hook()
            except Exception:
                log.exception("an e-services view could not let go of its page")
        # A page whose dialog is still on the stack goes once it has returned, and the profile
        # after it (deferred deletions run in the order they were asked for).
        later = self.dialogs > 0
        for page in list(self.pages):
            if shiboken6.isValid(page):
                if later:
                    page.deleteLater()
                else:
                    shiboken6.delete(page)
        self.pages.clear()
        if shiboken6.isValid(self.profile):
            self.profile.setUrlRequestInterceptor(None)  # type: ignore[arg-type]
            if later:
                self.profile.deleteLater()
            else:
                shiboken6.delete(self.profile)
