"""A citizen who cannot see the screen sends a form with the keypad alone, Read aloud on: the
kiosk says each screen, the control the focus is on, the fields left empty and what is wrong
with them, what is typed on the on-screen keyboard by keys, and the reference of the sent form,
in Finnish and in Swedish."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from kiosk.ui.screens.forms import FormsScreen
from kiosk.ui.window import KioskWindow
from tests.ui.keypad import Keypad

#: What the citizen types, hears and picks, in each language.
WORDS = {
    "fi": {
        "name": "Väinö Mäkelä",
        "question": "Vuokra",
        "language": "suomi",
        "home": "Mitä haluaisit tehdä?",
        "forms_tile": "Täytä lomake",
        "choose_form": "Valitse lomake, jonka haluat täyttää.",
        "first_form": "Kirjastokorttihakemus, painike",
        "form": "Yhteydenottopyyntö Kansalaisneuvontaan",
        "page_1": "Sivu 1/2: Yhteystietosi.",
        "all_forms": "‹ Kaikki lomakkeet, painike",
        "next": "Seuraava",
        "fill_in": "Täytä tämä kenttä.",
        "choose_one": "Valitse yksi vaihtoehto.",
        "check_page": "Tarkista tämän sivun kentät",
        "name_empty": "Nimi (pakollinen), tekstikenttä, tyhjä. Täytä tämä kenttä.",
        "keyboard": "Näppäimistö.",
        "name_field": "Nimi (pakollinen), tekstikenttä, ",
        "by_phone": "Puhelimitse",
        "phone": "Puhelinnumero",
        "chosen": ", vaihtoehto, valittu.",
        "not_chosen": ", vaihtoehto, ei valittu.",
        "page_2": "Sivu 2/2: Asiasi.",
        "housing": "Asuminen",
        "question_field": "Kysymyksesi",
        "text_field": ", tekstikenttä, ",
        "check_answers": "Tarkista vastauksesi ennen kuin lähetät lomakkeen.",
        "send": "Lähetä lomake, painike",
        "sent": "Kiitos. Lomakkeesi on lähetetty.",
        "reference": "Viitenumerosi: ",
        "another": "Täytä toinen lomake, painike",
    },
    "sv": {
        "name": "Jöns Bäck",
        "question": "Hyra",
        "language": "svenska",
        "home": "Vad vill du göra?",
        "forms_tile": "Fyll i en blankett",
        "choose_form": "Välj den blankett du vill fylla i.",
        "first_form": "Ansökan om bibliotekskort, knapp",
        "form": "Kontaktbegäran till Medborgarrådgivningen",
        "page_1": "Sida 1 av 2: Dina kontaktuppgifter.",
        "all_forms": "‹ Alla blanketter, knapp",
        "next": "Nästa",
        "fill_in": "Fyll i det här fältet.",
        "choose_one": "Välj ett alternativ.",
        "check_page": "Kontrollera fälten med tecknet",
        "name_empty": "Namn (obligatorisk), textfält, tomt. Fyll i det här fältet.",
        "keyboard": "Tangentbord.",
        "name_field": "Namn (obligatorisk), textfält, ",
        "by_phone": "Per telefon",
        "phone": "Telefonnummer",
        "chosen": ", alternativ, vald.",
        "not_chosen": ", alternativ, inte vald.",
        "page_2": "Sida 2 av 2: Ditt ärende.",
        "housing": "Boende",
        "question_field": "Din fråga",
        "text_field": ", textfält, ",
        "check_answers": "Kontrollera dina svar innan du skickar blanketten.",
        "send": "Skicka blanketten, knapp",
        "sent": "Tack. Din blankett har skickats.",
        "reference": "Ditt referensnummer: ",
        "another": "Fyll i en annan blankett, knapp",
    },
}
PHONE = "0401234567"


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_a_form_sent_by_keypad_alone(qtbot: QtBot, window: KioskWindow, language: str) -> None:
    w = WORDS[language]
    keys = Keypad.at(qtbot, window)
    keys.start(language)
    frame = window.frame
    assert frame is not None

    keys.move_to(w["forms_tile"])
    keys.press("ok")
    screen = frame.service_screen
    assert isinstance(screen, FormsScreen)
    keys.move_to(w["form"])
    keys.press("ok")
    form = screen.form
    assert form is not None and form.page == 0
    keys.wait_for(w["page_1"], w["all_forms"])

    # Next with nothing filled in: what is missing is said, and the focus is on the first of it.
    keys.press("right")
    assert keys.last().startswith(w["next"])
    keys.press("ok")
    keys.wait_for(w["name_empty"])
    assert form.page == 0

    # The name on the on-screen keyboard, by the arrows and OK; Back leaves the keyboard.
    keys.press("ok")
    keys.type_text(w["name"])
    assert form.answers()["name"] == w["name"]
    keys.press("back")
    keys.press("ok")  # the focus went on to the first way to be contacted: by phone
    keys.move_to(w["phone"])
    keys.press("ok")
    keys.type_text(PHONE)
    keys.press("back")
    keys.move_to(w["language"])
    keys.press("ok")
    keys.move_to(w["next"])
    keys.press("ok")
    keys.wait_for(w["page_2"])
    assert form.page == 1
    # Back goes back a page (not Home), with the answers kept; Next again.
    keys.press("back")
    keys.wait_for(w["page_1"])
    assert form.page == 0 and form.answers()["name"] == w["name"]
    keys.move_to(w["next"])
    keys.press("ok")
    keys.wait_for(w["page_2"])
    assert form.page == 1

    keys.press("ok")  # the first subject, which has the focus
    keys.move_to(w["question_field"])
    keys.press("ok")
    keys.type_text(w["question"])
    keys.press("back")
    keys.move_to(w["next"])
    keys.press("ok")
    keys.wait_for(w["check_answers"], w["send"])
    assert form.on_summary

    keys.press_quietly("ok")
    keys.wait_for(w["sent"], timeout=30_000)
    confirmation = screen.confirmation
    assert confirmation is not None
    reference = " ".join(confirmation.reference)

    assert not keys.nameless(language), "every control said has a name"
    keys.said_in_order(
        [
            "Ääneen luku on päällä.",
            "Tervetuloa. Välkommen. Welcome.",
            w["home"],
            f"{w['forms_tile']}, ",
            w["choose_form"],
            w["first_form"],
            w["form"],
            w["page_1"],
            w["all_forms"],
            f"{w['next']} ›",
            # The page's problems, then the first field with one, with its problem.
            w["fill_in"],
            w["choose_one"],
            w["check_page"],
            w["name_empty"],
            w["keyboard"],
            w["name_field"] + w["name"],
            w["by_phone"] + w["not_chosen"],
            w["by_phone"] + w["chosen"],
            w["phone"] + w["text_field"] + PHONE,
            w["language"] + w["chosen"],
            w["page_2"],
            w["page_1"],
            w["page_2"],
            w["housing"] + w["not_chosen"],
            w["housing"] + w["chosen"],
            w["question_field"] + " (",
            w["keyboard"],
            w["question"],
            w["check_answers"],
            w["send"],
            w["sent"],
            w["reference"] + reference,
            w["another"],
        ]
    )
    # From the language's button on, all of it in the citizen's language.
    start = keys.heard().index(next(t for t in keys.heard() if t.startswith(w["home"])))
    keys.said_in_order(
        [w["home"], w["form"], w["name_empty"], w["page_2"], w["sent"]],
        since=start,
        language=language,
    )

    # What was typed by keys is what was sent.
    session = window.kiosk.session.current
    assert session is not None
    [sent] = session.visit.sent_forms
    assert sent.reference == confirmation.reference
    assert sent.answers["name"] == w["name"]
    assert sent.answers["phone"] == "+358401234567"  # as the form keeps a number
    assert sent.answers["question"] == w["question"]
    assert sent.answers["contact_by"] == "phone"
    assert sent.answers["language"] == language
    assert sent.answers["subject"] == "housing"
