"""The payments service the screens and printing use: pay, cancel, deliver or give back, and
what support must look at; every talk with the terminal runs on the engine loop (no Qt here).

It also keeps the journal honest between visits: what a crash or a lost answer left open is
settled at start and whenever the terminal comes back, the day's period is closed once a day,
and a session's end stops its payment under way and gives back what it paid for and did not
get (a paid print job still printing is left to settle by its own end).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Collection, Coroutine
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from kiosk.devices.catalog import DeviceClass
from kiosk.devices.status import DeviceEvent, StatusChanged
from kiosk.payments.daily import parse_time_of_day

if TYPE_CHECKING:
    from kiosk.payments.journal import JournalEntry
    from kiosk.payments.ledger import Ledger
    from kiosk.session import EndSummary

log = logging.getLogger(__name__)

Run = Callable[[Coroutine[Any, Any, Any]], Future[Any]]


class Payments:
    def __init__(
        self,
        ledger: Ledger,
        run: Run,
        *,
        session_id: Callable[[], str | None] = lambda: None,
    ) -> None:
        """`run` runs a coroutine on the engine loop; `session_id` names the running session."""
        self.ledger = ledger
        self._run = run
        self._session_id = session_id
        self._terminal_usable = True
        self._lock = threading.Lock()
        #: The sales a session's end must not give back yet (paid jobs still printing).
        self.keep: Callable[[], Collection[str]] = lambda: ()

    # ---- a citizen pays -------------------------------------------------------------------------

    def pay(self, purpose: str, amount_cents: int) -> Future[JournalEntry]:
        """Take a payment for the running session on the terminal (see Ledger.pay)."""
        return self._run(
            self.ledger.pay(
                session_id=self._session_id(), purpose=purpose, amount_cents=amount_cents
            )
        )

    def abort(self) -> None:
        """The citizen cancelled: ask the terminal to stop; the payment's answer tells the end."""
        self._run(self.ledger.abort_current())

    def delivered(self, sale_reference: str) -> Future[JournalEntry]:
        """What was paid for has been handed over (a fee is delivered once it is paid)."""
        return self._run(self.ledger.delivered(sale_reference))

    def settle_unprinted(self, sale_reference: str, why: str) -> Future[JournalEntry]:
        """Paid, but not delivered (a print job not sent, or failed): give the money back."""
        return self._run(self.ledger.not_delivered(sale_reference, why))

    def settle_open(self) -> Future[list[JournalEntry]]:
        """Settle what is open now (see Ledger.resolve_open); what still needs support."""
        return self._run(self.ledger.resolve_open())

    def unsettled(self) -> list[JournalEntry]:
        """Payments a person must look at (open, or a refund the terminal refused)."""
        return self.ledger.journal.needing_support()

    # ---- between visits -------------------------------------------------------------------------

    def start(self, reconcile_at: str) -> None:
        """Settle what a crash or a lost answer left open before anyone pays again, and close
        the terminal's period daily at `reconcile_at` ("HH:MM")."""
        self._run(self.ledger.resolve_open())
        self._run(self._reconcile_daily(reconcile_at))

    def on_device_event(self, event: DeviceEvent) -> None:
        """Any thread: when the terminal is back, settle what waited for it."""
        if not isinstance(event, StatusChanged) or event.health.device_class != DeviceClass.PAYMENT:
            return
        usable = event.health.state.usable
        with self._lock:
            came_back = usable and not self._terminal_usable
            self._terminal_usable = usable
        if came_back:
            self._run(self.ledger.resolve_open())

    def session_ended(self, summary: EndSummary) -> None:
        """A session ended: its payment under way is stopped, and what it paid for and did not
        get is given back (a paid print job still running is left to finish)."""
        keep = set(self.keep())
        self._run(self.ledger.release_session(summary.session_id, keep=keep))

    async def _reconcile_daily(self, reconcile_at: str) -> None:
        """Close the terminal's period once a day and compare it with the journal; and settle
        what the journal could not record when it was full, once it can be written again."""
        at = parse_time_of_day(reconcile_at)
        while True:
            if self.ledger.needs_settling:
                try:
                    await self.ledger.resolve_open()
                except Exception:
                    log.warning("open payments not settled yet; trying again", exc_info=True)
            try:
                if await self.ledger.reconcile_if_due(at):
                    log.info("daily reconciliation made")
            except Exception:
                # The terminal is away: try again in a minute; a missed closing is made up.
                log.warning("daily reconciliation failed; trying again", exc_info=True)
            await asyncio.sleep(60)
