"""A full disk during a payment: the kiosk's data folder (its SQLite store with the payment journal)
on a small tmpfs of its own, filled at the two points that matter, with a citizen paying a fee on
the nexo simulator (a real separate process).

- Full before the intent is written: the terminal is never asked, nothing is charged, and the
  citizen is told the kiosk cannot take card payments now and whom to ask.
- Full after the terminal approved, before the outcome is recorded: the charge is given back at
  once, the citizen is told so, and the intent stays open in the journal until there is room
  again; then it is settled (reversed), never lost.

Afterwards the store passes SQLite's integrity check, every row of the journal reads whole, and
once there is room the kiosk takes a payment again. The tmpfs is mounted by the test (tests run
as root); a refused mount fails the test rather than skipping it.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.config import Config
from kiosk.devices.catalog import DeviceClass
from kiosk.devices.status import DeviceEvent, PaymentDisplay
from kiosk.payments.journal import PaymentState
from kiosk.store import Store
from kiosk.ui.screens.fee import FeeScreen
from kiosk.ui.window import KioskWindow
from tests.conftest import FakeClock
from tests.peers.nexo import (  # noqa: F401 - the fixtures are used by name
    NexoSimulator,
    notify_port_fixture,
    sim_fixture,
)
from tests.ui.conftest import off_ui, open_window
from tests.ui.test_pay_on_terminal import FEE, WAIT, charged, on_terminal

#: Room for the store as a fresh kiosk makes it, and for what it logs during a test.
DISK_SIZE = "8m"


class SmallDisk:
    """A tmpfs of its own at `path`, which a test fills up and frees again."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.filler = path / "filler"

    def mount(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={DISK_SIZE},mode=0700", "tmpfs", str(self.path)],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            pytest.fail(
                f"could not mount a tmpfs on {self.path} (the tests run as root, which may "
                f"mount): {done.stderr.strip() or done.returncode}"
            )

    def unmount(self) -> None:
        if subprocess.run(["umount", str(self.path)], capture_output=True).returncode != 0:
            # Something still holds a file there: detach it now, it goes when released.
            subprocess.run(["umount", "-l", str(self.path)], check=True)

    def fill(self, store: Store) -> None:
        """Leave not a byte free. The store's write-ahead log is emptied first (checkpointed
        into the database and cut to nothing), so its next write needs room it cannot get."""
        with store.lock:
            store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            for size in (1 << 20, 1 << 16, 1 << 12, 1 << 8, 1):
                chunk = b"\0" * size
                while True:
                    try:
                        os.write(fd, chunk)
                    except OSError as exc:
                        if exc.errno != errno.ENOSPC:
                            raise
                        break
        finally:
            os.close(fd)

    def free(self) -> None:
        self.filler.unlink()


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[SmallDisk]:
    small = SmallDisk(tmp_path / "data")  # the kiosk's data_dir in make_config
    small.mount()
    try:
        yield small
    finally:
        small.unmount()


@pytest.fixture
def window(
    qtbot: QtBot,
    disk: SmallDisk,
    make_config: Callable[..., Config],
    sim: NexoSimulator,
    notify_port: int,
    clock: FakeClock,
) -> Iterator[KioskWindow]:
    config = on_terminal(make_config(FEE), sim, notify_port)
    assert config.db_path.parent == disk.path
    yield from open_window(qtbot, config, clock)


def store_of(window: KioskWindow) -> Store:
    ledger = window.kiosk.ledger
    assert ledger is not None
    return ledger.journal.store


def journal(window: KioskWindow) -> list[tuple[str, PaymentState]]:
    ledger = window.kiosk.ledger
    assert ledger is not None
    return [(e.sale_reference, e.state) for e in off_ui(ledger.journal.entries)]


def consistent(window: KioskWindow) -> None:
    """The store passes SQLite's own check, read by another connection as kiosk-agent reads
    it, and every journal row is whole: a known state, an amount, a purpose, a time."""
    path = window.kiosk.config.db_path
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        rows = conn.execute(
            "SELECT state, amount_cents, purpose, created_at FROM payment_journal"
        ).fetchall()
    finally:
        conn.close()
    states = {s.value for s in PaymentState}
    for state, cents, purpose, created in rows:
        assert state in states and cents > 0 and purpose and created


