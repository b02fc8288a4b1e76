"""Device and scanning figures for the kiosk app.

    ./dev bench        (or: .venv/bin/python bench/devices.py)

1. Capture to corrected page shown: the Scan screen on the real OpenCV camera backend reading
   the shipped 1920×1080 photographs of pages (tests/scan/images) as an image sequence; from
   the tap on "Capture" to the corrected page on screen. Median of 20.
2. Camera: frames delivered per second by the OpenCV backend at 1920×1080 / 30 fps, and the age
   of the newest frame when a consumer reads it (every 50 ms for 5 s). Median.
3. Qt thread: the longest stall of the Qt thread (the largest gap between ticks of a 5 ms timer,
   less 5 ms), the median of 3 runs, in three cases:
   - nothing going on (simulated devices), 6 s;
   - the simulated printer prints a 20-page job while the simulated card is inserted and removed
     20 times, 6 s;
   - the same on the real backends: the CUPS printer on a private cupsd with an ippeveprinter
     queue, the PC/SC reader on pcscd with vpcd's virtual reader and a virtual FINEID card (the
     test peers in tests/peers). pcscd looks at vpcd's reader only every 0.4 s, so the card moves
     every 0.5 s (20 s a run); the virtual printer holds the job for the first 10 s, as a slower
     printer would, then prints it. Needs what `./dev test` installs, and root (pcscd -f);
     without them this figure is skipped with a line saying why (peers that are installed but
     fail to start: the same line, and exit status 1). Like the tests, it stops a pcscd already
     running, as only one pcscd can drive vpcd.
   Target for both busy cases: under 50 ms. Under each busy figure: how many card moves the
   kiosk saw, and where the print job was when the run ended.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast

ROOT = Path(__file__).resolve().parent.parent
os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={ROOT / 'tools/qt/kiosk-1080p.json'}"
os.environ.setdefault("KIOSK_LOG_LEVEL", "WARNING")
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QElapsedTimer, QEvent, Qt, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from kiosk.app import Kiosk  # noqa: E402
from kiosk.config import load_config  # noqa: E402
from kiosk.devices.catalog import DeviceClass, backend_names  # noqa: E402
from kiosk.devices.status import (  # noqa: E402
    CardInserted,
    CardRemoved,
    DeviceEvent,
    DeviceState,
    PrintJobCompleted,
    PrintJobFailed,
    PrintJobProgress,
)
from kiosk.ui.main import build  # noqa: E402

# The shipped photographs taken at 1920x1080 (the others are 1280x720).
PAGES = ("light_desk_landscape", "dark_desk_small_page")
#: Each Qt-stall figure is the median of this many runs.
STALL_RUNS = 3
STALL_SECONDS = 6.0
#: A busy run inserts and removes the card this many times.
CARD_CYCLES = 20
#: pcscd asks vpcd whether a card is there about every 0.4 s: a card that stays in (or out) for
#: less may never be seen, so the virtual card moves this often.
REAL_CARD_SECONDS = 0.5


def wait(app: QApplication, condition: object, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError("bench step did not finish")
        app.processEvents()
        time.sleep(0.001)


def frames_dir(tmp: Path) -> str:
    """The page photographs as an image sequence the OpenCV backend plays in a loop."""
    for index in range(30):
        name = PAGES[index % len(PAGES)]
        shutil.copy(ROOT / "tests/scan/images" / f"{name}.jpg", tmp / f"frame{index:04d}.jpg")
    return str(tmp / "frame%04d.jpg")


def make_kiosk(
    app: QApplication,
    tmp: Path,
    extra: str,
    on_event: Callable[[DeviceEvent], None] | None = None,
) -> tuple[object, Kiosk]:
    path = tmp / "kiosk.toml"
    path.write_text(
        f'[kiosk]\ndata_dir = "{tmp / "data"}"\n[session]\nfolder = "{tmp / "s"}"\n'
        f"idle_seconds = 3600\n[ui]\nfullscreen = false\n{extra}"
    )
    config = load_config(path, backends=backend_names)
    window, kiosk = build(config, Kiosk(config))
    window.resize(1920, 1080)
    window.show()
    to_window = window.bridge.on_device_event

    def deliver(event: DeviceEvent) -> None:
        if on_event is not None:
            on_event(event)
        to_window(event)

    kiosk.start_backend(deliver)
    app.processEvents()
    return window, kiosk


def dispose(app: QApplication, window: Any, kiosk: Kiosk) -> None:
    """Stop a kiosk and delete its window here, on the Qt thread. The window sits in reference
    cycles: left to Python's cycle collector, it is destroyed on whichever thread next triggers
    a collection (the store writer, say), and Qt crashes stopping its timers from there."""
    kiosk.shutdown()
    window.close()
    for qt_object in (window, window.bridge, window.ui):
        qt_object.deleteLater()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def capture_to_page(app: QApplication, tmp: Path, runs: int) -> list[float]:
    from kiosk.ui.screens.scan import ScanScreen

    source = frames_dir(tmp)
    window, kiosk = make_kiosk(
        app,
        tmp,
        f'[devices.camera]\nbackend = "opencv"\nsource = "{source}"\nwidth = 1920\n'
        "height = 1080\nfps = 30\n",
    )
    QTest.mouseClick(window.attract.language_buttons["fi"], Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    frame = window.frame  # type: ignore[attr-defined]
    QTest.mouseClick(frame.home.tiles["scan"], Qt.MouseButton.LeftButton)
    scan = frame.service_screen
    assert isinstance(scan, ScanScreen)
    wait(app, lambda: not scan.picture.pixmap().isNull())
    times: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        QTest.mouseClick(scan.capture_button, Qt.MouseButton.LeftButton)
        wait(app, lambda: scan.buttons.currentWidget() is scan.review_row)
        scan.picture.repaint()
        times.append(time.perf_counter() - start)
        QTest.mouseClick(scan.retake_button, Qt.MouseButton.LeftButton)
        wait(app, lambda: scan.capture_button.isEnabled())
    dispose(app, window, kiosk)
    return times


def camera_rate(tmp: Path) -> tuple[float, list[float]]:
    from kiosk.devices.camera.opencv import OpenCvCamera

    camera = OpenCvCamera("bench-camera", width=1920, height=1080, fps=30, source=frames_dir(tmp))
    camera.start()
    camera.start_stream()
    try:
        deadline = time.monotonic() + 10
        while camera.latest() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        first = camera.latest()
        assert first is not None, "the camera delivered no frame"
        ages: list[float] = []
        start = time.monotonic()
        while time.monotonic() - start < 5:
            time.sleep(0.05)
            frame = camera.latest()
            if frame is not None:
                ages.append(time.monotonic() - frame.captured_at)
        last = camera.latest()
        assert last is not None
        fps = (last.seq - first.seq) / (last.captured_at - first.captured_at)
    finally:
        camera.stop()
    return fps, ages


class Hand(Protocol):
    """Whoever moves the card: the simulated reader itself, or the virtual card at vpcd."""

    def insert(self) -> None: ...

    def remove(self) -> None: ...


@dataclass
class StallRun:
    stall: float
    #: Card moves made, and CardInserted + CardRemoved events the kiosk got.
    card_moves: int = 0
    card_events: int = 0
    #: Where the print job was when the run ended: "completed", "failed: <reason>", or its
    #: stage and pages so far.
    job: str = ""


def twenty_pages(tmp: Path) -> Path:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(20):
        writer.add_blank_page(width=595, height=842)
    document = tmp / "job.pdf"
    with document.open("wb") as f:
        writer.write(f)
    return document


def longest_stall(
    app: QApplication,
    tmp: Path,
    seconds: float,
    *,
    busy: bool = False,
    devices: str = "[devices.printer]\npages_per_minute = 120\n",
    hand: Hand | None = None,
    hold_printer: Callable[[bool], None] | None = None,
) -> StallRun:
    """One run. Busy: a 20-page job, and the card inserted and removed 20 times, evenly over
    `seconds` (by `hand`, else the simulated reader). `hold_printer` keeps the job in the printer
    for the first half of the run."""
    events: list[DeviceEvent] = []  # appended on device threads; list.append is atomic
    window, kiosk = make_kiosk(app, tmp, devices, events.append)
    run = StallRun(0.0)
    try:
        printer = kiosk.device(DeviceClass.PRINTER)
        reader = kiosk.device(DeviceClass.CARD_READER)
        assert printer is not None and reader is not None
        # A real backend opens on its own thread: measure the work, not the start-up.
        wait(app, lambda: printer.health().state is DeviceState.ONLINE)
        wait(app, lambda: reader.health().state is DeviceState.ONLINE)
        hand = hand if hand is not None else cast(Hand, reader)
        if busy:
            if hold_printer is not None:
                hold_printer(True)
            printer.print_file(twenty_pages(tmp))  # type: ignore[attr-defined]
        clock = QElapsedTimer()
        clock.start()
        gaps: list[int] = []
        last = [clock.nsecsElapsed()]

        def tick() -> None:
            now = clock.nsecsElapsed()
            gaps.append(now - last[0])
            last[0] = now

        timer = QTimer()
        timer.setTimerType(Qt.TimerType.PreciseTimer)
        timer.timeout.connect(tick)
        timer.start(5)
        start = time.monotonic()
        end = start + seconds
        release = start + seconds / 2
        next_move = start
        while time.monotonic() < end:
            if busy and time.monotonic() >= next_move:
                if run.card_moves % 2:
                    hand.remove()
                else:
                    hand.insert()
                run.card_moves += 1
                next_move += seconds / (2 * CARD_CYCLES)
            if hold_printer is not None and time.monotonic() >= release:
                hold_printer(False)
                hold_printer = None
            app.processEvents()
            time.sleep(0.0005)
        timer.stop()
        run.stall = max(0, max(gaps[1:]) - 5_000_000) / 1e9
        seen = list(events)  # not what shutting the devices down reports
    finally:
        if hand is not None:
            hand.remove()
        if hold_printer is not None:
            hold_printer(False)
        dispose(app, window, kiosk)
    run.card_events = sum(isinstance(e, CardInserted | CardRemoved) for e in seen)
    for event in seen:
        if isinstance(event, PrintJobProgress):
            run.job = f"{event.stage} ({event.pages_done}/{event.pages_total} pages)"
        elif isinstance(event, PrintJobCompleted):
            run.job = "completed"
        elif isinstance(event, PrintJobFailed):
            run.job = f"failed: {event.reason}"
    return run


def stall_runs(app: QApplication, base: Path, name: str, **kwargs: Any) -> list[StallRun]:
    runs = []
    for index in range(STALL_RUNS):
        folder = base / f"{name}-{index}"
        folder.mkdir()
        runs.append(longest_stall(app, folder, **kwargs))
    return runs


def missing_for_real_peers() -> str:
    """What this machine lacks to run the CUPS and PC/SC peers; "" when nothing."""
    modules = {
        "pytest": "pytest",  # tests/peers import it
        "cups": "pycups",
        "smartcard": "pyscard",
        "cryptography": "cryptography",  # the virtual card's certificate
    }
    missing = [name for module, name in modules.items() if importlib.util.find_spec(module) is None]
    if "pytest" not in missing:
        from tests.peers.cups import REQUIRED
        from tests.peers.pcsc import VPCD_DRIVER

        for program in [*REQUIRED, "pcscd"]:
            if not (shutil.which(program) or shutil.which(program, path="/usr/sbin:/usr/bin")):
                missing.append(program)
        if not VPCD_DRIVER.exists():
            missing.append("vsmartcard-vpcd")
    why = f"missing {', '.join(missing)} (`./dev test` installs them)" if missing else ""
    if os.geteuid() != 0:
        why = "; ".join(filter(None, [why, "pcscd -f needs root"]))
    return why


class PeersDidNotStart(Exception):
    """The peers are installed but one of them failed to start (the reason is the message)."""


def real_peer_runs(app: QApplication, base: Path) -> list[StallRun]:
    """The busy runs on the CUPS and PC/SC backends, with the test peers started and stopped
    around them (also on Ctrl-C)."""
    import pytest

    from tests.peers import pcsc
    from tests.peers.cups import CupsPeer

    # Not under `base`: cupsd runs its filters as user lp, who must be able to reach the spool.
    cups_peer = CupsPeer(Path(tempfile.mkdtemp(prefix="kiosk-bench-cups-")))
    pcsc_peer = pcsc.PcscPeer()
    card: pcsc.VirtualCard | None = None
    try:
        try:
            cups_peer.start()
            pcsc.stop_foreign_pcscd()  # vpcd's port is machine-wide: one pcscd only
            pcsc_peer.start()
            card = pcsc.VirtualCard()
        except pytest.fail.Exception as exc:
            raise PeersDidNotStart(str(exc)) from None
        devices = (
            f'[devices.printer]\nbackend = "cups"\nqueue = "{cups_peer.queue}"\n'
            f'server = "{cups_peer.server}"\n'
            f'[devices.cardreader]\nbackend = "pcsc"\nreader = "{pcsc.VIRTUAL_READER}"\n'
        )
        runs = []
        for index in range(STALL_RUNS):
            cups_peer.reset()
            pcsc.wait_for_empty_reader()
            folder = base / f"real-{index}"
            folder.mkdir()
            runs.append(
                longest_stall(
                    app,
                    folder,
                    2 * CARD_CYCLES * REAL_CARD_SECONDS,
                    busy=True,
                    devices=devices,
                    hand=card,
                    hold_printer=cups_peer.hold_busy,
                )
            )
        return runs
    finally:
        if card is not None:
            card.remove()
        pcsc_peer.stop()
        cups_peer.stop()
        shutil.rmtree(cups_peer.base, ignore_errors=True)


def stall_line(label: str, runs: list[StallRun], target: bool = False) -> str:
    stalls = [r.stall * 1000 for r in runs]
    each = ", ".join(f"{value:.1f}" for value in stalls)
    aim = "   (target < 50)" if target else ""
    return f"  {label:<46}{statistics.median(stalls):7.1f} ms   runs: {each}{aim}"


def what_happened(runs: list[StallRun]) -> str:
    def each(values: list[str]) -> str:
        return f"{values[0]} in each run" if len(set(values)) == 1 else ", ".join(values)

    seen = each([f"{r.card_events} of {r.card_moves}" for r in runs])
    job = each([r.job for r in runs])
    return f"    card moves the kiosk saw: {seen}; the job at the end: {job}"


def main() -> int:
    app = QApplication(sys.argv[:1])
    base = Path(tempfile.mkdtemp(prefix="kiosk-bench-devices-"))
    real: list[StallRun] = []
    failed = False
    try:
        dirs = [base / name for name in ("scan", "camera")]
        for folder in dirs:
            folder.mkdir()
        captures = capture_to_page(app, dirs[0], 20)
        fps, ages = camera_rate(dirs[1])
        quiet = stall_runs(app, base, "quiet", seconds=STALL_SECONDS)
        busy = stall_runs(app, base, "busy", seconds=STALL_SECONDS, busy=True)
        skipped = missing_for_real_peers()
        if not skipped:
            try:
                real = real_peer_runs(app, base)
            except PeersDidNotStart as exc:
                skipped, failed = f"the peers did not start: {exc}", True
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print("scanning, 1920x1080 (OpenCV backend, shipped page photographs)")
    print(
        f"  Capture -> corrected page shown   {statistics.median(captures) * 1000:7.1f} ms "
        f"median of {len(captures)} (max {max(captures) * 1000:.1f})"
    )
    print("camera, 1920x1080 at 30 fps (OpenCV backend)")
    print(f"  frames delivered per second       {fps:7.1f}")
    print(
        f"  age of newest frame when read     {statistics.median(ages) * 1000:7.1f} ms median "
        f"(max {max(ages) * 1000:.1f})"
    )
    print(f"Qt thread, longest stall (median of {STALL_RUNS} runs)")
    print(stall_line(f"nothing going on, {STALL_SECONDS:g} s", quiet))
    cards = f"card in/out x{CARD_CYCLES}"
    print(stall_line(f"simulated: 20 pages, {cards}, {STALL_SECONDS:g} s", busy, target=True))
    print(what_happened(busy))
    if real:
        seconds = 2 * CARD_CYCLES * REAL_CARD_SECONDS
        print(stall_line(f"CUPS + PC/SC: 20 pages, {cards}, {seconds:g} s", real, target=True))
        print(what_happened(real))
    else:
        print(f"  CUPS + PC/SC: skipped, {skipped}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
