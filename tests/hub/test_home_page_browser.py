"""The home-call page in a real browser: a citizen in headless Chromium chooses a line, sees
their own camera, waits, and talks to an advisor whose console runs in another Chromium; the
page in Finnish, Swedish and English.

The hub runs on the test's loop on a free port; both browsers use Chromium's fake camera and
microphone, so that frames decoded at each end prove video both ways.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from playwright.async_api import Page

from hub.app import make_app
from hub.calls.lines import DEFAULT_LINES
from hub.config import HubConfig, load_config
from hub.store import HubStore
from tests.hub.conftest import FixedClock, add_user, log_in, serving
from tests.peers.browser import chromium, needs_chromium, until, watch
from tests.peers.console import advisor_console
from tests.video.resilience_peers import ALL_WEEK

pytestmark = needs_chromium

PHONE = {"width": 390, "height": 844}


def _staffed(config: HubConfig) -> HubConfig:
    lines = tuple(
        replace(line, advisors=("anna",) if line.id == "virka-info" else ())
        for line in DEFAULT_LINES.values()
    )
    return replace(config, lines=lines)


async def _stats(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = await page.evaluate("callStats()")
    return result


async def _decoding(page: Page, more_than: int) -> int:
    """Wait until the page has decoded more than `more_than` frames of the other end's camera;
    the frames decoded so far."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + 60
    while True:
        frames = int((await _stats(page))["videoFramesDecoded"])
        if frames > more_than:
            return frames
        assert loop.time() < give_up, f"decoded only {frames} frames"
        await asyncio.sleep(0.2)


@pytest.mark.parametrize(
    ("query", "locale", "lang", "heading", "state", "code"),
    [
        (
            "?lang=fi",
            "en-GB",
            "fi",
            "Videoneuvonta kotoa",
            "Suljettu nyt. Avautuu maanantaina 20.1. klo 9.00.",
            "Minulla on ajanvarauskoodi",
        ),
        (
            "",
            "sv-FI",
            "sv",
            "Videorådgivning hemifrån",
            "Stängt nu. Öppnar måndag 20.1. kl. 9.00.",
            "Jag har en bokningskod",
        ),
        (
            "?lang=en",
            "fi-FI",
            "en",
            "Video advice from home",
            "Closed now. Opens on Monday 20.1. at 9:00.",
            "I have a booking code",
        ),
        (
            "",
            "de-DE",
            "fi",
            "Videoneuvonta kotoa",
            "Suljettu nyt. Avautuu maanantaina 20.1. klo 9.00.",
            "Minulla on ajanvarauskoodi",
        ),
    ],
)
def test_the_page_speaks_the_asked_language_or_the_browser_s_or_finnish(
    config: HubConfig,
    store: HubStore,
    query: str,
    locale: str,
    lang: str,
    heading: str,
    state: str,
    code: str,
    shots: Path,
) -> None:
    # Saturday noon in Helsinki: every line is closed, and says when it opens.
    clock = FixedClock(FixedClock().now.replace(day=18, hour=10))

    async def scenario() -> None:
        async with (
            serving(make_app(config, store, clock=clock)) as base,
            chromium(viewport=PHONE, locale=locale) as context,
        ):
            page = await context.new_page()
            problems: list[str] = []
            watch(page, problems)
            await page.goto(f"{base}/call{query}")
            await page.wait_for_selector("#lines .line")
            assert await page.get_attribute("html", "lang") == lang
            assert await page.text_content("#lines-heading") == heading
            # The opening in the page's words, from the hub's time (Saturday noon), not the
            # phone's.
            assert await page.text_content("#lines .line .state") == state
            assert await page.text_content("#code-heading") == code
            await page.screenshot(path=str(shots / f"home-closed-{lang}-{locale}.png"))
            # A closed line offers its phone number, not a call.
            assert await page.locator("#lines .line button").count() == 0
            assert await page.locator("#lines .line a[href^='tel:']").count() == 2
            await page.fill("#code", "1234")
            await page.click("#code-form button[type=submit]")
            assert await page.get_attribute("#code", "aria-invalid") == "true"
            assert await page.is_visible("#code-error")
            # The language switch changes the page in place.
            other = "en" if lang != "en" else "sv"
            await page.click(f"#languages a[data-lang={other}]")
            assert await page.get_attribute("html", "lang") == other
            assert f"lang={other}" in page.url
            assert not problems, problems

    asyncio.run(scenario())


