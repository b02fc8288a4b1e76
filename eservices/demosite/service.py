"""The demo e-service: a start page, a login through the identification site, a form with a
PDF receipt and a text file to download, and the pages that try what a kiosk browser must
refuse (popups, permissions, the off-list site) or must forget (what a site stores)."""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from aiohttp import WSMsgType, web

from eservices.demosite.layout import both, heading, link_button, page, para, shown
from eservices.demosite.receipt import receipt_pdf
from eservices.demosite.sites import Sites

TITLE = "Demo e-service / Demopalvelu"
#: The service's login cookie: the identification site's ticket, for the browser session.
SESSION_COOKIE = "demo_session"
#: What /remember stores and /recall looks for.
CANARY = "canary"
CANARY_SERVER_COOKIE = "canary_server"
SITES = web.AppKey("sites", Sites)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/", start)
    app.router.add_get("/login", login)
    app.router.add_get("/login/return", login_return)
    app.router.add_get("/logout", logout)
    app.router.add_get("/form", form)
    app.router.add_route("*", "/done", done)
    app.router.add_get("/receipt.pdf", receipt)
    app.router.add_get("/notes.txt", notes)
    app.router.add_get("/try", try_page)
    app.router.add_get("/popup", popup)
    app.router.add_get("/offlist-probe", offlist_probe)
    app.router.add_get("/remember", remember)
    app.router.add_get("/recall", recall)
    app.router.add_get("/seen", seen)
    app.router.add_get("/api/ping", ping)
    app.router.add_get("/ws", echo)


async def start(request: web.Request) -> web.Response:
    logged_in = SESSION_COOKIE in request.cookies
    if logged_in:
        status = para("You are logged in.", "Olet kirjautunut.", id="status")
        account = link_button("logout", "/logout", "Log out", "Kirjaudu ulos", secondary=True)
    else:
        status = para("You are not logged in.", "Et ole kirjautunut.", id="status")
        account = link_button("login", "/login", "Log in", "Kirjaudu")
    body = (
        heading("Demo e-service", "Demopalvelu", home=False)
        + status
        + '<nav class="tiles">'
        + account
        + link_button("form-link", "/form", "Fill in the form", "Täytä lomake")
        + link_button("try-link", "/try", "Try the kiosk’s limits", "Kokeile kioskin rajoja")
        + link_button("privacy-link", "/remember", "Privacy check", "Yksityisyyskoe")
        + "</nav>"
        + para("A demonstration of an e-service in the kiosk.", "Verkkoasioinnin esittely.")
    )
    return page(TITLE, body, data={"state": "logged-in" if logged_in else "logged-out"})


def _own_origin(request: web.Request, sites: Sites) -> str:
    """The service origin this request came in on (an alias keeps its own name), else the
    service's first one."""
    here = f"{request.scheme}://{request.host}"
    return here if sites.is_service_url(f"{here}/") else sites.service


async def login(request: web.Request) -> web.Response:
    sites = request.app[SITES]
    back = f"{_own_origin(request, sites)}/login/return"
    raise web.HTTPFound(f"{sites.identification}/authorize?{urlencode({'return': back})}")


async def login_return(request: web.Request) -> web.Response:
    ticket = request.query.get("ticket", "")
    if not ticket:
        raise web.HTTPBadRequest(text="no ticket")
    response = web.HTTPFound("/")
    response.set_cookie(SESSION_COOKIE, ticket, httponly=True, samesite="Lax", path="/")
    raise response


async def logout(request: web.Request) -> web.Response:
    response = web.HTTPFound("/")
    response.del_cookie(SESSION_COOKIE, path="/")
    raise response


async def form(request: web.Request) -> web.Response:
    body = (
        heading("Form", "Lomake")
        + '<form id="demo-form" method="post" action="/done">'
        + f'<label for="name">{both("Name", "Nimi")}</label>'
        + '<input type="text" id="name" name="name" autocomplete="off">'
        + f'<label for="message">{both("Message", "Viesti")}</label>'
        + '<input type="text" id="message" name="message" autocomplete="off">'
        + f'<p><button type="submit" id="submit">{both("Send", "Lähetä")}</button></p>'
        + "</form>"
    )
    return page("Form / Lomake", body)


