"""An admin's rollout controls on the Updates page, against `kiosk-hub serve` as a process: a
pilot group made through the page, a version set for it after a confirmation that says how
many kiosks it reaches, and only the group's kiosks get that version in their next heartbeat's
answer, while a version for all kiosks reaches the others; a version the hub refuses is shown
next to its field; taking the group's version away (also confirmed) leaves its kiosks the
version for all, and deleting the group and that version leaves nothing wanted.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.hub.test_dashboard_updates import KIOSKS, Fleet, fleet, hub_process, shot
from tests.peers.browser import needs_chromium, until
from tests.peers.hub import Hub

pytestmark = needs_chromium
__all__ = ["hub_process"]  # the fixture

UP_TO_DATE = {"installed": "0.2.0", "state": "up-to-date"}
PILOT = ("pasila-1", "kallio-1")


async def answers(f: Fleet) -> dict[str, object]:
    """Each kiosk's next heartbeat: what the hub answers it wants."""
    return {k: await kiosk.heartbeat(UP_TO_DATE) for k, kiosk in f.kiosks.items()}


async def confirm(f: Fleet, expected: str) -> str:
    """The confirmation's text, checked, then confirmed."""
    await f.page.wait_for_selector("#confirm:not([hidden])")
    text = await f.page.text_content("#confirm-text") or ""
    assert expected in text, text
    await f.page.click("#confirm-yes")
    return text


def test_an_admin_sets_a_version_for_a_pilot_group_and_only_its_kiosks_get_it(
    hub_process: tuple[Hub, dict[str, str]], tmp_path: Path
) -> None:
    running, tokens = hub_process

    async def scenario() -> None:
        async with fleet(
            running,
            tokens,
            "root",
            "/api/me",
            ("/api/admin/rollouts", "/update-groups/Pilot%20group!"),
        ) as f:
            page = f.page
            assert set((await answers(f)).values()) == {None}  # nothing set yet
            await page.goto(f"{f.base}/support/updates")
            await page.wait_for_selector("body[data-loaded=true][data-admin=true]")
            assert await page.is_visible("#admin")

            # A new pilot group, its kiosks ticked; no version is set for it yet. A name the hub
            # refuses is shown next to the name.
            await page.select_option("#group-pick", "")
            await page.fill("#group-name", "Pilot group!")
            await page.click("#group-save")
            await confirm(f, "Save pilot group Pilot group! with 0 kiosks?")
            await page.wait_for_selector("#group-name-error:not(:empty)")
            assert await page.get_attribute("#group-name", "aria-invalid") == "true"
            await page.fill("#group-name", "pilot")
            for kiosk_id in PILOT:  # each found by typing part of its name or library
                await page.fill("#group-filter", kiosk_id.split("-")[0])
                shown = page.locator("#group-members label:visible")
                assert await shown.count() == 3  # that library's three
                await page.check(f"#group-members input[value='{kiosk_id}']")
            await page.fill("#group-filter", "")
            assert await page.locator("#group-members label:visible").count() == len(KIOSKS)
            assert await page.text_content("#group-ticked") == "2 kiosks ticked"
            await page.click("#group-save")
            await confirm(f, "Save pilot group pilot with 2 kiosks? No version is set for it")
            await until(page, "updatesState.data.groups.length === 1")
            assert await page.input_value("#group-pick") == "pilot"
            assert set((await answers(f)).values()) == {None}

            # A version the hub refuses is shown next to its field, and nothing is set.
            await page.select_option("#target", "group:pilot")
            await page.fill("#version", "0.3.0 beta")
            await page.click("#set-version")
            await confirm(f, "Set version 0.3.0 beta for pilot group pilot?")
            await page.wait_for_selector("#version-error:not(:empty)")
            assert await page.get_attribute("#version", "aria-invalid") == "true"
            assert "version" in (await page.text_content("#version-error") or "").lower()
            await shot(page, tmp_path, "updates-admin-refused")
            assert set((await answers(f)).values()) == {None}

            # Set for the group: the confirmation counts the two kiosks, Cancel sends nothing.
            await page.fill("#version", "0.3.0")
            await page.click("#set-version")
            await page.wait_for_selector("#confirm:not([hidden])")
            text = await page.text_content("#confirm-text") or ""
            assert "It will reach 2 kiosks (Kallio 1, Pasila 1)" in text, text
            await shot(page, tmp_path, "updates-admin-confirm")
            await page.click("#confirm-no")
            assert set((await answers(f)).values()) == {None}
            await page.click("#set-version")
            await confirm(f, "It will reach 2 kiosks")
            await page.wait_for_selector("#rollouts tr[data-target='group:pilot']")
            row = await page.locator("#rollouts tr[data-target='group:pilot']").inner_text()
            assert "0.3.0" in row and "root" in row
            got = await answers(f)
            assert got == {k: ({"version": "0.3.0"} if k in PILOT else None) for k in KIOSKS}

            # The kiosks' reports show on the page after its next refresh.
            await page.reload()
            await page.wait_for_selector("body[data-loaded=true]")
            wanted = await page.locator("#kiosks tr[data-kiosk='kallio-1']").inner_text()
            assert "0.3.0" in wanted and "from pilot group pilot" in wanted
            other = await page.locator("#kiosks tr[data-kiosk='kallio-2']").inner_text()
            assert "nothing set" in other
            await shot(page, tmp_path, "updates-admin")

            # A version for all kiosks reaches the seven outside the group, not the group.
            await page.select_option("#target", "all")
            await page.fill("#version", "0.2.1")
            await page.click("#set-version")
            await confirm(
                f,
                "It will reach 7 kiosks (Kallio 2, Kallio 3, Pasila 2, Pasila 3, "
                "Vuosaari 1 and 2 more); 7 kiosks change what they want.",
            )
            await page.wait_for_selector("#rollouts tr[data-target='all']")
            got = await answers(f)
            assert got == {k: {"version": "0.3.0" if k in PILOT else "0.2.1"} for k in KIOSKS}

            # The group's version taken away (confirmed): its kiosks fall back to all's.
            await page.click("#rollouts button.take-away[data-target='group:pilot']")
            await confirm(f, "It reaches 2 kiosks that want it now: 2 then take another target's")
            await page.wait_for_selector(
                "#rollouts tr[data-target='group:pilot']", state="detached"
            )
            assert await answers(f) == {k: {"version": "0.2.1"} for k in KIOSKS}

            # The group deleted; and all's version taken away: nothing is wanted again.
            await page.select_option("#group-pick", "pilot")
            await page.click("#group-delete")
            await confirm(f, "Delete pilot group pilot (2 kiosks)? No version is set for it.")
            await until(page, "updatesState.data.groups.length === 0")
            assert "pilot" not in await page.locator("#kiosks").inner_text()
            await page.click("#rollouts button.take-away[data-target='all']")
            await confirm(
                f,
                "It reaches 9 kiosks that want it now: 0 then take another target's "
                "version, 9 want nothing",
            )
            await page.wait_for_selector("#rollouts td.empty")
            assert set((await answers(f)).values()) == {None}

    asyncio.run(scenario())
