"""What the simulated terminal keeps in its state folder: its transaction journal and its switches.

The journal is JSON lines, each line written and fsync'd before the terminal goes on, so the
record of a sale survives the process dying at any point. Read back at start, it gives the
terminal's transactions, its reconciliation period, and the payments a crash interrupted. A card
number is kept only masked (first six and last four digits), as on a real terminal's journal.

The switches (mode and pace) live in control.json, replaced atomically, so a restarted simulator
keeps the fault it was told to show.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from kiosk.devices.payment.nexo.bodies import check_masked_pan
from kiosk.devices.payment.nexo.elements import (
    ErrorCondition,
    Response,
    Result,
    TransactionIdentification,
)

log = logging.getLogger(__name__)

JOURNAL = "transactions.jsonl"
CONTROL = "control.json"
#: Seconds the "customer" spends on each prompt unless told otherwise.
DEFAULT_PACE = 1.0


class Mode(StrEnum):
    """How the simulated terminal behaves; switched by POST /control."""

    APPROVE = "approve"
    DECLINE = "decline"
    CUSTOMER_CANCEL = "customer_cancel"
    BUSY_BEFORE_LOGIN = "busy_before_login"
    NO_ANSWER = "no_answer"
    DIE_MID_PAYMENT = "die_mid_payment"
    DROP_AFTER_APPROVE = "drop_after_approve"
    OFFLINE = "offline"


@dataclass
class Control:
    mode: Mode = Mode.APPROVE
    pace: float = DEFAULT_PACE

    def as_dict(self) -> dict[str, object]:
        return {"mode": self.mode.value, "pace": self.pace}


@dataclass
class Transaction:
    """One payment as the terminal recorded it."""

    service_id: str
    sale_id: str
    sale_transaction: TransactionIdentification
    poi_transaction: TransactionIdentification
    amount_cents: int
    currency: str
    period: int
    response: Response | None = None
    masked_pan: str | None = None
    payment_brand: str | None = None
    reversal_id: str | None = None

    @property
    def in_progress(self) -> bool:
        return self.response is None

    @property
    def approved(self) -> bool:
        return self.response is not None and self.response.result is Result.SUCCESS

    @property
    def counted(self) -> bool:
        return self.approved and self.reversal_id is None


@dataclass
class Journal:
    """The terminal's transactions, on disk and in memory."""

    folder: Path
    period: int = 1
    transactions: list[Transaction] = field(default_factory=list)
    #: Payments that were in progress when the terminal last stopped, closed as failed at start.
    interrupted: list[Transaction] = field(default_factory=list)

    @classmethod
    def open(cls, folder: Path) -> Journal:
        folder.mkdir(parents=True, exist_ok=True)
        journal = cls(folder)
        path = folder / JOURNAL
        if path.exists():
            journal._replay(_whole_lines(path))
        for tx in journal.transactions:
            if tx.in_progress:
                # The terminal stopped between reading the card and finishing the sale. Its
                # authorisation never completed, so on start it closes the sale as failed (a
                # terminal that had sent one to the acquirer would reverse it now): no charge.
                journal.finish(
                    tx,
                    Response.failure(ErrorCondition.DEVICE_OUT, "interrupted by terminal restart"),
                )
                journal.interrupted.append(tx)
        return journal

    # ---- writing ----------------------------------------------------------------------------

    def start_payment(
        self,
        *,
        service_id: str,
        sale_id: str,
        sale_transaction: TransactionIdentification,
        poi_transaction: TransactionIdentification,
        amount_cents: int,
        currency: str,
    ) -> Transaction:
        tx = Transaction(
            service_id,
            sale_id,
            sale_transaction,
            poi_transaction,
            amount_cents,
            currency,
            self.period,
        )
        self._append(
            {
                "record": "payment",
                "service_id": service_id,
                "sale_id": sale_id,
                "sale_tx": sale_transaction.transaction_id,
                "sale_ts": sale_transaction.timestamp.isoformat(),
                "poi_tx": poi_transaction.transaction_id,
                "poi_ts": poi_transaction.timestamp.isoformat(),
                "amount_cents": amount_cents,
                "currency": currency,
                "period": self.period,
            }
        )
        self.transactions.append(tx)
        return tx

    def finish(
        self,
        tx: Transaction,
        response: Response,
        masked_pan: str | None = None,
        payment_brand: str | None = None,
    ) -> None:
        if masked_pan is not None:
            check_masked_pan(masked_pan)
        self._append(
            {
                "record": "result",
                "poi_tx": tx.poi_transaction.transaction_id,
                "result": response.result.value,
                "error_condition": response.error_condition and response.error_condition.value,
                "additional": response.additional,
                "masked_pan": masked_pan,
                "brand": payment_brand,
            }
        )
        tx.response, tx.masked_pan, tx.payment_brand = response, masked_pan, payment_brand

    def reverse(self, tx: Transaction, reversal_id: str, reason: str) -> None:
        self._append(
            {
                "record": "reversal",
                "poi_tx": tx.poi_transaction.transaction_id,
                "reversal_tx": reversal_id,
                "reason": reason,
            }
        )
        tx.reversal_id = reversal_id

    def reconcile(self) -> tuple[int, list[Transaction]]:
        """Close the current period: its number and its approved, non-reversed payments."""
        closed = self.period
        counted = [tx for tx in self.transactions if tx.period == closed and tx.counted]
        self._append({"record": "reconciliation", "period": closed})
        self.period = closed + 1
        return closed, counted

    # ---- reading ----------------------------------------------------------------------------

    def by_service_id(self, service_id: str, sale_id: str) -> Transaction | None:
        for tx in reversed(self.transactions):
            if tx.service_id == service_id and tx.sale_id == sale_id:
                return tx
        return None

    def by_poi_transaction(self, transaction_id: str) -> Transaction | None:
        for tx in self.transactions:
            if tx.poi_transaction.transaction_id == transaction_id:
                return tx
        return None

    def last(self) -> Transaction | None:
        return self.transactions[-1] if self.transactions else None

    # ---- disk -------------------------------------------------------------------------------

    def _append(self, record: dict[str, Any]) -> None:
        path = self.folder / JOURNAL
        new = not path.exists()
        with path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(record, separators=(",", ":")) + "\n")
            out.flush()
            os.fsync(out.fileno())
        if new:
            _fsync_folder(self.folder)

    def _replay(self, lines: list[str]) -> None:
        by_poi: dict[str, Transaction] = {}
        for number, line in enumerate(lines, 1):
            try:
                self._apply(json.loads(line), by_poi)
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{JOURNAL} line {number} is damaged: {exc}") from None

    def _apply(self, record: dict[str, Any], by_poi: dict[str, Transaction]) -> None:
        kind = record["record"]
        if kind == "payment":
            tx = Transaction(
                service_id=record["service_id"],
                sale_id=record["sale_id"],
                sale_transaction=TransactionIdentification(
                    record["sale_tx"], datetime.fromisoformat(record["sale_ts"])
                ),
                poi_transaction=TransactionIdentification(
                    record["poi_tx"], datetime.fromisoformat(record["poi_ts"])
                ),
                amount_cents=int(record["amount_cents"]),
                currency=record["currency"],
                period=int(record["period"]),
            )
            self.transactions.append(tx)
            by_poi[tx.poi_transaction.transaction_id] = tx
        elif kind == "result":
            tx = by_poi[record["poi_tx"]]
            condition = record["error_condition"]
            tx.response = Response(
                Result(record["result"]),
                ErrorCondition(condition) if condition else None,
                record["additional"],
            )
            tx.masked_pan, tx.payment_brand = record["masked_pan"], record["brand"]
        elif kind == "reversal":
            by_poi[record["poi_tx"]].reversal_id = record["reversal_tx"]
        elif kind == "reconciliation":
            self.period = int(record["period"]) + 1
        else:
            raise ValueError(f"unknown record {kind!r}")


def _whole_lines(path: Path) -> list[str]:
    """The journal's complete lines. A crash in the middle of a write leaves a last line without
    its newline: that record never happened, and it is cut off so the next one starts clean."""
    data = path.read_bytes()
    whole = data[: data.rfind(b"\n") + 1]
    if len(whole) != len(data):
        log.warning("journal: incomplete last record removed")
        with path.open("r+b") as out:
            out.truncate(len(whole))
            out.flush()
            os.fsync(out.fileno())
    return whole.decode("utf-8").splitlines()


def load_control(folder: Path) -> Control:
    path = folder / CONTROL
    if not path.exists():
        return Control()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Control(Mode(data["mode"]), float(data["pace"]))
    except (ValueError, KeyError, TypeError):
        log.warning("control.json unreadable; starting in approve mode")
        return Control()


def save_control(folder: Path, control: Control) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / CONTROL
    spare = path.with_suffix(".tmp")
    with spare.open("w", encoding="utf-8") as out:
        json.dump(control.as_dict(), out)
        out.flush()
        os.fsync(out.fileno())
    os.replace(spare, path)
    _fsync_folder(folder)


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