def test_a_home_caller_reaches_an_advisor_in_the_console_and_both_see_and_hear_each_other(
    config: HubConfig, store: HubStore, shots: Path
) -> None:
    config = _staffed(config)
    add_user(store, "anna", "advisor")

    async def scenario() -> None:
        async with (
            serving(make_app(config, store, clock=FixedClock())) as base,
            advisor_console(base, strict=True, viewport={"width": 1280, "height": 900}) as (
                console,
                console_problems,
            ),
            chromium(viewport=PHONE, locale="fi-FI") as context,
        ):
            home = await context.new_page()
            problems: list[str] = []
            watch(home, problems)
            await home.goto(f"{base}/call")
            await home.wait_for_selector("#lines .line")
            # Nobody available yet: the line says so and offers no call.
            await until(
                home, "document.querySelector('#lines .line .state').dataset.state === 'unstaffed'"
            )

            await console.click("#set-available")
            await console.wait_for_selector("#set-available[aria-pressed=true]")
            # The page asks again by itself and offers the call.
            await home.wait_for_selector("#lines button[data-line=virka-info]", timeout=30_000)
            state = await home.text_content("#line-virka-info-state")
            assert state == "Avoinna nyt: 1 neuvoja on vapaana.", state
            await home.screenshot(path=str(shots / "home-1-lines.png"), full_page=True)

            await home.click("#lines button[data-line=virka-info]")
            await home.wait_for_selector("body[data-step=consent]")
            assert "Puhelua ei tallenneta" in (await home.text_content(".consent") or "")
            await home.click("#allow-camera")
            await home.wait_for_selector("#call:not([hidden])")
            await until(home, "document.getElementById('preview').videoWidth > 0")
            await home.screenshot(path=str(shots / "home-2-consent-preview.png"), full_page=True)

            await home.click("#call")
            await home.wait_for_selector("body[data-step=queue]")
            await until(home, "window.homeCall.queued !== null")
            assert await home.text_content("#queue-position") == "Olet jonossa seuraavana."
            await console.wait_for_selector("#ringing:not([hidden])")
            await home.screenshot(path=str(shots / "home-3-queue.png"), full_page=True)
            await console.click("#accept")

            await home.wait_for_selector("body[data-step=call]")
            await console.wait_for_selector("body[data-state=call]")
            # Video both ways, and sound: frames keep coming at each end.
            seen_home = await _decoding(home, 10)
            seen_console = await _decoding(console, 10)
            await _decoding(home, seen_home + 30)
            await _decoding(console, seen_console + 30)
            await until(home, "document.getElementById('remote-video').videoWidth > 0")
            at = await home.evaluate("document.getElementById('remote-video').currentTime")
            await until(home, f"document.getElementById('remote-video').currentTime > {at}")
            assert (await _stats(home))["audioPacketsReceived"] > 0
            assert (await _stats(console))["audioPacketsReceived"] > 0
            await until(home, "document.getElementById('media-state').textContent === ''")
            await home.screenshot(path=str(shots / "home-4-in-call.png"), full_page=True)

            await home.click("#mute")
            assert await home.get_attribute("#mute", "aria-pressed") == "true"
            assert await home.is_visible("#muted-note")
            await home.click("#hang-up")
            await home.wait_for_selector("body[data-step=ended]")
            assert await home.text_content("#ended-reason") == "Lopetit puhelun."
            await console.wait_for_selector("body[data-state=idle]")
            await home.wait_for_selector("#rating:not([hidden])")
            await home.screenshot(path=str(shots / "home-5-ended.png"), full_page=True)
            await home.click("#rating button[data-stars='4']")
            await home.wait_for_selector("#rated:has-text('Kiitos')")

            async def rated() -> bool:
                records = store.call_records()
                return bool(records) and records[-1].get("rating") == 4

            loop = asyncio.get_running_loop()
            give_up = loop.time() + 30
            while not await rated():
                assert loop.time() < give_up, store.call_records()
                await asyncio.sleep(0.1)
            record = store.call_records()[-1]
            assert (record["kiosk_id"], record["outcome"]) == ("home", "answered")
            assert not problems, problems
        assert not console_problems, console_problems

    asyncio.run(scenario())


