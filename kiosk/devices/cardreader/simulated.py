"""A simulated smart-card reader with a card a citizen can insert and remove.

It ships in the product: the demo reads its "card" and technician mode trips its faults. Like
PC/SC, the reader may vanish (unplugged), a card is recognised by its ATR, and the card answers
APDUs: the FINEID card holds the demo certificate of a fictional holder (fineid_card.py), so
reading the holder's name works as on a real card; the unknown card knows no application.

Every event is published from the device thread, as pyscard's card monitor publishes from its own.
"""

from __future__ import annotations

import logging
import threading

from kiosk.devices.base import FaultSwitch
from kiosk.devices.cardreader.base import (
    FINEID_ATR,
    CardInfo,
    CardReader,
    CardReaderError,
    card_type_for_atr,
)
from kiosk.devices.cardreader.fineid_card import (
    SW_NOT_FOUND,
    FineidCardFiles,
    demo_certificate,
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

#: ATR of the ISO 7816 card of vsmartcard's vicc: a real card, but not one we know.
OTHER_ATR = bytes.fromhex("3B95138101 8073FF01000B")

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
        self._files: FineidCardFiles | None = None

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
            fineid = self._reported.card_type == "fineid"
            self._files = FineidCardFiles(demo_certificate()) if fineid else None
            self._publish(CardInserted(self.device_id, self._atr, self._reported.card_type))
        elif not present and self._reported is not None:
            # An unplugged reader takes its card with it, as far as PC/SC can tell.
            self._reported = self._files = None
            self._publish(CardRemoved(self.device_id))
        media = {"media": (Media.PRESENT if present else Media.NOT_PRESENT).value}
        if unplugged:
            self._set_health(
                DeviceState.NO_DEVICE, Attention.MAINTENANCE, detail=media, error="reader-not-found"
            )
        else:
            self._set_health(DeviceState.ONLINE, Attention.NONE, detail=media)

    def _exchange(self, apdu: bytes) -> bytes:
        if self._reported is None:
            with self._lock:
                unplugged = self._unplugged
            raise NoCardError("card reader unplugged" if unplugged else "no card in the reader")
        if len(apdu) < 4:
            raise CardReaderError("a command APDU has at least 4 bytes")
        if self._files is not None:
            return self._files.answer(apdu)
        return SW_NOT_FOUND

    def _run_self_test(self) -> SelfTestResult:
        with self._lock:
            unplugged = self._unplugged
        if unplugged or not self._opened:
            return SelfTestResult(self.device_id, False, ("reader: not found",))
        if self._reported is None:
            return SelfTestResult(self.device_id, True, ("reader: ok", "card: none"))
        steps = ["reader: ok", f"card: {self._reported.card_type}"]
        ok = True
        if self._reported.card_type == "fineid":
            step, ok = self._certificate_step()
            steps.append(step)
        return SelfTestResult(self.device_id, ok, tuple(steps))
