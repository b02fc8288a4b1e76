"""A PDF an advisor sent in a video call is one of the visit's documents: Print lists it as from
the advisor, prints it free where the call's line says so (no payment asked, the price saying
why), prices it as any document where not, and E-mail offers it as an attachment."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.config import Config
from kiosk.ui.forms.fields import ChoiceFieldView
from kiosk.ui.screens.email import EmailScreen
from kiosk.ui.screens.print import PrintScreen
from kiosk.ui.window import KioskWindow
from kiosk.visit import AdvisorDocument
from tests.devices.conftest import make_pdf
from tests.ui.test_paid_print import PRICED, journal_states
from tests.ui.test_print import printed_files

LEFT = Qt.MouseButton.LeftButton
FREE_NAME = "housing-allowance-decision.pdf"
PRICED_NAME = "instructions.pdf"


@pytest.fixture
def config(make_config: Callable[..., Config], tmp_path: Path) -> Config:
    # Every page costs: no free pages for the visit.
    text = PRICED.replace("free_pages = 1", "free_pages = 0")
    return make_config(text, printer_output_dir=tmp_path / "printed")


def start_with_advisor_documents(qtbot: QtBot, window: KioskWindow) -> list[AdvisorDocument]:
    """A session whose visit holds two PDFs advisors sent: one from a line whose advisors'
    documents print free, one from a line whose do not."""
    qtbot.mouseClick(window.attract.language_buttons["en"], LEFT)
    qtbot.waitUntil(lambda: window.frame is not None)
    session = window.kiosk.session.current
    assert session is not None
    free = AdvisorDocument(make_pdf(session.folder, 2), FREE_NAME, "benefits", print_free=True)
    priced = AdvisorDocument(make_pdf(session.folder, 1), PRICED_NAME, "housing")
    session.visit.advisor_documents = [free, priced]
    return [free, priced]


def open_tile(qtbot: QtBot, window: KioskWindow, tile: str) -> object:
    frame = window.frame
    assert frame is not None
    frame.show_home()
    qtbot.mouseClick(frame.home.tiles[tile], LEFT)
    return frame.service_screen


def test_an_advisors_document_prints_free_and_can_be_e_mailed(
    qtbot: QtBot, window: KioskWindow
) -> None:
    free, priced = start_with_advisor_documents(qtbot, window)
    screen = open_tile(qtbot, window, "print")
    assert isinstance(screen, PrintScreen)
    chooser = screen.chooser
    qtbot.waitUntil(lambda: len(chooser.rows) == 2 and all(d.pages for d in chooser.documents))
    assert [row.name.text() for row in chooser.rows] == [
        f"From the advisor: {FREE_NAME}",
        f"From the advisor: {PRICED_NAME}",
    ]

    # Not a free document: priced as any other.
    chooser.choose(1)
    assert screen.price_label.text() == "Price: €0.20"
    assert screen.print_button.text() == "Pay and print"

    # The free one: two pages, two copies, and still nothing to pay.
    chooser.choose(0)
    qtbot.mouseClick(screen.more_button, LEFT)
    assert screen.cost_cents == 0
    assert screen.price_label.text() == "Free: sent by the advisor"
    assert screen.print_button.text() == "Print"
    qtbot.mouseClick(screen.print_button, LEFT)
    assert not screen.payment.isVisible()
    qtbot.waitUntil(lambda: "Printed 4 pages" in screen.message.text(), timeout=20_000)
    assert journal_states(window) == []
    assert len(printed_files(window)) == 1
    assert screen.again_button.text() == "Print again, free of charge"

    # E-mail offers both, by the same names, nothing ticked.
    email = open_tile(qtbot, window, "email")
    assert isinstance(email, EmailScreen)
    documents = email.form.fields["documents"]
    assert isinstance(documents, ChoiceFieldView)
    assert set(documents.buttons) == {"advisor-1", "advisor-2"}
    assert documents.buttons["advisor-1"].text() == f"From the advisor: {FREE_NAME}"
    assert not any(b.isChecked() for b in documents.buttons.values())
    assert [d.attachment.path for d in email.documents] == [free.pdf, priced.pdf]


def test_an_advisors_document_alone_is_said_to_be_from_the_advisor(
    qtbot: QtBot, window: KioskWindow
) -> None:
    free, _ = start_with_advisor_documents(qtbot, window)
    session = window.kiosk.session.current
    assert session is not None
    session.visit.advisor_documents = [free]
    screen = open_tile(qtbot, window, "print")
    assert isinstance(screen, PrintScreen)
    qtbot.waitUntil(lambda: screen.pages == 2)
    assert screen.message.text() == "From the advisor: 2 pages"
    assert screen.price_label.text() == "Free: sent by the advisor"
