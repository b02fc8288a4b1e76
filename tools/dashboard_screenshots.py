"""Screenshots of the support dashboard over a realistic fleet, from headless Chromium.

    .venv/bin/python tools/dashboard_screenshots.py [OUT_DIR]      (default out/screenshots)

Starts a hub on a temporary database, enrolls six kiosks in Helsinki libraries and feeds them
as kiosks do, through the kiosk API: heartbeats (Itäkeskus's printer is out of paper, Vuosaari
stops answering), events, a self-test, a month of usage, and a test page and a screenshot asked
for by support and answered by the kiosk; video calls go into the hub's own call records. Then
it logs in as support staff and saves the fleet view, Itäkeskus's page and the usage page at
1600×1000: support-fleet.png, support-kiosk.png, support-usage.png.
"""

from __future__ import annotations

import asyncio
import base64
import random
import shutil
import struct
import sys
import tempfile
import uuid
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from nacl.public import PrivateKey  # noqa: E402
from playwright.async_api import async_playwright  # noqa: E402

from hub.accounts import enroll_kiosk, hash_password  # noqa: E402
from hub.app import make_app  # noqa: E402
from hub.config import load_config  # noqa: E402
from hub.delivery.keys import Secrets  # noqa: E402
from hub.hours import utc_iso  # noqa: E402
from hub.store import HubStore, open_configured  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]  # fmt: skip
USER, PASSWORD = "tuki", "dashboard screenshots"
DAYS = 30
EVENT_FIELDS = ("at", "level", "kind", "device_id", "code", "attention", "message", "payload")
USAGE_FIELDS = ("kind", "service", "value", "duration_ms")


@dataclass(frozen=True)
class Library:
    kiosk_id: str
    name: str
    location: str
    contact: str
    #: How busy the kiosk is compared with an average one.
    weight: float


LIBRARIES = tuple(Library(*row) for row in (
    ("itakeskus-1", "Itäkeskus 1", "Itäkeskuksen kirjasto, 1. krs",
     "Itäkeskus library info desk, tel. 09 310 00001", 1.3),
    ("kallio-1", "Kallio 1", "Kallion kirjasto, lehtisali",
     "Kallio library service desk, tel. 09 310 00002", 1.0),
    ("oodi-1", "Oodi 1", "Keskustakirjasto Oodi, 2. krs", "Oodi info desk, tel. 09 310 00003", 1.7),
    ("pasila-1", "Pasila 1", "Pasilan kirjasto, aula",
     "Pasila library info desk, tel. 09 310 00004", 0.8),
    ("malmi-1", "Malmi 1", "Malmin kirjasto, Malmitalo",
     "Malmi library service desk, tel. 09 310 00005", 0.7),
    ("vuosaari-1", "Vuosaari 1", "Vuosaaren kirjasto, aula",
     "Vuosaari library info desk, tel. 09 310 00006", 0.6),
))  # fmt: skip
#: How often a session uses each service (relative weights), and the outcome it records.
SERVICES = {"print": 30, "forms": 14, "email": 12, "scan": 12, "copy": 9, "fee": 8,
            "advice": 7, "help": 6}  # fmt: skip
OUTCOMES = {"print": "printed:{pages}", "forms": "sent", "email": "sent", "scan": "scanned",
            "copy": "printed:{pages}", "fee": "payment:approved",
            "advice": "connected"}  # fmt: skip


class ShiftedClock:
    """The wall clock moved by `offset`: the hub's clock, so that a kiosk can fall silent."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A plain PNG of one colour: stands in for a kiosk's screen."""
    rows = (b"\x00" + bytes(rgb) * width) * height

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + header + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def kiosk_screen() -> bytes:
    """The kiosk's attract screen if the kiosk's own screenshots were rendered, else a stand-in."""
    rendered = ROOT / "out" / "screenshots" / "normal-attract.png"
    if rendered.exists() and rendered.stat().st_size < 150_000:
        return rendered.read_bytes()
    return png(480, 270, (40, 90, 160))


