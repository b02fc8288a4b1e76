"""The hub's e-services catalogue, served to kiosks (GET /api/kiosk/eservices).

`[eservices] catalogue` names a JSON file in the format of `eservices.catalogue`; "" is the
catalogue that ships with the product. The file is read and checked with the config
(`read_catalogue`), so a missing, unreadable or not-a-catalogue file stops start-up and
`kiosk-hub check-config` with the key named. A malformed entry in it (a service, a topic, an
origin of the identification list) is left out with its problem logged when the app is made;
the rest is served. The catalogue's version is the SHA-256 of what is served, so a kiosk that
has it gets 304 Not Modified.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from eservices.catalogue import Catalogue, Checked, parse_catalogue, shipped_bytes

log = logging.getLogger(__name__)


@functools.cache
def shipped() -> Checked:
    """The shipped catalogue, checked (once: it is the default of every config)."""
    return parse_catalogue(shipped_bytes())


def read_catalogue(path: Path | None) -> Checked:
    """The catalogue in `path` (None = the shipped one), checked. Raises OSError when the file
    cannot be read and `eservices.catalogue.CatalogueError` when it is not a catalogue."""
    return shipped() if path is None else parse_catalogue(path.read_bytes())


@dataclass(frozen=True)
class EServicesSettings:
    #: The catalogue file; None = the shipped catalogue.
    catalogue_file: Path | None = None
    #: The catalogue as read and checked with the config: what is served and what was left out.
    checked: Checked = field(default_factory=shipped, compare=False)


def served_catalogue(settings: EServicesSettings) -> Catalogue:
    """The catalogue to serve; each entry left out is logged with its problem."""
    source = str(settings.catalogue_file or "the shipped catalogue")
    for error in settings.checked.errors:
        log.error(
            "e-services catalogue %s: left out %s",
            source,
            error,
            extra={"event": "eservice-left-out", "reason": str(error)[:200]},
        )
    catalogue = settings.checked.catalogue
    log.info(
        "e-services catalogue loaded from %s: %d services, version %s",
        source,
        len(catalogue.services),
        catalogue.version[:12],
    )
    return catalogue


ESERVICES = web.AppKey("eservices", Catalogue)


def unchanged(request: web.Request, etag: str) -> bool:
    """True when the request's If-None-Match names this entity tag (or is `*`)."""
    tags = [
        tag.strip().removeprefix("W/")
        for tag in request.headers.get("If-None-Match", "").split(",")
    ]
    return "*" in tags or etag in tags


async def eservices(request: web.Request) -> web.Response:
    """GET /api/kiosk/eservices: {"version", "catalogue"}, or 304 when the kiosk has it."""
    catalogue = request.app[ESERVICES]
    headers = {"ETag": catalogue.etag, "Cache-Control": "no-cache"}
    if unchanged(request, catalogue.etag):
        return web.Response(status=304, headers=headers)
    body = {"version": catalogue.version, "catalogue": catalogue.served}
    return web.json_response(body, headers=headers)
