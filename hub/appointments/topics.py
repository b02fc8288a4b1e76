"""What a callback or a booking is about: a short list a citizen chooses from, never free text
(free text invites personal details where nothing personal belongs)."""

from __future__ import annotations

from typing import Any

#: id → its name in fi, sv, en. The order is the order shown.
TOPICS: dict[str, dict[str, str]] = {
    "benefits": {"fi": "Etuudet ja tuet", "sv": "Förmåner och stöd", "en": "Benefits and support"},
    "housing": {"fi": "Asuminen", "sv": "Boende", "en": "Housing"},
    "taxes": {"fi": "Verotus", "sv": "Beskattning", "en": "Taxes"},
    "health": {
        "fi": "Terveys- ja sosiaalipalvelut",
        "sv": "Social- och hälsovård",
        "en": "Health and social services",
    },
    "residence": {
        "fi": "Maahanmuutto ja oleskelu",
        "sv": "Invandring och uppehåll",
        "en": "Immigration and residence",
    },
    "e-services": {
        "fi": "Sähköiset palvelut ja tunnistautuminen",
        "sv": "E-tjänster och identifiering",
        "en": "E-services and identification",
    },
    "other": {"fi": "Jokin muu asia", "sv": "Något annat", "en": "Something else"},
}

#: When a citizen would like to be called: id → its name and its hours (Helsinki time).
TIMES_OF_DAY: dict[str, dict[str, str]] = {
    "morning": {"fi": "Aamupäivä (8–12)", "sv": "Förmiddag (8–12)", "en": "Morning (8–12)"},
    "afternoon": {
        "fi": "Iltapäivä (12–16)",
        "sv": "Eftermiddag (12–16)",
        "en": "Afternoon (12–16)",
    },
    "any": {"fi": "Mihin aikaan tahansa", "sv": "När som helst", "en": "Any time"},
}


def topics_json() -> list[dict[str, Any]]:
    return [{"id": key, "name": dict(names)} for key, names in TOPICS.items()]


def times_of_day_json() -> list[dict[str, Any]]:
    return [{"id": key, "name": dict(names)} for key, names in TIMES_OF_DAY.items()]
