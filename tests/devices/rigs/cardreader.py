"""Card reader rigs: the simulated reader's card and fault switches, and pcscd with vpcd's
virtual reader and a virtual card (tests/peers/pcsc.py)."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable

import pytest

from kiosk.devices.cardreader.base import FINEID_ATR, CardReader
from kiosk.devices.cardreader.pcsc import PcscCardReader
from kiosk.devices.cardreader.simulated import OTHER_ATR, SimulatedCardReader
from kiosk.devices.status import DeviceState
from tests.peers.pcsc import (
    PEER_DEADLINE,
    VIRTUAL_READER,
    PcscPeer,
    VirtualCard,
    card_atr,
    wait_for_empty_reader,
)

from . import Start

#: The ATR each kind of card a citizen may bring has, on every backend.
CARD_ATRS = {"fineid": FINEID_ATR, "unknown": OTHER_ATR}


def _wait(condition: Callable[[], object], what: str) -> None:
    end = time.monotonic() + PEER_DEADLINE
    while not condition():
        if time.monotonic() > end:
            pytest.fail(f"rig: timed out waiting for {what}")
        time.sleep(0.02)


class CardReaderRig(ABC):
    """A card reader, the one card a citizen brings (`card`: "fineid" or "unknown") and the
    reader's cable. `present=False` builds the device for a reader that is not there at all."""

    device: CardReader
    #: State and last_error the backend shows after this rig's `unplug()`.
    gone: tuple[DeviceState, str]

    def __init__(self, start: Start, card: str) -> None:
        self._start = start
        self.atr = CARD_ATRS[card]

    def start(self) -> CardReader:
        self._start(self.device)
        return self.device

    @abstractmethod
    def insert(self) -> None: ...

    @abstractmethod
    def remove(self) -> None: ...

    @abstractmethod
    def unplug(self) -> None:
        """The reader goes away, the card still in it."""

    @abstractmethod
    def plug(self) -> None: ...

    def close(self) -> None:  # noqa: B027 - a simulator leaves nothing behind
        """After the test: the card out, the peer as the next test expects it."""


class SimulatedCardReaderRig(CardReaderRig):
    gone = (DeviceState.NO_DEVICE, "reader-not-found")

    def __init__(self, start: Start, card: str, *, present: bool = True) -> None:
        super().__init__(start, card)
        self.device = SimulatedCardReader("reader", card=card)
        self._sim = self.device
        if not present:
            self._sim.set_fault("reader_unplugged", True)

    def insert(self) -> None:
        self._sim.insert()

    def remove(self) -> None:
        self._sim.remove()

    def unplug(self) -> None:
        self._sim.set_fault("reader_unplugged", True)

    def plug(self) -> None:
        self._sim.set_fault("reader_unplugged", False)


class _NoApplicationFiles:
    """The answers of a card without the FINEID application: file or application not found
    (6A82) to every command, as the simulated unknown card answers."""

    def reset(self) -> None:
        pass

    def answer(self, apdu: bytes) -> bytes:
        return bytes.fromhex("6A82") if len(apdu) >= 4 else bytes.fromhex("6700")


class PcscCardReaderRig(CardReaderRig):
    """pcscd with vpcd's virtual reader and a virtual card (tests/peers/pcsc.py).

    vpcd's reader cannot be taken away while pcscd runs, so `unplug()` is pcscd dying with it
    (and the card's connection to vpcd): the backend reports that as `offline`, pcscd
    unavailable, where a reader unplugged under a running pcscd would be `no_device`.
    """

    gone = (DeviceState.OFFLINE, "pcscd-unavailable")

    def __init__(self, start: Start, peer: PcscPeer, card: str, *, present: bool = True) -> None:
        super().__init__(start, card)
        self._peer = peer
        peer.start()  # a test before may have killed it
        wait_for_empty_reader()
        self._card = VirtualCard(atr=self.atr)
        if card != "fineid":
            self._card.files = _NoApplicationFiles()  # type: ignore[assignment]
        self._in_slot = False
        self.device = PcscCardReader(
            "reader", reader=VIRTUAL_READER if present else "No Such Reader"
        )

    def insert(self) -> None:
        self._card.insert()
        self._in_slot = True
        _wait(lambda: card_atr(VIRTUAL_READER) == self.atr, "pcscd to see the card")

    def remove(self) -> None:
        self._card.remove()
        self._in_slot = False
        wait_for_empty_reader()

    def unplug(self) -> None:
        self._peer.kill()
        self._card.remove()  # its vpcd is gone with pcscd; it stays in the slot

    def plug(self) -> None:
        self._peer.start()
        if self._in_slot:
            self._card.insert()
            _wait(lambda: card_atr(VIRTUAL_READER) == self.atr, "pcscd to see the card again")

    def close(self) -> None:
        self._card.remove()
        self._peer.start()
