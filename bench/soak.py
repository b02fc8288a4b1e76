"""Soak: citizen sessions one after another through the kiosk's real window, and what the process
holds as they go.

Each session is driven as a citizen taps it: a language, a form filled in and sent (sealed into
the outbox, which a real `kiosk-agent` ships to the hub), a page scanned on the simulated camera
and printed on the simulated printer, a fee paid on the nexo terminal simulator (a process of its
own), a video call to an advice line set up and hung up while the advisor's console rings, and
the end of the session. The hub is the real `kiosk-hub serve` process; the advisor is a WebSocket
client of it that is available and never answers. The window is the kiosk's own (KioskWindow, at
1920×1080 offscreen) with its back end; speech is not started.

At 100, 500 and 1 000 sessions (and at the last) it prints this process's resident memory, open
file descriptors, threads (the kernel's count: Qt's and Python's) and the size of the kiosk
store's write-ahead log. Targets: memory grows less than 10 MB after the first 100 sessions;
the others stay flat.

    .venv/bin/python bench/soak.py [--sessions 1000] [--every 100]
    (wrap in `flock /tmp/kiosk-peers.lock` when tests may be starting peers)

Every process it starts (hub, terminal simulator, agent) is stopped when it ends, also on
Ctrl+C or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import collections
import contextlib
import gc
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCREEN = '{"screens":[{"name":"kiosk","x":0,"y":0,"width":1920,"height":1080,"logicalDpi":96}]}'
LINE = "soak-line"
ADVISOR = "soak-advisor"
PASSWORD = "soak password 1"
KIOSK_ID = "soak-kiosk"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FEE = "lost-card"
#: Generous: two shared cores; a healthy step never waits this long.
WAIT = 60.0


class Stopped(Exception):
    """SIGTERM or SIGINT: unwind, stopping what was started."""


def _stop(signum: int, _frame: FrameType | None) -> None:
    raise Stopped(signal.Signals(signum).name)


# ---- what the process holds ----------------------------------------------------------------------


def rss_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def fds(pid: int | str = "self") -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def threads(pid: int | str = "self") -> int:
    return len(os.listdir(f"/proc/{pid}/task"))


def wal_kb(data_dir: Path) -> float:
    return sum(p.stat().st_size for p in data_dir.glob("*-wal")) / 1024


# ---- the peers -----------------------------------------------------------------------------------


class Advisor:
    """An advisor's console as the hub sees one: logged in, its /ws/advisor socket open and
    available, on a thread of its own. It never answers: each ring ends when the kiosk hangs up."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.rings = 0
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self._loop = asyncio.new_event_loop()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="soak-advisor", daemon=True)

    def start(self) -> None:
        self._thread.start()
        if not self.ready.wait(WAIT) or self.error is not None:
            raise RuntimeError(f"the advisor could not connect: {self.error}")

    def stop(self) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    def _run(self) -> None:
        try:
            self._loop.run_until_complete(self._main())
        except BaseException as exc:
            self.error = exc
            self.ready.set()
        finally:
            self._loop.close()

    async def _main(self) -> None:
        import aiohttp

        self._stop = asyncio.Event()
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar) as http:
            login = await http.post(
                f"{self.url}/login",
                data={"username": ADVISOR, "password": PASSWORD},
                allow_redirects=False,
            )
            if login.status != 303:
                raise RuntimeError(f"login answered {login.status}")
            async with http.ws_connect(
                f"{self.url}/ws/advisor", origin=self.url, heartbeat=20
            ) as ws:
                await ws.send_json({"type": "available", "available": True})
                reader = asyncio.ensure_future(self._read(ws))
                await self._stop.wait()
                reader.cancel()

    async def _read(self, ws: Any) -> None:
        import aiohttp

        async for frame in ws:
            if frame.type is not aiohttp.WSMsgType.TEXT:
                break
            message = json.loads(frame.data)
            kind = message.get("type")
            if kind == "queue":
                me = [a for a in message.get("advisors", []) if a.get("username") == ADVISOR]
                if me and me[0].get("status") == "available":
                    self.ready.set()
                elif me and me[0].get("status") == "away":
                    # An unanswered ring may set the console away; a person would come back.
                    await ws.send_json({"type": "available", "available": True})
            elif kind == "ringing":
                self.rings += 1


