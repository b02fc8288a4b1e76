"""Translations of everything a citizen sees, in Finnish, Swedish and English.

gettext catalogues: the English text is the message id, `locale/<lang>/LC_MESSAGES/kiosk.po`
holds Finnish and Swedish (translators' tools read .po directly), and the compiled `.mo` files
are read at run time by the standard library, which costs nothing at start-up and needs no Qt.
`tools/i18n.py` extracts the messages and compiles the catalogues (Babel); a test fails when a
message has no translation.

Mark text with `N_()` where it is defined and translate it with `Catalogue.gettext()` where it
is shown, so a language switch re-translates everything.
"""

from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path

LANGUAGES: tuple[str, ...] = ("fi", "sv", "en")
DOMAIN = "kiosk"
LOCALE_DIR = Path(__file__).parent / "locale"

#: Each language's name in itself, for the language buttons.
NATIVE_NAMES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}


def N_(message: str) -> str:
    """Mark a message for extraction without translating it here."""
    return message


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a message with a plural form; translate it with `Catalogue.ngettext`."""
    return (singular, plural)


class Catalogue:
    """All three languages loaded at once: the attract screen shows them side by side."""

    def __init__(self, locale_dir: Path = LOCALE_DIR) -> None:
        self._translations: dict[str, gettext.NullTranslations] = {}
        for lang in LANGUAGES:
            if lang == "en":
                self._translations[lang] = gettext.NullTranslations()
            else:
                self._translations[lang] = _compiled(locale_dir / lang / "LC_MESSAGES", DOMAIN)

    def gettext(self, lang: str, message: str) -> str:
        return self._translations[lang].gettext(message)

    def ngettext(self, lang: str, singular: str, plural: str, n: int) -> str:
        return self._translations[lang].ngettext(singular, plural, n)


@cache
def _compiled(folder: Path, domain: str) -> gettext.GNUTranslations:
    """A compiled catalogue, read once per process (as gettext.translation() caches it).

    Read straight from its known place: gettext.translation() would first work out locale
    name variants, which imports the locale module, on the way to the first paint."""
    with (folder / f"{domain}.mo").open("rb") as compiled:
        return gettext.GNUTranslations(compiled)