def to_the_pay_button(qtbot: QtBot, window: KioskWindow) -> FeeScreen:
    terminal = window.kiosk.device(DeviceClass.PAYMENT)
    assert terminal is not None
    qtbot.waitUntil(lambda: terminal.health().state.usable, timeout=WAIT)
    qtbot.mouseClick(window.attract.language_buttons["en"], Qt.MouseButton.LeftButton)
    frame = window.frame
    assert frame is not None
    qtbot.waitUntil(lambda: frame.home.tiles["fee"].isEnabled(), timeout=WAIT)
    qtbot.mouseClick(frame.home.tiles["fee"], Qt.MouseButton.LeftButton)
    screen = frame.service_screen
    assert isinstance(screen, FeeScreen)
    qtbot.mouseClick(screen.fee_buttons["lost-card"], Qt.MouseButton.LeftButton)
    return screen


def pay(qtbot: QtBot, screen: FeeScreen) -> None:
    qtbot.mouseClick(screen.confirm_page.pay_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not screen.payment.paying, timeout=WAIT)


def test_a_full_disk_before_the_intent_asks_the_terminal_nothing_and_says_whom_to_ask(
    qtbot: QtBot, window: KioskWindow, sim: NexoSimulator, disk: SmallDisk
) -> None:
    screen = to_the_pay_button(qtbot, window)
    off_ui(disk.fill, store_of(window))
    pay(qtbot, screen)
    told = screen.payment.message.text()
    assert "cannot take card payments right now" in told
    assert "Nothing was charged" in told and "ask library staff" in told
    assert not screen.payment.again_button.isVisible()
    assert [r for r in sim.journal() if r["record"] == "payment"] == []
    assert journal(window) == []

    disk.free()
    consistent(window)
    # With room again, the same kiosk takes the payment.
    qtbot.mouseClick(screen.payment.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.steps.currentWidget() is screen.confirm_page)
    pay(qtbot, screen)
    qtbot.waitUntil(lambda: screen.steps.currentWidget() is screen.done_page, timeout=WAIT)
    qtbot.waitUntil(lambda: [s for _, s in journal(window)] == [PaymentState.DELIVERED])
    [(sale, _)] = journal(window)
    assert charged(sim, sale) == 1
    consistent(window)


def test_a_full_disk_after_the_terminal_approved_gives_the_charge_back_and_settles_later(
    qtbot: QtBot, window: KioskWindow, sim: NexoSimulator, disk: SmallDisk
) -> None:
    terminal = window.kiosk.device(DeviceClass.PAYMENT)
    assert terminal is not None
    store = store_of(window)
    filled = threading.Event()

    def fill_once_approved(event: DeviceEvent) -> None:
        # The terminal asks for the card back once it has approved and journalled the payment,
        # before it answers the kiosk: the disk fills in between (on the terminal's thread).
        approved = isinstance(event, PaymentDisplay) and event.message == "remove_card"
        if approved and not filled.is_set():
            disk.fill(store)
            filled.set()

    unsubscribe = terminal.events.subscribe(fill_once_approved)
    try:
        screen = to_the_pay_button(qtbot, window)
        pay(qtbot, screen)
    finally:
        unsubscribe()
    assert filled.is_set()
    told = screen.payment.message.text()
    assert "could not record your payment, so it was cancelled" in told
    assert "nothing was charged" in told and "ask library staff" in told
    # Nothing half-written: the intent, written before the terminal was asked, is still open.
    [(sale, state)] = journal(window)
    assert state is PaymentState.INTENT
    assert [p["sale_tx"] for p in sim.journal() if p["record"] == "payment"] == [sale]
    assert charged(sim, sale) == 0  # approved, then reversed at once

    disk.free()
    payments = window.kiosk.payments
    assert payments is not None
    assert payments.settle_open().result(timeout=WAIT / 1000) == []
    assert journal(window) == [(sale, PaymentState.REVERSED)]
    assert charged(sim, sale) == 0
    assert window.kiosk.ledger is not None and not window.kiosk.ledger.needs_settling
    consistent(window)