class Peers:
    """The hub, the terminal simulator and the agent, in `folder`; all stopped by `close()`."""

    def __init__(self, folder: Path) -> None:
        from tests.conftest import HUB_KEY, HUB_PUBLIC_KEY
        from tests.peers.hub import Hub
        from tests.peers.nexo import NexoSimulator, free_port

        self.folder = folder
        self.notify_port = free_port()
        key_file = folder / "sealing.key"
        key_file.write_text(base64.b64encode(bytes(HUB_KEY)).decode() + "\n")
        key_file.chmod(0o600)
        port = free_port()
        hours = "\n".join(f'{day} = "00:00-24:00"' for day in DAYS)
        hub_toml = folder / "hub.toml"
        hub_toml.write_text(
            f'[hub]\nlisten_port = {port}\ndata_dir = "{folder / "hub"}"\ncookie_secure = false\n'
            f'[sealing]\nprivate_key_file = "{key_file}"\n'
            f'[lines.{LINE}]\nname_fi = "Kestoneuvonta"\nname_en = "Soak advice"\n'
            f'advisors = ["{ADVISOR}"]\nring_seconds = 120\n[lines.{LINE}.hours]\n{hours}\n'
        )
        self.hub = Hub(hub_toml, port)
        self.sim = NexoSimulator(folder, self.notify_port)
        self.agent: subprocess.Popen[bytes] | None = None
        self.advisor: Advisor | None = None
        self.hub_public_key = HUB_PUBLIC_KEY
        self.token = ""

    def start(self) -> Path:
        """Start them all; gives the kiosk.toml that points at them."""
        out = self.hub.cli("kiosk", "add", KIOSK_ID, "--name", "Soak 1", "--location", "Bench")
        self.token = out.strip().splitlines()[-1]
        self.hub.cli("user", "add", ADVISOR, "--role", "advisor", stdin=PASSWORD + "\n")
        self.hub.start()
        self.sim.start()
        data = self.folder / "kiosk-data"
        kiosk_toml = self.folder / "kiosk.toml"
        kiosk_toml.write_text(
            f'[kiosk]\nid = "{KIOSK_ID}"\nhub_url = "{self.hub.url}"\nhub_token = "{self.token}"\n'
            f'hub_public_key = "{self.hub_public_key}"\ndata_dir = "{data}"\n'
            f'[session]\nfolder = "{self.folder / "sessions"}"\nidle_seconds = 3600\n'
            "[ui]\nfullscreen = false\n"
            # A full tray of 10 000 sheets: staff would refill it; 100 runs out in 50 sessions.
            "[devices.printer]\npages_per_minute = 120\npaper_sheets = 10000\n"
            f'[devices.payment]\nbackend = "nexo"\nterminal_url = "{self.sim.url}"\n'
            f"notify_port = {self.notify_port}\ntimeout_seconds = 10\n"
            "request_timeout_seconds = 10\n"
            f'[fees.{FEE}]\nname_fi = "Kadonnut kortti"\nname_en = "Lost card"\namount = "3.00"\n'
            "[agent]\nretry_initial_seconds = 1\nretry_max_seconds = 10\nheartbeat_seconds = 30\n"
            'restart_command = ["true"]\n'
        )
        log = (self.folder / "agent.log").open("ab")
        self.agent = subprocess.Popen(
            [sys.executable, "-m", "kiosk.agent", "--config", str(kiosk_toml)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.advisor = Advisor(self.hub.url)
        self.advisor.start()
        return kiosk_toml

    def close(self) -> None:
        if self.advisor is not None:
            self.advisor.stop()
        if self.agent is not None and self.agent.poll() is None:
            self.agent.terminate()
            try:
                self.agent.wait(10)
            except subprocess.TimeoutExpired:
                self.agent.kill()
                self.agent.wait(10)
        self.sim.stop()
        if self.hub.process is not None and self.hub.process.poll() is None:
            try:
                self.hub.stop()
            except subprocess.TimeoutExpired:
                self.hub.process.kill()
                self.hub.process.wait(10)

    def submissions_at_hub(self) -> int:
        return len(self.hub.rows("SELECT id FROM submissions"))


@contextlib.contextmanager
def peers_in(folder: Path) -> Iterator[Peers]:
    peers = Peers(folder)
    try:
        yield peers
    finally:
        peers.close()


# ---- driving the window --------------------------------------------------------------------------


class Citizen:
    """Taps through one session on `window`, as tests/ui do, waiting for what a citizen sees."""

    def __init__(self, window: Any) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest
        from PySide6.QtWidgets import QApplication

        self.window = window
        self._click = QTest.mouseClick
        self._keys = QTest.keyClicks
        self._left = Qt.MouseButton.LeftButton
        app = QApplication.instance()
        assert app is not None
        self._app = app

    def tap(self, widget: Any) -> None:
        self._click(widget, self._left)

    def until(self, check: Callable[[], Any], what: str, shown: Callable[[], str] = str) -> None:
        end = time.monotonic() + WAIT
        while not check():
            if time.monotonic() > end:
                raise RuntimeError(f"timed out waiting for {what}; shown: {shown()!r}")
            self._app.processEvents()
            time.sleep(0.005)

    def frame(self) -> Any:
        frame = self.window.frame
        assert frame is not None
        return frame

    def open(self, tile: str) -> Any:
        frame = self.frame()
        if frame.stack.currentWidget() is not frame.home_page:
            self.tap(frame.home_button)
        self.until(lambda: frame.home.tiles[tile].isEnabled(), f"the {tile} tile")
        self.tap(frame.home.tiles[tile])
        return frame.service_screen

    def session(self) -> None:
        window = self.window
        self.until(lambda: window.stack.currentWidget() is window.attract, "the attract screen")
        self.tap(window.attract.language_buttons["en"])
        self.until(lambda: window.kiosk.session.current is not None, "a session")
        self.form()
        self.scan_and_print()
        self.pay()
        self.call()
        self.tap(self.frame().end_button)
        self.until(lambda: window.kiosk.session.current is None, "the session's end")

    def form(self) -> None:
        screen = self.open("forms")
        self.until(lambda: "helsinki-feedback" in screen.catalogue.buttons, "the forms catalogue")
        self.tap(screen.catalogue.buttons["helsinki-feedback"])
        form = screen.form
        assert form is not None
        self.tap(form.fields["subject"].buttons["parks"])
        feedback = form.fields["feedback"].editor
        self.tap(feedback)
        for key in ("shift", "n", "i", "c", "e", "space"):
            self.tap(screen.keyboard.key(key))
        self._keys(feedback, "park")
        self.tap(form.next_button)
        self.until(lambda: form.page == 1, "the form's second page")
        self.tap(form.next_button)
        self.until(lambda: form.on_summary, "the form's summary")
        self.tap(form.next_button)
        self.until(lambda: screen.confirmation is not None, "the form's reference number")

    def scan_and_print(self) -> None:
        scan = self.open("scan")
        self.until(lambda: not scan.picture.pixmap().isNull(), "the camera's picture")
        self.tap(scan.capture_button)
        self.until(lambda: scan.buttons.currentWidget() is scan.review_row, "the page to review")
        self.tap(scan.keep_button)
        self.until(lambda: scan.done_button.isEnabled(), "Finish")
        self.tap(scan.done_button)
        self.until(lambda: scan.buttons.currentWidget() is scan.ready_row, "the scanned PDF")
        self.tap(scan.print_button)
        screen = self.frame().service_screen
        # The scan is chosen; the form's copy may join the list (its catalogue read) or not yet.
        self.until(
            lambda: screen.document == scan.pdf_path and screen.pages == 1,
            "the scan's pages counted",
            screen.message.text,
        )
        self.tap(screen.print_button)
        self.until(
            lambda: "Printed 1 page" in screen.message.text(),
            "the page printed",
            screen.message.text,
        )

    def pay(self) -> None:
        screen = self.open("fee")
        self.tap(screen.fee_buttons[FEE])
        self.tap(screen.confirm_page.pay_button)
        self.until(lambda: screen.steps.currentWidget() is screen.done_page, "the fee paid")

    def call(self) -> None:
        screen = self.open("advice")
        self.until(lambda: LINE in screen.line_buttons, "the advice lines")
        self.until(lambda: screen.pages.currentWidget() is screen.lines_page, "the lines page")
        self.tap(screen.line_buttons[LINE])
        self.until(lambda: screen.pages.currentWidget() is screen.preview_page, "the preview")
        self.until(lambda: not screen.preview_view.pixmap().isNull(), "the own picture")
        self.tap(screen.call_button)
        from kiosk.video.advice import AdvicePhase

        waiting = (AdvicePhase.QUEUED, AdvicePhase.RINGING)
        self.until(lambda: screen.status.phase in waiting, "a place in the queue")
        self.tap(screen.cancel_button)
        self.until(lambda: screen.pages.currentWidget() is screen.lines_page, "the call hung up")


# ---- the run -------------------------------------------------------------------------------------


class Growth:
    """With --trace: what grew between two checkpoints, by Python type and by line allocated."""

    def __init__(self) -> None:
        import tracemalloc

        tracemalloc.start(8)
        self._types = self._count()
        self._snapshot = tracemalloc.take_snapshot()

    @staticmethod
    def _count() -> collections.Counter[str]:
        return collections.Counter(type(o).__qualname__ for o in gc.get_objects())

    def show(self) -> None:
        import tracemalloc

        types = self._count()
        grown = (types - self._types).most_common(12)
        print("          objects grown by type:", ", ".join(f"{t} +{n}" for t, n in grown))
        snapshot = tracemalloc.take_snapshot()
        for stat in snapshot.compare_to(self._snapshot, "traceback")[:8]:
            where = " < ".join(
                f"{f.filename.rsplit('/', 2)[-1]}:{f.lineno}" for f in stat.traceback
            )
            print(f"          {stat.size_diff / 1024:+9.1f} kB {stat.count_diff:+6d}  {where}")
        self._types, self._snapshot = types, snapshot


def figures(label: str, data_dir: Path, started: float, done: int, peers: Peers) -> None:
    gc.collect()
    rate = done / (time.monotonic() - started) if done else 0.0
    print(
        f"{label:>8}  rss {rss_mb():7.1f} MB  fds {fds():4d}  threads {threads():3d}  "
        f"wal {wal_kb(data_dir):8.1f} kB  py-objects {len(gc.get_objects()):8d}  "
        f"hub rss {rss_mb(peers.hub.process.pid) if peers.hub.process else 0:6.1f} MB  "
        f"({rate:.2f} sessions/s)",
        flush=True,
    )


def main(sessions: int, every: int, trace: bool) -> int:
    folder = Path(tempfile.mkdtemp(prefix="bench-soak-"))
    screen_file = folder / "screen.json"
    screen_file.write_text(SCREEN)
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={screen_file}"
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    os.environ["XDG_CACHE_HOME"] = str(folder / "cache")
    os.environ.setdefault("XDG_RUNTIME_DIR", str(folder))
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _stop)

    from kiosk.ui.arenas import limit_malloc_arenas

    limit_malloc_arenas()  # as kiosk.ui.main.run() does first
    from PySide6.QtCore import QCoreApplication, QEvent, Qt
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    app = QApplication([])
    app.setQuitOnLastWindowClosed(False)

    from kiosk.app import Kiosk
    from kiosk.config import load_config
    from kiosk.devices.catalog import DeviceClass, backend_names
    from kiosk.services import SERVICES
    from kiosk.ui.main import build

    checkpoints = sorted({n for n in (100, 500, 1000) if n <= sessions} | {sessions})
    try:
        with peers_in(folder) as peers:
            config = load_config(
                peers.start(),
                backends={c.value: backend_names(c) for c in DeviceClass},
                services=SERVICES.keys(),
            )
            # The kiosk stops before its peers do, as its own exit would find them.
            kiosk = Kiosk(config)
            window, _ = build(config, kiosk)
            try:
                window.resize(1920, 1080)
                window.show()
                kiosk.start_backend(window.bridge.on_device_event)
                citizen = Citizen(window)
                terminal = kiosk.device(DeviceClass.PAYMENT)
                assert terminal is not None
                citizen.until(lambda: terminal.health().state.usable, "the terminal logged in")
                print(f"soak: {sessions} sessions; peers and data in {folder}", flush=True)
                started = time.monotonic()
                figures("start", config.data_dir, started, 0, peers)
                growth = Growth() if trace else None
                for done in range(1, sessions + 1):
                    citizen.session()
                    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
                    if done in checkpoints or (every and done % every == 0):
                        figures(str(done), config.data_dir, started, done, peers)
                        if growth is not None:
                            growth.show()
                elapsed = time.monotonic() - started
            finally:
                app.removeEventFilter(window)
                kiosk.shutdown()
            rings = peers.advisor.rings if peers.advisor is not None else 0
            print(
                f"soak: {sessions} sessions in {elapsed:.0f} s "
                f"({elapsed / sessions:.2f} s each); advisor rung {rings} times; "
                f"{peers.submissions_at_hub()} forms at the hub",
                flush=True,
            )
    except Stopped as why:
        print(f"soak: stopped by {why}", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--every", type=int, default=0, help="also print every N sessions")
    parser.add_argument(
        "--trace", action="store_true", help="at each figure, what grew (slow: tracemalloc)"
    )
    args = parser.parse_args()
    sys.exit(main(args.sessions, args.every, args.trace))
