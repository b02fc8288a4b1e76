"""Help speaks of what a citizen at a touchscreen can do, and carries the privacy notice: who is
responsible, how to reach them, and what is kept for how long; tile names read alike."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.config import Config, ConfigError
from kiosk.i18n import Catalogue
from kiosk.services import SERVICES
from kiosk.ui.screens.help import HelpScreen
from kiosk.ui.window import KioskWindow

SITE = """
[privacy]
controller_fi = "Esimerkkilän kaupunki, kirjastopalvelut"
controller_sv = "Exempelby stad, bibliotekstjänster"
controller_en = "City of Example, library services"
contact_fi = "tietosuoja@esimerkkila.fi"
contact_sv = "dataskydd@esimerkkila.fi"
contact_en = "privacy@esimerkkila.fi"
more_fi = "Käyttötilastot säilytetään kaksi vuotta."
more_sv = "Användningsstatistiken sparas i två år."
more_en = "Usage figures are kept for two years."
"""


def open_help(qtbot: QtBot, window: KioskWindow, language: str) -> HelpScreen:
    qtbot.mouseClick(window.attract.language_buttons[language], Qt.MouseButton.LeftButton)
    assert window.frame is not None
    qtbot.mouseClick(window.frame.home.tiles["help"], Qt.MouseButton.LeftButton)
    screen = window.frame.service_screen
    assert isinstance(screen, HelpScreen)
    return screen


def help_text(screen: HelpScreen) -> str:
    from PySide6.QtWidgets import QLabel

    return "\n".join(label.text() for label in screen.findChildren(QLabel) if label.isVisible())


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_help_tells_what_a_touchscreen_user_can_do(
    qtbot: QtBot, window: KioskWindow, language: str
) -> None:
    text = help_text(open_help(qtbot, window, language))
    assert "Tab" not in text and "Enter" not in text and "sarkain" not in text
    touch = {"fi": "koskettamalla", "sv": "Tryck på en knapp", "en": "Touch a button"}[language]
    assert touch in text
    hold = {"fi": "Pidä kirjainta painettuna", "sv": "Håll ned en bokstav", "en": "Hold a letter"}
    assert hold[language] in text


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_built_in_notice_names_the_controller_and_what_is_kept(
    qtbot: QtBot, window: KioskWindow, language: str
) -> None:
    text = help_text(open_help(qtbot, window, language))
    controller = {
        "fi": "Rekisterinpitäjä: Helsingin kaupunki",
        "sv": "Personuppgiftsansvarig: Helsingfors stad",
        "en": "Controller: City of Helsinki",
    }[language]
    assert controller in text
    assert "tietosuoja@hel.fi" in text
    kept = {
        "fi": ("Mitä tietoja säilytetään", "poistetaan sitten kioskista", "Videopuheluita ei"),
        "sv": ("Vilka uppgifter som sparas", "raderas sedan från kiosken", "spelas inte in"),
        "en": ("What is kept", "then deleted from the kiosk", "Video calls are not recorded"),
    }[language]
    for words in kept:
        assert words in text


@pytest.mark.kiosk_config(SITE)
@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("fi", ("Esimerkkilän kaupunki", "tietosuoja@esimerkkila.fi", "kaksi vuotta")),
        ("sv", ("Exempelby stad", "dataskydd@esimerkkila.fi", "i två år")),
        ("en", ("City of Example", "privacy@esimerkkila.fi", "two years")),
    ],
)
def test_the_notice_comes_from_the_site_config_in_each_language(
    qtbot: QtBot, window: KioskWindow, language: str, said: tuple[str, ...]
) -> None:
    screen = open_help(qtbot, window, language)
    text = help_text(screen)
    for words in said:
        assert words in text
    assert "Helsin" not in text
    # It follows a change of language on the page.
    window.ui.set_language("fi" if language != "fi" else "en")
    assert said[0] not in help_text(screen)


@pytest.mark.kiosk_config('[privacy]\ncontroller_fi = "Esimerkkilän kirjasto"\n')
def test_a_notice_given_only_in_finnish_is_never_another_sites(
    qtbot: QtBot, window: KioskWindow
) -> None:
    text = help_text(open_help(qtbot, window, "sv"))
    assert "Personuppgiftsansvarig: Esimerkkilän kirjasto" in text
    assert "Personuppgiftsansvarig: Helsingfors stad" not in text


def test_a_wrong_privacy_key_is_refused(make_config: Callable[..., Config]) -> None:
    with pytest.raises(ConfigError, match="controller_de"):
        make_config('[privacy]\ncontroller_de = "x"\n')
    with pytest.raises(ConfigError, match="contact_fi"):
        make_config(f'[privacy]\ncontact_fi = "{"x" * 601}"\n')


def test_finnish_and_swedish_tile_names_say_what_to_do() -> None:
    catalogue = Catalogue()
    actions = ["forms", "email", "scan", "print", "copy", "fee"]
    titles = {
        lang: [catalogue.gettext(lang, SERVICES[s].title) for s in actions] for lang in ("fi", "sv")
    }
    assert titles["fi"] == [
        "Täytä lomake",
        "Lähetä sähköpostia",
        "Skannaa",
        "Tulosta",
        "Kopioi",
        "Maksa maksu",
    ]
    assert titles["sv"] == [
        "Fyll i en blankett",
        "Skicka e-post",
        "Skanna",
        "Skriv ut",
        "Kopiera",
        "Betala en avgift",
    ]
