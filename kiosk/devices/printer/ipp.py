"""What a CUPS queue's IPP attributes mean for the kiosk.

The queue's printer-state-reasons become the status model (paper, toner, reachable, stopped),
the same way the simulated printer reports them; a job's IPP state becomes the stage a job is in.
The network printer behind a queue is also probed directly, because CUPS says nothing
machine-readable about a printer that stopped answering until its backend gives up.

Nothing here talks to CUPS: it reads the attributes the CUPS backend fetched.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from kiosk.devices.printer.base import supply_fault, supply_warning
from kiosk.devices.status import Attention, DeviceState, Supply

#: A printer that does not accept a TCP connection within this time is unreachable.
PROBE_TIMEOUT = 1.0

# IPP enums (RFC 8011), spelled out so this module needs no pycups to import.
IPP_NOT_FOUND = 0x0406
JOB_PENDING, JOB_HELD, JOB_PROCESSING, JOB_STOPPED = 3, 4, 5, 6
JOB_CANCELED, JOB_ABORTED, JOB_COMPLETED = 7, 8, 9
PRINTER_PROCESSING, PRINTER_STOPPED = 4, 5

#: The queue attributes the status is made of.
PRINTER_ATTRIBUTES = [
    "printer-state",
    "printer-state-reasons",
    "printer-is-accepting-jobs",
    "device-uri",
]
#: The job attributes a job is followed by.
JOB_ATTRIBUTES = [
    "job-state",
    "job-state-reasons",
    "job-impressions-completed",
    "job-media-sheets-completed",
]
_UNREACHABLE_REASONS = frozenset({"offline", "connecting-to-device", "shutdown", "timed-out"})
_PROBE_PORTS = {"ipp": 631, "ipps": 631, "http": 80, "https": 443, "socket": 9100, "lpd": 515}


@dataclass(frozen=True)
class QueueStatus:
    state: DeviceState
    attention: Attention
    paper: Supply
    toner: Supply
    error: str | None
    accepting: bool = False
    printer_state: int = 0
    reachable: bool = False
    #: CUPS answered about the queue (False: CUPS itself is down).
    answered: bool = True


#: A queue CUPS does not know.
QUEUE_MISSING = QueueStatus(
    DeviceState.NO_DEVICE, Attention.MAINTENANCE, Supply.UNKNOWN, Supply.UNKNOWN, "queue-missing"
)


def plain_reason(reason: str) -> str:
    """`media-empty-warning` -> `media-empty`: CUPS adds the severity of a remote reason."""
    for suffix in ("-error", "-warning", "-report"):
        if reason.endswith(suffix):
            return reason[: -len(suffix)]
    return reason


def _as_list(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return []


def printer_answers(device_uri: str) -> bool:
    """Whether the network printer behind a queue accepts a connection; True when unknown."""
    try:
        parts = urlsplit(device_uri)
        host, port = parts.hostname, parts.port
    except ValueError:
        return True
    if parts.scheme not in _PROBE_PORTS or not host or "._tcp" in host:
        return True  # a local or DNS-SD device: CUPS's own reasons have to do
    try:
        with socket.create_connection((host, port or _PROBE_PORTS[parts.scheme]), PROBE_TIMEOUT):
            return True
    except OSError:
        return False


def queue_status(attrs: dict[str, Any], *, has_jobs: bool) -> QueueStatus:
    """The status of a queue from its printer attributes; `has_jobs`: the kiosk is following
    jobs on it (the printer is busy with them)."""
    reasons = {plain_reason(r) for r in _as_list(attrs.get("printer-state-reasons"))}
    printer_state = int(attrs.get("printer-state", 0))
    accepting = bool(attrs.get("printer-is-accepting-jobs", False))
    reachable = not (reasons & _UNREACHABLE_REASONS) and printer_answers(
        str(attrs.get("device-uri", ""))
    )
    if "media-jam" in reasons:
        paper = Supply.JAMMED
    elif reasons & {"media-empty", "media-needed"}:
        paper = Supply.OUT
    elif "media-low" in reasons:
        paper = Supply.LOW
    else:
        paper = Supply.FULL
    if reasons & {"toner-empty", "marker-supply-empty"}:
        toner = Supply.OUT
    elif reasons & {"toner-low", "marker-supply-low"}:
        toner = Supply.LOW
    else:
        toner = Supply.FULL

    if not reachable:
        return unreachable(accepting, printer_state)
    error: str | None
    if fault := supply_fault(paper, toner):
        state, attention, error = fault
    elif printer_state == PRINTER_STOPPED or not accepting:
        # The queue was stopped or set to reject jobs (by an admin or CUPS's error policy).
        state, attention = DeviceState.OFFLINE, Attention.MAINTENANCE
        error = "queue-stopped" if printer_state == PRINTER_STOPPED else "queue-rejecting"
    else:
        busy = has_jobs or printer_state == PRINTER_PROCESSING
        state = DeviceState.BUSY if busy else DeviceState.ONLINE
        attention, error = Attention.NONE, supply_warning(paper, toner)
    return QueueStatus(
        state, attention, paper, toner, error, accepting, printer_state, reachable=True
    )


def unreachable(
    accepting: bool = False, printer_state: int = 0, *, answered: bool = True
) -> QueueStatus:
    # An unreachable printer reports nothing about its supplies.
    return QueueStatus(
        DeviceState.OFFLINE,
        Attention.MAINTENANCE,
        Supply.UNKNOWN,
        Supply.UNKNOWN,
        "printer-unreachable",
        accepting,
        printer_state,
        reachable=False,
        answered=answered,
    )


def job_stage(state: int, *, blocked: bool) -> str:
    """The stage of a job still open: `held` also while the printer cannot print (`blocked`)."""
    if state in (JOB_HELD, JOB_STOPPED) or (state == JOB_PROCESSING and blocked):
        return "held"
    if state == JOB_PROCESSING:
        return "processing"
    return "pending"


def sheets_printed(attrs: dict[str, Any]) -> int:
    """How much of a job the printer reports done (impressions or sheets, whichever is more)."""
    return max(
        int(attrs.get("job-impressions-completed", 0) or 0),
        int(attrs.get("job-media-sheets-completed", 0) or 0),
    )
