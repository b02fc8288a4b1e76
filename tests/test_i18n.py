"""Every text a citizen can see exists in Finnish, Swedish and English."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from kiosk.i18n import LANGUAGES, Catalogue

ROOT = Path(__file__).resolve().parent.parent


def _tool() -> object:
    spec = importlib.util.spec_from_file_location("i18n_tool", ROOT / "tools" / "i18n.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["i18n_tool"] = module
    spec.loader.exec_module(module)
    return module


def test_every_marked_message_is_translated_and_compiled() -> None:
    problems = _tool().problems()  # type: ignore[attr-defined]
    assert problems == [], "\n".join(problems)


def test_catalogue_has_all_three_languages() -> None:
    catalogue = Catalogue()
    assert LANGUAGES == ("fi", "sv", "en")
    assert catalogue.gettext("fi", "End session") == "Lopeta istunto"
    assert catalogue.gettext("sv", "End session") == "Avsluta sessionen"
    assert catalogue.gettext("en", "End session") == "End session"
    # Plurals follow each language's rule.
    one, many = "Your session will end in {n} second.", "Your session will end in {n} seconds."
    assert catalogue.ngettext("sv", one, many, 1) == "Din session avslutas om {n} sekund."
    assert catalogue.ngettext("sv", one, many, 2) == "Din session avslutas om {n} sekunder."
