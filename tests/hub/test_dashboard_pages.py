"""The support dashboard's pages as served: who gets them, their headers, and their files."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from aiohttp import web
from aiohttp.test_utils import TestClient

from hub.routes import HOME
from hub.store import HubStore
from hub.support.pages import STATIC
from tests.hub.conftest import add_kiosk, add_user, log_in, run_app

Client = TestClient[web.Request, web.Application]
PAGES = ("/support", "/support/usage", "/support/deliveries", "/support/kiosks/itakeskus-1")


class _Page(HTMLParser):
    """The scripts, stylesheets and element ids of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.inline_scripts = 0
        self.styles: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag == "script":
            if found.get("src"):
                self.scripts.append(str(found["src"]))
            else:
                self.inline_scripts += 1
        if tag == "link" and found.get("rel") == "stylesheet":
            self.styles.append(str(found["href"]))


def _parse(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    return page


def test_support_staff_land_on_the_fleet_view_and_get_every_page_and_its_files(
    app: web.Application, store: HubStore
) -> None:
    add_user(store, "sanna", "support")
    add_user(store, "root", "admin")
    add_kiosk(store, "itakeskus-1")
    assert HOME["support"] == "/support"

    async def scenario(client: Client) -> None:
        landed = await client.post(
            "/login",
            data={"username": "sanna", "password": "correct horse battery"},
            allow_redirects=False,
        )
        assert landed.headers["Location"] == "/support"
        for path in PAGES:
            response = await client.get(path)
            assert response.status == 200, path
            assert response.content_type == "text/html"
            assert "default-src 'self'" in response.headers["Content-Security-Policy"]
            page = _parse(await response.text())
            assert page.inline_scripts == 0, path  # the CSP would refuse them
            assert page.scripts and page.styles, path
            for url in [*page.scripts, *page.styles]:
                served = await client.get(url)
                assert served.status == 200, url
        await log_in(client, "root")  # an admin may use the pages too
        assert (await client.get("/support/usage")).status == 200

    run_app(app, scenario)


def test_an_advisor_and_nobody_are_refused_and_an_unknown_kiosk_is_404(
    app: web.Application, store: HubStore
) -> None:
    add_user(store, "anna", "advisor")
    add_user(store, "sanna", "support")
    add_kiosk(store, "itakeskus-1")

    async def scenario(client: Client) -> None:
        for path in (*PAGES, "/static/support-fleet.js"):
            anonymous = await client.get(path, headers={"Accept": "text/html"})
            assert anonymous.status == 401, path
            assert 'href="/login"' in await anonymous.text()
        await log_in(client, "anna")
        for path in (*PAGES, "/static/support-fleet.js"):
            assert (await client.get(path)).status == 403, path
        await log_in(client, "sanna")
        missing = await client.get("/support/kiosks/no-such-kiosk")
        assert missing.status == 404
        assert 'href="/support"' in await missing.text()

    run_app(app, scenario)


def test_every_element_a_script_looks_up_is_in_the_pages_that_load_it() -> None:
    pages = {path.name: _parse(path.read_text()) for path in STATIC.glob("support*.html")}
    lookups = re.compile(r"""\$\("([\w-]+)"\)""")
    checked = 0
    for name, page in pages.items():
        for src in page.scripts:
            script = (STATIC / src.removeprefix("/static/")).read_text()
            for element_id in lookups.findall(script):
                if src.endswith("support-common.js"):
                    continue  # the shared script looks each one up only if the page has it
                assert element_id in page.ids, f"{name} lacks #{element_id} for {src}"
                checked += 1
    assert checked > 50
