"""One role of the demo site as an aiohttp application, with its request log."""

from __future__ import annotations

import logging

from aiohttp import web

from eservices.demosite import identification, offlist, service
from eservices.demosite.layout import STATIC
from eservices.demosite.log import RequestLog, Seen, recording
from eservices.demosite.service import SITES
from eservices.demosite.sites import Role, Sites

REQUESTS = web.AppKey("requests", RequestLog)
log = logging.getLogger(__name__)


def make_app(role: Role, sites: Sites, *, requests: RequestLog | None = None) -> web.Application:
    """The application for `role`; every request it gets goes into `requests` (a new log when
    none is given), which is also `app[REQUESTS]`."""
    kept = requests if requests is not None else RequestLog()

    def describe(seen: Seen) -> None:
        log.info("%s %s %s (Host %s)", role, seen.method, seen.path, seen.host)

    app = web.Application(middlewares=[recording(kept, describe)])
    app[REQUESTS] = kept
    app[SITES] = sites
    if role == "service":
        service.add_routes(app)
    elif role == "identification":
        identification.add_routes(app)
    elif role == "offlist":
        offlist.add_routes(app)
    else:
        raise ValueError(f"no such role: {role!r}")
    if role != "offlist":
        app.router.add_static("/static", STATIC)
    return app
