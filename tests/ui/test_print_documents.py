"""Print offers every document of the visit (its scans, and the copies of the forms it sent
where the form allows a copy), each with its name, page count and a picture of its first page,
shows the pages larger on request, and prints the one chosen. A finished print says so, with
Done; printing again is a separate choice that states its price, so nobody pays twice."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.config import Config
from kiosk.payments.journal import PaymentState
from kiosk.ui.screens.forms import FormsScreen
from kiosk.ui.screens.print import PrintScreen
from kiosk.ui.screens.scan import ScanScreen
from kiosk.ui.window import KioskWindow
from tests.ui.test_paid_print import PRICED, journal_states, open_print
from tests.ui.test_print import printed_files, scan_a_page


@pytest.fixture
def config(make_config: Callable[..., Config], tmp_path: Path) -> Config:
    return make_config(printer_output_dir=tmp_path / "printed")


def go_home(window: KioskWindow) -> None:
    frame = window.frame
    assert frame is not None
    frame.show_home()


def open_service(qtbot: QtBot, window: KioskWindow, tile: str) -> object:
    frame = window.frame
    assert frame is not None
    qtbot.mouseClick(frame.home.tiles[tile], Qt.MouseButton.LeftButton)
    return frame.service_screen


def scan_again(qtbot: QtBot, window: KioskWindow) -> None:
    """In the session under way: Scan, capture and keep a page, Finish."""
    scan = open_service(qtbot, window, "scan")
    assert isinstance(scan, ScanScreen)
    qtbot.waitUntil(lambda: not scan.picture.pixmap().isNull(), timeout=10_000)
    qtbot.mouseClick(scan.capture_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: scan.buttons.currentWidget() is scan.review_row, timeout=10_000)
    qtbot.mouseClick(scan.keep_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: scan.done_button.isEnabled(), timeout=10_000)
    qtbot.mouseClick(scan.done_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: scan.buttons.currentWidget() is scan.ready_row, timeout=10_000)


def test_print_offers_the_visits_documents_and_a_preview_of_their_pages(
    qtbot: QtBot, window: KioskWindow
) -> None:
    # Two scans…
    scan = scan_a_page(qtbot, window, "scan", "en")
    qtbot.waitUntil(lambda: scan.buttons.currentWidget() is scan.ready_row, timeout=10_000)
    go_home(window)
    scan_again(qtbot, window)
    go_home(window)
    # …and two sent forms: feedback allows the sender a copy, a library card application not.
    forms = open_service(qtbot, window, "forms")
    assert isinstance(forms, FormsScreen)
    feedback = forms.submit_answers(forms.definition("helsinki-feedback"), {}).result(10).reference
    card = forms.submit_answers(forms.definition("library-card"), {}).result(10).reference
    go_home(window)

    screen = open_service(qtbot, window, "print")
    assert isinstance(screen, PrintScreen)
    qtbot.waitUntil(
        lambda: len(screen.chooser.rows) == 3 and all(d.pages for d in screen.chooser.documents)
    )
    names = [row.name.text() for row in screen.chooser.rows]
    assert names[:2] == ["Scanned document 1", "Scanned document 2"]
    assert names[2].endswith(f"reference {feedback}") and card not in " ".join(names)
    assert [row.pages.text() for row in screen.chooser.rows] == ["1 page"] * 3
    # A picture of each document's first page: a page, white around its text.
    for document in screen.chooser.documents:
        assert document.thumbnail is not None and not document.thumbnail.isNull()
    for row in screen.chooser.rows:
        assert row.isVisible() and not row.picture.pixmap().isNull()
    # The newest scan is chosen to begin with, and says so in words.
    assert screen.chooser.chosen == 1 and screen.chooser.rows[1].mark.text() == "✓ Chosen"
    assert not screen.chooser.rows[0].mark.isVisible()

    # The form's pages, larger, then back to the choice.
    qtbot.mouseClick(screen.chooser.rows[2].preview_button, Qt.MouseButton.LeftButton)
    preview = screen.chooser.preview
    assert preview.isVisible() and not screen.chooser.rows[0].isVisible()
    qtbot.waitUntil(lambda: preview.pictures is not None, timeout=20_000)
    assert preview.position.text() == "Page 1 of 1"
    assert preview.pictures is not None and preview.pictures[0] is not None
    assert not preview.picture.pixmap().isNull()
    assert preview.picture.pixmap().height() > 2 * screen.chooser.rows[2].picture.pixmap().height()
    qtbot.mouseClick(preview.close_button, Qt.MouseButton.LeftButton)
    assert not preview.isVisible() and screen.chooser.rows[2].isVisible()
    assert screen.chooser.chosen == 2 and screen.chooser.rows[2].mark.isVisible()

    # Print the chosen one: the form's copy is what comes out.
    qtbot.mouseClick(screen.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Printed 1 page" in screen.message.text(), timeout=20_000)
    [printed] = printed_files(window)
    assert printed.read_bytes() == screen.chooser.documents[2].path.read_bytes()


@pytest.mark.kiosk_config(PRICED.replace("free_pages = 1", "free_pages = 0"))
def test_a_paid_print_ends_with_done_and_printing_again_states_its_price(
    qtbot: QtBot, window: KioskWindow
) -> None:
    screen = open_print(qtbot, window)
    assert screen.print_button.text() == "Pay and print"
    qtbot.mouseClick(screen.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Printed 1 page" in screen.message.text(), timeout=20_000)
    qtbot.waitUntil(lambda: journal_states(window) == [PaymentState.DELIVERED], timeout=10_000)
    # Done is the way on; "Pay and print" is gone, so tapping on again cannot pay twice.
    assert screen.message.text().startswith("✓ ")
    assert not screen.print_button.isVisible()
    assert screen.done_button.isVisible() and screen.done_button.text() == "Done"
    assert screen.done_button.hasFocus()
    assert screen.again_button.isVisible()
    assert screen.again_button.text() == "Print again: €0.20"

    # Printing again is a choice of its own and asks for the money it said.
    qtbot.mouseClick(screen.again_button, Qt.MouseButton.LeftButton)
    assert screen.payment.isVisible() and screen.payment.amount.text() == "To pay: €0.20"
    qtbot.waitUntil(lambda: screen.done_button.isVisible(), timeout=20_000)
    qtbot.waitUntil(lambda: journal_states(window) == [PaymentState.DELIVERED] * 2, timeout=10_000)
    frame = window.frame
    assert frame is not None
    qtbot.mouseClick(screen.done_button, Qt.MouseButton.LeftButton)
    assert frame.service_id is None
    assert len(journal_states(window)) == 2


def test_a_single_scan_shows_its_first_page_and_its_pages_on_request(
    qtbot: QtBot, window: KioskWindow
) -> None:
    screen = open_print(qtbot, window)
    [row] = screen.chooser.rows
    qtbot.waitUntil(lambda: screen.chooser.documents[0].thumbnail is not None, timeout=10_000)
    assert row.isVisible() and not row.picture.pixmap().isNull()
    assert row.name.text() == "Scanned document 1" and row.pages.text() == "1 page"
    assert not row.mark.isVisible()  # nothing else to choose from
    qtbot.mouseClick(row.preview_button, Qt.MouseButton.LeftButton)
    preview = screen.chooser.preview
    qtbot.waitUntil(lambda: preview.pictures is not None, timeout=20_000)
    assert screen.message.text() == "This is how the pages look on paper."
    assert not screen.print_button.isVisible()  # the pages first, then back to printing
    qtbot.mouseClick(preview.close_button, Qt.MouseButton.LeftButton)
    assert screen.print_button.isVisible() and screen.message.text() == "Your scan: 1 page"


def test_a_visit_with_only_a_sent_form_prints_its_copy(qtbot: QtBot, window: KioskWindow) -> None:
    qtbot.mouseClick(window.attract.language_buttons["en"], Qt.MouseButton.LeftButton)
    forms = open_service(qtbot, window, "forms")
    assert isinstance(forms, FormsScreen)
    forms.submit_answers(forms.definition("helsinki-feedback"), {}).result(10)
    go_home(window)
    screen = open_service(qtbot, window, "print")
    assert isinstance(screen, PrintScreen)
    qtbot.waitUntil(lambda: screen.pages == 1, timeout=10_000)
    assert screen.message.text() == "Your copy of a sent form: 1 page"
    qtbot.mouseClick(screen.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Printed 1 page" in screen.message.text(), timeout=20_000)