async def done(request: web.Request) -> web.Response:
    fields = await request.post() if request.method == "POST" else request.query
    body = (
        heading("Thank you", "Kiitos")
        + para("We received your form.", "Lomakkeesi on vastaanotettu.")
        + shown("done-name", "Name", "Nimi", str(fields.get("name", "")))
        + shown("done-message", "Message", "Viesti", str(fields.get("message", "")))
        + '<nav class="tiles">'
        + link_button("receipt", "/receipt.pdf", "Download the receipt (PDF)", "Lataa kuitti (PDF)")
        + link_button(
            "notes",
            "/notes.txt",
            "Download the notes (text file)",
            "Lataa muistiinpanot (tekstitiedosto)",
            secondary=True,
        )
        + "</nav>"
    )
    return page("Thank you / Kiitos", body)


async def receipt(request: web.Request) -> web.Response:
    return web.Response(
        body=receipt_pdf(),
        content_type="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="receipt.pdf"'},
    )


async def notes(request: web.Request) -> web.Response:
    text = "Demo e-service notes / Demopalvelun muistiinpanot\n"
    return web.Response(
        text=text,
        content_type="text/plain",
        headers={"Content-Disposition": 'attachment; filename="notes.txt"'},
    )


def _ask(name: str, en: str, fi: str) -> str:
    """A button whose outcome its script shows beside it, in #<name>-result."""
    return (
        f'<p><button type="button" id="{name}">{both(en, fi)}</button> '
        f'<span class="result" id="{name}-result">not asked</span></p>'
    )


async def try_page(request: web.Request) -> web.Response:
    offlist = request.app[SITES].offlist
    body = (
        heading("The kiosk’s limits", "Kioskin rajat")
        + shown("secure-context", "Secure context", "Suojattu yhteys", "?")
        + f"<h2>{both('New windows', 'Uudet ikkunat')}</h2><p>"
        + link_button(
            "popup-link", "/popup", "Open in a new window", "Avaa uuteen ikkunaan", new=True
        )
        + "</p>"
        + _ask("popup-open", "Open a window by script", "Avaa ikkuna skriptillä")
        + f"<h2>{both('Permissions', 'Luvat')}</h2>"
        + _ask("geo", "Where am I?", "Missä olen?")
        + _ask("camera", "Camera and microphone", "Kamera ja mikrofoni")
        + _ask("notify", "Notifications", "Ilmoitukset")
        + _ask("clipboard", "Read the clipboard", "Lue leikepöytä")
        + f"<h2>{both('Connections', 'Yhteydet')}</h2>"
        + _ask("ws-echo", "WebSocket to this site", "WebSocket tähän palveluun")
        + "<p>"
        + link_button(
            "probe-link",
            "/offlist-probe",
            "Load content from an off-list site",
            "Lataa sisältöä listan ulkopuolelta",
        )
        + "</p><p>"
        + link_button(
            "offlist-link",
            f"{offlist}/",
            "A link to an off-list site",
            "Linkki listan ulkopuoliseen palveluun",
            secondary=True,
        )
        + "</p>"
    )
    return page("The kiosk’s limits / Kioskin rajat", body, scripts=["try.js"])


async def popup(request: web.Request) -> web.Response:
    body = heading("A new window", "Uusi ikkuna") + para(
        "This page was opened as a new window.",
        "Tämä sivu avattiin uuteen ikkunaan.",
        id="popup-text",
    )
    return page("Demo popup / Ponnahdusikkuna", body)


