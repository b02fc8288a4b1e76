"""Device and scanning figures for the kiosk app.

    ./dev bench        (or: .venv/bin/python bench/devices.py)

1. Capture to corrected page shown: the Scan screen on the real OpenCV camera backend reading
   the shipped 1920×1080 photographs of pages (tests/scan/images) as an image sequence; from
   the tap on "Capture" to the corrected page on screen. Median of 20.
2. Camera: frames delivered per second by the OpenCV backend at 1920×1080 / 30 fps, and the age
   of the newest frame when a consumer reads it (every 50 ms for 5 s). Median.
3. Qt thread: the longest stall of the Qt thread (the largest gap between ticks of a 5 ms timer,
   less 5 ms) while the simulated printer prints a 20-page job and a card is inserted and
   removed 20 times. Target under 50 ms. The same figure with nothing going on is printed
   beside it.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={ROOT / 'tools/qt/kiosk-1080p.json'}"
os.environ.setdefault("KIOSK_LOG_LEVEL", "WARNING")
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QElapsedTimer, Qt, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from kiosk.app import Kiosk  # noqa: E402
from kiosk.config import load_config  # noqa: E402
from kiosk.devices.catalog import DeviceClass  # noqa: E402
from kiosk.ui.main import build  # noqa: E402

# The shipped photographs taken at 1920x1080 (the others are 1280x720).
PAGES = ("light_desk_landscape", "dark_desk_small_page")


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


def make_kiosk(app: QApplication, tmp: Path, extra: str) -> tuple[object, Kiosk]:
    path = tmp / "kiosk.toml"
    path.write_text(
        f'[kiosk]\ndata_dir = "{tmp / "data"}"\n[session]\nfolder = "{tmp / "s"}"\n'
        f"idle_seconds = 3600\n[ui]\nfullscreen = false\n{extra}"
    )
    config = load_config(path, backends=lambda _: ("simulated", "opencv", "none"))
    window, kiosk = build(config, Kiosk(config))
    window.resize(1920, 1080)
    window.show()
    kiosk.start_backend(window.bridge.on_device_event)
    app.processEvents()
    return window, kiosk


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
    kiosk.shutdown()
    window.close()  # type: ignore[attr-defined]
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


def longest_stall(app: QApplication, seconds: float, busy: bool, tmp: Path) -> float:
    from pypdf import PdfWriter

    window, kiosk = make_kiosk(app, tmp, "[devices.printer]\npages_per_minute = 120\n")
    printer = kiosk.device(DeviceClass.PRINTER)
    reader = kiosk.device(DeviceClass.CARD_READER)
    if busy:
        writer = PdfWriter()
        for _ in range(20):
            writer.add_blank_page(width=595, height=842)
        document = tmp / "job.pdf"
        with document.open("wb") as f:
            writer.write(f)
        printer.print_file(document)  # type: ignore[union-attr]
    clock = QElapsedTimer()
    clock.start()
    gaps: list[int] = []
    last = [clock.elapsed()]

    def tick() -> None:
        now = clock.elapsed()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.timeout.connect(tick)
    timer.start(5)
    end = time.monotonic() + seconds
    inserted = False
    next_card = time.monotonic()
    while time.monotonic() < end:
        if busy and time.monotonic() >= next_card:
            if inserted:
                reader.remove()  # type: ignore[union-attr]
            else:
                reader.insert()  # type: ignore[union-attr]
            inserted = not inserted
            next_card += seconds / 40
        app.processEvents()
        time.sleep(0.0005)
    timer.stop()
    kiosk.shutdown()
    window.close()  # type: ignore[attr-defined]
    return max(0, max(gaps[1:]) - 5) / 1000


def main() -> int:
    app = QApplication(sys.argv[:1])
    base = Path(tempfile.mkdtemp(prefix="kiosk-bench-devices-"))
    try:
        dirs = [base / name for name in ("scan", "camera", "idle", "busy")]
        for folder in dirs:
            folder.mkdir()
        captures = capture_to_page(app, dirs[0], 20)
        fps, ages = camera_rate(dirs[1])
        quiet = longest_stall(app, 6, False, dirs[2])
        busy = longest_stall(app, 6, True, dirs[3])
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
    print("Qt thread, longest stall over 6 s")
    print(f"  nothing going on                  {quiet * 1000:7.1f} ms")
    print(f"  printing 20 pages + 20 card moves {busy * 1000:7.1f} ms   (target < 50)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
