"""The payment journal: one row per sale in the kiosk store, and the states it may pass through.

    intent ──▶ approved ──▶ delivered
      │  │          └─────▶ reversed | reversal_failed
      │  └──▶ declined | cancelled | failed
      └─────▶ unknown ──▶ (any of the above, once the terminal tells)

An `intent` row is committed (synchronously, fully synced to disk) before the terminal is asked,
so that whatever fails afterwards, the kiosk knows a payment may exist. Rows in `intent`,
`unknown` or `approved` are open: start-up and the terminal's return resolve them. A row never
holds card data beyond the last four digits, and never a name.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from kiosk.store import Store, utc_iso


class PaymentState(StrEnum):
    INTENT = "intent"
    UNKNOWN = "unknown"
    APPROVED = "approved"
    DELIVERED = "delivered"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    FAILED = "failed"
    REVERSED = "reversed"
    #: Approved, not delivered, and the terminal would not reverse it: support must act.
    REVERSAL_FAILED = "reversal_failed"

    @property
    def open(self) -> bool:
        return self in _OPEN

    @property
    def charged(self) -> bool:
        """The citizen's card has been charged and the charge stands."""
        return self in (PaymentState.APPROVED, PaymentState.DELIVERED, PaymentState.REVERSAL_FAILED)


_OPEN = frozenset({PaymentState.INTENT, PaymentState.UNKNOWN, PaymentState.APPROVED})

#: Which state may follow which; anything else is a bug and raises.
_NEXT: dict[PaymentState, frozenset[PaymentState]] = {
    PaymentState.INTENT: frozenset(PaymentState) - {PaymentState.INTENT},
    PaymentState.UNKNOWN: frozenset(PaymentState) - {PaymentState.INTENT, PaymentState.UNKNOWN},
    PaymentState.APPROVED: frozenset(
        {PaymentState.DELIVERED, PaymentState.REVERSED, PaymentState.REVERSAL_FAILED}
    ),
    PaymentState.REVERSAL_FAILED: frozenset({PaymentState.REVERSED}),
}

TABLE = "payment_journal"


class JournalError(RuntimeError):
    """A journal write that would break its rules (unknown sale, a state that cannot follow)."""


class JournalUnwritable(RuntimeError):
    """The journal could not be written (its disk is full, or failing): nothing of that write
    was kept, and the rows stay as they were."""


@dataclass(frozen=True)
class JournalEntry:
    sale_reference: str
    session_id: str | None
    purpose: str
    amount_cents: int
    currency: str
    state: PaymentState
    terminal_reference: str | None
    card_last4: str | None
    created_at: str
    resolved_at: str | None
    note: str | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> JournalEntry:
        return cls(
            sale_reference=row["sale_reference"],
            session_id=row["session_id"],
            purpose=row["purpose"],
            amount_cents=row["amount_cents"],
            currency=row["currency"],
            state=PaymentState(row["state"]),
            terminal_reference=row["terminal_reference"],
            card_last4=row["card_last4"],
            created_at=row["created_at"],
            resolved_at=row["resolved_at"],
            note=row["note"],
        )


def new_sale_reference(kiosk_id: str, now: datetime | None = None) -> str:
    """Unique across kiosks and restarts: the kiosk, the day and 48 random bits."""
    day = (now or datetime.now(UTC)).strftime("%Y%m%d")
    return f"{kiosk_id}-{day}-{os.urandom(6).hex()}"


