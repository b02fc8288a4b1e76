"""The support dashboard's Updates page over a large fleet: how long headless Chromium takes to
show it, and to filter it, against `kiosk-hub serve` as a process.

    .venv/bin/python bench/dashboard_updates.py [--kiosks 100,1000,10000] [--runs 3]

For each fleet size: the kiosks are enrolled in a fresh hub database, spread over 50 libraries,
20 of them in a pilot group; versions are set for all kiosks, each library and the group; every
kiosk has an update report (one in ten rolled back or failed). Then an admin logs in and the
script prints, medians over --runs:
- api: `GET /api/support/updates` as the page asks for it (ms, and the answer's size);
- shown: from asking for the page to its table drawn (`body[data-loaded=true]`), in ms;
- filter: from choosing "Rolled back or failed" to the table showing only those, in ms.
The page draws at most 500 rows (rolled-back and failed first); the filter finds the others.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from playwright.async_api import Page, async_playwright  # noqa: E402

from hub.accounts import enroll_kiosk, hash_password  # noqa: E402
from hub.config import load_config  # noqa: E402
from hub.hours import utc_iso  # noqa: E402
from hub.store import open_configured  # noqa: E402
from hub.store.updates import UpdateReport  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
        "--disable-background-networking", "--disable-component-update"]  # fmt: skip
USER, PASSWORD = "admin", "dashboard updates bench"
LIBRARIES = 50
#: The rows the page draws at most (ROWS in hub/static/support-updates.js).
ROWS = 500
STATES = ("up-to-date", "updated", "pending", "waiting-for-session", "installing", "checking",
          "up-to-date", "updated", "rolled-back", "failed")  # fmt: skip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def report(index: int) -> UpdateReport:
    state = STATES[index % len(STATES)]
    detail = {
        "rolled-back": "0.3.0 did not report ready within 300 s; 0.2.0 put back",
        "failed": "E: Version '0.3.0' for 'kiosk' was not found",
        "pending": "outside the maintenance window 02:00-05:00",
    }.get(state)
    installed = "0.3.0" if state in ("updated", "checking") else "0.2.0"
    return UpdateReport(state=state, installed=installed, previous="0.2.0", wanted="0.3.0",
                        detail=detail, at=utc_iso(datetime.now(UTC)))  # fmt: skip


def populate(config_path: Path, kiosks: int) -> int:
    """The fleet in the hub's database; how many kiosks are rolled back or failed."""
    store = open_configured(load_config(config_path))
    now = datetime.now(UTC)
    try:
        store.add_user(USER, "admin", hash_password(PASSWORD), at=utc_iso(now))
        updates = store.updates
        ids = [f"kiosk-{n:05d}" for n in range(kiosks)]
        for n, kiosk_id in enumerate(ids):
            enroll_kiosk(store, kiosk_id, f"Kiosk {n}", f"Library {n % LIBRARIES}", at=now)
            updates.set_library(kiosk_id, f"library-{n % LIBRARIES}")
            updates.save_report(kiosk_id, report(n), received_at=utc_iso(now))
        updates.set_group("pilot", ids[:20])
        at = utc_iso(now)
        updates.set_rollout("all", "0.2.0", by=USER, at=at)
        for n in range(min(LIBRARIES, kiosks)):
            updates.set_rollout(f"library:library-{n}", "0.3.0", by=USER, at=at)
        updates.set_rollout("group:pilot", "0.3.1", by=USER, at=at)
    finally:
        store.close()
    return sum(1 for n in range(kiosks) if STATES[n % len(STATES)] in ("rolled-back", "failed"))


async def rows(page: Page) -> int:
    count: int = await page.evaluate("document.querySelectorAll('#kiosks tbody tr').length")
    return count


async def measure(base: str, runs: int, problems: int) -> dict[str, float]:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        login = {"username": USER, "password": PASSWORD}
        async with http.post(f"{base}/login", data=login, allow_redirects=False) as response:
            assert response.status == 303, response.status
        api, size = [], 0
        for _ in range(runs):
            started = time.perf_counter()
            async with http.get(f"{base}/api/support/updates") as response:
                size = len(await response.read())
            api.append((time.perf_counter() - started) * 1000)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = await browser.new_page(viewport={"width": 1366, "height": 768})
        await page.goto(f"{base}/login")
        await page.fill("#username", USER)
        await page.fill("#password", PASSWORD)
        await page.click("button[type=submit]")
        await page.wait_for_load_state()
        shown, filtered = [], []
        for _ in range(runs):
            started = time.perf_counter()
            await page.goto(f"{base}/support/updates")
            await page.wait_for_selector("body[data-loaded=true]", timeout=300_000)
            shown.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            await page.select_option("#filter-state", "problem")
            while await rows(page) != min(problems, ROWS):
                await asyncio.sleep(0.005)
            filtered.append((time.perf_counter() - started) * 1000)
        await browser.close()
    return {"api": statistics.median(api), "size": size, "shown": statistics.median(shown),
            "filter": statistics.median(filtered)}  # fmt: skip


def one_size(kiosks: int, runs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-updates-") as folder:
        port = free_port()
        config = Path(folder) / "hub.toml"
        config.write_text(
            f'[hub]\nlisten_port = {port}\ndata_dir = "{Path(folder) / "hub"}"\n'
            "cookie_secure = false\n"
        )
        started = time.perf_counter()
        problems = populate(config, kiosks)
        made = time.perf_counter() - started
        hub_bin = Path(sys.executable).parent / "kiosk-hub"
        env = {k: v for k, v in os.environ.items() if k != "KIOSK_HUB_DATABASE_URL"}
        keys = [str(hub_bin), "--config", str(config), "keys", "generate"]
        subprocess.run(keys, env=env, check=True, capture_output=True)
        log = (Path(folder) / "hub.log").open("wb")
        process = subprocess.Popen([str(hub_bin), "--config", str(config), "serve"],
                                   stderr=log, env=env)  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        log.flush()
                        said = (Path(folder) / "hub.log").read_text()[-2000:]
                        raise SystemExit(f"kiosk-hub did not start:\n{said}") from None
                    time.sleep(0.1)
            figures = asyncio.run(measure(f"http://127.0.0.1:{port}", runs, problems))
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(20)
            log.close()
    print(
        f"{kiosks:>6} kiosks (database made in {made:.1f} s): api {figures['api']:.0f} ms "
        f"({figures['size'] / 1024:.0f} KB), shown {figures['shown']:.0f} ms, "
        f"filter {figures['filter']:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kiosks", default="100,1000,10000", help="fleet sizes, comma-separated")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"Updates page, median of {args.runs} (Chromium headless, 1366x768)")
    for size in (int(n) for n in args.kiosks.split(",")):
        one_size(size, args.runs)


if __name__ == "__main__":
    main()
