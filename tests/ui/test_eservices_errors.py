"""An e-service through strong identification and back, and the kiosk's own words when a
service cannot be reached or its certificate is not valid (no way past it)."""

from __future__ import annotations

import datetime
import http.server
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from copy import deepcopy
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.config import Config
from kiosk.ui.window import KioskWindow
from tests.conftest import FakeClock
from tests.peers.websites import Websites, websites_fixture  # noqa: F401 - used by name
from tests.ui.conftest import flush_deletes, open_window
from tests.ui.eservices import (
    BROWSER_TOML,
    cache_catalogue,
    eservices_config_fixture,  # noqa: F401 - used by name
    js,
    open_eservices,
    open_page,
    start_session,
    wait_text,
    web_window_fixture,  # noqa: F401 - used by name
)


def test_strong_identification_on_its_own_site_and_back_to_the_service(
    qtbot: QtBot, web_window: KioskWindow, websites: Websites
) -> None:
    screen = open_page(qtbot, web_window)
    browser = screen.browser
    page = browser.page
    with qtbot.waitSignal(page.loadFinished, timeout=20_000):
        js(qtbot, page, "document.getElementById('login').click(); true")
    qtbot.waitUntil(lambda: page.url().host() == "ident.test")
    # The bar says where the citizen really is: the identification service's host.
    qtbot.waitUntil(lambda: browser.host.full_text().startswith("ident.test"))
    with qtbot.waitSignal(page.loadFinished, timeout=20_000):
        js(qtbot, page, "document.getElementById('confirm').click(); true")
    qtbot.waitUntil(lambda: page.url().toString() == websites.url("/"), timeout=20_000)
    state = wait_text(qtbot, page, "status", bool)
    assert "You are logged in" in state
    assert websites.identification_log.find("/authorize")
    assert websites.offlist_count() == 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def with_service(
    catalogue: dict[str, object], service_id: str, start_url: str
) -> dict[str, object]:
    """The catalogue with one more service, at `start_url` (its origin is its own)."""
    changed = deepcopy(catalogue)
    services = changed["services"]
    assert isinstance(services, list)
    extra = deepcopy(services[0])
    extra.update(id=service_id, start_url=start_url, origins=[])
    services.append(extra)
    return changed


@pytest.fixture
def make_window(
    qtbot: QtBot, make_config: Callable[..., Config], clock: FakeClock
) -> Iterator[Callable[[dict[str, object]], KioskWindow]]:
    windows: list[Iterator[KioskWindow]] = []

    def make(catalogue: dict[str, object]) -> KioskWindow:
        config = make_config(BROWSER_TOML)
        cache_catalogue(config.data_dir, catalogue)
        opened = open_window(qtbot, config, clock)
        windows.append(opened)
        return next(opened)

    yield make
    for opened in windows:
        for _ in opened:
            pass


def open_by_id(qtbot: QtBot, window: KioskWindow, service_id: str) -> object:
    start_session(qtbot, window)
    screen = open_eservices(qtbot, window)
    qtbot.mouseClick(screen.list.buttons[service_id], Qt.MouseButton.LeftButton)
    return screen


def test_a_service_that_does_not_answer_is_said_in_plain_words_with_try_again(
    qtbot: QtBot, make_window: Callable[[dict[str, object]], KioskWindow], websites: Websites
) -> None:
    port = free_port()  # nothing listens there
    catalogue = with_service(websites.catalogue(), "down", f"http://eservice.test:{port}/")
    window = make_window(catalogue)
    screen = open_by_id(qtbot, window, "down")
    browser = screen.browser  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: browser.stack.currentWidget() is browser.notice_area, timeout=20_000)
    assert browser.notice.title.text() == "The page could not be loaded"
    assert browser.notice.again_button.isVisible()
    assert browser.notice.back_button.isVisible()


@pytest.fixture(name="bad_certificate_site")
def bad_certificate_site_fixture(tmp_path: Path) -> Iterator[str]:
    """An HTTPS site whose certificate nobody vouches for (self-signed), on eservice.test."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "eservice.test")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("eservice.test")]), False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    seen: list[str] = []

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<title>should never show</title>")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, name="bad-certificate-site")
    thread.start()
    try:
        yield f"https://eservice.test:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
    assert seen == [], "the page's request must never be sent over the untrusted connection"


def test_a_certificate_that_is_not_valid_stops_the_page_with_no_way_past(
    qtbot: QtBot,
    make_window: Callable[[dict[str, object]], KioskWindow],
    websites: Websites,
    bad_certificate_site: str,
) -> None:
    catalogue = with_service(websites.catalogue(), "bad-tls", bad_certificate_site)
    window = make_window(catalogue)
    screen = open_by_id(qtbot, window, "bad-tls")
    browser = screen.browser  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: browser.stack.currentWidget() is browser.notice_area, timeout=20_000)
    assert browser.notice.title.text() == "The page was not opened"
    assert "certificate could not be verified" in browser.notice.text.text()
    assert not browser.notice.again_button.isVisible()


def test_a_pages_message_and_question_come_in_the_kiosks_own_panel(
    qtbot: QtBot, web_window: KioskWindow, websites: Websites
) -> None:
    screen = open_page(qtbot, web_window)
    browser = screen.browser
    seen: list[tuple[bool, str]] = []

    def answer() -> None:
        shown = browser.stack.currentWidget() is browser.question_area
        seen.append((shown, browser.question.text.text()))
        qtbot.mouseClick(browser.question.ok_button, Qt.MouseButton.LeftButton)

    # The page waits for the answer, as for a browser's own dialog.
    QTimer.singleShot(300, answer)
    assert js(qtbot, browser.page, "confirm('Lähetetäänkö hakemus?')") is True
    assert seen == [(True, "Lähetetäänkö hakemus?")]
    assert browser.stack.currentWidget() is browser.view
    QTimer.singleShot(
        300, lambda: qtbot.mouseClick(browser.question.cancel_button, Qt.MouseButton.LeftButton)
    )
    assert js(qtbot, browser.page, "confirm('Poistetaanko?')") is False
    # A message is shown under the bar, as plain text, and the page goes on at once.
    assert js(qtbot, browser.page, "alert('<b>Tallennettu</b>'); 'went on'") == "went on"
    assert browser.banner.text() == "The page says: <b>Tallennettu</b>"
    assert browser.banner.textFormat() == Qt.TextFormat.PlainText
    # A question to type into is refused: the page gets no answer (nothing typed).
    assert not js(qtbot, browser.page, "prompt('Nimi?', 'x')")
    # None of it was a window of its own.
    assert [w for w in QApplication.topLevelWidgets() if w.isVisible()] == [web_window]


def test_the_sessions_end_answers_a_question_left_open(
    qtbot: QtBot, web_window: KioskWindow, websites: Websites
) -> None:
    screen = open_page(qtbot, web_window)
    frame = web_window.frame
    assert frame is not None
    QTimer.singleShot(300, lambda: qtbot.mouseClick(frame.end_button, Qt.MouseButton.LeftButton))
    screen.browser.page.runJavaScript("window.answer = confirm('Lähdetäänkö?')", 0)
    qtbot.waitUntil(lambda: web_window.kiosk.session.current is None)
    flush_deletes()
    # The next citizen's session opens E-services as ever.
    screen = open_page(qtbot, web_window)
    assert js(qtbot, screen.browser.page, "typeof window.answer") == "undefined"
