"""A citizen at a line nobody answers asks for a callback on the kiosk's screen, in Finnish,
Swedish and English, against the hub as it runs: the apology offers it, the form checks the
phone number, the topics and times are the hub's in the citizen's language, and the reference
is shown as soon as the request is sealed in the outbox; kiosk-agent then delivers it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from kiosk.appointments.contact import NOT_A_CONTACT
from kiosk.outbox import open_sealed
from kiosk.ui.screens.video.callback import CallbackForm
from kiosk.ui.window import KioskWindow
from tests.conftest import HUB_KEY
from tests.hubcalls.appointment_screens import (
    LEFT,
    WAIT_MS,
    activate,
    click,
    offer_at_a_dead_end,
    open_advice,
    shoot,
)
from tests.hubcalls.conftest import LINE, Site
from tests.ui.conftest import open_window

#: The hub's names of the topic and the time chosen, in each language.
HOUSING = {"fi": "Asuminen", "sv": "Boende", "en": "Housing"}


@pytest.fixture
def window(qtbot: QtBot, site: Site) -> Iterator[KioskWindow]:
    yield from open_window(qtbot, site.config)


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_a_callback_is_asked_where_nobody_answers_and_its_reference_shown(
    qtbot: QtBot, window: KioskWindow, site: Site, language: str
) -> None:
    screen = open_advice(qtbot, window, language)
    desk = offer_at_a_dead_end(qtbot, screen)
    shoot(window, "advice-offer")
    offer = desk.offers[screen.sorry_page]
    click(qtbot, offer.callback_button)
    page = desk.callback_page
    assert page is not None and screen.pages.currentWidget() is page
    form = page.form
    assert isinstance(form, CallbackForm)

    # A number that is no number is pointed out, with what to give instead.
    contact = form.fields["contact"]
    activate(qtbot, window)
    qtbot.mouseClick(contact.editor, LEFT)
    assert page.keyboard.isVisible()
    qtbot.keyClicks(contact.editor, "12")
    click(qtbot, form.next_button)
    assert contact.problem == NOT_A_CONTACT
    shoot(window, "advice-callback-contact")
    contact.editor.clear()
    qtbot.keyClicks(contact.editor, "040 123 4567")
    click(qtbot, form.next_button)
    assert form.page == 1

    # The hub's topics in the citizen's language; the language to call back in is theirs.
    topic = form.fields["topic"]
    assert topic.buttons["housing"].text() == HOUSING[language]  # type: ignore[attr-defined]
    click(qtbot, topic.buttons["housing"])  # type: ignore[attr-defined]
    click(qtbot, form.fields["time_of_day"].buttons["morning"])  # type: ignore[attr-defined]
    assert form.answers()["language"] == language
    shoot(window, "advice-callback-about")
    click(qtbot, form.next_button)
    assert form.on_summary
    shoot(window, "advice-callback-summary")
    click(qtbot, form.next_button)

    qtbot.waitUntil(lambda: page.sent is not None, timeout=WAIT_MS)
    sent = page.sent
    assert sent is not None
    assert page.done.reference_label.text() == sent.reference
    assert page.done.isVisible()
    shoot(window, "advice-callback-sent")

    root_outbox = screen.ctx.root.outbox
    assert root_outbox is not None
    pending = screen.ctx.run_blocking(root_outbox.pending).result(30)  # not on the Qt thread
    [row] = [r for r in pending if r.kind == "callback"]
    opened = open_sealed(row.sealed, bytes(HUB_KEY))
    assert opened["reference"] == sent.reference
    assert opened["language"] == language
    assert opened["callback"] == {
        "line": LINE,
        "topic": "housing",
        "time_of_day": "morning",
        "contact": {"phone": "+358401234567"},
    }

    shipped = site.agent_once()
    assert shipped.returncode == 0, shipped.stderr
    [stored] = site.hub.rows("SELECT id, line, language FROM callbacks")
    assert stored == {"id": sent.reference, "line": LINE, "language": language}

    click(qtbot, page.done.done_button)
    assert window.frame is not None and window.frame.advice_screen is None