#: The probe page's rows: (result name, what it tries).
PROBES = (
    ("img", "Image / Kuva"),
    ("iframe", "Frame / Kehys"),
    ("script", "Script / Skripti"),
    ("fetch", "fetch()"),
    ("websocket", "WebSocket"),
    ("form", "Form post / Lomakkeen lähetys"),
    ("fetch-allowed", "fetch() to this site / tähän palveluun"),
    ("websocket-allowed", "WebSocket to this site / tähän palveluun"),
)


async def offlist_probe(request: web.Request) -> web.Response:
    offlist = request.app[SITES].offlist
    rows = "".join(
        f'<tr><td>{escape(what)}</td><td class="result" id="{name}-result">waiting</td></tr>'
        for name, what in PROBES
    )
    body = (
        heading("Off-list content", "Listan ulkopuolinen sisältö")
        + para(
            "This page tries to load from a site the kiosk does not allow.",
            "Tämä sivu yrittää ladata sisältöä palvelusta, jota kioski ei salli.",
        )
        + f'<table class="probe">{rows}</table>'
        + shown("probe-done", "Probe", "Koe", "running")
        + f'<form id="offlist-form" method="post" action="{escape(offlist)}/post">'
        + '<input type="hidden" name="probe" value="top-level form">'
        + '<button type="submit" id="offlist-post">'
        + both("Send a form to the off-list site", "Lähetä lomake listan ulkopuolelle")
        + "</button></form>"
        + '<div id="sink"></div>'
    )
    return page(
        "Off-list content / Listan ulkopuolinen sisältö",
        body,
        scripts=["probe.js"],
        data={"offlist": offlist},
    )


async def remember(request: web.Request) -> web.Response:
    canary = request.query.get(CANARY, "")
    body = (
        heading("Privacy check", "Yksityisyyskoe")
        + para(
            "What you type here this site keeps in a cookie and in its storage. "
            "In the next session the kiosk must have forgotten it.",
            "Tähän kirjoittamasi tämä palvelu tallentaa evästeeseen ja muistiinsa. "
            "Seuraavassa istunnossa kioskin on pitänyt unohtaa se.",
        )
        + '<form id="remember-form" method="get" action="/remember">'
        + f'<label for="canary">{both("Something to remember", "Muistettava sana")}</label>'
        + '<input type="text" id="canary" name="canary" autocomplete="off">'
        + f'<p><button type="submit" id="remember-button">{both("Remember", "Muista")}</button></p>'
        + "</form>"
        + shown("remember-result", "Stored", "Tallennettu", "no")
        + "<p>"
        + link_button(
            "recall-link",
            "/recall",
            "What does the site remember?",
            "Mitä palvelu muistaa?",
            secondary=True,
        )
        + "</p>"
    )
    response = page("Privacy check / Yksityisyyskoe", body, scripts=["remember.js"])
    if canary:
        response.set_cookie(
            CANARY_SERVER_COOKIE, canary, max_age=365 * 24 * 3600, path="/", samesite="Lax"
        )
    return response


async def recall(request: web.Request) -> web.Response:
    server_cookie = request.cookies.get(CANARY_SERVER_COOKIE, "") or "none"
    body = (
        heading("What the site remembers", "Mitä palvelu muistaa")
        + shown("recall-cookie", "Cookie", "Eväste", "?")
        + shown("recall-storage", "Storage", "Muisti", "?")
        + shown("recall-server-cookie", "Cookie the site set", "Palvelun eväste", server_cookie)
        + shown("recall-done", "Reported to the site", "Kerrottu palvelulle", "no")
    )
    return page("What the site remembers / Mitä palvelu muistaa", body, scripts=["recall.js"])


async def seen(request: web.Request) -> web.Response:
    """What /recall found; the request log is where it is kept."""
    return web.json_response({"ok": True})


async def ping(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


async def echo(request: web.Request) -> web.WebSocketResponse:
    socket = web.WebSocketResponse()
    await socket.prepare(request)
    async for message in socket:
        if message.type == WSMsgType.TEXT:
            await socket.send_str(message.data)
    return socket
