"""The shipped forms' questions say what they ask."""

from __future__ import annotations

from eforms.definition import load_catalogue, shipped_sources


def test_the_contact_request_asks_which_language_to_be_served_in() -> None:
    forms, errors = load_catalogue(shipped_sources())
    assert errors == []
    [contact] = [f for f in forms if f.id == "kansalaisneuvonta-contact"]
    labels = {lang: contact.text(lang, "language.label") for lang in ("fi", "sv", "en")}
    # Not a bare "Language" (of the form? spoken? written?) but the language of the service.
    assert labels == {
        "fi": "Millä kielellä haluat asioida?",
        "sv": "På vilket språk vill du bli betjänad?",
        "en": "Which language would you like to be served in?",
    }
    assert contact.text("en", "language.description") == (
        "The advisor contacts you in this language."
    )
