"""A third person in a call, clicked in two real consoles (docs/call-three-party.md).

The hub is `make_app` on the test's loop on a free port, with an interpreter line (Finnish Sign
Language) answered by tiina; anna answers Virka-info. Each advisor is headless Chromium of its
own (a browser's cookies are its profile's: two logins need two browsers). The kiosk is its
real call client, `HubAdviceClient` on its engine with a simulated camera. anna answers the
kiosk and invites the interpreter line; tiina's console rings as an invitation; once she
accepts, the two consoles send each other camera and sound; she leaves and anna's call with
the kiosk goes on. An invitation declined, withdrawn, or to a line with nobody available ends
without a guest, and the call goes on. anna leaving while tiina is in leaves the call to tiina,
who then has the host's controls and the kiosk's picture on her own connection to it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page

from hub.app import make_app
from hub.config import load_config
from hub.store import HubStore, open_configured
from kiosk.devices.camera.simulated import SimulatedCamera
from kiosk.engine import Engine
from kiosk.video.advice import AdvicePhase
from kiosk.video.hub_client import HubAdviceClient
from tests.conftest import MakeCamera
from tests.hub.conftest import FixedClock, add_user, serving
from tests.peers.browser import needs_chromium, until
from tests.peers.console import advisor_console
from tests.video.conftest import DEADLINE, eventually
from tests.video.resilience_peers import ALL_WEEK, KIOSK_ID, VIRKA, free_port, write_hub

pytestmark = needs_chromium

INTERPRETERS = "tulkki-fse"
INTERPRETER_LINE = f"""
[lines.{INTERPRETERS}]
name_fi = "Viittomakielen tulkkaus"
name_sv = "Teckenspråkstolkning"
name_en = "Sign language interpreting"
interpreting = "fse"
advisors = ["tiina"]
[lines.{INTERPRETERS}.hours]
{ALL_WEEK}
"""


@pytest.fixture
def camera(make_camera: MakeCamera) -> SimulatedCamera:
    return make_camera(320, 240, 15)


async def now(value: bool) -> bool:
    return value


async def stats(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = await page.evaluate("callStats()")
    return result


async def decoding(page: Page, party: str, more_than: int) -> int:
    """Wait until the console has decoded more than `more_than` frames of `party`'s camera and
    heard its sound; the frames decoded so far."""
    expression = (
        f"callStats().then(s => s.parties[{json.dumps(party)}] &&"
        f" s.parties[{json.dumps(party)}].videoFramesDecoded > {more_than} &&"
        f" s.parties[{json.dumps(party)}].audioPacketsReceived > 0)"
    )
    await until(page, expression, DEADLINE)
    return int((await stats(page))["parties"][party]["videoFramesDecoded"])


def guest_frames(client: HubAdviceClient) -> int:
    stats = client.guest_stats()
    return stats.video_frames if stats is not None and stats.audio_frames else 0


def host_video(client: HubAdviceClient) -> int:
    stats = client.receive_stats()
    return stats.video_frames if stats is not None else 0


async def available(page: Page) -> None:
    await page.click("#set-available")
    await page.wait_for_selector("#set-available[aria-pressed=true]")


async def visible_text(page: Page, selector: str) -> str:
    await page.wait_for_selector(f"{selector}:not([hidden])", timeout=DEADLINE * 1000)
    return await page.inner_text(selector)


async def status_says(page: Page, words: str) -> None:
    await until(
        page, f"document.getElementById('invite-status').textContent.includes({json.dumps(words)})"
    )


async def invite(anna: Page, tiina: Page) -> None:
    """anna invites the interpreter line; tiina's console rings with the invitation."""
    await anna.select_option("#invite-line", INTERPRETERS)
    await anna.click("#invite-button")
    await tiina.wait_for_selector("#ringing:not([hidden])", timeout=DEADLINE * 1000)
    await status_says(anna, "Ringing")
    assert await anna.is_disabled("#invite-button")
    assert await anna.is_disabled("#transfer")


def hub_with_interpreters(tmp_path: Path) -> tuple[Path, str, HubStore]:
    path, token = write_hub(tmp_path / "hub", free_port())
    path.write_text(path.read_text() + INTERPRETER_LINE)
    config = load_config(path)
    store = open_configured(config)
    add_user(store, "tiina", "advisor")
    return path, token, store


Body = Callable[[HubAdviceClient, Page, Page], Awaitable[None]]


