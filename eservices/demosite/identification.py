"""The demo's strong identification: a page with one Confirm button that returns the citizen to
the service with a ticket. It returns only to the service's own origins and refuses any other
address, as a real identification service does."""

from __future__ import annotations

import secrets
from html import escape
from urllib.parse import urlencode, urlsplit, urlunsplit

from aiohttp import web

from eservices.demosite.layout import both, heading, link_button, page, para
from eservices.demosite.service import SITES

TITLE = "Demo identification / Demotunnistus"


def add_routes(app: web.Application) -> None:
    app.router.add_get("/", root)
    app.router.add_get("/authorize", authorize)
    app.router.add_post("/confirm", confirm)


async def root(request: web.Request) -> web.Response:
    """Nothing here but identification for the service; as a return to nowhere, refused."""
    return _refused()


def _refused() -> web.Response:
    body = heading("Demo identification", "Demotunnistus", home=False) + para(
        "This return address is not allowed.", "Tämä paluuosoite ei ole sallittu.", id="refused"
    )
    return page(TITLE, body, status=400)


async def authorize(request: web.Request) -> web.Response:
    back = request.query.get("return", "")
    if not request.app[SITES].is_service_url(back):
        return _refused()
    body = (
        heading("Demo identification", "Demotunnistus", home=False)
        + para("Identify yourself to the demo e-service.", "Tunnistaudu demopalveluun.")
        + '<form id="confirm-form" method="post" action="/confirm">'
        + f'<input type="hidden" name="return" value="{escape(back)}">'
        + '<button type="submit" id="confirm">'
        + both("Confirm identification", "Vahvista tunnistautuminen")
        + "</button></form><p>"
        + link_button("cancel", back, "Cancel", "Peruuta", secondary=True)
        + "</p>"
    )
    return page(TITLE, body)


async def confirm(request: web.Request) -> web.Response:
    back = str((await request.post()).get("return", ""))
    if not request.app[SITES].is_service_url(back):
        return _refused()
    parts = urlsplit(back)
    ticket = urlencode({"ticket": secrets.token_urlsafe(16)})
    query = f"{parts.query}&{ticket}" if parts.query else ticket
    raise web.HTTPSeeOther(urlunsplit(parts._replace(query=query)))