async def _ended(page: Page) -> str:
    await page.wait_for_selector("body[data-step=ended]")
    return await page.text_content("#ended-reason") or ""


async def _call(page: Page) -> None:
    """From the consent step: the camera, then the call."""
    await page.wait_for_selector("body[data-step=consent]")
    if await page.is_visible("#allow-camera"):
        await page.click("#allow-camera")
    await page.click("#call:not([hidden])")


async def _use_code(page: Page, code: str) -> None:
    await page.fill("#code", code)
    await page.click("#code-form button[type=submit]")
    await _call(page)


def test_every_way_a_home_call_does_not_go_through_is_said_with_a_way_out(
    write_config: Callable[[str], Path], store: HubStore, shots: Path
) -> None:
    config = _staffed(load_config(write_config("[home]\ncalls_per_address_per_hour = 3\n")))
    add_user(store, "anna", "advisor")
    clock = FixedClock()

    async def scenario() -> None:
        async with (
            serving(make_app(config, store, clock=clock)) as base,
            aiohttp.ClientSession(base_url=base, cookie_jar=aiohttp.CookieJar(unsafe=True)) as anna,
            chromium(viewport=PHONE, locale="fi-FI") as context,
        ):
            # An advisor who is available but never answers: calls ring and wait.
            await log_in(anna, "anna")
            advisor = await anna.ws_connect("/ws/advisor", headers={"Origin": base})
            await advisor.send_json({"type": "available", "available": True})
            page = await context.new_page()
            problems: list[str] = []
            watch(page, problems)
            await page.goto(f"{base}/call")
            call_virka = "#lines button[data-line=virka-info]"
            await page.wait_for_selector(call_virka, timeout=30_000)

            # 1. Queued, then cancelled by the citizen.
            await page.click(call_virka)
            await _call(page)
            await until(page, "window.homeCall.queued !== null")
            await page.click("#cancel")
            assert await _ended(page) == "Poistuit jonosta."
            assert await page.text_content("#ended-heading") == "Puhelu ei yhdistynyt"
            assert await page.is_hidden("#rating")
            phone = await page.text_content("#ended-phone")
            assert (
                phone
                == "Voit myös soittaa palveluun Virka-info puhelimella: +358\xa09\xa0310\xa011111"
            )
            await page.click("#again")

            # 2. The line closes while the citizen checks their camera.
            await page.click(call_virka)
            clock.advance(hours=7)  # 17:00 in Helsinki
            await _call(page)
            assert await _ended(page) == "Virka-info on nyt suljettu. Avautuu huomenna klo 9.00."
            assert "+358\xa09\xa0310\xa011111" in (await page.text_content("#ended-phone") or "")
            await page.screenshot(path=str(shots / "home-6-line-closed.png"), full_page=True)
            await page.click("#again")

            # 3. A booking code nobody holds: every line's phone is the way out.
            await _use_code(page, "1234 5678")
            assert await _ended(page) == (
                "Tällä koodilla ei löytynyt ajanvarausta. Tarkista koodi ja yritä uudelleen."
            )
            phones = await page.text_content("#ended-phone") or ""
            assert "+358\xa09\xa0310\xa011111" in phones and "0295\xa0000\xa0160" in phones
            await page.click("#again")

            # 4. The calls of the last hour (the clock moved on: from the closed line on) reach the
            # limit with one more code; the next is refused.
            await _use_code(page, "8765-4321")
            assert (await _ended(page)).startswith("Tällä koodilla")
            await page.click("#again")
            await _use_code(page, "87654321")
            assert await _ended(page) == (
                "Verkostasi on aloitettu liian monta puhelua. Yritä myöhemmin uudelleen."
            )
            await page.screenshot(path=str(shots / "home-7-rate-limited.png"), full_page=True)
            await advisor.close()
            assert not problems, problems

    asyncio.run(scenario())


