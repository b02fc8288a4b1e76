"""How the video-advice list puts a line's state in words: when a closed line opens (today,
tomorrow, or the weekday with its date, in Helsinki time and the citizen's language), advisors
free, the queue and its wait, nobody there."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from kiosk.i18n import Catalogue
from kiosk.ui.screens.video import texts as T
from kiosk.video.advice import LineState
from tests.ui.advice_double import STATE_LINES

CATALOGUE = Catalogue()
#: Monday 13 January 2025, 22:30 in Helsinki (20:30 UTC): late enough that UTC and Helsinki
#: disagree about the date an hour later.
NOW = datetime(2025, 1, 13, 20, 30, tzinfo=UTC)


def words(language: str) -> tuple[Callable[[str], str], Callable[[str, str, int], str]]:
    return (
        lambda message: CATALOGUE.gettext(language, message),
        lambda one, many, n: CATALOGUE.ngettext(language, one, many, n),
    )


@pytest.mark.parametrize(
    ("opens", "language", "expected"),
    [
        # 23:00 Helsinki the same day.
        (datetime(2025, 1, 13, 21, 0, tzinfo=UTC), "en", "Opens today at 23:00."),
        # 00:30 Helsinki on Tuesday, which is still Monday in UTC.
        (datetime(2025, 1, 13, 22, 30, tzinfo=UTC), "fi", "Avautuu huomenna klo 0.30."),
        (datetime(2025, 1, 14, 6, 0, tzinfo=UTC), "sv", "Öppnar i morgon kl. 8.00."),
        (datetime(2025, 1, 16, 7, 0, tzinfo=UTC), "en", "Opens on Thursday 16.1. at 9:00."),
        (datetime(2025, 1, 16, 7, 0, tzinfo=UTC), "fi", "Avautuu torstaina 16.1. klo 9.00."),
        (datetime(2025, 1, 20, 7, 0, tzinfo=UTC), "sv", "Öppnar måndag 20.1. kl. 9.00."),
    ],
)
def test_the_next_opening_from_where_the_citizen_stands(
    opens: datetime, language: str, expected: str
) -> None:
    t, _ = words(language)
    assert T.opening_text(t, language, opens, NOW) == expected


def test_each_state_in_a_sentence() -> None:
    t, nt = words("en")
    available, busy, unstaffed, closed = STATE_LINES
    # Every open line says all four facts: open, advisors free, people waiting, the wait.
    assert T.state_text(nt, t, "en", available, NOW) == (
        "Open now: 2 advisors are free. Nobody is waiting. Estimated wait: less than a minute."
    )
    one = replace(available, advisors_free=1)
    assert T.state_text(nt, t, "en", one, NOW).startswith("Open now: 1 advisor is free. ")
    assert T.state_text(nt, t, "en", busy, NOW) == (
        "Open now, but all advisors are busy. 3 people are waiting. "
        "Estimated wait: about 7 minutes."
    )
    nobody_waiting = replace(busy, waiting=0, estimated_wait_s=30)
    assert T.state_text(nt, t, "en", nobody_waiting, NOW) == (
        "Open now, but all advisors are busy. You would be first in the queue. "
        "Estimated wait: less than a minute."
    )
    assert T.state_text(nt, t, "en", unstaffed, NOW) == (
        "Open, but no advisor is available right now. By phone: 020\u00a0692\u00a0207"
    )
    assert T.state_text(nt, t, "en", closed, NOW) == "Closed now. Opens tomorrow at 9:00."
    never = replace(closed, next_opening=None)
    assert T.state_text(nt, t, "en", never, NOW) == "Closed now."
    # A hub that says only "open": no more than that.
    unknown = replace(available, state=LineState.UNKNOWN)
    assert T.state_text(nt, t, "en", unknown, NOW) == "Open now."


def test_finnish_and_swedish_plurals() -> None:
    _, busy, _, _ = STATE_LINES
    t, nt = words("fi")
    one = replace(busy, waiting=1, estimated_wait_s=200)
    assert T.state_text(nt, t, "fi", one, NOW) == (
        "Avoinna, mutta kaikki neuvojat ovat varattuina. Jonossa on 1 henkilö. "
        "Arvioitu odotusaika: noin 4 minuuttia."
    )
    t, nt = words("sv")
    assert T.state_text(nt, t, "sv", busy, NOW).startswith(
        "Öppet, men alla rådgivare är upptagna. 3 personer väntar."
    )
