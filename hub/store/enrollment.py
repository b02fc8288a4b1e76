"""One-time enrollment codes in the hub database (docs/provisioning.md).

An admin makes a code for a kiosk id; the technician types it into `kiosk-provision` on the new
box, which trades it once for the kiosk's token. The code is stored only as a SHA-256 hash, is
single-use (`used_at`) and expires (`expires_at`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Literal

from sqlite_utils import Database


def _enrollment_v4(db: Database) -> None:
    # Who to call about a kiosk's `clear` alerts (library staff): set at enrollment.
    db.table("kiosks").add_column("contact", str)
    db.table("enrollment_codes").create(
        {
            "code_hash": str,
            "kiosk_id": str,
            "name": str,
            "location": str,
            "contact": str,
            "created_by": str,
            "created_at": str,
            "expires_at": str,
            "used_at": str,
        },
        pk="code_hash",
        not_null=["kiosk_id", "name", "location", "created_by", "created_at", "expires_at"],
        strict=True,
    )
    db.table("enrollment_codes").create_index(["kiosk_id"])


@dataclass(frozen=True)
class EnrollmentCode:
    """A code's row, without its hash."""

    kiosk_id: str
    name: str
    location: str
    contact: str | None
    created_by: str
    created_at: str
    expires_at: str
    used_at: str | None


RedeemOutcome = Literal["enrolled", "unknown", "used", "expired"]


class EnrollmentCodes:
    """Typed reads and writes of enrollment codes, over the store's connection and lock."""

    def __init__(
        self,
        db: Database,
        lock: threading.RLock,
        credentials_changed: Callable[[], None] = lambda: None,
    ) -> None:
        self._db = db
        self._lock = lock
        #: Told when a redeemed code replaces an enrolled kiosk's token (credentials_stamp).
        self._credentials_changed = credentials_changed

    def add(self, code_hash: str, code: EnrollmentCode) -> None:
        """Store a new code for a kiosk; the kiosk's earlier unused codes stop working."""
        row = {"code_hash": code_hash, **asdict(code)}
        with self._lock, self._db.atomic():
            self._db.execute(
                "DELETE FROM enrollment_codes WHERE kiosk_id = ? AND used_at IS NULL",
                [code.kiosk_id],
            )
            self._db.table("enrollment_codes").insert(row)

    def codes(self) -> list[EnrollmentCode]:
        """Every code, newest first."""
        with self._lock:
            rows = list(self._db.table("enrollment_codes").rows_where(order_by="created_at DESC"))
        return [_code(row) for row in rows]

    def redeem(
        self, code_hash: str, token_hash: str, *, at: str
    ) -> tuple[RedeemOutcome, EnrollmentCode | None]:
        """Use a code once: add its kiosk with `token_hash` (or give an enrolled kiosk of that id
        the new token: a replaced box), mark the code used, all in one transaction."""
        with self._lock, self._db.atomic():
            rows = list(self._db.table("enrollment_codes").rows_where("code_hash = ?", [code_hash]))
            if not rows:
                return "unknown", None
            code = _code(rows[0])
            if code.used_at is not None:
                return "used", code
            if code.expires_at <= at:
                return "expired", code
            self._db.execute(
                "UPDATE enrollment_codes SET used_at = ? WHERE code_hash = ?", [at, code_hash]
            )
            changed = self._db.execute(
                "UPDATE kiosks SET name = ?, location = ?, contact = ?, token_hash = ?"
                " WHERE kiosk_id = ?",
                [code.name, code.location, code.contact, token_hash, code.kiosk_id],
            ).rowcount
            if not changed:
                self._db.table("kiosks").insert(
                    {
                        "kiosk_id": code.kiosk_id,
                        "name": code.name,
                        "location": code.location,
                        "contact": code.contact,
                        "token_hash": token_hash,
                        "created_at": at,
                    }
                )
        if changed:
            self._credentials_changed()
        return "enrolled", code

    def set_contact(self, kiosk_id: str, contact: str | None) -> bool:
        """Set whom to call about a kiosk; False if there is no such kiosk."""
        with self._lock, self._db.atomic():
            changed = self._db.execute(
                "UPDATE kiosks SET contact = ? WHERE kiosk_id = ?", [contact, kiosk_id]
            ).rowcount
        return bool(changed)


def _code(row: dict[str, Any]) -> EnrollmentCode:
    del row["code_hash"]
    return EnrollmentCode(**row)