def test_a_booking_code_from_home_goes_first_to_the_advisor_who_holds_the_slot(
    config: HubConfig, store: HubStore, shots: Path
) -> None:
    config = _staffed(config)
    add_user(store, "anna", "advisor")
    clock = FixedClock()
    slot = store.appointments.add_slot(
        "anna",
        "virka-info",
        clock.now,
        clock.now + timedelta(minutes=20),
        by="anna",
        at=clock.now,
    )
    later = store.appointments.add_slot(
        "anna",
        "virka-info",
        clock.now + timedelta(hours=2),
        clock.now + timedelta(hours=2, minutes=20),
        by="anna",
        at=clock.now,
    )
    _, code = store.appointments.book(
        slot.id, language="sv", topic="housing", kiosk_id=None, contact_sealed=None, at=clock.now
    )
    _, early = store.appointments.book(
        later.id, language="sv", topic="taxes", kiosk_id=None, contact_sealed=None, at=clock.now
    )

    async def scenario() -> None:
        async with (
            serving(make_app(config, store, clock=clock)) as base,
            aiohttp.ClientSession(base_url=base, cookie_jar=aiohttp.CookieJar(unsafe=True)) as anna,
            chromium(viewport=PHONE, locale="sv-FI") as context,
        ):
            await log_in(anna, "anna")
            advisor = await anna.ws_connect("/ws/advisor", headers={"Origin": base})
            await advisor.send_json({"type": "available", "available": True})
            page = await context.new_page()
            problems: list[str] = []
            watch(page, problems)
            await page.goto(f"{base}/call")
            # A code of 12:00 (Helsinki) at 10:00 works from ten to twelve.
            await _use_code(page, early)
            assert await _ended(page) == (
                "Din bokade tid har inte börjat ännu. Koden fungerar från i dag kl. 11.50."
            )
            await page.click("#again")

            await page.fill("#code", f"{code[:4]} {code[4:]}")
            await page.click("#code-form button[type=submit]")
            await page.wait_for_selector("body[data-step=consent]")
            assert await page.text_content("#consent-target") == (
                f"Bokad tid, kod {code[:4]} {code[4:]}"
            )
            await _call(page)
            await page.wait_for_selector("#queue-booked:not([hidden])")
            assert await page.text_content("#queue-booked") == (
                "Du har en bokad tid: din rådgivare svarar så snart hen är ledig."
            )
            # The booking says the line; the page names it once the hub has.
            assert await page.text_content("#queue-target") == "Ringer till Virka-info"
            await page.screenshot(path=str(shots / "home-8-booked-queue.png"), full_page=True)

            seen: dict[str, dict[str, Any]] = {}
            while "ringing" not in seen:
                message = await asyncio.wait_for(advisor.receive_json(), 30)
                seen.setdefault(message["type"], message)
            arrived = seen["appointment_arrived"]
            assert (arrived["channel"], arrived["line"]) == ("home", "virka-info")
            assert seen["ringing"]["channel"] == "home"

            await page.click("#cancel")
            assert await _ended(page) == "Du lämnade kön."
            await advisor.close()
            assert not problems, problems

    asyncio.run(scenario())


INTERPRETERS = "tulkki-fse"
WITH_INTERPRETERS = f"""
[lines.virka-info]
advisors = ["anna"]
[lines.{INTERPRETERS}]
name_fi = "Viittomakielen tulkkaus"
name_sv = "Teckenspråkstolkning"
name_en = "Sign language interpreting"
interpreting = "fse"
advisors = ["tiina"]
[lines.{INTERPRETERS}.hours]
{ALL_WEEK}
"""


