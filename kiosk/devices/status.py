"""The common status model every device reports in, after CEN XFS4IoT's common status.

A device's state says whether it can be used; `Attention` says who must act when it cannot:
library staff (`clear`), a technician (`maintenance`), nobody because it recovers by itself
(`suspend`), or nobody at all (`none`). Events carry ids and codes, never personal data.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from kiosk.devices.catalog import DeviceClass as DeviceClass


class DeviceState(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"
    NO_DEVICE = "no_device"
    HARDWARE_ERROR = "hardware_error"
    USER_ERROR = "user_error"
    BUSY = "busy"

    @property
    def usable(self) -> bool:
        """A citizen may start something on the device (a busy device queues it)."""
        return self in (DeviceState.ONLINE, DeviceState.BUSY)


class Attention(StrEnum):
    NONE = "none"
    CLEAR = "clear"
    MAINTENANCE = "maintenance"
    SUSPEND = "suspend"


class Supply(StrEnum):
    """Level of a printer supply (paper, toner)."""

    FULL = "full"
    LOW = "low"
    OUT = "out"
    JAMMED = "jammed"
    UNKNOWN = "unknown"


class Media(StrEnum):
    """Whether a card is in the card reader."""

    PRESENT = "present"
    NOT_PRESENT = "not_present"


def _frozen(detail: Mapping[str, str] | None) -> Mapping[str, str]:
    return MappingProxyType(dict(detail or {}))


@dataclass(frozen=True)
class DeviceHealth:
    """A snapshot of one device, for the technician screen, the agent and the hub.

    `detail` holds the class detail (printer `paper`/`toner`, reader `media`, camera `fps`,
    terminal `login`) as plain strings. `last_error` is an error code such as `media-empty`,
    never free text from a citizen.
    """

    device_id: str
    device_class: DeviceClass
    backend: str
    state: DeviceState
    attention: Attention = Attention.NONE
    detail: Mapping[str, str] = field(default_factory=lambda: _frozen(None))
    last_error: str | None = None
    changed_at: float = field(default_factory=time.time)

    def as_dict(self) -> dict[str, object]:
        return {
            "device_id": self.device_id,
            "device_class": self.device_class.value,
            "backend": self.backend,
            "state": self.state.value,
            "attention": self.attention.value,
            "detail": dict(self.detail),
            "last_error": self.last_error,
            "changed_at": self.changed_at,
        }


@dataclass(frozen=True)
class SelfTestResult:
    device_id: str
    passed: bool
    #: Short codes of what was checked and what failed, e.g. ("connect: ok", "paper: out").
    steps: tuple[str, ...] = ()


# ---- events -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeviceEvent:
    device_id: str
    at: float = field(default_factory=time.time, kw_only=True)


@dataclass(frozen=True)
class StatusChanged(DeviceEvent):
    health: DeviceHealth
    #: Only a reading moved (a camera's measured fps): the device's state, attention, error
    #: and class detail are as before. Screens may show it; it is not logged or stored.
    readings_only: bool = field(default=False, kw_only=True)


@dataclass(frozen=True)
class DeviceError(DeviceEvent):
    code: str
    attention: Attention


@dataclass(frozen=True)
class CardInserted(DeviceEvent):
    atr: bytes
    #: Recognised card type: "fineid", "unknown", ...
    card_type: str


@dataclass(frozen=True)
class CardRemoved(DeviceEvent):
    pass


@dataclass(frozen=True)
class PrintJobProgress(DeviceEvent):
    job_id: str
    pages_done: int
    pages_total: int
    #: "pending", "processing", "held" (waiting for the printer, e.g. paper out)
    stage: str


@dataclass(frozen=True)
class PrintJobCompleted(DeviceEvent):
    job_id: str
    pages: int


@dataclass(frozen=True)
class PrintJobFailed(DeviceEvent):
    job_id: str
    reason: str
    pages_done: int


@dataclass(frozen=True)
class PaymentDisplay(DeviceEvent):
    """Text the terminal wants shown to the citizen, as a message id ("insert_card", ...)."""

    message: str


@dataclass(frozen=True)
class PaymentFinished(DeviceEvent):
    sale_reference: str
    outcome: str


EventSink = Callable[[DeviceEvent], None]


class EventHub:
    """Thread-safe fan-out of device events to subscribers.

    Subscribers are called on the thread that publishes (a device thread); a subscriber that
    touches the GUI must hand the event over (kiosk.ui.bridge does).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sinks: list[EventSink] = []

    def subscribe(self, sink: EventSink) -> Callable[[], None]:
        with self._lock:
            self._sinks.append(sink)

        def unsubscribe() -> None:
            with self._lock:
                if sink in self._sinks:
                    self._sinks.remove(sink)

        return unsubscribe

    def publish(self, event: DeviceEvent) -> None:
        with self._lock:
            sinks = list(self._sinks)
        for sink in sinks:
            sink(event)
