"""The usage page's video advice, read in headless Chromium: the counts as figures, one chart of
waits by hour per line with a table of the same numbers, and the line chooser."""

from __future__ import annotations

import asyncio
from pathlib import Path

from hub.config import HubConfig
from hub.store import HubStore
from tests.hub.conftest import FixedClock
from tests.hub.test_advice_usage import fill
from tests.hub.test_dashboard_browser import dashboard, rows
from tests.peers.browser import needs_chromium

pytestmark = needs_chromium


def test_the_usage_page_shows_advice_figures_and_charts_waits_per_line_by_hour(
    config: HubConfig, store: HubStore, clock: FixedClock, shots: Path
) -> None:
    fill(store)

    async def scenario() -> None:
        async with dashboard(config, store, clock) as hub:
            page = hub.page
            await page.goto(f"{hub.base}/support/usage?from=2025-01-13&to=2025-01-13")
            await page.wait_for_selector("body[data-loaded=true]")

            async def figure(key: str) -> str:
                return (await page.text_content(f"dd[data-figure={key}]") or "").strip()

            assert await figure("booked") == "8"
            assert await figure("no_show") == "2 (25 %)"
            assert await figure("done") == "6 (60 %)"
            assert await figure("expired") == "1 (10 %)"
            assert await figure("call_back_p50") == "1 h"
            assert await figure("call_back_p90") == "10 h"
            assert await figure("home") == "5 (31 %)"
            summary = await page.text_content("#advice-summary") or ""
            assert (
                "all lines: 8 booked appointments, 10 callbacks asked and 16 video calls" in summary
            )

            # One chart per line, the configured lines' order, each with its table.
            charts = page.locator("figure.wait-chart")
            assert [await c.get_attribute("data-line") for c in await charts.all()] == [
                "virka-info",
                "kansalaisneuvonta",
            ]
            assert await rows(page, "table.waits[data-line=virka-info]") == [
                "00–01\t1\t5 s\t5 s",
                "09–10\t10\t50 s\t1 min 30 s",
                "10–11\t1\t2 min\t2 min",
            ]
            assert await rows(page, "table.waits[data-line=kansalaisneuvonta]") == [
                "09–10\t2\t30 s\t5 min"
            ]
            virka = page.locator("figure.wait-chart[data-line=virka-info] svg")
            assert await virka.get_attribute("role") == "img"
            # Hours 0 to 10 on both charts' axis; bars only where calls waited.
            p90 = virka.locator("rect.bar[data-series=p90]")
            assert [await bar.get_attribute("data-value") for bar in await p90.all()] == [
                "5",
                "90",
                "120",
            ]
            titles = await virka.locator("rect.bar[data-series=p50] title").all_text_contents()
            assert "09–10, 10 calls, Median (p50): 50 s" in titles
            legend = await virka.locator("text.label").all_text_contents()
            assert legend == ["Median (p50)", "p90"]
            await page.locator("#advice").screenshot(path=str(shots / "support-usage-advice.png"))

            await page.select_option("#advice-line", "kansalaisneuvonta")
            await page.wait_for_selector("body[data-loaded=true]")
            assert "line=kansalaisneuvonta" in page.url
            assert await charts.count() == 1
            assert await figure("booked") == "1"
            summary = await page.text_content("#advice-summary") or ""
            assert "Citizens' Advice: 1 booked appointments" in summary

            # The line stays chosen when the page is loaded again from its address.
            await page.reload()
            await page.wait_for_selector("body[data-loaded=true]")
            assert await page.input_value("#advice-line") == "kansalaisneuvonta"
            assert await charts.count() == 1
            await page.screenshot(path=str(shots / "support-usage-page.png"), full_page=True)

    asyncio.run(scenario())