async def _party_decoding(page: Page, party: str, more_than: int) -> int:
    """Wait until `page` has decoded more than `more_than` frames of `party`'s camera and heard
    its sound; the frames decoded so far."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + 60
    while True:
        stats = (await _stats(page))["parties"].get(party) or {}
        frames = int(stats.get("videoFramesDecoded", 0))
        if frames > more_than and stats.get("audioPacketsReceived", 0) > 0:
            return frames
        assert loop.time() < give_up, f"decoded only {frames} frames of {party}"
        await asyncio.sleep(0.2)


def test_an_interpreter_the_advisor_brings_in_sees_and_hears_the_home_caller(
    write_config: Callable[[str], Path], store: HubStore, shots: Path
) -> None:
    config = load_config(write_config(WITH_INTERPRETERS))
    add_user(store, "anna", "advisor")
    add_user(store, "tiina", "advisor")
    console = {"viewport": {"width": 1280, "height": 900}}

    async def scenario() -> None:
        async with (
            serving(make_app(config, store, clock=FixedClock())) as base,
            advisor_console(base, "anna", strict=True, **console) as (anna, anna_problems),
            advisor_console(base, "tiina", strict=True, **console) as (tiina, tiina_problems),
            chromium(viewport=PHONE, locale="fi-FI") as context,
        ):
            for page in (anna, tiina):
                await page.click("#set-available")
                await page.wait_for_selector("#set-available[aria-pressed=true]")
            home = await context.new_page()
            problems: list[str] = []
            watch(home, problems)
            await home.goto(f"{base}/call")
            await home.wait_for_selector("#lines button[data-line=virka-info]", timeout=30_000)
            # Interpreter lines are for advisors to invite, not for citizens to call.
            assert await home.locator(f"#lines [data-line={INTERPRETERS}]").count() == 0
            await home.click("#lines button[data-line=virka-info]")
            await _call(home)
            await anna.wait_for_selector("#ringing:not([hidden])")
            await anna.click("#accept")
            await home.wait_for_selector("body[data-step=call]")
            await _party_decoding(home, "host", 10)

            await anna.select_option("#invite-line", INTERPRETERS)
            await anna.click("#invite-button")
            await tiina.wait_for_selector("#ringing:not([hidden])")
            await tiina.click("#accept")
            await home.wait_for_selector("#guest-box:not([hidden])")
            assert await home.text_content("#guest-note") == (
                "Puheluun liittyi toinen henkilö: Viittomakielen tulkkaus."
            )
            # The mesh's leg between the home caller and the interpreter, both ways.
            seen_home = await _party_decoding(home, "guest", 10)
            seen_tiina = await _party_decoding(tiina, "kiosk", 10)
            await _party_decoding(home, "guest", seen_home + 30)
            await _party_decoding(tiina, "kiosk", seen_tiina + 30)
            await home.screenshot(path=str(shots / "home-9-interpreter.png"), full_page=True)

            await tiina.click("#leave")
            await home.wait_for_selector("#guest-box", state="hidden")
            assert "guest" not in (await _stats(home))["parties"]
            host_frames = await _party_decoding(home, "host", 0)
            await _party_decoding(home, "host", host_frames + 30)

            await anna.click("#hang-up")
            assert await _ended(home) == "Neuvoja lopetti puhelun."
            assert not problems, problems
        assert not anna_problems, anna_problems
        assert not tiina_problems, tiina_problems

    asyncio.run(scenario())


TARGETS = """() => [...document.querySelectorAll('button, input, select, nav a')]
  .filter((e) => e.offsetParent !== null)
  .map((e) => {
    const r = e.getBoundingClientRect();
    const label = e.labels && e.labels.length ? e.labels[0].textContent : '';
    return {id: e.id || e.textContent.trim(), w: r.width, h: r.height,
            name: (e.getAttribute('aria-label') || e.textContent || label).trim()};
  })"""


async def _targets_are_large_and_named(page: Page) -> None:
    targets = await page.evaluate(TARGETS)
    assert targets
    for target in targets:
        assert target["w"] >= 44 and target["h"] >= 44, target
        assert target["name"], target
    # Nothing wider than a small phone's screen.
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_page_is_usable_on_a_small_phone_by_keyboard_with_large_targets(
    config: HubConfig, store: HubStore
) -> None:
    config = _staffed(config)
    add_user(store, "anna", "advisor")

    async def scenario() -> None:
        async with (
            serving(make_app(config, store, clock=FixedClock())) as base,
            aiohttp.ClientSession(base_url=base, cookie_jar=aiohttp.CookieJar(unsafe=True)) as anna,
            chromium(viewport={"width": 320, "height": 640}, locale="fi-FI") as context,
        ):
            await log_in(anna, "anna")
            advisor = await anna.ws_connect("/ws/advisor", headers={"Origin": base})
            await advisor.send_json({"type": "available", "available": True})
            page = await context.new_page()
            await page.goto(f"{base}/call?lang=sv")
            await page.wait_for_selector("#lines button[data-line=virka-info]", timeout=30_000)
            await _targets_are_large_and_named(page)
            # The call button's name says which line it calls.
            name = await page.evaluate(
                "document.querySelector('#lines button[data-line=virka-info]').textContent"
            )
            assert name == "Ring Virka-info"

            # By keyboard alone: Tab to the line's call, Enter; the heading takes the focus.
            for _ in range(10):
                await page.keyboard.press("Tab")
                if await page.evaluate("document.activeElement.dataset.line === 'virka-info'"):
                    break
            outline = await page.evaluate("getComputedStyle(document.activeElement).outlineWidth")
            assert outline == "3px"  # the focus is visible
            await page.keyboard.press("Enter")
            await page.wait_for_selector("body[data-step=consent]")
            assert await page.evaluate("document.activeElement.id") == "consent-heading"
            await _targets_are_large_and_named(page)
            await page.focus("#allow-camera")
            await page.keyboard.press("Enter")
            await page.wait_for_selector("#call:not([hidden])")
            assert await page.evaluate("document.activeElement.id") == "call"
            await page.keyboard.press("Enter")
            await page.wait_for_selector("body[data-step=queue]")
            await until(page, "window.homeCall.queued !== null")
            live = await page.get_attribute("#queue-status", "aria-live")
            assert live == "polite"
            await _targets_are_large_and_named(page)
            await page.focus("#cancel")
            await page.keyboard.press("Enter")
            await page.wait_for_selector("body[data-step=ended]")
            await _targets_are_large_and_named(page)
            await advisor.close()

    asyncio.run(scenario())


def test_a_full_queue_too_many_windows_and_a_lost_advisor_are_said_in_words(
    write_config: Callable[[str], Path], store: HubStore
) -> None:
    config = _staffed(load_config(write_config("[home]\nmax_waiting = 1\n")))
    add_user(store, "anna", "advisor")

    async def scenario() -> None:
        async with (
            serving(make_app(config, store, clock=FixedClock())) as base,
            aiohttp.ClientSession(base_url=base, cookie_jar=aiohttp.CookieJar(unsafe=True)) as anna,
            chromium(viewport=PHONE, locale="en-GB") as context,
        ):
            await log_in(anna, "anna")
            advisor = await anna.ws_connect("/ws/advisor", headers={"Origin": base})
            await advisor.send_json({"type": "available", "available": True})
            page = await context.new_page()
            await page.goto(f"{base}/call")
            call_virka = "#lines button[data-line=virka-info]"
            await page.wait_for_selector(call_virka, timeout=30_000)

            # Another home caller from elsewhere is waiting (ringing anna): the line holds one.
            other = await anna.ws_connect("/ws/home")
            assert (await other.receive_json())["type"] == "hello"
            await other.send_json({"type": "call", "line": "virka-info", "language": "fi"})
            assert (await other.receive_json())["type"] == "queued"
            await page.click(call_virka)
            await _call(page)
            assert await _ended(page) == (
                "The queue for Virka-info is full right now. Please try again in a moment."
            )
            await page.click("#again")

            # Two sockets open from this address already: the page's is one too many.
            third = await anna.ws_connect("/ws/home")
            await _use_code(page, "12345678")
            assert await _ended(page) == (
                "Video advice is open in too many windows on your network. "
                "Close the others and try again."
            )
            await third.close()
            await other.close()
            await page.click("#again")

            # Answered, then the advisor's console drops.
            await page.wait_for_selector(call_virka, timeout=30_000)
            await page.click(call_virka)
            await _call(page)
            await until(page, "window.homeCall.queued !== null")
            call = await page.evaluate("window.homeCall.call")
            while True:  # past the other caller's ring, long over
                message = await asyncio.wait_for(advisor.receive_json(), 30)
                if message["type"] == "ringing" and message["call"] == call:
                    break
            await advisor.send_json({"type": "accept", "call": call})
            await page.wait_for_selector("body[data-step=call]")
            await advisor.close()
            assert await _ended(page) == (
                "The connection to the advisor was lost and the call ended."
            )
            assert await page.text_content("#ended-heading") == "The call has ended"
            assert "+358\xa09\xa0310\xa011111" in (await page.text_content("#ended-phone") or "")

    asyncio.run(scenario())
