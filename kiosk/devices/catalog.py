"""The device classes and the backend each config name selects, with nothing else imported.

Config is checked before the first screen is painted; this table lets it name the allowed
backends without loading a single device module. `kiosk.devices.registry` builds from it.
"""

from __future__ import annotations

from enum import StrEnum


class DeviceClass(StrEnum):
    PRINTER = "printer"
    CARD_READER = "cardreader"
    CAMERA = "camera"
    PAYMENT = "payment"


#: Backend name in config -> "module:Class", per device class. Explicit: no scanning.
BACKENDS: dict[DeviceClass, dict[str, str]] = {
    DeviceClass.PRINTER: {
        "simulated": "kiosk.devices.printer.simulated:SimulatedPrinter",
        "cups": "kiosk.devices.printer.cups:CupsPrinter",
        "none": "kiosk.devices.null:NullPrinter",
    },
    DeviceClass.CARD_READER: {
        "simulated": "kiosk.devices.cardreader.simulated:SimulatedCardReader",
        "pcsc": "kiosk.devices.cardreader.pcsc:PcscCardReader",
        "none": "kiosk.devices.null:NullCardReader",
    },
    DeviceClass.CAMERA: {
        "simulated": "kiosk.devices.camera.simulated:SimulatedCamera",
        "opencv": "kiosk.devices.camera.opencv:OpenCvCamera",
        "none": "kiosk.devices.null:NullCamera",
    },
    DeviceClass.PAYMENT: {
        "simulated": "kiosk.devices.payment.simulated:SimulatedPaymentTerminal",
        "nexo": "kiosk.devices.payment.nexo.terminal:NexoTerminal",
        "none": "kiosk.devices.null:NullPaymentTerminal",
    },
}


def backend_names(device_class: DeviceClass | str) -> tuple[str, ...]:
    """The backend names config may give for `device_class`."""
    return tuple(BACKENDS[DeviceClass(device_class)])