class KioskClient:
    """One kiosk talking to the hub's kiosk API with its bearer token."""

    def __init__(self, http: aiohttp.ClientSession, base: str, library: Library, token: str):
        self.http, self.base, self.library = http, base, library
        self.headers = {"Authorization": f"Bearer {token}", "X-Kiosk-Id": library.kiosk_id}
        self.next_event = 1

    async def post(self, path: str, body: dict[str, Any]) -> Any:
        async with self.http.post(self.base + path, json=body, headers=self.headers) as response:
            if response.status != 200:
                raise RuntimeError(f"{path}: {response.status} {await response.text()}")
            return await response.json()

    async def heartbeat(self, now: datetime, devices: dict[str, Any], **extra: Any) -> Any:
        body = {
            "sent_at": utc_iso(now),
            "app": {
                "state": "running",
                "since": utc_iso(now - timedelta(hours=7)),
                "version": "0.9.2",
            },
            "agent_version": "0.9.2",
            "session_active": False,
            "devices": devices,
            "disk": {"free_bytes": 41_200_000_000, "total_bytes": 64_000_000_000},
            "memory": {"available_bytes": 2_900_000_000, "total_bytes": 8_000_000_000},
            "uptime_seconds": 7 * 3600 + 1260,
            "last_self_test": None,
        }
        body.update(extra)
        return (await self.post("/api/kiosk/heartbeat", body))["actions"]

    async def events(self, *records: tuple[Any, ...]) -> None:
        """Records of (at, level, kind, device_id, code, attention, message, payload)."""
        events = []
        for record in records:
            event = dict(zip(EVENT_FIELDS, record, strict=True))
            event.update(id=self.next_event, at=utc_iso(record[0]), session_id=None)
            events.append(event)
            self.next_event += 1
        await self.post("/api/kiosk/events", {"events": events})


def devices(printer: tuple[str, str, str | None] = ("online", "none", None)) -> dict[str, Any]:
    state, attention, code = printer
    return {
        "printer": {"state": state, "attention": attention, "code": code, "since": None},
        "camera": {"state": "online", "attention": "none", "code": None, "since": None},
        "cardreader": {"state": "online", "attention": "none", "code": None, "since": None},
        "payment": {"state": "online", "attention": "none", "code": None, "since": None},
    }


def month_of_usage(library: Library, today: date, rng: random.Random) -> list[dict[str, Any]]:
    """Sessions over the last DAYS days as the kiosk records them: start, services, end."""
    usage: list[dict[str, Any]] = []
    names, weights = list(SERVICES), list(SERVICES.values())
    for back in range(DAYS - 1, -1, -1):
        day = today - timedelta(days=back)
        base = {5: 8, 6: 4}.get(day.weekday(), 13)
        for _ in range(round(base * library.weight * rng.uniform(0.6, 1.4))):
            minute = rng.randrange(0, 11 * 60)
            at = datetime(day.year, day.month, day.day, 7, tzinfo=UTC) + timedelta(minutes=minute)
            session = {"session_id": uuid.uuid4().hex,
                       "language": rng.choices(["fi", "sv", "en"], [70, 8, 22])[0]}  # fmt: skip
            records: list[tuple[Any, ...]] = [("session_start", None, None, None)]
            for service in set(rng.choices(names, weights, k=rng.choice([1, 1, 2]))):
                records.append(("service_opened", service, None, None))
                if service in OUTCOMES and rng.random() < 0.85:
                    outcome = OUTCOMES[service].format(pages=rng.choice([1, 1, 2, 3, 5]))
                    records.append(("outcome", service, outcome, None))
            length = rng.randrange(90, 900) * 1000
            records.append(("session_end", None, "finished", length))
            for record in records:
                row = dict(zip(USAGE_FIELDS, record, strict=True))
                usage.append({"id": len(usage) + 1, **session, **row, "at": utc_iso(at)})
                at += timedelta(milliseconds=length / len(records))
    return [u for u in usage if u["at"] <= utc_iso(datetime.now(UTC))]


