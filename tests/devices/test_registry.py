"""The registry builds each device from its config section, stands a null device in for a
backend that cannot load, and a DeviceSet starts, watches and stops all four."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.devices import registry
from kiosk.devices.base import Device
from kiosk.devices.camera.simulated import SimulatedCamera
from kiosk.devices.cardreader.simulated import SimulatedCardReader
from kiosk.devices.null import NoDeviceError, NullCamera, NullPrinter
from kiosk.devices.payment.base import PaymentOutcome, PaymentRequest
from kiosk.devices.payment.simulated import SimulatedPaymentTerminal
from kiosk.devices.printer.simulated import SimulatedPrinter
from kiosk.devices.registry import DeviceSet, backend_names, build_device
from kiosk.devices.status import (
    Attention,
    DeviceClass,
    DeviceEvent,
    DeviceState,
    PaymentFinished,
    PrintJobFailed,
    StatusChanged,
)

from .conftest import Recorder, wait_until

#: The config sections of docs/config.md with their defaults applied, as the config layer gives.
SECTIONS: dict[DeviceClass, dict[str, object]] = {
    DeviceClass.PRINTER: {
        "backend": "simulated",
        "pages_per_minute": 6000,
        "paper_sheets": 7,
        "output_dir": "",
    },
    DeviceClass.CARD_READER: {"backend": "simulated", "card": "unknown"},
    DeviceClass.CAMERA: {"backend": "simulated", "width": 160, "height": 120, "fps": 10},
    DeviceClass.PAYMENT: {"backend": "simulated", "delay_seconds": 0.0, "timeout_seconds": 5.0},
}


def test_every_class_has_simulated_and_none() -> None:
    for device_class in DeviceClass:
        names = backend_names(device_class)
        assert names[0] == "simulated" and "none" in names


@pytest.mark.parametrize(
    ("device_class", "kind"),
    [
        (DeviceClass.PRINTER, SimulatedPrinter),
        (DeviceClass.CARD_READER, SimulatedCardReader),
        (DeviceClass.CAMERA, SimulatedCamera),
        (DeviceClass.PAYMENT, SimulatedPaymentTerminal),
    ],
)
def test_builds_the_simulated_backend_from_its_section(
    device_class: DeviceClass, kind: type[Device]
) -> None:
    section = SECTIONS[device_class]
    device = build_device(device_class, "dev", "simulated", {**section, "unrelated": 1})
    assert isinstance(device, kind)
    assert device.device_id == "dev"
    assert device.health().backend == "simulated"


def test_options_reach_the_backend(start: Callable, tmp_path: Path) -> None:
    options = {**SECTIONS[DeviceClass.PRINTER], "output_dir": tmp_path}
    printer = build_device(DeviceClass.PRINTER, "p", "simulated", options)
    assert isinstance(printer, SimulatedPrinter)
    assert printer.sheets == 7

    camera = start(build_device(DeviceClass.CAMERA, "c", "simulated", SECTIONS[DeviceClass.CAMERA]))
    camera.start_stream()
    wait_until(lambda: camera.latest() is not None, "a frame")
    assert camera.latest().data.shape == (120, 160, 3)


def test_unknown_backend_name_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"unknown printer backend 'cupz'.*simulated, cups, none"):
        build_device(DeviceClass.PRINTER, "p", "cupz", {})


def test_backend_that_cannot_be_imported_becomes_a_null_device(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(
        registry.BACKENDS[DeviceClass.CAMERA], "opencv", "kiosk.devices.camera.no_such:Cam"
    )
    with caplog.at_level(logging.ERROR):
        camera = build_device(DeviceClass.CAMERA, "c", "opencv", {"width": 640})

    assert isinstance(camera, NullCamera)
    health = camera.health()
    assert (health.state, health.backend) == (DeviceState.NO_DEVICE, "opencv")
    assert health.attention is Attention.MAINTENANCE
    assert health.last_error == "backend-unavailable"
    assert "device backend unavailable" in caplog.text
    assert "opencv: backend-unavailable" in camera.self_test().result(10).steps


def test_null_backends_report_no_device_and_fail_cleanly(
    start: Callable, record: Callable, tmp_path: Path
) -> None:
    devices = {c: start(build_device(c, c.value, "none", {})) for c in DeviceClass}
    for device in devices.values():
        health = device.health()
        assert (health.state, health.attention) == (DeviceState.NO_DEVICE, Attention.NONE)
        assert health.backend == "none"
        result = device.self_test().result(10)
        assert not result.passed
        assert result.steps == ("no device configured",)

    printer = devices[DeviceClass.PRINTER]
    assert isinstance(printer, NullPrinter)
    rec: Recorder = record(printer)
    job = printer.print_file(tmp_path / "x.pdf")
    assert rec.wait_for(PrintJobFailed, job_id=job).reason == "no_device"

    reader = registry.DeviceSet(devices.values()).card_reader
    assert reader.card() is None
    with pytest.raises(NoDeviceError):
        reader.transmit(b"\x00\xa4\x04\x00").result(10)

    camera = devices[DeviceClass.CAMERA]
    assert isinstance(camera, NullCamera)
    camera.start_stream()
    assert camera.latest() is None

    pos = registry.DeviceSet(devices.values()).payment
    pos_rec: Recorder = record(pos)
    paid = asyncio.run(pos.pay(PaymentRequest("s", 100)))
    assert (paid.outcome, paid.reason) == (PaymentOutcome.FAILED, "no_device")
    assert pos_rec.of(PaymentFinished, sale_reference="s", outcome="failed")
    assert asyncio.run(pos.transaction_status("s")) is None


def test_null_printer_not_started_still_ends_each_job(record: Callable, tmp_path: Path) -> None:
    printer = build_device(DeviceClass.PRINTER, "p", "none", {})
    assert isinstance(printer, NullPrinter)
    rec: Recorder = record(printer)
    job = printer.print_file(tmp_path / "x.pdf")
    assert rec.wait_for(PrintJobFailed, job_id=job).reason == "no_device"


def test_device_set_starts_watches_and_stops_all_four() -> None:
    devices = DeviceSet.from_config(SECTIONS)
    events: list[DeviceEvent] = []
    unsubscribe = devices.subscribe(events.append)
    devices.start_all()
    try:
        assert {d.device_class for d in devices.all()} == set(DeviceClass)
        assert devices.get(DeviceClass.PRINTER) is devices.printer
        wait_until(
            lambda: (
                {e.device_id for e in events if isinstance(e, StatusChanged)}
                >= {"printer", "cardreader", "camera", "payment"}
            ),
            "a status from every device",
        )
        assert all(d.health().state is DeviceState.ONLINE for d in devices.all())
        unsubscribe()
        before = len(events)
        devices.card_reader.set_fault("reader_unplugged", True)
        wait_until(lambda: devices.card_reader.health().state is DeviceState.NO_DEVICE, "unplugged")
        assert len(events) == before
    finally:
        devices.stop_all()
    devices.stop_all()  # a second stop is harmless


def test_device_set_fills_a_missing_section_with_none() -> None:
    devices = DeviceSet.from_config({DeviceClass.PRINTER: SECTIONS[DeviceClass.PRINTER]})
    assert isinstance(devices.printer, SimulatedPrinter)
    assert devices.camera.health().state is DeviceState.NO_DEVICE


def test_device_set_needs_exactly_one_device_per_class() -> None:
    printer = SimulatedPrinter("p")
    with pytest.raises(ValueError, match="no device for"):
        DeviceSet([printer])
    others = [build_device(c, c.value, "none", {}) for c in DeviceClass]
    with pytest.raises(ValueError, match="two printer devices"):
        DeviceSet([printer, *others])


def test_importing_the_device_layer_stays_cheap_and_qt_free() -> None:
    modules = ["kiosk.devices.registry", "kiosk.devices.null"] + [
        path.partition(":")[0] for names in registry.BACKENDS.values() for path in names.values()
    ]
    code = (
        f"import sys; import {', '.join(modules)}; "
        "print(sorted(m for m in ('numpy', 'pypdf', 'PySide6') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
