"""A device's status is logged and stored for the hub when it changes, not each time it is polled.

The simulated camera measures its frame rate and reports its health with every frame; the
simulated printer reports its health each time its tray is touched. Neither a new frame-rate
reading nor the same state reported again is news: the log and the events the agent ships say
one thing per change of state, attention, error or class detail (such as the paper level).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator

import pytest

from kiosk.app import Kiosk
from kiosk.config import Config
from kiosk.devices.camera.simulated import SimulatedCamera
from kiosk.devices.catalog import DeviceClass
from kiosk.devices.printer.simulated import SimulatedPrinter
from kiosk.devices.status import DeviceEvent, DeviceState, StatusChanged
from tests.peers.hub import wait_until


@pytest.fixture
def kiosk(config: Config, caplog: pytest.LogCaptureFixture) -> Iterator[Kiosk]:
    caplog.set_level(logging.INFO)  # as the app's logging set-up has it
    app = Kiosk(config)
    app.start_backend()
    yield app
    app.shutdown()


def device_events(kiosk: Kiosk, device_id: str) -> list[dict[str, object]]:
    """The device's status events in the store, for the hub."""
    writer = kiosk.writer
    assert writer is not None
    assert writer.flush(30)
    store = writer.store
    with store.lock:
        rows = store.db["events"].rows_where(
            "kind = 'device' AND device_id = ?", [device_id], order_by="id"
        )
        return [{**row, "payload": json.loads(row["payload"])} for row in rows]


def status_logs(kiosk: Kiosk, caplog: pytest.LogCaptureFixture, device_id: str) -> list[str]:
    """The "device status" records of the device: in the log, and as stored for the hub."""
    writer = kiosk.writer
    assert writer is not None
    assert writer.flush(30)
    logged = [
        r.__dict__.get("state", "")
        for r in (*caplog.get_records("setup"), *caplog.records)
        if r.getMessage() == "device status" and r.__dict__.get("device_id") == device_id
    ]
    with writer.store.lock:
        stored = [
            row
            for row in writer.store.db["events"].rows_where(
                "kind = 'log' AND device_id = ?", [device_id]
            )
            if json.loads(row["payload"]).get("msg") == "device status"
        ]
    assert len(stored) == len(logged)
    return logged


def test_a_streaming_camera_logs_and_ships_its_status_once_per_change(
    kiosk: Kiosk, caplog: pytest.LogCaptureFixture
) -> None:
    camera = kiosk.device(DeviceClass.CAMERA)
    assert isinstance(camera, SimulatedCamera)
    readings: list[str] = []
    lock = threading.Lock()

    def heard(event: DeviceEvent) -> None:
        if isinstance(event, StatusChanged) and event.device_id == camera.device_id:
            with lock:
                readings.append(event.health.detail.get("fps", ""))

    assert kiosk.devices is not None
    kiosk.devices.subscribe(heard)
    wait_until(lambda: camera.health().state is DeviceState.ONLINE, "the camera is online")

    def fps() -> float:
        return float(camera.health().detail.get("fps", "0"))

    # Streaming, stopped, streaming again: the frame rate is measured and reported with
    # every frame, and moves from 0 to about 30 and back.
    camera.start_stream()
    wait_until(lambda: fps() > 0, "the camera measures its frame rate")
    camera.stop_stream()
    wait_until(lambda: fps() == 0, "the stopped camera reports no frames")
    camera.start_stream()
    wait_until(lambda: fps() > 0, "the camera measures its frame rate again")
    with lock:
        assert len(set(readings)) >= 2, "the readings reach the screens that show them"

    assert status_logs(kiosk, caplog, camera.device_id) == ["online"]
    [online] = device_events(kiosk, camera.device_id)
    assert online["payload"]["state"] == "online"

    camera.set_fault("unplugged", True)
    wait_until(lambda: camera.health().state is DeviceState.NO_DEVICE, "the camera is gone")
    camera.stop_stream()
    assert status_logs(kiosk, caplog, camera.device_id) == ["online", "no_device"]
    events = device_events(kiosk, camera.device_id)
    assert [e["payload"]["state"] for e in events] == ["online", "no_device"]
    assert events[1]["code"] == "camera-not-found"


def test_a_printer_reporting_the_same_state_again_adds_nothing_and_low_paper_is_one_event(
    kiosk: Kiosk, caplog: pytest.LogCaptureFixture
) -> None:
    printer = kiosk.device(DeviceClass.PRINTER)
    assert isinstance(printer, SimulatedPrinter)
    wait_until(lambda: printer.health().state is DeviceState.ONLINE, "the printer is online")
    for _ in range(50):
        printer.refill()  # a full tray, again and again: the same state each time
    assert status_logs(kiosk, caplog, printer.device_id) == ["online"]
    assert len(device_events(kiosk, printer.device_id)) == 1

    printer.refill(3)  # a class detail changes: the paper is low, the printer still prints
    wait_until(lambda: printer.health().detail.get("paper") == "low", "the paper is low")
    for _ in range(50):
        printer.refill(3)
    assert status_logs(kiosk, caplog, printer.device_id) == ["online", "online"]
    events = device_events(kiosk, printer.device_id)
    assert [e["payload"]["detail"]["paper"] for e in events] == ["full", "low"]
