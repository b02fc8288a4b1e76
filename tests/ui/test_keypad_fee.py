"""A citizen who cannot see the screen pays a library fee on the card terminal with the keypad
alone, Read aloud on: the fee and its amount, the check before paying, the terminal's prompts as
they come, that it is paid, the receipt line by line, and its paper copy, in Finnish and in
Swedish. The terminal is the nexo simulator, a separate process, whose customer takes a moment
over each prompt, as a citizen would."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.config import Config
from kiosk.devices.catalog import DeviceClass
from kiosk.payments.journal import PaymentState
from kiosk.ui.screens.fee import FeeScreen
from kiosk.ui.widgets.payment import PROMPTS
from kiosk.ui.window import KioskWindow
from tests.peers.nexo import (  # noqa: F401 - the fixtures are used by name
    NexoSimulator,
    notify_port_fixture,
    sim_fixture,
)
from tests.ui.conftest import off_ui
from tests.ui.keypad import Keypad
from tests.ui.test_pay_on_terminal import on_terminal
from tests.ui.test_print import printed_files

FEE = """
[fees.lost-card]
name_fi = "Kadonnut kirjastokortti"
name_sv = "Förlorat bibliotekskort"
name_en = "Lost library card"
amount = "3.00"
reference = "LIB-CARD"
"""
WAIT = 30_000
#: Seconds the simulated customer spends on each of the terminal's prompts: long enough for the
#: screen reader, which looks every 200 ms, to see each.
PACE = 0.6

#: The amount as the kiosk writes it in both languages (a no-break space before the sign).
AMOUNT = "3,00\u00a0€"

WORDS = {
    "fi": {
        "fee_tile": "Maksa maksu, painike",
        "fee_screen": "Maksa maksu.",
        "choose": "Valitse maksu, jonka haluat maksaa.",
        "fee": "Kadonnut kirjastokortti — {amount}, painike",
        "check": "Tarkista maksun tiedot.",
        "amount": "Summa. {amount}.",
        "pay": "Maksa maksupäätteellä, painike",
        "to_pay": "Maksettavaa: {amount}.",
        "cancel": "Peruuta maksu, painike",
        "paid": "Kiitos, maksu on maksettu.",
        "receipt": "Kuitti.",
        "done": "Valmis, painike",
        "card": "Kortti. •••• ",
        "reference": "Viite. LIB-CARD.",
        "print_receipt": "Tulosta kuitti, painike",
        "take_receipt": "Ota kuittisi tulostimesta.",
    },
    "sv": {
        "fee_tile": "Betala en avgift, knapp",
        "fee_screen": "Betala en avgift.",
        "choose": "Välj den avgift du vill betala.",
        "fee": "Förlorat bibliotekskort — {amount}, knapp",
        "check": "Kontrollera betalningen.",
        "amount": "Belopp. {amount}.",
        "pay": "Betala med betalterminalen, knapp",
        "to_pay": "Att betala: {amount}.",
        "cancel": "Avbryt betalningen, knapp",
        "paid": "Tack, avgiften har betalats.",
        "receipt": "Kvitto.",
        "done": "Klar, knapp",
        "card": "Kort. •••• ",
        "reference": "Referens. LIB-CARD.",
        "print_receipt": "Skriv ut kvittot, knapp",
        "take_receipt": "Ta ditt kvitto från skrivaren.",
    },
}


@pytest.fixture
def config(
    make_config: Callable[..., Config], sim: NexoSimulator, notify_port: int, tmp_path: Path
) -> Config:
    return on_terminal(make_config(FEE, printer_output_dir=tmp_path / "printed"), sim, notify_port)


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_a_fee_paid_by_keypad_alone(
    qtbot: QtBot, window: KioskWindow, sim: NexoSimulator, language: str
) -> None:
    w = {key: text.format(amount=AMOUNT) for key, text in WORDS[language].items()}
    sim.control(mode="approve", pace=PACE)
    terminal = window.kiosk.device(DeviceClass.PAYMENT)
    assert terminal is not None
    qtbot.waitUntil(lambda: terminal.health().state.usable, timeout=WAIT)
    keys = Keypad.at(qtbot, window)
    keys.start(language)
    frame = window.frame
    assert frame is not None
    qtbot.waitUntil(lambda: frame.home.tiles["fee"].isEnabled(), timeout=WAIT)

    keys.move_to(w["fee_tile"])
    keys.press("ok")
    screen = frame.service_screen
    assert isinstance(screen, FeeScreen)
    keys.wait_for(w["choose"], w["fee"])
    keys.press("ok")  # the fee, which has the focus
    keys.wait_for(w["check"], w["pay"])
    # Back goes back to the fees (not Home), and the fee is chosen again.
    checked = keys.mark()
    keys.press("back")
    keys.wait_for(w["choose"], w["fee"], since=checked)
    keys.press("ok")
    keys.wait_for(w["check"], w["pay"], since=checked)
    keys.press("ok")
    keys.wait_for(w["paid"], w["done"], timeout=WAIT)
    keys.wait_for(w["reference"])

    ledger = window.kiosk.ledger
    assert ledger is not None
    qtbot.waitUntil(
        lambda: [e.state for e in off_ui(ledger.journal.entries)] == [PaymentState.DELIVERED],
        timeout=WAIT,
    )
    [entry] = off_ui(ledger.journal.entries)

    keys.move_to(w["print_receipt"])
    printing = keys.mark()
    keys.press("ok")
    keys.wait_for(w["take_receipt"], since=printing, timeout=WAIT)
    assert len(printed_files(window)) == 1
    # The printing's progress is said, not the whole receipt again with it.
    assert not [t for t in keys.since(printing) if w["reference"] in t]

    t = window.ui.t
    assert not keys.nameless(language), "every control said has a name"
    keys.said_in_order(
        [
            w["fee_tile"],
            w["fee_screen"],
            w["choose"],
            w["fee"],
            w["check"],
            w["amount"],
            w["pay"],
            w["choose"],
            w["fee"],
            w["check"],
            w["pay"],
            w["to_pay"],
            w["cancel"],
            # The terminal's prompts, as the simulated customer goes through them.
            t(PROMPTS["insert_card"]),
            t(PROMPTS["enter_pin"]),
            t(PROMPTS["processing"]),
            w["paid"],
            w["done"],
            w["amount"],
            w["card"] + entry.card_last4,
            w["reference"],
            w["print_receipt"],
            w["take_receipt"],
        ]
    )
    home = next(i for i, u in enumerate(keys.heard()) if u.startswith(w["fee_tile"]))
    keys.said_in_order(
        [w["choose"], w["check"], t(PROMPTS["enter_pin"]), w["paid"], w["take_receipt"]],
        since=home,
        language=language,
    )
