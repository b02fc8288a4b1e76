"""A simulated smart-card reader with a card a citizen can insert and remove.

It ships in the product: the demo reads its "card" and technician mode trips its faults. Like
PC/SC, the reader may vanish (unplugged), a card is recognised by its ATR, and the card answers
APDUs: SELECT of the FINEID PKCS#15 application succeeds on a FINEID card.

Every event is published from the device thread, as pyscard's card monitor publishes from its own.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future

from kiosk.devices.base import FaultSwitch
from kiosk.devices.cardreader.base import (
    FINEID_ATR,
    CardInfo,
    CardReader,
    CardReaderError,
    card_type_for_atr,
)
from kiosk.devices.status import (
    Attention,
    CardInserted,
    CardRemoved,
    DeviceState,
    Media,
    SelfTestResult,
)
from kiosk.i18n import N_

log = logging.getLogger(__name__)

FAULT_SWITCHES = (
    FaultSwitch("card_inserted", N_("Card inserted")),
    FaultSwitch("reader_unplugged", N_("Reader unplugged")),
)

#: Application id of the PKCS#15 application on the Finnish ID card.
FINEID_PKCS15_AID = bytes.fromhex("A000000063504B43532D3135")
#: ATR of the ISO 7816 card of vsmartcard's vicc: a real card, but not one we know.
OTHER_ATR = bytes.fromhex("3B95138101 8073FF01000B")

_SW_OK = bytes.fromhex("9000")
_SW_NOT_FOUND = bytes.fromhex("6A82")
_SW_WRONG_LENGTH = bytes.fromhex("6700")

_CARDS = {"fineid": FINEID_ATR, "unknown": OTHER_ATR}


class NoCardError(CardReaderError):
    """There is no card to talk to (none inserted, or no reader)."""


class SimulatedCardReader(CardReader):
    FAULT_SWITCHES = FAULT_SWITCHES
    backend = "simulated"

    def __init__(self, device_id: str, *, card: str = "fineid") -> None:
        if card not in _CARDS:
            raise ValueError(f"card must be one of {sorted(_CARDS)}, not {card!r}")
        super().__init__(device_id)
        self._atr = _CARDS[card]
        # The physical world, changed from any thread...
        self._lock = threading.Lock()
        self._in_slot = False
        self._unplugged = False
        # ...and what the reader has reported of it, touched only on the device thread.
        self._opened = False
        self._reported: CardInfo | None = None

    # ---- a citizen at the reader --------------------------------------------------------------

    def insert(self) -> None:
        """Put the card in the reader."""
        self.set_fault("card_inserted", True)

    def remove(self) -> None:
        """Take the card out of the reader."""
        self.set_fault("card_inserted", False)

    # ---- the CardReader interface -------------------------------------------------------------

    def card(self) -> CardInfo | None:
        # What the reader has reported, so this never disagrees with the events sent so far.
        return self._reported

    def transmit(self, apdu: bytes) -> Future[bytes]:
        return self.worker.submit(lambda: self._answer(bytes(apdu)))

    # ---- fault injection ----------------------------------------------------------------------

    def faults(self) -> frozenset[str]:
        with self._lock:
            on = {"card_inserted": self._in_slot, "reader_unplugged": self._unplugged}
        return frozenset(name for name, value in on.items() if value)

    def set_fault(self, name: str, on: bool) -> None:
        with self._lock:
            if name == "card_inserted":
                self._in_slot = on
            elif name == "reader_unplugged":
                self._unplugged = on
            else:
                raise KeyError(f"simulated card reader has no fault switch {name!r}")
        # Before start() there is no device thread; _open reports what it finds then.
        self.worker.submit(self._report)

    # ---- device thread ------------------------------------------------------------------------

    def _open(self) -> None:
        self._opened = True
        self._report()

    def _close(self) -> None:
        self._opened = False
        self._reported = None

    def _report(self) -> None:
        """Bring what the reader reports in line with the physical world."""
        if not self._opened:
            return
        with self._lock:
            unplugged = self._unplugged
            present = self._in_slot and not unplugged
        if present and self._reported is None:
            self._reported = CardInfo(self._atr, card_type_for_atr(self._atr))
            self._publish(CardInserted(self.device_id, self._atr, self._reported.card_type))
        elif not present and self._reported is not None:
            # An unplugged reader takes its card with it, as far as PC/SC can tell.
            self._reported = None
            self._publish(CardRemoved(self.device_id))
        media = {"media": (Media.PRESENT if present else Media.NOT_PRESENT).value}
        if unplugged:
            self._set_health(
                DeviceState.NO_DEVICE, Attention.MAINTENANCE, detail=media, error="reader-unplugged"
            )
        else:
            self._set_health(DeviceState.ONLINE, Attention.NONE, detail=media)

    def _answer(self, apdu: bytes) -> bytes:
        if self._reported is None:
            with self._lock:
                unplugged = self._unplugged
            raise NoCardError("card reader unplugged" if unplugged else "no card in the reader")
        if len(apdu) < 4:
            return _SW_WRONG_LENGTH
        if self._reported.card_type == "fineid" and _is_select(apdu, FINEID_PKCS15_AID):
            return _SW_OK
        return _SW_NOT_FOUND

    def _run_self_test(self) -> SelfTestResult:
        with self._lock:
            unplugged = self._unplugged
        if unplugged or not self._opened:
            return SelfTestResult(self.device_id, False, ("reader: not found",))
        if self._reported is None:
            return SelfTestResult(self.device_id, True, ("reader: ok", "card: none"))
        steps = ["reader: ok", f"card: {self._reported.card_type}"]
        if self._reported.card_type == "fineid":
            answer = self._answer(_select_apdu(FINEID_PKCS15_AID))
            steps.append("select pkcs15: " + ("ok" if answer == _SW_OK else answer.hex()))
        return SelfTestResult(self.device_id, True, tuple(steps))


def _select_apdu(aid: bytes) -> bytes:
    """SELECT by DF name (ISO 7816-4), first occurrence, no response data."""
    return bytes([0x00, 0xA4, 0x04, 0x0C, len(aid)]) + aid


def _is_select(apdu: bytes, aid: bytes) -> bool:
    """A SELECT-by-name command APDU for `aid`, with or without Le."""
    if apdu[1] != 0xA4 or apdu[2] != 0x04 or len(apdu) < 5:
        return False
    lc = apdu[4]
    return apdu[5 : 5 + lc] == aid and len(apdu) in (5 + lc, 6 + lc)
