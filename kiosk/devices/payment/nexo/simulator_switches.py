"""Technician mode's switches for the terminal simulator, when the kiosk's terminal is one.

With `simulator_control_url` set (the demo), the nexo backend offers the simulator's modes as
fault switches and sets them through the simulator's POST /control; a real terminal has no
such URL and no switches. The simulator holds one mode at a time: switching one on switches
the others off, and switching it off goes back to approving. Reading and setting the mode are
HTTP requests (`@blocking`): they run on the terminal's device thread.
"""

from __future__ import annotations

import json
import logging
import threading
import urllib.request

from kiosk.devices.base import FaultSwitch
from kiosk.i18n import N_
from kiosk.threads import blocking

log = logging.getLogger(__name__)

SWITCHES = (
    FaultSwitch("decline", N_("Card declined")),
    FaultSwitch("customer_cancel", N_("Customer cancels")),
    FaultSwitch("busy_before_login", N_("Busy until logged in")),
    FaultSwitch("no_answer", N_("Terminal does not answer")),
    FaultSwitch("die_mid_payment", N_("Terminal dies mid-payment")),
    FaultSwitch("drop_after_approve", N_("Connection drops after approval")),
    FaultSwitch("offline", N_("Terminal offline")),
)
_NAMES = frozenset(s.name for s in SWITCHES)
#: A technician's tap must not hang the screen on a simulator that is not running.
TIMEOUT_SECONDS = 2.0


class SimulatorSwitches:
    def __init__(self, control_url: str) -> None:
        self.url = control_url
        self._lock = threading.Lock()
        self._mode = "approve"

    def faults(self) -> frozenset[str]:
        with self._lock:
            return frozenset({self._mode}) & _NAMES

    @blocking
    def refresh(self) -> None:
        """Read the simulator's mode (at start; it keeps its mode across restarts)."""
        try:
            with urllib.request.urlopen(self.url, timeout=TIMEOUT_SECONDS) as answer:
                mode = str(json.load(answer)["mode"])
        except (OSError, ValueError, KeyError):
            log.warning("the terminal simulator's mode could not be read")
            return
        with self._lock:
            self._mode = mode

    @blocking
    def set(self, name: str, on: bool) -> None:
        if name not in _NAMES:
            raise KeyError(f"the terminal simulator has no switch {name!r}")
        mode = name if on else "approve"
        body = json.dumps({"mode": mode}).encode()
        request = urllib.request.Request(
            self.url, data=body, headers={"Content-Type": "application/json"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:
                answer.read()
        except OSError as exc:
            raise ConnectionError(f"the terminal simulator did not answer: {exc}") from None
        with self._lock:
            self._mode = mode
