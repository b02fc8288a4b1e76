"""The support desk's pages and their scripts, served as static files.

The pages are plain HTML; their scripts (hub/static/support-*.js) fetch the support JSON API
(/api/support/...) and draw tables and charts themselves, so the Content-Security-Policy
`default-src 'self'` holds: no inline script, nothing from another site.

`SUPPORT_PAGES` holds their routes, for the support and admin roles; hub.routes lists them.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from hub.auth import Handler
from hub.context import HUB
from hub.route import Route

SUPPORT = frozenset({"support", "admin"})
STATIC = Path(__file__).resolve().parent.parent / "static"
#: The files the pages load, each at /static/<name>.
FILES = (
    "support.css",
    "support-common.js",
    "support-fleet.js",
    "support-kiosk.js",
    "support-charts.js",
    "support-usage.js",
    "support-deliveries.js",
    "support-nav.js",
    "support-update-state.js",
    "support-updates.js",
)


async def fleet_page(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "support.html")


async def kiosk_page(request: web.Request) -> web.StreamResponse:
    if request.app[HUB].store.kiosk(request.match_info["kiosk_id"]) is None:
        return web.Response(
            status=404,
            text='<!doctype html><title>404</title><p>No such kiosk. <a href="/support">'
            "Back to the fleet</a></p>",
            content_type="text/html",
        )
    return web.FileResponse(STATIC / "support-kiosk.html")


async def usage_page(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "support-usage.html")


async def deliveries_page(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "support-deliveries.html")


async def updates_page(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "support-updates.html")


def _file(name: str) -> Handler:
    async def serve(request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / name)

    serve.__name__ = f"static_{name.replace('-', '_').replace('.', '_')}"
    return serve


SUPPORT_PAGES: tuple[Route, ...] = (
    Route("GET", "/support", fleet_page, SUPPORT),
    Route("GET", "/support/kiosks/{kiosk_id}", kiosk_page, SUPPORT),
    Route("GET", "/support/usage", usage_page, SUPPORT),
    Route("GET", "/support/deliveries", deliveries_page, SUPPORT),
    Route("GET", "/support/updates", updates_page, SUPPORT),
    *(Route("GET", f"/static/{name}", _file(name), SUPPORT) for name in FILES),
)
