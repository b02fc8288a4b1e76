"""A real camera through OpenCV's `VideoCapture`: a USB/V4L2 camera, or a video file or image
sequence played as if it were live (for tests and demos).

A reader thread owned by the camera calls `cap.read()` in a loop and keeps only the newest
frame, so a slow consumer never sees an old picture; the camera's new-frame listeners hear of
each frame as it is stored. The reader also owns the `VideoCapture`: it opens it, retries every
second while the camera is missing, and reopens it when reads fail, so a camera plugged in later
works without a restart. The device thread only probes the camera at start, runs the self-test
and joins retired readers.

`cv2` and numpy are imported lazily: importing this module must stay cheap.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from kiosk.devices.camera.base import Camera, Frame
from kiosk.devices.status import Attention, DeviceState, SelfTestResult

log = logging.getLogger(__name__)

#: Reads failing for this long mean the camera is gone: it is reported and reopened.
STALL_SECONDS = 2.0
#: How often a missing camera is looked for again while a stream is wanted.
RETRY_SECONDS = 1.0
#: Pause between failed reads of a live camera, so a dead one does not spin a core.
_FAILED_READ_PAUSE = 0.05


def _parse_source(source: str) -> int | str:
    """A camera index ("0") as an int; a device path, video file or pattern as it is."""
    text = source.strip()
    return int(text) if text.isdigit() else text


class OpenCvCamera(Camera):
    backend = "opencv"
    announces_frames = True

    def __init__(
        self,
        device_id: str,
        *,
        width: int = 1280,
        height: int = 720,
        fps: int = 30,
        source: str = "0",
    ) -> None:
        if width < 16 or height < 16 or not 1 <= fps <= 120:
            raise ValueError("camera needs width >= 16, height >= 16 and fps in 1..120")
        super().__init__(device_id)
        self._width, self._height, self._fps = width, height, fps
        self._source = _parse_source(str(source))
        #: A file or image sequence: paced at `fps` and looped, since it has no clock of its own.
        self._is_file = isinstance(self._source, str) and not (
            self._source.startswith("/dev/") or "://" in self._source
        )
        self._lock = threading.RLock()
        self._opened = False
        self._wanted = False
        self._seq = 0
        self._latest: Frame | None = None
        #: Set when the current reader must stop; once set, it stores and reports nothing more.
        self._stop = threading.Event()
        self._reader: threading.Thread | None = None
        #: Readers told to stop, for the device thread to join.
        self._retired: list[threading.Thread] = []

    # ---- the Camera interface -----------------------------------------------------------------

    def start_stream(self) -> None:
        with self._lock:
            self._wanted = True
            self._spawn_if_needed()

    def stop_stream(self) -> None:
        with self._lock:
            self._wanted = False
            self._halt()
            if self._opened:
                health = self.health()
                self._set_health(health.state, health.attention, detail={"fps": "0.0"})
        # Joined on the device thread: the caller may be the Qt thread, and a read can block.
        self.worker.submit(self._join_retired)

    def latest(self) -> Frame | None:
        return self._latest

    # ---- device thread ------------------------------------------------------------------------

    def _open(self) -> None:
        # Probe once so a missing camera shows before any session needs it. Not under the
        # lock: opening a USB camera can take a second.
        found = self._probe()
        with self._lock:
            self._opened = True
            if self._reader is None:  # a reader already started reports for itself
                self._report_found(found)
            self._spawn_if_needed()

    def _close(self) -> None:
        with self._lock:
            self._opened = False
            self._halt()
        self._join_retired()

    def _join_retired(self) -> None:
        with self._lock:
            threads, self._retired = self._retired, []
        for thread in threads:
            thread.join()

    def _probe(self) -> bool | None:
        """Whether the camera opens; None when OpenCV itself is missing."""
        cv2 = _import_cv2()
        if cv2 is None:
            return None
        cap = self._open_capture(cv2)
        if cap is None:
            return False
        cap.release()
        return True

    def _report_found(self, found: bool | None) -> None:
        fps = {"fps": "0.0"}
        if found is None:
            self._set_health(
                DeviceState.NO_DEVICE,
                Attention.MAINTENANCE,
                detail=fps,
                error="backend-unavailable",
            )
        elif found:
            self._set_health(DeviceState.ONLINE, Attention.NONE, detail=fps)
        else:
            self._set_health(
                DeviceState.NO_DEVICE, Attention.MAINTENANCE, detail=fps, error="camera-not-found"
            )

    def _run_self_test(self) -> SelfTestResult:
        cv2 = _import_cv2()
        if cv2 is None:
            return SelfTestResult(self.device_id, False, ("opencv: backend-unavailable",))
        frame = self._latest
        streaming = self._reader is not None
        if frame is not None:
            # The reader holds the camera (a second open of a USB camera fails): use its frame.
            data = frame.data
            steps = ["camera: ok", "capture: ok"]
        else:
            cap = self._open_capture(cv2)
            if cap is None:
                if not streaming:
                    self._report_found(False)
                return SelfTestResult(self.device_id, False, ("camera: not found",))
            try:
                data = None
                # A live camera may drop its first frames while it settles.
                for _ in range(1 if self._is_file else 10):
                    ok, img = cap.read()
                    if ok and img is not None:
                        data = img
                        break
            finally:
                cap.release()
            if not streaming:
                self._report_found(True)
            if data is None:
                return SelfTestResult(self.device_id, False, ("camera: ok", "capture: failed"))
            steps = ["camera: ok", "capture: ok"]
        height, width = int(data.shape[0]), int(data.shape[1])
        right_size = (width, height) == (self._width, self._height)
        channels_ok = data.ndim == 3 and data.shape[2] == 3 and str(data.dtype) == "uint8"
        if right_size and channels_ok:
            steps.append(f"size: {width}x{height}")
        else:
            steps.append(f"size: {width}x{height}, expected {self._width}x{self._height}")
        return SelfTestResult(self.device_id, right_size and channels_ok, tuple(steps))

    # ---- capture ------------------------------------------------------------------------------

    def _open_capture(self, cv2: Any) -> Any:
        """An opened `VideoCapture` set up for this camera, or None when it does not open."""
        try:
            cap = cv2.VideoCapture(self._source)
        except Exception:  # an odd source string must not kill the reader
            log.exception("camera open failed", extra={"device_id": self.device_id})
            return None
        if not cap.isOpened():
            cap.release()
            return None
        if not self._is_file:
            # MJPG first: most USB cameras only reach 720p30 compressed. A camera that cannot
            # ignores these, and the self-test reports the size it really gives.
            cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter_fourcc(*"MJPG"))
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, self._width)
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self._height)
            cap.set(cv2.CAP_PROP_FPS, self._fps)
            # Keep the driver from queueing old frames, and a dead camera from blocking read().
            cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
            timeout = getattr(cv2, "CAP_PROP_READ_TIMEOUT_MSEC", None)
            if timeout is not None:
                cap.set(timeout, STALL_SECONDS * 1000)
        return cap

    # ---- reader (call the helpers with self._lock held) ---------------------------------------

    def _spawn_if_needed(self) -> None:
        if not (self._opened and self._wanted) or self._reader is not None:
            return
        self._stop = threading.Event()
        thread = threading.Thread(
            target=self._read_loop,
            args=(self._stop, tuple(self._retired)),
            name=f"device-{self.device_id}-capture",
            daemon=True,
        )
        self._reader = thread
        thread.start()

    def _halt(self) -> None:
        self._stop.set()
        if self._reader is not None:
            self._retired.append(self._reader)
            self._reader = None
        self._latest = None

    def _report(
        self,
        stop: threading.Event,
        state: DeviceState,
        fps: float,
        error: str | None = None,
    ) -> None:
        """Publish health from the reader, unless it has been told to stop."""
        with self._lock:
            if stop.is_set():
                return
            detail = {"fps": f"{fps:.1f}"}
            if state is DeviceState.ONLINE:
                self._set_health(state, Attention.NONE, detail=detail)
            else:
                self._latest = None  # no stale picture of a camera that is gone
                self._set_health(state, Attention.MAINTENANCE, detail=detail, error=error)

    def _read_loop(self, stop: threading.Event, previous: tuple[threading.Thread, ...]) -> None:
        # A reader being retired may still hold the camera, and a USB camera opens only once:
        # wait for it rather than report the camera missing on a quick stop and start.
        for thread in previous:
            thread.join()
        try:
            self._read_until(stop)
        except Exception as exc:  # never let the reader die silently
            log.exception("camera reader failed", extra={"device_id": self.device_id})
            self._report(stop, DeviceState.HARDWARE_ERROR, 0.0, error=type(exc).__name__)

    def _read_until(self, stop: threading.Event) -> None:
        cv2 = _import_cv2()
        if cv2 is None:
            self._report(stop, DeviceState.NO_DEVICE, 0.0, error="backend-unavailable")
            return
        period = 1.0 / self._fps
        cap: Any = None
        #: Frames are flowing; until the first one the camera is not reported online.
        healthy = False
        last_frame = next_at = window_start = time.monotonic()
        window_frames = 0
        try:
            while not stop.is_set():
                if cap is None:
                    cap = self._open_capture(cv2)
                    if cap is None:
                        healthy = False
                        self._report(stop, DeviceState.NO_DEVICE, 0.0, error="camera-not-found")
                        stop.wait(RETRY_SECONDS)
                        continue
                    if not healthy:
                        last_frame = next_at = time.monotonic()
                if self._is_file:
                    # A file has no clock: read it at the camera's rate, like a live stream.
                    if stop.wait(max(0.0, next_at - time.monotonic())):
                        break
                    next_at = max(next_at + period, time.monotonic())
                ok, img = cap.read()
                now = time.monotonic()
                if ok and img is not None:
                    self._store(stop, img, now)
                    last_frame = now
                    if not healthy:
                        healthy = True
                        window_start, window_frames = now, 0
                        self._report(stop, DeviceState.ONLINE, 0.0)
                    window_frames += 1
                    if now - window_start >= 1.0:
                        fps = window_frames / (now - window_start)
                        window_start, window_frames = now, 0
                        self._report(stop, DeviceState.ONLINE, fps)
                elif self._is_file:
                    cap.release()  # its end: play it again from the first frame
                    cap = None
                    if not healthy:
                        stop.wait(period)  # an empty file: do not spin reopening it
                else:
                    stop.wait(_FAILED_READ_PAUSE)
                if time.monotonic() - last_frame >= STALL_SECONDS:
                    healthy = False
                    if cap is not None:
                        cap.release()
                        cap = None
                    # The camera is there but gives no pictures: its hardware, not its absence.
                    self._report(stop, DeviceState.HARDWARE_ERROR, 0.0, error="no-frames")
                    stop.wait(RETRY_SECONDS)
                    last_frame = time.monotonic()
        finally:
            if cap is not None:
                cap.release()

    def _store(self, stop: threading.Event, img: Any, captured_at: float) -> None:
        img.flags.writeable = False  # one frame is shared by every consumer
        with self._lock:
            if stop.is_set():
                return
            self._seq += 1
            self._latest = Frame(img, self._seq, captured_at)
        self._announce_frame()


def _import_cv2() -> Any:
    try:
        import cv2
    except ImportError:
        return None
    return cv2
