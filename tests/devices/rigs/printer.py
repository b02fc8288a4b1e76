"""Printer rigs: the simulated printer's fault switches, and cupsd with an IPP Everywhere
printer (tests/peers/cups.py)."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from pathlib import Path

from kiosk.devices.printer.base import Printer
from kiosk.devices.printer.cups import CupsPrinter
from kiosk.devices.printer.simulated import SimulatedPrinter
from kiosk.devices.status import DeviceState
from tests.peers.cups import CupsPeer

from . import Start

#: Longest close() waits for a printer a failed test left busy to settle.
SETTLE_SECONDS = 30.0


class PrinterRig(ABC):
    """A printer and its paper tray and power cable.

    `slow` makes a job stay in the printer long enough to act on it while it prints (cancel,
    paper running out): the CUPS peer holds the document until `release()`, the simulator
    prints slowly.
    """

    device: Printer

    def __init__(self, start: Start) -> None:
        self._start = start

    def start(self) -> Printer:
        self._start(self.device)
        return self.device

    @abstractmethod
    def paper_out(self) -> None: ...

    @abstractmethod
    def paper_back(self) -> None: ...

    @abstractmethod
    def unplug(self) -> None: ...

    @abstractmethod
    def plug(self) -> None: ...

    def release(self) -> None:  # noqa: B027 - a slow simulator's job goes on by itself
        """Let a job held by `slow` go on printing."""

    def close(self) -> None:  # noqa: B027 - a simulator leaves nothing behind
        """After the test, while the device still runs: leave the peer as the next test expects
        it, even when this one failed half-way."""

    @abstractmethod
    def documents(self, job_id: str) -> list[Path]:
        """The documents of a job the printer got, one each time it was sent there (the
        simulator's are written when the job completes)."""


class SimulatedPrinterRig(PrinterRig):
    #: Pages per minute: a sheet every 0.1 s, or one every 3 s for a job to act on.
    FAST, SLOW = 600, 20

    def __init__(self, start: Start, output_dir: Path, *, slow: bool = False) -> None:
        super().__init__(start)
        self._output_dir = output_dir
        self.device = SimulatedPrinter(
            "printer",
            pages_per_minute=self.SLOW if slow else self.FAST,
            output_dir=output_dir,
        )
        self._sim = self.device

    def paper_out(self) -> None:
        self._sim.set_fault("paper_out", True)

    def paper_back(self) -> None:
        self._sim.set_fault("paper_out", False)

    def unplug(self) -> None:
        self._sim.set_fault("offline", True)

    def plug(self) -> None:
        self._sim.set_fault("offline", False)

    def documents(self, job_id: str) -> list[Path]:
        # The simulator writes what it printed, named by the job id, when the job completes.
        if not self._output_dir.exists():
            return []
        return sorted(p for p in self._output_dir.glob(f"{job_id}.*") if p.suffix != ".part")


class CupsPrinterRig(PrinterRig):
    """cupsd and an IPP Everywhere printer (tests/peers/cups.py). Paper out is only seen while
    the printer holds a document: ippeveprinter reports media-empty from its per-document hook."""

    def __init__(self, start: Start, peer: CupsPeer, *, slow: bool = False) -> None:
        super().__init__(start)
        self._peer = peer
        self.device = CupsPrinter("printer", queue=peer.queue, server=peer.server)
        if slow:
            peer.hold_busy(True)

    def paper_out(self) -> None:
        self._peer.paper_out()

    def paper_back(self) -> None:
        self._peer.paper_back()

    def unplug(self) -> None:
        self._peer.printer_gone()

    def plug(self) -> None:
        self._peer.printer_back()

    def release(self) -> None:
        self._peer.hold_busy(False)

    def close(self) -> None:
        # A test failing while a job is held for paper would leave the job to be cancelled when
        # the device stops, killing the printer's hook before it clears media-empty, and the
        # queue would keep that reason for the rest of the session: let the job finish first.
        self._peer.reset()  # paper in, nothing held, the printer running
        if self.device.worker.running:
            end = time.monotonic() + SETTLE_SECONDS
            while self.device.health().state != DeviceState.ONLINE and time.monotonic() < end:
                time.sleep(0.1)

    def documents(self, job_id: str) -> list[Path]:
        # ippeveprinter keeps every document it received (-k), its name holding the job title.
        return self._peer.documents(job_id)
