"""A consent's text in the form definition (`<property>.x-consent-text`): the shipped library
card has the rules of use it asks the citizen to accept, and the definition checker names a
consent text that is missing, empty or attached to something that is not a box to tick."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from eforms.definition import FormDefinitionError, load_definition, shipped_sources


@pytest.fixture
def card() -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(dict(shipped_sources())["library-card.json"])
    return parsed


def test_the_library_card_has_its_rules_of_use_in_three_languages(card: dict[str, Any]) -> None:
    definition = load_definition(card)
    [rules] = [f for f in definition.fields if f.name == "accepts_rules"]
    said = {lang: definition.consent(rules, lang) for lang in ("fi", "sv", "en")}
    assert said["en"] is not None and said["en"][0] == (
        "Helsinki City Library rules of use: a summary"
    )
    summary = {"fi": "tiivistelmä", "sv": "sammanfattning", "en": "summary"}
    for lang, consent in said.items():
        assert consent is not None
        title, text = consent
        # Honest about what it is, and where the full rules are.
        assert summary[lang] in title.casefold() and summary[lang] in text.casefold()
        assert "helmet.fi" in text
        assert text.count("• ") >= 5
    # Other fields are no consents.
    [email] = [f for f in definition.fields if f.name == "email"]
    assert definition.consent(email, "fi") is None


def test_a_consent_text_missing_in_one_language_is_named(card: dict[str, Any]) -> None:
    del card["i18n"]["sv"]["accepts_rules.x-consent-text"]
    with pytest.raises(FormDefinitionError) as caught:
        load_definition(card)
    assert str(caught.value) == (
        "form 'library-card': i18n.sv lacks 'accepts_rules.x-consent-text'"
    )


def test_an_empty_consent_text_is_named(card: dict[str, Any]) -> None:
    card["i18n"]["en"]["accepts_rules.x-consent-text"] = "  "
    empty = re.escape("'accepts_rules.x-consent-text' is empty")
    with pytest.raises(FormDefinitionError, match=empty):
        load_definition(card)


def test_a_consent_text_belongs_to_a_box_to_tick(card: dict[str, Any]) -> None:
    for lang in ("fi", "sv", "en"):
        card["i18n"][lang]["email.x-consent-text"] = "Text"
    with pytest.raises(FormDefinitionError) as caught:
        load_definition(card)
    assert "'email.x-consent-text' belongs to no yes/no (boolean) field" in str(caught.value)


def test_a_consent_title_needs_its_text(card: dict[str, Any]) -> None:
    for lang in ("fi", "sv", "en"):
        del card["i18n"][lang]["accepts_rules.x-consent-text"]
    with pytest.raises(FormDefinitionError, match=re.escape("titles no '.x-consent-text'")):
        load_definition(card)
    for lang in ("fi", "sv", "en"):
        del card["i18n"][lang]["accepts_rules.x-consent-title"]
    load_definition(card)  # a plain box to tick again
