"""A citizen who cannot see the screen scans a page and prints two copies of it with the keypad
alone, Read aloud on: each step of the scan, the document and the number of copies, the printing
page by page and the pages printed are said, in Finnish and in Swedish. The printer is the
simulated one, keeping what it prints in a folder the test reads."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.config import Config
from kiosk.ui.screens.print import PrintScreen
from kiosk.ui.screens.print_texts import PRINTING
from kiosk.ui.screens.scan import ScanScreen
from kiosk.ui.window import KioskWindow
from tests.ui.keypad import Keypad
from tests.ui.test_print import printed_files

WORDS = {
    "fi": {
        "scan_tile": "Skannaa, painike",
        "lay_page": "Aseta sivu kuvapuoli ylöspäin kameran alle",
        "capture": "Kuvaa, painike",
        "check_page": "Näkyykö sivu kokonaan ja onko se helppo lukea?",
        "keep": "Säilytä tämä sivu, painike",
        "scanned": "1 sivu skannattu.",
        "finish": "Lopeta skannaus",
        "ready": "Skannaus on valmis: 1 sivu.",
        "print": "Tulosta, painike",
        "print_screen": "Tulosta.",
        "document": "Skannattu asiakirja 1",
        "one_copy": "1 kopio.",
        "more": "Yksi kopio enemmän",
        "two_copies": "2 kopiota.",
        "printed": "✓ Tulostettu 2 sivua. Ota ne tulostimesta.",
        "done": "Valmis, painike",
    },
    "sv": {
        "scan_tile": "Skanna, knapp",
        "lay_page": "Lägg sidan med framsidan uppåt under kameran",
        "capture": "Fotografera, knapp",
        "check_page": "Syns hela sidan och är den lätt att läsa?",
        "keep": "Behåll den här sidan, knapp",
        "scanned": "1 sida skannad.",
        "finish": "Avsluta skanningen",
        "ready": "Skanningen är klar: 1 sida.",
        "print": "Skriv ut, knapp",
        "print_screen": "Skriv ut.",
        "document": "Skannat dokument 1",
        "one_copy": "1 kopia.",
        "more": "En kopia till",
        "two_copies": "2 kopior.",
        "printed": "✓ 2 sidor utskrivna. Ta dem från skrivaren.",
        "done": "Klar, knapp",
    },
}


@pytest.fixture
def config(make_config: Callable[..., Config], tmp_path: Path) -> Config:
    """The simulated printer keeps what it prints here, so the test can see it printed."""
    return make_config(printer_output_dir=tmp_path / "printed")


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_a_scan_printed_by_keypad_alone(qtbot: QtBot, window: KioskWindow, language: str) -> None:
    w = WORDS[language]
    keys = Keypad.at(qtbot, window)
    keys.start(language)
    frame = window.frame
    assert frame is not None

    keys.move_to(w["scan_tile"])
    keys.press("ok")
    scan = frame.service_screen
    assert isinstance(scan, ScanScreen)
    keys.wait_for(w["lay_page"], w["capture"])
    # The camera's first picture, as a citizen waits for the camera to show the page.
    qtbot.waitUntil(lambda: not scan.picture.pixmap().isNull(), timeout=10_000)
    keys.press("ok")
    keys.wait_for(w["check_page"], w["keep"])
    keys.press("ok")
    keys.wait_for(w["scanned"], w["capture"])
    keys.move_to(w["finish"])
    keys.press("ok")
    keys.wait_for(w["ready"], w["print"])

    keys.press("ok")
    screen = frame.service_screen
    assert isinstance(screen, PrintScreen)
    keys.wait_for(w["print_screen"], w["document"])
    keys.move_to(w["more"])
    keys.press("ok")
    keys.wait_for(w["two_copies"])
    keys.move_to(w["print"])
    keys.press("ok")
    keys.wait_for(w["printed"], w["done"], timeout=30_000)
    assert len(printed_files(window)) == 1

    t = window.ui.t
    assert not keys.nameless(language), "every control said has a name"
    keys.said_in_order(
        [
            w["scan_tile"],
            w["lay_page"],
            w["capture"],
            w["check_page"],
            w["keep"],
            w["scanned"],
            w["finish"],
            w["ready"],
            w["print"],
            w["print_screen"],
            w["one_copy"],
            w["document"],
            w["more"],
            w["two_copies"],
            w["print"],
            # "Sending to the printer…" lasts only until the printer takes the job: when the
            # first page's progress comes in the same moment, only the newer words are said.
            t(PRINTING).format(done=1, total=2),
            t(PRINTING).format(done=2, total=2),
            w["printed"],
            w["done"],
        ]
    )
    home = next(i for i, u in enumerate(keys.heard()) if u.startswith(w["scan_tile"]))
    keys.said_in_order(
        [w["lay_page"], w["ready"], w["two_copies"], w["printed"]], since=home, language=language
    )
