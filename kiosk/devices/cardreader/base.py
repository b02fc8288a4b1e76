"""The smart-card reader interface: card presence events and APDU exchange.

Modelled on PC/SC: a reader is present or not, a card is present or not (the `media` detail),
a card is identified by its ATR, and the application talks to it in APDUs.
"""

from __future__ import annotations

from abc import abstractmethod
from concurrent.futures import Future
from dataclasses import dataclass

from kiosk.devices.base import Device
from kiosk.devices.status import DeviceClass

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

    @abstractmethod
    def transmit(self, apdu: bytes) -> Future[bytes]:
        """Send one command APDU on the device thread; the response includes SW1 SW2.

        The future fails with CardReaderError when there is no card or no reader."""
