"""The hub's e-services catalogue as kept on the kiosk: kiosk-agent writes it, the app reads it.

kiosk-agent fetches the catalogue from the hub (GET /api/kiosk/eservices), leaves out any entry
that does not check out (`eservices.catalogue.check_catalogue`), and replaces
`eservices-catalogue.json` in the kiosk's data folder atomically. The app takes its e-services
from there (`read_catalogue`, on a worker: it reads a file); with no cache yet, or one that
cannot be used, it offers the catalogue that ships with the kiosk.

The file: {"version": "<the hub's catalogue version>", "fetched_at": "<UTC ISO>",
"catalogue": {<the catalogue object as the hub served it, less what was left out>}}.
"""

from __future__ import annotations

import functools
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eservices.catalogue import Checked, check_catalogue, parse_catalogue, shipped_bytes
from kiosk.threads import blocking

log = logging.getLogger(__name__)

CACHE_FILE = "eservices-catalogue.json"


@dataclass(frozen=True)
class CachedCatalogue:
    """The cache file's content: the hub's version, when it came, and the catalogue object."""

    version: str
    fetched_at: str
    catalogue: dict[str, Any]


@blocking
def read_cache(data_dir: Path) -> CachedCatalogue | None:
    """The cache file as written; None when there is none yet. ValueError when the file is
    there but cannot be used; str() says why."""
    try:
        found = json.loads((data_dir / CACHE_FILE).read_bytes())
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ValueError(f"cannot read: {exc.strerror}") from None
    except ValueError as exc:  # not UTF-8, or not JSON
        raise ValueError(f"not JSON: {exc}") from None
    match found:
        case {"version": str(version), "fetched_at": str(fetched_at), "catalogue": dict(entries)}:
            if version:
                return CachedCatalogue(version, fetched_at, entries)
    raise ValueError("not {version, fetched_at, catalogue}")


@blocking
def read_catalogue(data_dir: Path) -> Checked:
    """The e-services to offer: the hub's catalogue as cached in `data_dir`, checked again, or
    the shipped catalogue when there is no cache or it cannot be used (logged). An entry that
    does not check out is logged and left out; an empty cached catalogue is the hub's word that
    no e-service is offered, and is kept."""
    try:
        cached = read_cache(data_dir)
        if cached is None:
            return shipped()
        checked = check_catalogue(cached.catalogue)
    except ValueError as exc:  # the file, or the catalogue in it (CatalogueError)
        log.warning(
            "the cached e-services catalogue is unusable; the shipped one is offered",
            extra={"reason": str(exc)[:200]},
        )
        return shipped()
    for error in checked.errors:
        log.warning(
            "the cached e-services catalogue leaves out %s", error, extra={"reason": error.problem}
        )
    return checked


@blocking
@functools.cache
def shipped() -> Checked:
    """The catalogue that ships with the kiosk, checked (once: it does not change)."""
    return parse_catalogue(shipped_bytes())
