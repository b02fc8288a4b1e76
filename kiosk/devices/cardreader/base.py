"""The smart-card reader interface: card presence events and APDU exchange.

Modelled on PC/SC: a reader is present or not, a card is present or not (the `media` detail),
a card is identified by its ATR, and the application talks to it in APDUs.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TypeVar

from kiosk.devices.base import Device
from kiosk.devices.cardreader.fineid import (
    CardHolder,
    FineidError,
    read_auth_certificate,
    read_card_holder,
)
from kiosk.devices.status import DeviceClass

T = TypeVar("T")

#: ATR of the Finnish ID card (FINEID, 2022 issue).
FINEID_ATR = bytes.fromhex("3B7F96000080 31B865B0850500111224608290 00".replace(" ", ""))


def card_type_for_atr(atr: bytes) -> str:
    """Recognise a card by its ATR: "fineid" or "unknown"."""
    return "fineid" if atr == FINEID_ATR else "unknown"


class CardReaderError(RuntimeError):
    """No card, no reader, or the card did not answer: what every backend's transmit raises."""


@dataclass(frozen=True)
class CardInfo:
    atr: bytes
    card_type: str


class CardReader(Device):
    device_class = DeviceClass.CARD_READER

    @abstractmethod
    def card(self) -> CardInfo | None:
        """The card in the reader now, if any."""

    def transmit(self, apdu: bytes) -> Future[bytes]:
        """Send one command APDU on the device thread; the response includes SW1 SW2.

        The future fails with CardReaderError when there is no card or no reader."""
        data = bytes(apdu)
        return self._on_device_thread(lambda: self._exchange(data))

    def read_holder(self) -> Future[CardHolder]:
        """Read the holder's name from a FINEID card, all its APDUs in one turn of the thread.

        The future fails with CardReaderError (no card, no reader) or FineidError (not a FINEID
        card, or its certificate cannot be read). The name is personal: never log it."""
        return self._on_device_thread(lambda: read_card_holder(self._exchange))

    def _on_device_thread(self, fn: Callable[[], T]) -> Future[T]:
        """Run `fn` on the device thread. A backend whose thread blocks waiting for card events
        overrides this to wake it."""
        return self.worker.submit(fn)

    @abstractmethod
    def _exchange(self, apdu: bytes) -> bytes:
        """Device thread: one command APDU to the card, its response with SW1 SW2."""

    def _certificate_step(self) -> tuple[str, bool]:
        """Device thread: the self-test's check of a FINEID card, reading its certificate (and
        never its holder's name, which a technician has no need to see)."""
        try:
            der = read_auth_certificate(self._exchange)
        except (CardReaderError, FineidError) as exc:
            return f"certificate: {exc}", False
        return f"certificate: ok ({len(der)} bytes)", True
