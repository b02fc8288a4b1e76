"""Fixtures for device tests: start devices and always stop them, record their events, and fail
any test that leaves a device thread (or any non-daemon thread) running."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from kiosk.devices.base import Device
from kiosk.devices.camera.base import Camera, Frame
from kiosk.devices.status import DeviceEvent, DeviceState

D = TypeVar("D", bound=Device)
E = TypeVar("E", bound=DeviceEvent)

#: Generous on purpose: a loaded CI machine is slow, and a passing test never waits this long.
DEADLINE = 10.0


def make_pdf(folder: Path, pages: int) -> Path:
    """A PDF of `pages` blank A4 pages."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    path = folder / f"doc-{pages}p.pdf"
    with path.open("wb") as out:
        writer.write(out)
    return path


def next_frame(camera: Camera, after: Frame | None = None, timeout: float = 2 * DEADLINE) -> Frame:
    """The first frame newer than `after` (or any frame), waiting for it (a camera that was
    unplugged is looked for again once a second, and a loaded machine is slow)."""
    found: list[Frame] = []

    def newer() -> bool:
        frame = camera.latest()
        if frame is not None and (after is None or frame.seq > after.seq):
            found.append(frame)
        return bool(found)

    wait_until(newer, "a new frame", timeout)
    return found[0]


def wait_until(condition: Callable[[], object], what: str, timeout: float = DEADLINE) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.005)


class Recorder:
    """Every event a device published, in order, with waits on them."""

    def __init__(self, device: Device) -> None:
        self.device = device
        self._lock = threading.Lock()
        self._events: list[DeviceEvent] = []
        self.unsubscribe = device.events.subscribe(self._add)

    def _add(self, event: DeviceEvent) -> None:
        with self._lock:
            self._events.append(event)

    @property
    def events(self) -> list[DeviceEvent]:
        with self._lock:
            return list(self._events)

    def of(self, kind: type[E], **match: object) -> list[E]:
        return [
            e
            for e in self.events
            if isinstance(e, kind) and all(getattr(e, k) == v for k, v in match.items())
        ]

    def wait_for(self, kind: type[E], **match: object) -> E:
        """The first event of `kind` whose fields equal `match`, waiting for it if need be."""
        found: list[E] = []

        def seen() -> bool:
            found[:] = self.of(kind, **match)
            return bool(found)

        wait_until(seen, f"{kind.__name__} {match}")
        return found[0]

    def wait_state(self, state: DeviceState) -> None:
        wait_until(lambda: self.device.health().state == state, f"state {state.value}")


@pytest.fixture
def start() -> Iterator[Callable[[D], D]]:
    """Start a device (its open has run when this returns) and stop it after the test."""
    started: list[Device] = []

    def _start(device: D) -> D:
        device.start()
        started.append(device)
        device.worker.submit(lambda: None).result(DEADLINE)
        return device

    yield _start
    for device in reversed(started):
        device.stop()


@pytest.fixture
def record() -> Iterator[Callable[[Device], Recorder]]:
    recorders: list[Recorder] = []

    def _record(device: Device) -> Recorder:
        recorders.append(Recorder(device))
        return recorders[-1]

    yield _record
    for recorder in recorders:
        recorder.unsubscribe()


@pytest.fixture(autouse=True)
def no_leftover_threads() -> Iterator[None]:
    before = set(threading.enumerate())
    yield

    def leftovers() -> list[threading.Thread]:
        return [
            t
            for t in threading.enumerate()
            if t not in before and t.is_alive() and (not t.daemon or t.name.startswith("device-"))
        ]

    # A thread told to stop may need a moment to return after its last join() timed out.
    end = time.monotonic() + 2.0
    while leftovers() and time.monotonic() < end:
        time.sleep(0.01)
    left = leftovers()
    if left:
        pytest.fail(f"test left threads running: {[t.name for t in left]}")
