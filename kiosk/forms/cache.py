"""The hub's forms catalogue as kept on the kiosk: kiosk-agent writes it, the app reads it.

kiosk-agent fetches the catalogue from the hub (GET /api/kiosk/forms), leaves out any definition
that does not check out, and replaces `forms-catalogue.json` in the kiosk's data folder
atomically. The app takes its forms from there; with no cache yet, or one that cannot be read,
it offers the forms that ship with the kiosk.

The file: {"version": "<the hub's catalogue version>", "fetched_at": "<UTC ISO>",
"forms": [<definition object>, ...]}.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

CACHE_FILE = "forms-catalogue.json"


class CorruptCacheError(ValueError):
    """The cache file exists but is not a catalogue; str() says what is wrong with it."""


@dataclass(frozen=True)
class CachedCatalogue:
    version: str
    fetched_at: str
    forms: list[dict[str, Any]]


def cache_path(data_dir: Path) -> Path:
    return data_dir / CACHE_FILE


def read_cache(data_dir: Path) -> CachedCatalogue | None:
    """The cached catalogue; None when there is none yet. Raises CorruptCacheError."""
    try:
        data = cache_path(data_dir).read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CorruptCacheError(f"cannot read: {exc.strerror}") from None
    try:
        found = json.loads(data)
    except (UnicodeDecodeError, ValueError) as exc:
        raise CorruptCacheError(f"not JSON: {exc}") from None
    if not isinstance(found, dict):
        raise CorruptCacheError("not a JSON object")
    version, fetched_at, forms = found.get("version"), found.get("fetched_at"), found.get("forms")
    if not isinstance(version, str) or not version:
        raise CorruptCacheError("no version")
    if not isinstance(fetched_at, str):
        raise CorruptCacheError("no fetched_at")
    if not isinstance(forms, list) or not all(isinstance(form, dict) for form in forms):
        raise CorruptCacheError("forms is not a list of objects")
    return CachedCatalogue(version=version, fetched_at=fetched_at, forms=forms)


def catalogue_sources(data_dir: Path) -> list[tuple[str, bytes]]:
    """(name, JSON) pairs of the forms to offer, for `eforms.definition.load_catalogue`: the
    hub's catalogue as cached in `data_dir`, or the shipped forms when there is no usable cache.

    An empty cached catalogue is the hub's word that no form is offered, and is kept: the hub
    would refuse a form it does not know.
    """
    from eforms.definition import shipped_sources

    try:
        cached = read_cache(data_dir)
    except CorruptCacheError as exc:
        log.warning(
            "the cached forms catalogue is unusable; the shipped forms are offered",
            extra={"reason": str(exc)[:200]},
        )
        return shipped_sources()
    if cached is None:
        return shipped_sources()
    return [
        (f"{form.get('id', index)}.json", json.dumps(form, ensure_ascii=False).encode("utf-8"))
        for index, form in enumerate(cached.forms)
    ]
