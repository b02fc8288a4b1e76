"""Keep the translation catalogues in step with the code (uses Babel; development only).

    python tools/i18n.py update    extract messages from kiosk/, merge them into every .po,
                                   and compile
    python tools/i18n.py compile   compile every .po into the .mo the app reads
    python tools/i18n.py check     exit 1 listing messages without a translation, or .mo out of date

Messages are marked in the code with N_("…") and NP_("…", "… plural").
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "kiosk"
#: Every folder whose messages the kiosk shows: the app, and the shared e-forms checks.
SOURCES = (SOURCE, ROOT / "eforms")
LOCALE = SOURCE / "i18n" / "locale"
TRANSLATED = ("fi", "sv")
KEYWORDS = {"N_": None, "NP_": (1, 2)}


def extract() -> Catalog:
    catalog = Catalog(project="kiosk", charset="utf-8")
    for source in SOURCES:
        for filename, lineno, message, comments, context in extract_from_dir(
            str(source),
            method_map=[("**.py", "python")],
            keywords=KEYWORDS,
            comment_tags=("TRANSLATORS:",),
            strip_comment_tags=True,
        ):
            where = f"{source.name}/{filename}"
            catalog.add(message, None, [(where, lineno)], auto_comments=comments, context=context)
    return catalog


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "kiosk.po"


def load_po(lang: str) -> Catalog:
    path = po_path(lang)
    if not path.exists():
        return Catalog(locale=lang, project="kiosk", charset="utf-8")
    with path.open("rb") as f:
        return read_po(f, locale=lang)


def update() -> None:
    template = extract()
    for lang in TRANSLATED:
        catalog = load_po(lang)
        catalog.update(template, no_fuzzy_matching=True)
        path = po_path(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            write_po(f, catalog, width=100, omit_header=False, ignore_obsolete=True)
    print(f"{len(template)} messages; .po files updated")


def compiled(lang: str) -> bytes:
    buf = io.BytesIO()
    write_mo(buf, load_po(lang), use_fuzzy=False)
    return buf.getvalue()


def compile_all() -> None:
    for lang in TRANSLATED:
        po_path(lang).with_suffix(".mo").write_bytes(compiled(lang))
    print("compiled " + ", ".join(TRANSLATED))


def problems() -> list[str]:
    """Messages in the code that a language lacks, and .mo files that do not match their .po."""
    found: list[str] = []
    template = extract()
    for lang in TRANSLATED:
        catalog = load_po(lang)
        for message in template:
            if not message.id:
                continue
            entry = catalog.get(message.id, message.context)
            strings = (
                []
                if entry is None
                else list(entry.string)
                if isinstance(entry.string, tuple | list)
                else [entry.string]
            )
            if entry is None or entry.fuzzy or not strings or not all(strings):
                shown = message.id[0] if isinstance(message.id, tuple) else message.id
                found.append(f"{lang}: no translation for {shown!r}")
        mo = po_path(lang).with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != compiled(lang):
            found.append(
                f"{lang}: {mo.relative_to(ROOT)} is out of date (run tools/i18n.py compile)"
            )
    return found


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "update":
        update()
        compile_all()
    elif command == "compile":
        compile_all()
    elif command == "check":
        found = problems()
        for line in found:
            print(line)
        return 1 if found else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
