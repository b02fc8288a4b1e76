"""Which backend class serves each device class, by the backend name in config; and the set of
the kiosk's four devices built from it.

The table is explicit (no scanning) and names classes as "module:Class" strings imported only
when chosen, so a real backend whose library is missing never breaks the others: it is replaced
by the null backend, which reports `no_device` with last_error "backend-unavailable".
"""

from __future__ import annotations

import importlib
import inspect
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import cast

from kiosk.devices.base import Device
from kiosk.devices.camera.base import Camera
from kiosk.devices.cardreader.base import CardReader
from kiosk.devices.catalog import BACKENDS as BACKENDS
from kiosk.devices.catalog import DeviceClass
from kiosk.devices.catalog import backend_names as backend_names
from kiosk.devices.null import null_device
from kiosk.devices.payment.base import PaymentTerminal
from kiosk.devices.printer.base import Printer
from kiosk.devices.status import EventSink

log = logging.getLogger(__name__)

BACKEND_UNAVAILABLE = "backend-unavailable"

#: The interface each class's backends implement (type[object]: mypy rejects abstract type[X]).
_INTERFACES: dict[DeviceClass, type[object]] = {
    DeviceClass.PRINTER: Printer,
    DeviceClass.CARD_READER: CardReader,
    DeviceClass.CAMERA: Camera,
    DeviceClass.PAYMENT: PaymentTerminal,
}


def build_device(
    device_class: DeviceClass, device_id: str, backend: str, options: Mapping[str, object]
) -> Device:
    """Make the `backend` device of `device_class`, passing it the options its constructor takes.

    Raises ValueError for a backend name not in BACKENDS (config validation should have caught
    it). A backend that cannot be imported becomes the null backend, so the kiosk still starts.
    """
    names = BACKENDS[device_class]
    if backend not in names:
        raise ValueError(
            f"unknown {device_class.value} backend {backend!r}; choose one of: {', '.join(names)}"
        )
    module_name, _, class_name = names[backend].partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        log.exception(
            "device backend unavailable",
            extra={"device_id": device_id, "device_class": device_class.value, "backend": backend},
        )
        return null_device(device_class, device_id, backend=backend, reason=BACKEND_UNAVAILABLE)
    cls = getattr(module, class_name)
    if not _implements(cls, device_class):
        raise TypeError(f"{names[backend]} is not a {device_class.value} backend")
    accepted = inspect.signature(cls).parameters
    kwargs = {k: v for k, v in options.items() if k in accepted and k != "device_id"}
    ignored = sorted(set(options) - set(kwargs) - {"backend"})
    if ignored:
        log.debug("options not used by the backend", extra={"backend": backend, "keys": ignored})
    device: Device = cls(device_id, **kwargs)
    return device


def _implements(cls: object, device_class: DeviceClass) -> bool:
    return isinstance(cls, type) and issubclass(cls, _INTERFACES[device_class])


class DeviceSet:
    """The kiosk's four devices, one per class, started and stopped together."""

    def __init__(self, devices: Iterable[Device]) -> None:
        self._devices: dict[DeviceClass, Device] = {}
        for device in devices:
            if device.device_class in self._devices:
                raise ValueError(f"two {device.device_class.value} devices")
            if not _implements(type(device), device.device_class):
                raise TypeError(f"{type(device).__name__} is not a {device.device_class.value}")
            self._devices[device.device_class] = device
        missing = [c.value for c in DeviceClass if c not in self._devices]
        if missing:
            raise ValueError(f"no device for: {', '.join(missing)}")
        self._started: list[Device] = []

    @classmethod
    def from_config(cls, sections: Mapping[DeviceClass, Mapping[str, object]]) -> DeviceSet:
        """Build from the `[devices.<class>]` sections (each with its "backend" and options);
        a class without a section gets the null backend. The device id is the class name."""
        devices: list[Device] = []
        for device_class in DeviceClass:
            section = sections.get(device_class, {"backend": "none"})
            backend = str(section.get("backend", "none"))
            devices.append(build_device(device_class, device_class.value, backend, section))
        return cls(devices)

    def start_all(self) -> None:
        for device in self._devices.values():
            if device not in self._started:
                device.start()
                self._started.append(device)

    def stop_all(self) -> None:
        """Stop every started device, last started first; returns when their threads ended."""
        while self._started:
            self._started.pop().stop()

    def get(self, device_class: DeviceClass) -> Device:
        return self._devices[device_class]

    def all(self) -> tuple[Device, ...]:
        return tuple(self._devices.values())

    def subscribe(self, sink: EventSink) -> Callable[[], None]:
        """Send every device's events to `sink`; returns a function that stops it."""
        unsubscribes = [device.events.subscribe(sink) for device in self._devices.values()]

        def unsubscribe() -> None:
            for undo in unsubscribes:
                undo()

        return unsubscribe

    # Typed access for callers that need one class's own interface.

    @property
    def printer(self) -> Printer:
        return cast(Printer, self._devices[DeviceClass.PRINTER])  # checked in __init__

    @property
    def card_reader(self) -> CardReader:
        return cast(CardReader, self._devices[DeviceClass.CARD_READER])  # checked in __init__

    @property
    def camera(self) -> Camera:
        return cast(Camera, self._devices[DeviceClass.CAMERA])  # checked in __init__

    @property
    def payment(self) -> PaymentTerminal:
        return cast(PaymentTerminal, self._devices[DeviceClass.PAYMENT])  # checked in __init__