def in_a_call(
    tmp_path: Path, engine: Engine, camera: SimulatedCamera, body: Body, **console: Any
) -> None:
    """The hub with its interpreter line, anna's and tiina's consoles available, and the kiosk
    in a call that anna has answered; then `body(kiosk, anna, tiina)`. Neither console may
    have met a script error by the end."""
    path, token, store = hub_with_interpreters(tmp_path)
    config = load_config(path)

    async def scenario() -> None:
        async with serving(make_app(config, store, clock=FixedClock())) as base:
            client = HubAdviceClient(
                hub_url=base, token=token, kiosk_id=KIOSK_ID, loop=engine.loop, camera=camera
            )
            async with (
                advisor_console(base, "anna", strict=True, **console) as (anna, anna_problems),
                advisor_console(base, "tiina", strict=True, **console) as (
                    tiina,
                    tiina_problems,
                ),
            ):
                try:
                    await available(anna)
                    await available(tiina)
                    client.open()
                    await eventually(lambda: now(client.hub_connected), "the kiosk to connect")
                    client.start(VIRKA, "fi")
                    await anna.wait_for_selector("#ringing:not([hidden])", timeout=DEADLINE * 1000)
                    assert await anna.is_hidden("#ring-invitation")
                    await anna.click("#accept")
                    await anna.wait_for_selector("body[data-state=call]")
                    await eventually(
                        lambda: now(client.status.phase is AdvicePhase.CONNECTED), "connected"
                    )
                    await body(client, anna, tiina)
                finally:
                    await asyncio.wrap_future(engine.submit(client.aclose()))
                assert not anna_problems, anna_problems
                assert not tiina_problems, tiina_problems

    try:
        asyncio.run(asyncio.wait_for(scenario(), 5 * DEADLINE))
    finally:
        store.close()


def test_an_interpreter_joins_talks_with_the_advisor_and_leaves_the_call_going_on(
    tmp_path: Path, engine: Engine, camera: SimulatedCamera, shots: Path
) -> None:
    async def body(client: HubAdviceClient, anna: Page, tiina: Page) -> None:
        await decoding(anna, "kiosk", 10)
        assert await anna.is_hidden("#party")
        assert await tiina.is_hidden("#ringing")  # an interpreter is not rung for calls

        # The choice: interpreter lines first, named so; never the call's own line.
        choices = await anna.eval_on_selector_all(
            "#invite-line option", "os => os.map(o => [o.value, o.textContent])"
        )
        assert choices[0] == [INTERPRETERS, "Tulkki / Interpreter: Viittomakielen tulkkaus"]
        assert VIRKA not in [value for value, _ in choices]
        transfers = await anna.eval_on_selector_all(
            "#transfer-line option", "os => os.map(o => o.value)"
        )
        assert INTERPRETERS not in transfers

        await invite(anna, tiina)
        assert await tiina.is_visible("#ring-invitation")
        assert await tiina.is_hidden("#ring-incoming")
        assert "Virka-info" in await visible_text(tiina, "#ring-from-line")
        assert "Interpreting" in await visible_text(tiina, "#ring-reason")
        assert "Finnish Sign Language" in await visible_text(tiina, "#ring-interpreting")
        assert await tiina.text_content("#ring-kiosk") == "Itäkeskus 1"
        await tiina.screenshot(path=str(shots / "console-invitation-ringing.png"))
        await tiina.click("#accept")

        # tiina is the guest; anna offers to her; each sees and hears the other.
        await tiina.wait_for_selector("body[data-state=call]")
        await tiina.wait_for_selector("#leave:not([hidden])")
        assert await tiina.is_hidden("#hang-up")
        assert await tiina.is_disabled("#invite-button")
        assert "Virka-info" in await visible_text(tiina, "#party-caption")
        await status_says(anna, "joined")
        caption = await visible_text(anna, "#party-caption")
        assert "Interpreter" in caption and "Finnish Sign Language" in caption
        seen_by_anna = await decoding(anna, "guest", 10)
        seen_by_tiina = await decoding(tiina, "host", 10)
        await decoding(anna, "guest", seen_by_anna + 30)
        await decoding(tiina, "host", seen_by_tiina + 30)
        await anna.wait_for_selector("#party-state", state="hidden")
        await tiina.wait_for_selector("#party-state", state="hidden")
        # The mesh's third leg: the kiosk and tiina see and hear each other too, and the
        # kiosk knows who joined and why.
        await decoding(tiina, "kiosk", 10)
        await eventually(lambda: now(client.status.guest is not None), "the kiosk told who joined")
        guest = client.status.guest
        assert guest is not None
        assert (guest.line, guest.reason, guest.interpreting) == (
            INTERPRETERS,
            "interpreter",
            "fse",
        )
        assert guest.name("sv") == "Teckenspråkstolkning"
        await eventually(lambda: now(guest_frames(client) > 30), "the interpreter at the kiosk")
        # anna's call with the kiosk goes on beside it, its help with anna only.
        kiosk_frames = await decoding(anna, "kiosk", 10)
        assert await anna.is_visible("#hang-up-leave")
        assert await anna.is_disabled("#invite-button")
        assert await anna.is_disabled("#transfer")
        assert await anna.is_visible("#rtt-input")
        assert await tiina.is_hidden("#rtt-input")
        assert await tiina.is_visible("#help-elsewhere")
        await anna.screenshot(path=str(shots / "console-three-party-host.png"))
        await tiina.screenshot(path=str(shots / "console-three-party-guest.png"))

        # tiina leaves: her console is idle, anna's call with the kiosk goes on.
        await tiina.click("#leave")
        await tiina.wait_for_selector("body[data-state=idle]")
        assert "left the call" in (await tiina.text_content("#notice") or "")
        assert await tiina.evaluate("Object.keys(window.consoleState.parties)") == []
        await status_says(anna, "left")
        await anna.wait_for_selector("#party", state="hidden")
        assert "guest" not in (await stats(anna))["parties"]
        await decoding(anna, "kiosk", kiosk_frames + 30)
        await eventually(lambda: now(client.status.guest is None), "the kiosk told")
        assert client.guest_stats() is None
        host_frames = host_video(client)
        await eventually(lambda: now(host_video(client) > host_frames + 30), "anna still")
        assert await anna.is_visible("#hang-up-end")
        assert await anna.is_enabled("#invite-button")
        assert client.status.phase is AdvicePhase.CONNECTED

        # Now anna's End call ends the call.
        await anna.click("#hang-up")
        await anna.wait_for_selector("body[data-state=idle]")
        assert await anna.evaluate("window.consoleState.pc") is None

    in_a_call(tmp_path, engine, camera, body, viewport={"width": 1280, "height": 900})


