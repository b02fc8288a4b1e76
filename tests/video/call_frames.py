"""What tests of a call between the kiosk's own client and the advisor's console in Chromium
check: frames decoded at each end, counted from when asked."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Page

from kiosk.video.hub_client import HubAdviceClient
from tests.video.conftest import eventually


async def now(value: bool) -> bool:
    """`value` as something `eventually` can wait on."""
    return value


async def console_frames(page: Page) -> int:
    stats: dict[str, Any] = await page.evaluate("callStats()")
    return int(stats["videoFramesDecoded"])


def kiosk_frames(client: HubAdviceClient) -> int:
    stats = client.receive_stats()
    return stats.video_frames if stats is not None else 0


async def both_receive(client: HubAdviceClient, page: Page, more: int, what: str) -> None:
    """Video arrives at both ends: `more` frames beyond what each had when asked."""
    kiosk_had, console_had = kiosk_frames(client), await console_frames(page)

    async def flowing() -> bool:
        return (
            kiosk_frames(client) > kiosk_had + more
            and await console_frames(page) > console_had + more
        )

    await eventually(flowing, what)
