"""The Updates page as served: support staff and admins get it and its scripts; an advisor and
nobody do not; every other support page's navigation leads to it."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import TestClient

from hub.store import HubStore
from hub.support.pages import STATIC
from tests.hub.conftest import add_user, log_in, run_app

Client = TestClient[web.Request, web.Application]
FILES = ("/static/support-updates.js", "/static/support-update-state.js")


def test_the_updates_page_and_its_scripts_are_for_support_and_admins_only(
    app: web.Application, store: HubStore
) -> None:
    add_user(store, "anna", "advisor")
    add_user(store, "sanna", "support")
    add_user(store, "root", "admin")

    async def scenario(client: Client) -> None:
        for path in ("/support/updates", *FILES):
            assert (await client.get(path, headers={"Accept": "text/html"})).status == 401, path
        await log_in(client, "anna")
        for path in ("/support/updates", *FILES):
            assert (await client.get(path)).status == 403, path
        for user in ("sanna", "root"):
            await log_in(client, user)
            page = await client.get("/support/updates")
            assert page.status == 200 and page.content_type == "text/html"
            text = await page.text()
            for path in FILES:
                assert f'src="{path}"' in text
                assert (await client.get(path)).status == 200, path

    run_app(app, scenario)


def test_the_pages_that_show_a_kiosks_update_load_its_wording() -> None:
    for name in ("support.html", "support-kiosk.html", "support-updates.html"):
        text = (STATIC / name).read_text()
        wording = text.index("/static/support-update-state.js")
        assert text.index("/static/support-common.js") < wording, name