def hub_records(
    store: HubStore, kiosk_id: str, usage: list[dict[str, Any]], rng: random.Random
) -> None:
    """What the hub itself records about the same sessions: a call record for each video
    advice, a (delivered) submission for each form sent."""
    for record in usage:
        at = datetime.fromisoformat(record["at"])
        if record["kind"] == "service_opened" and record["service"] == "advice":
            wait_ms, talk_ms = rng.randrange(20, 400) * 1000, rng.randrange(120, 900) * 1000
            store.save_call_record({
                "id": uuid.uuid4().hex, "line": rng.choice(["virka-info", "kansalaisneuvonta"]),
                "kiosk_id": kiosk_id, "language": record["language"], "queued_at": record["at"],
                "answered_at": utc_iso(at + timedelta(milliseconds=wait_ms)),
                "ended_at": utc_iso(at + timedelta(milliseconds=wait_ms + talk_ms)),
                "wait_ms": wait_ms, "talk_ms": talk_ms, "outcome": "answered", "rating": None,
                "final_line": None, "reason": "kiosk_hung_up", "transfers": 0,
            })  # fmt: skip
        elif record["kind"] == "outcome" and record["service"] == "forms":
            submission_id = uuid.uuid4().hex
            sealed = rng.randbytes(2000)  # stands in for a sealed form nobody opens here
            store.submissions.add(submission_id, kiosk_id, "form", "kansalaisneuvonta-contact",
                                  sealed, at=record["at"])  # fmt: skip
            store.submissions.delivered(submission_id, at=record["at"])


SELF_TEST = {"printer": "ok", "camera": "ok", "cardreader": "ok", "payment": "ok"}
#: Minutes ago, level, kind, device, code, attention, message, payload.
ITAKESKUS_EVENTS: tuple[tuple[Any, ...], ...] = (
    (180, "info", "log", None, None, None, "session started", {}),
    (95, "warning", "device", "printer", "media-low", "none", "printer paper low",
     {"state": "online"}),
    (60, "info", "log", "printer", None, None, "print job done: 3 pages", {}),
    (21, "error", "device", "printer", "media-empty", "clear", "printer out of paper",
     {"state": "user_error"}),
    (20, "warning", "log", "printer", "media-empty", None, "print job held: out of paper", {}),
    (8, "info", "log", None, None, None, "session ended: finished", {}),
)  # fmt: skip


async def feed(
    base: str,
    tokens: dict[str, str],
    usage: dict[str, list[dict[str, Any]]],
    clock: ShiftedClock,
    staff: Callable[[str, str], Awaitable[Any]],
) -> None:
    """Everything the kiosks send: usage, heartbeats, Itäkeskus's events and action results."""
    now = datetime.now(UTC)
    async with aiohttp.ClientSession() as http:
        kiosks = {
            lib.kiosk_id: KioskClient(http, base, lib, tokens[lib.kiosk_id]) for lib in LIBRARIES
        }
        for kiosk_id, records in usage.items():
            for start in range(0, len(records), 1000):
                batch = {"usage": records[start : start + 1000]}
                await kiosks[kiosk_id].post("/api/kiosk/usage", batch)
        # Vuosaari answered last a quarter of an hour ago.
        clock.offset = timedelta(minutes=-15)
        await kiosks["vuosaari-1"].heartbeat(now - timedelta(minutes=15), devices())
        clock.offset = timedelta()
        itakeskus = kiosks["itakeskus-1"]
        tested = {"at": utc_iso(now - timedelta(hours=6, minutes=50)), "results": SELF_TEST}
        await itakeskus.post("/api/kiosk/self-test", tested)
        await itakeskus.events(
            *((now - timedelta(minutes=event[0]), *event[1:]) for event in ITAKESKUS_EVENTS)
        )
        out_of_paper = devices(("user_error", "clear", "media-empty"))
        await itakeskus.heartbeat(now, out_of_paper, last_self_test=tested)
        await staff("itakeskus-1", "test-page")
        await staff("itakeskus-1", "screenshot")
        for action in await itakeskus.heartbeat(now, out_of_paper, last_self_test=tested):
            result: dict[str, Any] = {
                "ok": False, "message": "printer out of paper (media-empty)", "screenshot_png": None
            }  # fmt: skip
            if action["kind"] == "screenshot":
                picture = base64.b64encode(kiosk_screen()).decode()
                result = {"ok": True, "message": "taken", "screenshot_png": picture}
            await itakeskus.post(f"/api/kiosk/actions/{action['id']}/result", result)
        await kiosks["pasila-1"].heartbeat(now, devices(("online", "none", "media-low")))
        await kiosks["kallio-1"].heartbeat(now, devices(), session_active=True)
        for kiosk_id in ("oodi-1", "malmi-1"):
            await kiosks[kiosk_id].heartbeat(now, devices())