class PaymentJournal:
    """Typed, durable access to the journal table of one Store (thread-safe through its lock)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def open_intent(
        self, sale_reference: str, *, session_id: str | None, purpose: str, amount_cents: int
    ) -> JournalEntry:
        """Commit the intent to take `amount_cents` before the terminal is asked."""
        if amount_cents <= 0:
            raise ValueError("a payment is for a positive number of cents")
        if not purpose:
            raise ValueError("a payment needs a purpose")
        now = utc_iso(datetime.now(UTC))
        with self._writing() as conn:
            conn.execute(
                f"INSERT INTO {TABLE} (sale_reference, session_id, purpose, amount_cents, "
                "currency, state, created_at) VALUES (?, ?, ?, ?, 'EUR', ?, ?)",
                (sale_reference, session_id, purpose, amount_cents, PaymentState.INTENT, now),
            )
        return self.get(sale_reference)

    def move(
        self,
        sale_reference: str,
        state: PaymentState,
        *,
        terminal_reference: str | None = None,
        card_last4: str | None = None,
        note: str | None = None,
    ) -> JournalEntry:
        """Record what became of a sale. Refuses a step the state diagram does not allow."""
        if card_last4 is not None and not (len(card_last4) == 4 and card_last4.isdigit()):
            raise ValueError("only the last four digits of a card are ever kept")
        with self._writing() as conn:
            row = conn.execute(
                f"SELECT state FROM {TABLE} WHERE sale_reference = ?", (sale_reference,)
            ).fetchone()
            if row is None:
                raise JournalError(f"no payment {sale_reference} in the journal")
            current = PaymentState(row[0])
            if state not in _NEXT.get(current, frozenset()):
                raise JournalError(f"payment {sale_reference} cannot go from {current} to {state}")
            resolved = None if state.open else utc_iso(datetime.now(UTC))
            conn.execute(
                f"UPDATE {TABLE} SET state = ?, resolved_at = ?, "
                "terminal_reference = COALESCE(?, terminal_reference), "
                "card_last4 = COALESCE(?, card_last4), note = COALESCE(?, note) "
                "WHERE sale_reference = ?",
                (state, resolved, terminal_reference, card_last4, note, sale_reference),
            )
        return self.get(sale_reference)

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One durable transaction; a write the disk refuses raises JournalUnwritable (the store
        has rolled the transaction back by then, its commit included)."""
        try:
            with self.store.durable() as conn:
                yield conn
        except sqlite3.OperationalError as exc:
            raise JournalUnwritable(f"the payment journal could not be written: {exc}") from exc

    def get(self, sale_reference: str) -> JournalEntry:
        with self.store.lock:
            rows = list(
                self.store.db[TABLE].rows_where("sale_reference = ?", [sale_reference], limit=1)
            )
        if not rows:
            raise JournalError(f"no payment {sale_reference} in the journal")
        return JournalEntry.from_row(rows[0])

    def open_entries(self) -> list[JournalEntry]:
        """Sales whose outcome or delivery is not settled, oldest first."""
        return self._where(f"state IN ({', '.join('?' * len(_OPEN))})", [*map(str, _OPEN)])

    def needing_support(self) -> list[JournalEntry]:
        """Sales a person must look at: open ones, and charges that could not be reversed."""
        states = [*map(str, _OPEN), PaymentState.REVERSAL_FAILED.value]
        return self._where(f"state IN ({', '.join('?' * len(states))})", states)

    def entries(self) -> list[JournalEntry]:
        return self._where("1", [])

    def charged_since(self, since: str | None) -> tuple[int, int]:
        """Count and total cents of standing charges resolved after `since` (ISO, or None)."""
        charged = [s.value for s in PaymentState if s.charged]
        where = f"state IN ({', '.join('?' * len(charged))})"
        args: list[Any] = list(charged)
        if since is not None:
            where += " AND created_at > ?"
            args.append(since)
        with self.store.lock:
            row = self.store.db.execute(
                f"SELECT COUNT(*), COALESCE(SUM(amount_cents), 0) FROM {TABLE} WHERE {where}", args
            ).fetchone()
        return int(row[0]), int(row[1])

    def _where(self, where: str, args: list[Any]) -> list[JournalEntry]:
        with self.store.lock:
            rows = list(self.store.db[TABLE].rows_where(where, args, order_by="created_at"))
        return [JournalEntry.from_row(r) for r in rows]
