"""Taking a payment through the journal, so that no money is lost or taken twice.

Every talk with the terminal is framed by journal writes: the intent before, the outcome after.
When the answer is lost (timeout, dropped connection, a crash) the row stays open and the
terminal's own record (TransactionStatus) settles it later. What was paid for and then could not
be delivered is reversed with reason Malfunction; what cannot be settled stays open and is raised
as an alert for support. A payment is never sent to the terminal twice.

Runs on the engine loop (the terminal's calls are coroutines); journal writes are short,
synchronous commits on that loop's thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

from kiosk.devices.payment.base import (
    PaymentOutcome,
    PaymentRequest,
    PaymentResult,
    PaymentTerminal,
)
from kiosk.payments.journal import (
    TABLE,
    JournalEntry,
    JournalUnwritable,
    PaymentJournal,
    PaymentState,
    new_sale_reference,
)
from kiosk.store import utc_iso

log = logging.getLogger(__name__)

#: Reason given to the terminal for undoing a payment whose service could not be delivered.
MALFUNCTION = "Malfunction"

_FINAL = {
    PaymentOutcome.APPROVED: PaymentState.APPROVED,
    PaymentOutcome.DECLINED: PaymentState.DECLINED,
    PaymentOutcome.CANCELLED: PaymentState.CANCELLED,
    PaymentOutcome.FAILED: PaymentState.FAILED,
}

#: alert(code, details): raise something for support (the app stores it as an "alert" event).
Alert = Callable[[str, dict[str, Any]], None]


class PaymentNotRecorded(RuntimeError):
    """The terminal was asked, and the journal could not record its outcome (a full disk).

    `charge_stands` is False when nothing stands charged (the terminal declined, never started
    it, or has reversed it); True when the terminal could not tell or would not reverse."""

    def __init__(self, sale_reference: str, *, charge_stands: bool) -> None:
        super().__init__(f"payment {sale_reference} could not be recorded")
        self.sale_reference = sale_reference
        self.charge_stands = charge_stands


@dataclass(frozen=True)
class Reconciliation:
    journal_count: int
    journal_total_cents: int
    terminal_count: int
    terminal_total_cents: int

    @property
    def matched(self) -> bool:
        return (self.journal_count, self.journal_total_cents) == (
            self.terminal_count,
            self.terminal_total_cents,
        )


class Ledger:
    def __init__(
        self,
        journal: PaymentJournal,
        terminal: PaymentTerminal,
        *,
        kiosk_id: str,
        alert: Alert | None = None,
    ) -> None:
        self.journal = journal
        self.terminal = terminal
        self.kiosk_id = kiosk_id
        self._alert = alert if alert is not None else (lambda code, details: None)
        #: Sales a citizen is in the middle of: resolve_open() leaves them to their flow.
        self._in_flight: set[str] = set()
        #: The sale the terminal is working on now, for abort_current(), and its session.
        self._paying: str | None = None
        self._paying_session: str | None = None
        #: Sessions that have ended: what they paid for can no longer be delivered.
        self._released: set[str] = set()
        #: Sales handed over whose delivery the journal could not yet be told of (a full disk).
        self._delivered_unrecorded: set[str] = set()
        self._needs_settling = False

    # ---- a citizen pays ------------------------------------------------------------------------

    async def pay(self, *, session_id: str | None, purpose: str, amount_cents: int) -> JournalEntry:
        """Take `amount_cents` for `purpose`; the entry says how it went.

        APPROVED means paid: the caller delivers, then calls delivered() or not_delivered().
        UNKNOWN means the terminal's answer was lost and it could not yet be asked: the money
        may have been taken; the row stays open and is settled later, never charged again.

        Raises JournalUnwritable when the intent cannot be written (a full disk): the terminal
        was not asked, nothing was charged. Raises PaymentNotRecorded when the terminal was
        asked and its outcome could not be written: what it charged was given back at once if
        it could be, and the open row is settled once the journal can be written again.
        """
        sale = new_sale_reference(self.kiosk_id)
        self.journal.open_intent(
            sale, session_id=session_id, purpose=purpose, amount_cents=amount_cents
        )
        self._in_flight.add(sale)
        log.info("payment asked", extra={"sale": sale, "purpose": purpose, "cents": amount_cents})
        try:
            return await self._take(sale, session_id, amount_cents)
        except JournalUnwritable:
            self._in_flight.discard(sale)
            if self._paying == sale:
                self._paying = None
            stands = await self._undo_unrecorded(sale)
            raise PaymentNotRecorded(sale, charge_stands=stands) from None

    async def _take(self, sale: str, session_id: str | None, amount_cents: int) -> JournalEntry:
        self._paying, self._paying_session = sale, session_id
        try:
            result = await self.terminal.pay(PaymentRequest(sale, amount_cents))
        except Exception:
            self._paying = None
            # Whether the terminal took the card is not known: ask it, never pay again.
            log.warning("payment got no answer", exc_info=True, extra={"sale": sale})
            self.journal.move(sale, PaymentState.UNKNOWN, note="no answer from the terminal")
            return await self._settle(sale)
        self._paying = None
        entry = self._record(sale, result)
        if entry.state is PaymentState.UNKNOWN:
            entry = await self._settle(sale)
        if not entry.state.open or entry.state is PaymentState.UNKNOWN:
            self._in_flight.discard(sale)
        if entry.state is PaymentState.APPROVED and session_id in self._released:
            # The citizen left while the terminal was still working: give the money back.
            entry = await self.not_delivered(sale, "the session ended before delivery")
        return entry

    async def release_session(self, session_id: str, *, keep: Collection[str] = ()) -> None:
        """The session has ended: stop its payment under way, and give back what it paid for
        and was not handed (except the sales in `keep`, whose print jobs are still running)."""
        self._released.add(session_id)
        if self._paying is not None and self._paying_session == session_id:
            await self.abort_current()
        for sale in sorted(self._in_flight):
            entry = self.journal.get(sale)
            if (
                entry.session_id == session_id
                and entry.state is PaymentState.APPROVED
                and sale not in keep
            ):
                await self.not_delivered(sale, "the session ended before delivery")

    async def abort_current(self) -> bool:
        """Ask the terminal to stop the payment under way (the citizen pressed Cancel).

        The payment's own answer says how it ended (usually cancelled; approved if the card had
        already been charged). False if no payment was under way."""
        sale = self._paying
        if sale is None:
            return False
        await self.terminal.abort(sale)
        return True

    async def delivered(self, sale_reference: str) -> JournalEntry:
        """What was paid for has been handed over: the sale is done.

        When the journal cannot be written, the sale is remembered as delivered (it is never
        given back) and written by resolve_open() once it can be; JournalUnwritable is raised.
        """
        self._in_flight.discard(sale_reference)
        try:
            entry = self.journal.move(sale_reference, PaymentState.DELIVERED)
        except JournalUnwritable:
            log.error("a delivery could not be recorded yet", extra={"sale": sale_reference})
            self._delivered_unrecorded.add(sale_reference)
            self._needs_settling = True
            raise
        log.info("payment delivered", extra={"sale": sale_reference})
        return entry

    async def not_delivered(self, sale_reference: str, why: str) -> JournalEntry:
        """Paid, but the service failed (the printer died): give the money back."""
        self._in_flight.discard(sale_reference)
        try:
            return await self._reverse(self.journal.get(sale_reference), why)
        except JournalUnwritable:
            # Reversed or not, resolve_open() finds the row approved and settles it.
            self._needs_settling = True
            raise

    # ---- settling what is open -----------------------------------------------------------------

    async def resolve_open(self) -> list[JournalEntry]:
        """Settle every open sale that no citizen is in the middle of, and retry reversals the
        terminal refused (at start-up, and when the terminal is back). Returns the entries that
        still need support; each is raised as an alert.

        Raises JournalUnwritable when the journal still cannot be written: needs_settling
        stays true, and the next call goes on from there."""
        self._needs_settling = False
        try:
            return await self._resolve_open()
        except JournalUnwritable:
            self._needs_settling = True
            raise

    @property
    def needs_settling(self) -> bool:
        """An outcome or a delivery could not be written: resolve_open() should run again."""
        return self._needs_settling

    async def _resolve_open(self) -> list[JournalEntry]:
        for entry in self.journal.needing_support():
            if entry.sale_reference in self._in_flight:
                continue
            current = entry
            if (
                current.state is PaymentState.APPROVED
                and current.sale_reference in self._delivered_unrecorded
            ):
                self.journal.move(current.sale_reference, PaymentState.DELIVERED)
                self._delivered_unrecorded.discard(current.sale_reference)
                continue
            if current.state in (PaymentState.INTENT, PaymentState.UNKNOWN):
                current = await self._settle(entry.sale_reference)
            if current.state is PaymentState.APPROVED:
                # Paid, and the session that would have had the service is gone.
                current = await self._reverse(current, "the session ended before delivery")
            elif current.state is PaymentState.REVERSAL_FAILED:
                await self._reverse(current, current.note or "not delivered")
        left = [
            e for e in self.journal.needing_support() if e.sale_reference not in self._in_flight
        ]
        for entry in left:
            self._alert(
                "payment_unresolved",
                {"sale": entry.sale_reference, "state": entry.state.value},
            )
        return left

    async def reconcile(self, *, since: str | None, now: datetime | None = None) -> Reconciliation:
        """Close the terminal's period and compare its totals with the journal's since `since`.

        A mismatch is raised as an alert. Raises what the terminal raises when it cannot answer.
        """
        totals = await self.terminal.reconcile()
        count, cents = self.journal.charged_since(since)
        result = Reconciliation(count, cents, totals.count, totals.total_cents)
        store = self.journal.store
        with store.lock:
            store.db.table("reconciliations").insert(
                {
                    "at": utc_iso(now or datetime.now(UTC)),
                    "journal_count": count,
                    "journal_total_cents": cents,
                    "terminal_count": totals.count,
                    "terminal_total_cents": totals.total_cents,
                    "matched": int(result.matched),
                }
            )
        if not result.matched:
            log.error("reconciliation does not match the journal")
            self._alert(
                "reconciliation_mismatch",
                {
                    "journal_count": count,
                    "journal_total_cents": cents,
                    "terminal_count": totals.count,
                    "terminal_total_cents": totals.total_cents,
                },
            )
        return result

    async def reconcile_if_due(self, at: time, now: datetime | None = None) -> bool:
        """Make the day's reconciliation if it is due (kiosk.payments.daily); True if made.

        Raises what reconcile() raises when the terminal cannot answer: the caller tries
        again later."""
        from kiosk.payments.daily import reconciliation_due

        store = self.journal.store
        with store.lock:
            last = store.db.execute("SELECT MAX(at) FROM reconciliations").fetchone()[0]
            first = store.db.execute(f"SELECT MIN(created_at) FROM {TABLE}").fetchone()[0]
        if first is None:
            return False  # nothing was ever paid here
        moment = now or datetime.now(UTC)
        last_at = _parse_iso(last) if last else None
        if not reconciliation_due(last_at, _parse_iso(first), moment, at):
            return False
        await self.reconcile(since=last, now=moment)
        return True

    # ---- inside ----------------------------------------------------------------------------

    @property
    def paying(self) -> str | None:
        """The sale reference the terminal is working on now, if any."""
        return self._paying

    def _record(self, sale: str, result: PaymentResult) -> JournalEntry:
        state = _FINAL.get(result.outcome, PaymentState.UNKNOWN)
        current = self.journal.get(sale)
        if state is PaymentState.UNKNOWN and current.state is PaymentState.UNKNOWN:
            return current
        entry = self.journal.move(
            sale,
            state,
            terminal_reference=result.terminal_reference,
            card_last4=result.card_last4,
            note=result.reason,
        )
        log.info("payment outcome", extra={"sale": sale, "state": state.value})
        return entry

    async def _settle(self, sale: str) -> JournalEntry:
        """Ask the terminal what became of a sale whose answer was lost."""
        entry = self.journal.get(sale)
        try:
            status = await self.terminal.transaction_status(sale)
        except Exception:
            log.warning("the terminal could not tell a payment's outcome", extra={"sale": sale})
            if entry.state is PaymentState.INTENT:
                entry = self.journal.move(sale, PaymentState.UNKNOWN)
            return entry
        if status is None:
            # The terminal never saw it: nothing was charged.
            entry = self.journal.move(sale, PaymentState.FAILED, note="not known to the terminal")
            log.info("payment unknown to the terminal", extra={"sale": sale})
            return entry
        if entry.state is PaymentState.INTENT and status.outcome is PaymentOutcome.UNKNOWN:
            return self.journal.move(sale, PaymentState.UNKNOWN)
        return self._record(sale, status)

    async def _reverse(self, entry: JournalEntry, why: str) -> JournalEntry:
        sale = entry.sale_reference
        result = PaymentResult(
            sale,
            PaymentOutcome.APPROVED,
            entry.amount_cents,
            card_last4=entry.card_last4,
            terminal_reference=entry.terminal_reference,
        )
        try:
            reversed_ = await self.terminal.reverse(result, MALFUNCTION)
        except Exception:
            log.warning("reversal got no answer", exc_info=True, extra={"sale": sale})
            reversed_ = False
        if not reversed_:
            # A refusal may mean it was reversed already, by a request whose answer was lost.
            reversed_ = await self._already_reversed(sale)
        if reversed_:
            log.info("payment reversed", extra={"sale": sale})
            return self.journal.move(sale, PaymentState.REVERSED, note=why)
        if entry.state is PaymentState.REVERSAL_FAILED:
            return entry
        log.error("payment could not be reversed", extra={"sale": sale})
        self._alert("reversal_failed", {"sale": sale})
        return self.journal.move(sale, PaymentState.REVERSAL_FAILED, note=why)

    async def _undo_unrecorded(self, sale: str) -> bool:
        """The journal cannot record what the terminal did with `sale`: give back at once what
        it charged, from the terminal's own record. True when a charge may still stand (the
        terminal could not tell, or would not reverse): support is alerted. Either way the row
        stays open in the journal, to be settled once it can be written."""
        log.error("a payment's outcome could not be recorded", extra={"sale": sale})
        self._needs_settling = True
        try:
            status = await self.terminal.transaction_status(sale)
        except Exception:
            log.warning("the terminal could not tell a payment's outcome", extra={"sale": sale})
            status = None
            stands = True
        else:
            if status is None or status.reason == "reversed":
                stands = False
            elif status.outcome is PaymentOutcome.APPROVED:
                try:
                    stands = not await self.terminal.reverse(status, MALFUNCTION)
                except Exception:
                    log.warning("reversal got no answer", exc_info=True, extra={"sale": sale})
                    stands = True
                if stands:
                    stands = not await self._already_reversed(sale)
                if not stands:
                    log.info("unrecorded payment reversed", extra={"sale": sale})
            else:
                stands = status.outcome is PaymentOutcome.UNKNOWN
        if stands:
            try:
                self._alert("payment_unrecorded", {"sale": sale})
            except Exception:
                log.exception("the alert could not be raised", extra={"sale": sale})
        return stands

    async def _already_reversed(self, sale: str) -> bool:
        try:
            status = await self.terminal.transaction_status(sale)
        except Exception:
            return False
        return status is not None and status.reason == "reversed"


def _parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