async def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="dashboard-shots-"))
    try:
        (folder / "hub.toml").write_text(
            f'[hub]\ndata_dir = "{folder / "data"}"\ncookie_secure = false\n'
        )
        config = load_config(folder / "hub.toml")
        store = open_configured(config)
        store.add_user(USER, "support", hash_password(PASSWORD), at=utc_iso(datetime.now(UTC)))
        tokens = {}
        for library in LIBRARIES:
            tokens[library.kiosk_id] = enroll_kiosk(
                store, library.kiosk_id, library.name, library.location, at=datetime.now(UTC)
            )
            store.enrollment.set_contact(library.kiosk_id, library.contact)
        rng = random.Random(2025)
        usage = {}
        for library in LIBRARIES:
            usage[library.kiosk_id] = month_of_usage(library, datetime.now(UTC).date(), rng)
            hub_records(store, library.kiosk_id, usage[library.kiosk_id], rng)
        clock = ShiftedClock()
        app = make_app(config, store, clock=clock, secrets=Secrets(PrivateKey.generate()))
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        base = f"http://127.0.0.1:{runner.addresses[0][1]}"
        try:
            await shoot(base, tokens, usage, clock, out)
        finally:
            await runner.cleanup()
            store.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


async def shoot(
    base: str,
    tokens: dict[str, str],
    usage: dict[str, list[dict[str, Any]]],
    clock: ShiftedClock,
    out: Path,
) -> None:
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        context = await browser.new_context(
            viewport={"width": 1600, "height": 1000}, timezone_id="Europe/Helsinki", locale="en-GB"
        )
        page = await context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda e: problems.append(str(e)))
        await page.goto(f"{base}/login")
        await page.fill("#username", USER)
        await page.fill("#password", PASSWORD)
        await page.click("button[type=submit]")
        await page.wait_for_url(f"{base}/support")
        csrf = (await page.evaluate("fetch('/api/me').then(r => r.json())"))["csrf_token"]

        async def staff(kiosk_id: str, kind: str) -> Any:
            return await page.evaluate(
                """([url, body, csrf]) => fetch(url, {method: "POST", body: JSON.stringify(body),
                     headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf}})
                     .then(r => r.json())""",
                [f"/api/support/kiosks/{kiosk_id}/actions", {"kind": kind}, csrf],
            )

        await feed(base, tokens, usage, clock, staff)
        await page.goto(f"{base}/support")
        await page.wait_for_selector("body[data-loaded=true]")
        # The hub's fleet watch (every 30 s) opens the alert for Vuosaari's silence.
        await page.wait_for_selector("tr[data-kiosk=vuosaari-1][data-alerts='1']", timeout=60_000)
        await page.screenshot(path=str(out / "support-fleet.png"))
        await page.goto(f"{base}/support/kiosks/itakeskus-1")
        await page.wait_for_selector("body[data-loaded=true]")
        await page.wait_for_selector("#screenshot:not([hidden]) img")
        await page.wait_for_selector("#logs tbody tr")
        await page.screenshot(path=str(out / "support-kiosk.png"), full_page=True)
        await page.goto(f"{base}/support/usage")
        await page.wait_for_selector("body[data-loaded=true]")
        await page.screenshot(path=str(out / "support-usage.png"), full_page=True)
        await browser.close()
        if problems:
            raise SystemExit(f"page errors: {problems}")
    for name in ("support-fleet.png", "support-kiosk.png", "support-usage.png"):
        print(out / name)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "out" / "screenshots"))
