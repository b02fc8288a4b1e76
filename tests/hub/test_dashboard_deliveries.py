"""The Deliveries page in a real browser: submissions the hub could not deliver (its SMTP relay is
down, and it gives up after one attempt) are shown as failed with their error, and Retry sends
one again once a real SMTP server (aiosmtpd) answers.

Kiosks submit sealed payloads through the kiosk API; the hub's own delivery worker does the rest.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from hub.store import HubStore, open_configured
from tests.hub.conftest import (
    FixedClock,
    email_payload,
    form_payload,
    make_catalogue,
    sealed_for,
)
from tests.hub.test_dashboard_browser import Kiosk, dashboard
from tests.hub.test_delivery import delivery_config, kiosk_headers
from tests.peers.browser import needs_chromium, until
from tests.peers.smtp import SmtpSink

pytestmark = needs_chromium

FORM_ID = "0123456789abcdef0123456789abcdef"
EMAIL_ID = "fedcba9876543210fedcba9876543210"


async def submit(kiosk: Kiosk, payload: dict[str, object]) -> None:
    submission_id, kind = str(payload["submission_id"]), str(payload["kind"])
    headers = {**kiosk_headers("", submission_id, kind), **kiosk.headers}
    async with kiosk.http.post(
        f"{kiosk.base}/api/kiosk/submissions", data=sealed_for(payload), headers=headers
    ) as response:
        assert (await response.json())["status"] == "stored"


async def settled(store: HubStore, submission_id: str, status: str) -> None:
    """Wait until the hub's delivery worker has brought the submission to `status`."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + 30
    while (record := store.submissions.get(submission_id)) is None or record.status != status:
        assert loop.time() < give_up, f"{submission_id} is {record and record.status}"
        await asyncio.sleep(0.05)


def test_failed_deliveries_come_first_with_their_error_and_a_retry_delivers_one(
    write_config: Callable[[str], Path], tmp_path: Path, smtp_sink: SmtpSink, clock: FixedClock
) -> None:
    make_catalogue(tmp_path / "catalogue")
    config = delivery_config(
        write_config, tmp_path, smtp_sink.port, "[delivery]\nmax_attempts = 1\n"
    )
    store = open_configured(config)

    async def scenario() -> None:
        async with dashboard(config, store, clock) as hub:
            page = hub.page
            # The relay is down: an e-mail, then a minute later a form, both fail at once.
            await submit(hub.kiosks["kallio-1"], email_payload(EMAIL_ID))
            await settled(store, EMAIL_ID, "failed")
            clock.advance(minutes=1)
            await submit(hub.kiosks["itakeskus-1"], form_payload(FORM_ID))
            await settled(store, FORM_ID, "failed")

            await page.click("nav a#nav-deliveries")
            await page.wait_for_selector("body[data-loaded=true]")
            assert "2 failed · 0 waiting · 0 delivered" in (
                await page.text_content("#summary") or ""
            )
            assert (await page.text_content("#nav-deliveries .count") or "").strip() == "2 failed"
            form_row = page.locator(f"tr[data-id='{FORM_ID}']")
            text = await form_row.inner_text()
            assert (
                "Failed" in text and "itakeskus-1" in text and "kansalaisneuvonta-contact" in text
            )
            assert f"SMTP relay 127.0.0.1:{smtp_sink.port} unreachable" in text
            assert "E-mail" in await page.locator(f"tr[data-id='{EMAIL_ID}']").inner_text()
            # Never what was sent: no answers, no message text, no addresses.
            body = await page.inner_text("body")
            for private in ("Maija", "040 123 4567", "Hej", "someone@", "Ansökan"):
                assert private not in body, private

            # Only the delivered ones: none yet.
            await page.select_option("#filter-status", "delivered")
            await page.wait_for_selector("#deliveries td.empty")
            assert "No delivered submissions." in await page.inner_text("#deliveries")
            await page.select_option("#filter-status", "")
            await page.wait_for_selector(f"tr[data-id='{FORM_ID}']")

            # A cancelled retry sends nothing.
            retry = f"tr[data-id='{FORM_ID}'] button.retry"
            await page.click(retry)
            confirm = await page.text_content("#confirm-text") or ""
            assert "kansalaisneuvonta-contact from itakeskus-1" in confirm
            await page.click("#confirm-no")
            assert await page.is_hidden("#confirm")
            record = store.submissions.get(FORM_ID)
            assert record is not None and (record.status, record.attempts) == ("failed", 1)

            # The relay is back; a confirmed retry delivers the form, and the row says so.
            smtp_sink.start()
            await page.click(retry)
            await page.click("#confirm-yes")
            await page.wait_for_selector(f"tr[data-id='{FORM_ID}'][data-status=delivered]")
            text = await form_row.inner_text()
            assert "Delivered" in text and "Retry now" not in text
            assert text.split("\t")[5] == "2"  # attempts: the failed one and the retry
            assert "1 failed · 0 waiting · 1 delivered" in (
                await page.text_content("#summary") or ""
            )
            await until(
                page, "document.querySelector('#nav-deliveries .count').dataset.failed === '1'"
            )
            # Failed first, though the e-mail is the older of the two.
            ids = [
                await r.get_attribute("data-id")
                for r in await page.locator("#deliveries tbody tr").all()
            ]
            assert ids == [EMAIL_ID, FORM_ID]

    try:
        asyncio.run(scenario())
        email = store.submissions.get(EMAIL_ID)
        assert email is not None and email.status == "failed"  # nobody asked for that one
    finally:
        store.close()
    assert [to for to, _ in smtp_sink.received] == [["kansalaisneuvonta@example.fi"]]
