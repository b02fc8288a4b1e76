"""Form definitions: the shipped forms load in all three languages, a malformed definition is
rejected with its form and its problem named, and answers are checked field by field."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from eforms import validators
from eforms.definition import (
    FormDefinitionError,
    check_answers,
    load_catalogue,
    load_definition,
    shipped_sources,
)
from kiosk.i18n import LANGUAGES


@pytest.fixture
def card() -> dict[str, Any]:
    data = dict(shipped_sources())["library-card.json"]
    parsed: dict[str, Any] = json.loads(data)
    return parsed


def test_the_shipped_forms_load_with_every_text_in_three_languages() -> None:
    forms, errors = load_catalogue(shipped_sources())
    assert errors == []
    shipped = {"kansalaisneuvonta-contact", "helsinki-feedback", "library-card"}
    assert {f.id for f in forms} == shipped
    for form in forms:
        for language in LANGUAGES:
            assert form.title(language)
            for field in form.fields:
                assert form.text(language, f"{field.key}.label"), (form.id, language, field.name)


def test_pages_and_fields_come_in_the_order_the_ui_schema_gives(card: dict[str, Any]) -> None:
    form = load_definition(card)
    assert form.pages == ("person", "address", "card")
    assert [(f.name, f.page) for f in form.fields][:5] == [
        ("first_names", 0),
        ("last_name", 0),
        ("identity_code", 0),
        ("street", 1),
        ("postal_code", 1),
    ]
    assert form.fields[2].format == "fi-hetu" and form.fields[2].required


def broken(card: dict[str, Any], change: Any) -> str:
    spoiled = copy.deepcopy(card)
    change(spoiled)
    with pytest.raises(FormDefinitionError) as caught:
        load_definition(spoiled)
    assert caught.value.form_id == "library-card"
    return str(caught.value)


def test_a_missing_translation_is_named(card: dict[str, Any]) -> None:
    message = broken(card, lambda d: d["i18n"]["sv"].pop("postal_code.label"))
    assert message == "form 'library-card': i18n.sv lacks 'postal_code.label'"


def test_a_missing_option_text_is_named(card: dict[str, Any]) -> None:
    message = broken(card, lambda d: d["i18n"]["en"].pop("notices_by.sms"))
    assert message.endswith("i18n.en lacks 'notices_by.sms'")


def test_a_control_for_no_property_is_named(card: dict[str, Any]) -> None:
    def spoil(d: dict[str, Any]) -> None:
        d["uischema"]["elements"][0]["elements"][0]["scope"] = "#/properties/nickname"

    assert "'#/properties/nickname' is not a property of schema" in broken(card, spoil)


def test_a_property_no_control_shows_is_named(card: dict[str, Any]) -> None:
    def spoil(d: dict[str, Any]) -> None:
        d["schema"]["properties"]["shoe_size"] = {"type": "integer"}

    assert "no Control shows shoe_size" in broken(card, spoil)


def test_an_unknown_format_is_named_with_the_known_ones(card: dict[str, Any]) -> None:
    def spoil(d: dict[str, Any]) -> None:
        d["schema"]["properties"]["phone"]["format"] = "fax"

    message = broken(card, spoil)
    assert "'phone' has format 'fax'; known:" in message and "fi-hetu" in message


def test_an_invalid_json_schema_is_named(card: dict[str, Any]) -> None:
    def spoil(d: dict[str, Any]) -> None:
        d["schema"]["properties"]["city"]["minLength"] = "one"

    assert "schema: 'one' is not of type 'integer'" in broken(card, spoil)


def test_the_envelope_is_checked(card: dict[str, Any]) -> None:
    assert "delivery" in broken(card, lambda d: d["delivery"].update(to="fax"))
    assert "'en' is a required property" in broken(card, lambda d: d["i18n"].pop("en"))
    assert "Additional properties" in broken(card, lambda d: d.update(colour="red"))
    assert "json-schema.org/draft/2020-12" in broken(card, lambda d: d["schema"].pop("$schema"))


def test_one_malformed_form_leaves_the_rest_of_the_catalogue_working() -> None:
    sources = shipped_sources()
    forms, errors = load_catalogue([*sources, ("broken.json", b"{ not json"), sources[0]])
    assert len(forms) == 3
    assert len(errors) == 2
    assert str(errors[0]).startswith("form 'broken.json': not JSON")
    assert "the id is used twice" in str(errors[1])


def test_answers_are_checked_field_by_field(card: dict[str, Any]) -> None:
    form = load_definition(card)
    good = {
        "first_names": "Maija",
        "last_name": "Meikäläinen",
        "identity_code": "131052-308T",
        "street": "Mannerheimintie 1",
        "postal_code": "00100",
        "city": "Helsinki",
        "notices_by": "email",
        "accepts_rules": True,
    }
    assert check_answers(form, good) == {}
    bad = {**good, "identity_code": "131052-308U", "postal_code": "100", "city": ""}
    del bad["accepts_rules"]
    assert check_answers(form, bad) == {
        "identity_code": validators.HETU_CHECKSUM,
        "postal_code": validators.POSTAL_CODE,
        "city": validators.REQUIRED,
        "accepts_rules": validators.REQUIRED,
    }
    assert check_answers(form, {**good, "accepts_rules": False}) == {
        "accepts_rules": validators.REQUIRED
    }


def test_a_rule_between_fields_is_checked() -> None:
    forms, _ = load_catalogue(shipped_sources())
    contact = next(f for f in forms if f.id == "kansalaisneuvonta-contact")
    answers = {
        "name": "Maija",
        "contact_by": "phone",
        "language": "fi",
        "subject": "housing",
        "question": "Vuokrasopimus",
    }
    assert check_answers(contact, answers) == {"phone": validators.REQUIRED}
    assert check_answers(contact, {**answers, "phone": "040 123 4567"}) == {}


def test_forms_are_written_in_the_languages_the_kiosk_speaks() -> None:
    import eforms
    from kiosk.i18n import LANGUAGES

    assert eforms.LANGUAGES == LANGUAGES
