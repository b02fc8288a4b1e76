"""The printer interface: submit a document, follow the job, cancel it.

Modelled on what CUPS reports for an IPP Everywhere queue: job states (pending, processing,
held, completed, aborted/cancelled), pages completed, and printer-state-reasons mapped to the
`paper` and `toner` supplies of the status model.
"""

from __future__ import annotations

from abc import abstractmethod
from pathlib import Path

from kiosk.devices.base import Device
from kiosk.devices.status import Attention, DeviceClass, DeviceState, Supply


def supply_fault(paper: Supply, toner: Supply) -> tuple[DeviceState, Attention, str] | None:
    """What stops a printer for lack of a supply, for every backend alike: state, attention and
    the error code CUPS would give; None when the supplies let it print.

    Library staff can clear all of these (`Attention.CLEAR`): open the tray, add paper or toner.
    """
    if paper is Supply.JAMMED:
        return DeviceState.HARDWARE_ERROR, Attention.CLEAR, "media-jam"
    if paper is Supply.OUT:
        return DeviceState.USER_ERROR, Attention.CLEAR, "media-empty"
    if toner is Supply.OUT:
        return DeviceState.USER_ERROR, Attention.CLEAR, "toner-empty"
    return None


def supply_warning(paper: Supply, toner: Supply) -> str | None:
    """A supply running low: the printer still prints, but staff should know."""
    if toner is Supply.LOW:
        return "toner-low"
    if paper is Supply.LOW:
        return "media-low"
    return None


class Printer(Device):
    device_class = DeviceClass.PRINTER

    @abstractmethod
    def print_file(self, path: Path, copies: int = 1) -> str:
        """Queue a PDF or image and return the job id at once.

        Progress comes as PrintJobProgress events, then exactly one PrintJobCompleted or
        PrintJobFailed. A job held for paper resumes when paper is back; it is never printed
        twice. The file is not deleted by the printer; the caller owns it and may delete it once
        the job's first event has arrived (the backend has read or spooled it by then).
        """

    @abstractmethod
    def cancel(self, job_id: str) -> None:
        """Cancel a queued or printing job; it ends with PrintJobFailed(reason="cancelled")."""