def test_an_invitation_declined_withdrawn_or_unanswerable_leaves_the_call_as_it_was(
    tmp_path: Path, engine: Engine, camera: SimulatedCamera
) -> None:
    async def body(client: HubAdviceClient, anna: Page, tiina: Page) -> None:
        kiosk_frames = await decoding(anna, "kiosk", 10)

        # Declined: the line's only interpreter said no, so nobody answered.
        await invite(anna, tiina)
        await tiina.click("#decline")
        await status_says(anna, "No answer")
        assert await anna.is_enabled("#invite-button")
        assert await anna.is_hidden("#invite-cancel")
        assert await tiina.is_hidden("#ringing")

        # Withdrawn while it rings: tiina's console stops ringing and says why.
        await invite(anna, tiina)
        await anna.wait_for_selector("#invite-cancel:not([hidden]):enabled")
        await anna.click("#invite-cancel")
        await status_says(anna, "Cancelled")
        await tiina.wait_for_selector("#ringing", state="hidden")
        assert "withdrawn" in (await tiina.text_content("#notice") or "")

        # Nobody of the line available: refused at once, and Invite is there again.
        await tiina.click("#set-away")
        await tiina.wait_for_selector("#set-away[aria-pressed=true]")
        await anna.select_option("#invite-line", INTERPRETERS)
        await anna.click("#invite-button")
        await until(
            anna,
            "['Nobody available', 'Could not invite'].some(w =>"
            " document.getElementById('invite-status').textContent.includes(w))",
        )
        assert await anna.is_enabled("#invite-button")
        assert await tiina.is_hidden("#ringing")

        assert await anna.is_hidden("#party")
        assert "guest" not in (await stats(anna))["parties"]
        await decoding(anna, "kiosk", kiosk_frames + 30)
        assert client.status.phase is AdvicePhase.CONNECTED

    in_a_call(tmp_path, engine, camera, body)


def test_the_host_leaves_and_the_interpreter_goes_on_with_the_citizen(
    tmp_path: Path, engine: Engine, camera: SimulatedCamera
) -> None:
    async def body(client: HubAdviceClient, anna: Page, tiina: Page) -> None:
        await decoding(anna, "kiosk", 10)
        await invite(anna, tiina)
        await tiina.click("#accept")
        await decoding(anna, "guest", 10)
        await decoding(tiina, "host", 10)

        # anna's End call, while tiina is in, is Leave: the call goes on with tiina.
        assert await anna.is_visible("#hang-up-leave")
        await anna.click("#hang-up")
        await anna.wait_for_selector("body[data-state=idle]")
        assert "left the call" in (await anna.text_content("#notice") or "")
        await until(tiina, "window.consoleState.role === 'host'")
        assert "yours now" in (await tiina.text_content("#notice") or "")
        await tiina.wait_for_selector("#party", state="hidden")
        assert "host" not in (await stats(tiina))["parties"]
        assert await tiina.is_visible("#hang-up-end")
        assert await tiina.is_hidden("#leave")
        assert await tiina.is_visible("#invite-button")
        assert client.status.phase is AdvicePhase.CONNECTED
        # The kiosk's picture goes on coming to tiina on her own connection to it, and hers
        # to the kiosk on the connection it made to her as a guest, now the host's. The call's
        # help went with anna.
        seen = await decoding(tiina, "kiosk", 10)
        await decoding(tiina, "kiosk", seen + 30)
        await eventually(lambda: now(client.status.guest is None), "the kiosk told")
        assert client.help is None and client.guest_stats() is None
        assert client.status.line == INTERPRETERS
        frames = host_video(client)
        await eventually(lambda: now(host_video(client) > frames + 30), "tiina at the kiosk")

        # tiina's End call now ends the call, for the kiosk too.
        await tiina.click("#hang-up")
        await tiina.wait_for_selector("body[data-state=idle]")
        await eventually(lambda: now(client.status.phase is not AdvicePhase.CONNECTED), "the end")

    in_a_call(tmp_path, engine, camera, body)
