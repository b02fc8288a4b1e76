"""E-services browser figures: the kiosk's browser against a bare QWebEngineView, the session's
end, and memory over many sessions.

    ./dev bench        (or: .venv/bin/python bench/browser.py [--sessions N] [--runs N])

The page is the demo e-service's start page (eservices.demosite, served on loopback), the kiosk
on its simulated devices at 1920×1080 on the offscreen platform (software rendering).

1. Page shown: from the moment the page is asked for to its loadFinished, median of --runs, each
   in a fresh process (QtWebEngine's first start included on both sides):
   - bare: a QWebEngineView (default profile) in a window, view.setUrl(start page);
   - kiosk: the kiosk window with a session and the E-services list shown, a tap on the service
     (its off-the-record profile, request guard and page are made then, as for a citizen).
   The ratio kiosk / bare; target ≤ 1.2.
2. Session end: `end_session` with an e-service page open (the profile destroyed with its pages,
   the session's folder wiped, the frame thrown away), until the attract screen is back and the
   deleted widgets are gone. Median over the sessions of 3; target < 300 ms.
3. Memory: the resident size of the kiosk process, and of it with QtWebEngine's helper
   processes, after 10 sessions and after --sessions (200) that each open the page and end;
   target: growth under 30 MB.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def environment() -> None:
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={ROOT / 'tools/qt/kiosk-1080p.json'}"
    os.environ.setdefault("KIOSK_LOG_LEVEL", "WARNING")
    if os.geteuid() == 0:
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-logging --log-level=3")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, queue = [], [pid]
    while queue:
        for child in children.get(queue.pop(), []):
            found.append(child)
            queue.append(child)
    return found


def tree_rss_kib(pid: int) -> int:
    total = 0
    for each in [pid, *descendants(pid)]:
        with contextlib.suppress(OSError):  # a helper that ended meanwhile
            total += rss_kib(each)
    return total


# ---- one measurement per process ---------------------------------------------------------------


def bare(url: str) -> float:
    environment()
    from PySide6.QtCore import QCoreApplication, QElapsedTimer, Qt, QUrl
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    app = QApplication(sys.argv[:1])
    from PySide6.QtWebEngineWidgets import QWebEngineView

    view = QWebEngineView()
    view.resize(1920, 1080)
    view.show()
    app.processEvents()
    clock = QElapsedTimer()
    done: list[float] = []
    view.loadFinished.connect(lambda ok: (done.append(clock.nsecsElapsed() / 1e6), app.exit(0)))
    clock.start()
    view.setUrl(QUrl(url))
    app.exec()
    return done[0]


class KioskRig:
    """The kiosk window on simulated devices, with the demo site's catalogue cached."""

    def __init__(self, folder: Path, catalogue: dict[str, object]) -> None:
        environment()
        from PySide6.QtCore import QCoreApplication, Qt
        from PySide6.QtWidgets import QApplication

        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
        self.app = QApplication(sys.argv[:1])
        from kiosk.app import Kiosk
        from kiosk.config import load_config
        from kiosk.devices.catalog import DeviceClass, backend_names
        from kiosk.services import SERVICES
        from kiosk.ui.main import build
        from kiosk.web.cache import CACHE_FILE

        data = folder / "data"
        data.mkdir()
        content = {"version": "bench", "fetched_at": "2026-01-01T00:00:00.000Z"}
        (data / CACHE_FILE).write_text(json.dumps({**content, "catalogue": catalogue}))
        toml = folder / "kiosk.toml"
        toml.write_text(
            f'[kiosk]\ndata_dir = "{data}"\n[session]\nfolder = "{folder / "sessions"}"\n'
            "[ui]\nfullscreen = false\n[browser]\nallow_plain_http = true\n"
        )
        config = load_config(
            toml,
            backends={c.value: backend_names(c) for c in DeviceClass},
            services=SERVICES.keys(),
        )
        self.kiosk = Kiosk(config)
        self.window, _ = build(config, self.kiosk)
        self.window.resize(1920, 1080)
        self.window.show()
        self.kiosk.start_backend(self.window.bridge.on_device_event)
        self.settle(0.5)

    def settle(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.app.processEvents()
            time.sleep(0.005)

    def until(self, done: object, timeout: float = 30.0) -> None:
        end = time.monotonic() + timeout
        while not done():  # type: ignore[operator]
            if time.monotonic() > end:
                raise TimeoutError("the kiosk did not get there in time")
            self.app.processEvents()
            time.sleep(0.001)

    def open_list(self) -> object:
        from kiosk.ui.screens.eservices.screen import EServicesScreen

        window = self.window
        window.start_session("en")
        frame = window.frame
        assert frame is not None
        frame.open_service("eservices")
        screen = frame.service_screen
        assert isinstance(screen, EServicesScreen)
        self.until(lambda: screen.catalogue is not None and screen.browser.warm)
        return screen

    def open_page(self, screen: object) -> float:
        """Milliseconds from the tap on the service to its page's loadFinished."""
        from PySide6.QtCore import QElapsedTimer

        from kiosk.ui.screens.eservices.screen import EServicesScreen

        assert isinstance(screen, EServicesScreen)
        done: list[float] = []
        clock = QElapsedTimer()
        page = screen.browser.page
        page.loadFinished.connect(lambda _ok: done.append(clock.nsecsElapsed() / 1e6))
        clock.start()
        screen.list.buttons["demo-service"].click()
        self.until(lambda: bool(done))
        return done[0]

    def end_session(self) -> float:
        """Milliseconds from End session to the attract screen, the deleted widgets gone."""
        from PySide6.QtCore import QCoreApplication, QEvent

        from kiosk.session import EndReason

        start = time.perf_counter()
        self.window.end_session(EndReason.USER)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        self.app.processEvents()
        elapsed = (time.perf_counter() - start) * 1000
        assert self.kiosk.session.current is None
        return elapsed

    def close(self) -> None:
        self.kiosk.shutdown()


def kiosk_first(url: str, catalogue: dict[str, object]) -> float:
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as folder:
        rig = KioskRig(Path(folder), catalogue)
        screen = rig.open_list()
        rig.settle(0.3)
        shown = rig.open_page(screen)
        rig.close()
        return shown


def sessions(count: int, catalogue: dict[str, object]) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as folder:
        rig = KioskRig(Path(folder), catalogue)
        pid = os.getpid()
        ends: list[float] = []
        memory: dict[int, tuple[int, int]] = {}
        for number in range(1, count + 1):
            screen = rig.open_list()
            rig.open_page(screen)
            ends.append(rig.end_session())
            rig.settle(0.05)
            if number in (10, count):
                rig.settle(2.0)  # helper processes of ended sessions go
                memory[number] = (rss_kib(pid), tree_rss_kib(pid))
        rig.close()
        return {"ends": ends, "memory": memory}


# ---- the driver --------------------------------------------------------------------------------


def child(mode: str, url: str, catalogue_file: str, count: int) -> None:
    catalogue = json.loads(Path(catalogue_file).read_text())
    if mode == "bare":
        result: object = bare(url)
    elif mode == "kiosk":
        result = kiosk_first(url, catalogue)
    else:
        result = sessions(count, catalogue)
    print("RESULT " + json.dumps(result), flush=True)
    os._exit(0)  # QtWebEngine's threads need not be waited for


def run_child(mode: str, url: str, catalogue_file: Path, count: int = 0) -> object:
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, url, str(catalogue_file), str(count)],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError(f"{mode} run failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, url, catalogue_file, count = args.child
        child(mode, url, catalogue_file, int(count))
        return 0

    from eservices.demosite import SitesThread, catalogue

    names = {"service": "127.0.0.1", "identification": "127.0.0.1", "offlist": "127.0.0.1"}
    running = SitesThread(names)
    running.start()
    try:
        with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as folder:
            catalogue_file = Path(folder) / "catalogue.json"
            served = catalogue(running.sites)
            catalogue_file.write_text(json.dumps(served))
            url = running.sites.service + "/"
            print(f"E-services browser, {url}, offscreen 1920×1080")
            bares: list[float] = []
            kiosks: list[float] = []
            for _ in range(args.runs):
                bares.append(float(run_child("bare", url, catalogue_file)))  # type: ignore[arg-type]
                kiosks.append(float(run_child("kiosk", url, catalogue_file)))  # type: ignore[arg-type]
            bare_ms, kiosk_ms = statistics.median(bares), statistics.median(kiosks)
            print(f"1. page shown (to loadFinished), median of {args.runs} fresh processes:")
            print(f"   bare QWebEngineView {bare_ms:.0f} ms  (runs: {_list(bares)})")
            print(f"   kiosk               {kiosk_ms:.0f} ms  (runs: {_list(kiosks)})")
            print(f"   ratio kiosk / bare  {kiosk_ms / bare_ms:.2f}  (target ≤ 1.2)")
            result = run_child("sessions", url, catalogue_file, args.sessions)
            assert isinstance(result, dict)
            ends = result["ends"]
            print(f"2. session end with a page open, median of {len(ends)}:")
            print(
                f"   {statistics.median(ends):.0f} ms (max {max(ends):.0f} ms;"
                f" first {ends[0]:.0f} ms)  (target < 300 ms)"
            )
            memory = {int(k): v for k, v in result["memory"].items()}
            first, last = memory[10], memory[args.sessions]
            print(f"3. resident memory after 10 and after {args.sessions} sessions:")
            print(
                f"   kiosk process      {first[0] / 1024:.0f} MB → {last[0] / 1024:.0f} MB"
                f"  (growth {(last[0] - first[0]) / 1024:+.1f} MB; target < 30 MB)"
            )
            print(
                f"   with its helpers   {first[1] / 1024:.0f} MB → {last[1] / 1024:.0f} MB"
                f"  (growth {(last[1] - first[1]) / 1024:+.1f} MB)"
            )
    finally:
        running.stop()
    return 0


def _list(values: list[float]) -> str:
    return ", ".join(f"{v:.0f}" for v in values)


if __name__ == "__main__":
    sys.exit(main())
