"""The Deliveries page in a real browser when the mail relay offers no encryption: the form waits
with the reason in its row, nothing reaches the relay, and once the relay speaks STARTTLS a
retry delivers it encrypted."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from hub.config import load_config
from hub.store import HubStore, open_configured
from tests.hub.conftest import FixedClock, form_payload, make_catalogue
from tests.hub.test_dashboard_browser import dashboard
from tests.hub.test_dashboard_deliveries import settled, submit
from tests.peers.browser import needs_chromium
from tests.peers.smtp import free_port
from tests.peers.smtp_tls import TlsSmtpSink

pytestmark = needs_chromium

FORM_ID = "0123456789abcdef0123456789abcdef"


def test_a_relay_without_starttls_shows_on_the_deliveries_page_and_gets_nothing(
    write_config: Callable[[str], Path],
    tmp_path: Path,
    self_signed: tuple[Path, Path],
    clock: FixedClock,
) -> None:
    port = free_port()
    config = load_config(
        write_config(
            f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nca_file = "{self_signed[0]}"\n'
            f'[forms]\ncatalogue_dir = "{make_catalogue(tmp_path / "catalogue")}"\n'
        )
    )
    store = open_configured(config)
    plain = TlsSmtpSink(port, mode="none")
    secure = TlsSmtpSink(port, *self_signed, mode="starttls")

    async def scenario() -> None:
        async with dashboard(config, store, clock) as hub:
            page = hub.page
            plain.start()
            await submit(hub.kiosks["itakeskus-1"], form_payload(FORM_ID))
            await tried(store)
            plain.stop()

            await page.click("nav a#nav-deliveries")
            await page.wait_for_selector(f"tr[data-id='{FORM_ID}'][data-status=pending]")
            row = page.locator(f"tr[data-id='{FORM_ID}']")
            text = await row.inner_text()
            assert "Waiting" in text and "next try" in text
            assert f"SMTP relay 127.0.0.1:{port} does not offer STARTTLS" in text
            assert "nothing was sent" in text
            await page.screenshot(path=str(tmp_path / "deliveries-no-starttls.png"), full_page=True)

            # The relay now offers STARTTLS: a confirmed retry delivers, encrypted.
            secure.start()
            await page.click(f"tr[data-id='{FORM_ID}'] button.retry")
            await page.click("#confirm-yes")
            await page.wait_for_selector(f"tr[data-id='{FORM_ID}'][data-status=delivered]")
            await settled(store, FORM_ID, "delivered")

    try:
        asyncio.run(scenario())
    finally:
        plain.stop()
        secure.stop()
        store.close()
    assert plain.received == []
    assert [to for to, _ in secure.received] == [["kansalaisneuvonta@example.fi"]]
    assert secure.encrypted == [True]


async def tried(store: HubStore) -> None:
    """Until the hub's first attempt at the form has failed (it then waits to try again)."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + 30
    while (record := store.submissions.get(FORM_ID)) is None or record.attempts < 1:
        assert loop.time() < give_up, "the hub never tried"
        await asyncio.sleep(0.05)
