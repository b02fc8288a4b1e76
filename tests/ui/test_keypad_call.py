"""A citizen who cannot see the screen calls an advisor on video with the keypad alone, Read
aloud on: the lines and whether they are open, the camera check before calling, the call going
out, the place in the queue and the wait, the advisor answering, the microphone switched off and
on, the end of the call and the rating, in Finnish and in Swedish. The hub is the scripted
stand-in the call screen's tests use (tests/ui/test_advice.py): the test says what the hub
would say, and reads what the kiosk asked of it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from pytestqt.qtbot import QtBot

from kiosk.config import Config
from kiosk.ui.screens.video.screen import AdviceScreen
from kiosk.ui.window import KioskWindow
from tests.conftest import FakeClock
from tests.ui.advice_double import ScriptedAdvice
from tests.ui.conftest import open_window
from tests.ui.keypad import Keypad

WORDS = {
    "fi": {
        "tile": "Videoneuvonta, painike",
        "choose": "Valitse palvelu, jonka neuvojan kanssa haluat puhua videoyhteydellä.",
        "line": "Virka-info. Avoinna nyt: 2 neuvojaa on vapaana.",
        "closed_line": "Kansalaisneuvonta. Suljettu nyt.",
        "consent": "Kun neuvoja vastaa, hän näkee ja kuulee sinut. Puhelua ei tallenneta.",
        "call": "Soita, painike",
        "calling": "Soitetaan: Virka-info…",
        "cancel": "Peru puhelu, painike",
        "third": "Olet jonossa sijalla 3. Arvioitu odotusaika: noin 7 minuuttia.",
        "next": "Olet jonossa seuraavana. Arvioitu odotusaika: alle minuutti.",
        "connected": "Puhut neuvojan kanssa: Virka-info.",
        "mic_on": "Mykistä mikrofoni, valitsin, pois.",
        "mic_off": "Mykistä mikrofoni, valitsin, päällä.",
        "muted": "Mikrofonisi on pois päältä: neuvoja ei kuule sinua.",
        "end": "Lopeta puhelu, painike",
        "ended": "Puhelu on päättynyt.",
        "rate": "Kuinka hyödyllinen puhelu oli?",
        "four": "4 tähteä, painike",
        "thanks": "Kiitos arviostasi.",
        "back": "Takaisin sinne, missä olit, painike",
        "home": "Mitä haluaisit tehdä?",
    },
    "sv": {
        "tile": "Videorådgivning, knapp",
        "choose": "Välj den tjänst vars rådgivare du vill tala med via video.",
        "line": "Virka-info. Öppet nu: 2 rådgivare är lediga.",
        "closed_line": "Medborgarrådgivningen. Stängt nu.",
        "consent": "När en rådgivare svarar ser och hör hen dig. Samtalet spelas inte in.",
        "call": "Ring, knapp",
        "calling": "Ringer till Virka-info…",
        "cancel": "Avbryt samtalet, knapp",
        "third": "Du är nummer 3 i kön. Beräknad väntetid: cirka 7 minuter.",
        "next": "Du står näst i kön. Beräknad väntetid: mindre än en minut.",
        "connected": "Du talar med en rådgivare på Virka-info.",
        "mic_on": "Stäng av mikrofonen, växlingsknapp, av.",
        "mic_off": "Stäng av mikrofonen, växlingsknapp, på.",
        "muted": "Din mikrofon är avstängd: rådgivaren hör dig inte.",
        "end": "Avsluta samtalet, knapp",
        "ended": "Samtalet har avslutats.",
        "rate": "Hur nyttigt var samtalet?",
        "four": "4 stjärnor, knapp",
        "thanks": "Tack för ditt betyg.",
        "back": "Tillbaka dit du var, knapp",
        "home": "Vad vill du göra?",
    },
}


@pytest.fixture
def advice() -> ScriptedAdvice:
    return ScriptedAdvice()


@pytest.fixture
def call_window(
    qtbot: QtBot, make_config: Callable[..., Config], clock: FakeClock, advice: ScriptedAdvice
) -> Iterator[KioskWindow]:
    """A kiosk enrolled in a hub (it has a token), whose calls go to the scripted hub."""
    base = make_config()
    config = replace(base, kiosk=replace(base.kiosk, hub_token="kiosk-token"))
    yield from open_window(qtbot, config, clock, advice)


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_a_video_call_by_keypad_alone(
    qtbot: QtBot, call_window: KioskWindow, advice: ScriptedAdvice, language: str
) -> None:
    w = WORDS[language]
    window = call_window
    keys = Keypad.at(qtbot, window)
    keys.start(language)
    frame = window.frame
    assert frame is not None

    keys.move_to(w["tile"])
    keys.press("ok")
    screen = frame.service_screen
    assert isinstance(screen, AdviceScreen)
    keys.wait_for(w["choose"], w["line"])
    keys.press("right")
    assert keys.last().startswith(w["closed_line"])
    keys.press("left")
    keys.press("ok")
    keys.wait_for(w["consent"], w["call"])
    # Back goes back to the lines (not Home), and the line is chosen again.
    preview = keys.mark()
    keys.press("back")
    keys.wait_for(w["line"], since=preview)
    keys.press("ok")
    keys.wait_for(w["consent"], w["call"], since=preview)
    # The camera's first picture, as the citizen's own picture shows before calling.
    qtbot.waitUntil(lambda: not screen.preview_view.pixmap().isNull())
    keys.press("ok")
    keys.wait_for(w["calling"], w["cancel"])
    assert advice.calls == [("virka-info", language)]

    advice.queued(3, 400)
    keys.wait_for(w["third"])
    advice.queued(1, 30)
    keys.wait_for(w["next"])
    advice.answered()
    keys.wait_for(w["connected"], w["mic_on"])
    assert screen.pages.currentWidget() is screen.call_page

    # The call's own controls by keys: the microphone off and on again, then the end.
    keys.press("ok")
    keys.wait_for(w["mic_off"], w["muted"])
    assert advice.muted is True
    keys.press("ok")
    keys.wait_for(w["mic_on"])
    assert advice.muted is False
    keys.move_to(w["end"])
    keys.press("ok")
    keys.wait_for(w["ended"], w["rate"])
    assert advice.cancels == 1
    keys.move_to(w["four"])
    keys.press("ok")
    keys.wait_for(w["thanks"], w["back"])
    assert advice.ratings == [4]
    keys.press("ok")
    keys.wait_for(w["home"])

    assert not keys.nameless(language), "every control said has a name"
    keys.said_in_order(
        [
            w["tile"],
            w["choose"],
            w["line"],
            w["closed_line"],
            w["consent"],
            w["line"],
            w["consent"],
            w["call"],
            w["calling"],
            w["cancel"],
            w["third"],
            w["next"],
            w["connected"],
            w["mic_on"],
            w["mic_off"],
            w["muted"],
            w["mic_on"],
            w["end"],
            w["ended"],
            w["rate"],
            w["four"],
            w["thanks"],
            w["back"],
            w["home"],
        ]
    )
    start = next(i for i, u in enumerate(keys.heard()) if u.startswith(w["tile"]))
    keys.said_in_order(
        [w["choose"], w["calling"], w["third"], w["connected"], w["muted"], w["thanks"]],
        since=start,
        language=language,
    )
