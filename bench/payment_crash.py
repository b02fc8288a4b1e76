"""Crash run: the kiosk's payment process killed (SIGKILL) at random points during payments,
restarted each time, then the terminal's own record of charges compared with the kiosk's journal.

    ./dev bench        (or: .venv/bin/python bench/payment_crash.py [--kills N] [--seed S])

The process killed is a payer: the kiosk's real payment stack (the store, the payment journal,
the ledger and the nexo client) against the nexo simulator, a separate process that survives
every kill, as a terminal does when the kiosk's power goes. Each start settles what the last one
left open (`Ledger.resolve_open`, as the kiosk does at start-up), then pays one fee after
another, delivering most and giving some back, as a printer that fails would. The simulator's
mode changes between runs (approve mostly; decline, a dropped answer, a held answer, a customer
who cancels).

Each kill lands either a random time after the payer starts, or a random few milliseconds after
a chosen point of a payment (the intent being written, each prompt of the terminal, the outcome
recorded, the delivery, the reversal, the settling at start); the kill point reported is the
last step the payer had announced before it died. After the last kill the payer is started once
more only to settle, and then:

- double_charges: charges that stand on the terminal (approved, not reversed) beyond one for a
  fee the journal says was delivered, and every standing charge for a fee the journal did not
  deliver or does not know;
- unresolved: journal rows still open (intent, unknown, approved) or a refund the terminal
  refused (reversal_failed);
- uncharged: fees the journal says were delivered without a standing charge (money lost the
  other way; also 0);
- and the store's PRAGMA integrity_check.

Targets: 0 and 0. tests/payments/test_crash_run.py runs a short version in ./dev test.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: Seconds the simulated customer spends on each prompt: short, but long enough that a kill
#: lands inside a payment as often as between them.
PACE = 0.03
#: The modes of the terminal from run to run, with their weights.
MODES = (
    ("approve", 70),
    ("decline", 8),
    ("drop_after_approve", 10),
    ("customer_cancel", 6),
    ("no_answer", 6),
)
#: The steps a kill may be aimed at (the payer announces each as it reaches it).
TARGETS = (
    "resolving",
    "asking the status",
    "paying",
    "asking the terminal",
    "prompt insert_card",
    "prompt enter_pin",
    "prompt processing",
    "prompt remove_card",
    "terminal answered",
    "outcome",
    "delivering",
    "reversing",
    "asking a reversal",
    "reversal answered",
)
#: How long a payer may take to start and settle; generous for a loaded machine.
START_DEADLINE = 60.0


# ---- the payer: the process that is killed ------------------------------------------------------


class Marks:
    """The payer's announcements on stdout, one line each, flushed at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def __call__(self, text: str) -> None:
        with self._lock:
            sys.stdout.write(f"{text}\n")
            sys.stdout.flush()


class Announced:
    """The terminal as the ledger sees it, each question and answer announced: so a kill point
    tells apart "the terminal approved" from "the approval is recorded"."""

    def __init__(self, terminal: Any, mark: Marks) -> None:
        self._terminal = terminal
        self._mark = mark

    async def pay(self, request: Any) -> Any:
        self._mark("asking the terminal")
        result = await self._terminal.pay(request)
        self._mark(f"terminal answered {result.outcome.value}")
        return result

    async def abort(self, sale_reference: str) -> None:
        await self._terminal.abort(sale_reference)

    async def transaction_status(self, sale_reference: str) -> Any:
        self._mark("asking the status")
        result = await self._terminal.transaction_status(sale_reference)
        self._mark(f"status answered {result.outcome.value if result else 'none'}")
        return result

    async def reverse(self, result: Any, reason: str) -> bool:
        self._mark("asking a reversal")
        done: bool = await self._terminal.reverse(result, reason)
        self._mark(f"reversal answered {'done' if done else 'refused'}")
        return done

    async def reconcile(self) -> Any:
        return await self._terminal.reconcile()


async def payer(args: argparse.Namespace) -> int:
    from kiosk.devices.payment.nexo.terminal import NexoTerminal
    from kiosk.devices.status import DeviceEvent, DeviceState, PaymentDisplay
    from kiosk.payments.journal import PaymentJournal, PaymentState
    from kiosk.payments.ledger import Ledger
    from kiosk.store import open_store

    mark = Marks()
    store = open_store(Path(args.db))
    terminal = NexoTerminal(
        "crash-terminal",
        terminal_url=args.terminal_url,
        notify_port=args.notify_port,
        timeout_seconds=3.0,
        request_timeout_seconds=3.0,
        reconnect_seconds=1.0,
    )

    def on_event(event: DeviceEvent) -> None:
        if isinstance(event, PaymentDisplay):
            mark(f"prompt {event.message}")

    terminal.events.subscribe(on_event)
    mark("starting")
    terminal.start()
    deadline = time.monotonic() + START_DEADLINE
    while terminal.health().state is not DeviceState.ONLINE:
        if time.monotonic() > deadline:
            mark("terminal not online")
            return 2
        await asyncio.sleep(0.02)
    ledger = Ledger(PaymentJournal(store), Announced(terminal, mark), kiosk_id="crash")
    mark("resolving")
    left = await ledger.resolve_open()
    mark(f"resolved {len(left)}")
    if args.resolve_only:
        terminal.stop()
        store.close()
        return 0 if not left else 1
    rng = random.Random(args.seed)
    number = 0
    while True:
        number += 1
        mark("paying")
        entry = await ledger.pay(
            session_id=f"s{args.seed}-{number}",
            purpose="fee:crash",
            amount_cents=rng.choice((100, 250, 300, 1250)),
        )
        mark(f"outcome {entry.state.value}")
        if entry.state is not PaymentState.APPROVED:
            continue
        if rng.random() < 0.25:
            mark("reversing")
            entry = await ledger.not_delivered(entry.sale_reference, "printer failed")
            mark(f"reversed {entry.state.value}")
        else:
            mark("delivering")
            await ledger.delivered(entry.sale_reference)
            mark("delivered")


# ---- the run: kills, restarts and the count ------------------------------------------------------


@dataclass
class Tally:
    kills: int = 0
    payments: int = 0
    double_charges: int = 0
    unresolved: int = 0
    uncharged: int = 0
    integrity: str = ""
    states: Counter[str] = field(default_factory=Counter)
    points: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)


class Payer:
    """One payer process, its announcements read as they come."""

    def __init__(self, command: list[str], log: IO[bytes]) -> None:
        self.lines: list[str] = []
        self._seen = threading.Condition()
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            with self._seen:
                self.lines.append(raw.decode("utf-8", "replace").strip())
                self._seen.notify_all()
        with self._seen:
            self._seen.notify_all()

    def wait_for(self, prefix: str, after: int, timeout: float) -> bool:
        """Wait until a line starting with `prefix` comes after the first `after` lines."""
        end = time.monotonic() + timeout
        with self._seen:
            while True:
                if any(line.startswith(prefix) for line in self.lines[after:]):
                    return True
                left = end - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    return False
                self._seen.wait(left)

    def kill(self) -> str:
        """SIGKILL; the last step announced before it died."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        self._reader.join(timeout=30)
        return _point(self.lines[-1] if self.lines else "not started")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=30)
        self._reader.join(timeout=30)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def _reachable(mode: str) -> tuple[str, ...]:
    """The steps a payment reaches in the terminal's `mode`."""
    if mode == "customer_cancel":
        return ("resolving", "paying", "asking the terminal", "prompt insert_card", "outcome")
    if mode == "decline":
        return tuple(t for t in TARGETS if "delivering" not in t and "revers" not in t)
    return TARGETS


def _point(line: str) -> str:
    """The kill point's name: the step, without the details that vary (a count, a state)."""
    if line.startswith("resolved"):
        return "resolved"
    return line


class CrashRun:
    """A simulator and a payer's store under `folder`; kill, restart, count."""

    def __init__(self, folder: Path, seed: int, pace: float = PACE) -> None:
        from tests.peers.nexo import NexoSimulator, free_port

        self.folder = folder
        self.rng = random.Random(seed)
        self.seed = seed
        self.pace = pace
        self.db = folder / "kiosk" / "kiosk.db"
        self.notify_port = free_port()
        self.sim = NexoSimulator(folder, self.notify_port)
        self.tally = Tally()
        self._log = (folder / "payer.log").open("ab")
        self._payer: Payer | None = None

    def __enter__(self) -> CrashRun:
        self.sim.start(pace=self.pace)
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        payer, self._payer = self._payer, None
        if payer is not None:
            payer.stop()
        self.sim.stop()
        self._log.close()

    def _command(self, run: int, resolve_only: bool = False) -> list[str]:
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--payer",
            "--db",
            str(self.db),
            "--terminal-url",
            self.sim.url,
            "--notify-port",
            str(self.notify_port),
            "--seed",
            str(self.seed * 100_000 + run),
        ]
        return [*command, "--resolve-only"] if resolve_only else command

    def kill_once(self) -> str:
        """Start a payer, kill it at a random point, and say where it died."""
        run = self.tally.kills + 1
        modes, weights = zip(*MODES, strict=True)
        mode = self.rng.choices(modes, weights)[0]
        self.sim.control(mode=mode)
        payer = self._payer = Payer(self._command(run), self._log)
        try:
            if self.rng.random() < 0.3:
                # Anywhere: a random time after the process started.
                payer.wait_for("resolving", 0, START_DEADLINE)
                time.sleep(self.rng.uniform(0.0, 1.5))
            else:
                target = self.rng.choice(_reachable(mode))
                started = 0
                if target != "resolving":
                    payer.wait_for("resolved", 0, START_DEADLINE)
                    started = len(payer.lines)
                # A rare step (a reversal) may not come soon: then the kill lands where it is.
                payer.wait_for(target, started, 4.0)
                # Mostly within the few milliseconds that follow (a journal write, say).
                time.sleep(self.rng.choice((0.0, 0.003, 0.01, 0.04)) * self.rng.random())
            if payer.proc.poll() is not None:
                self.tally.problems.append(f"payer {run} exited by itself: {payer.lines[-3:]}")
            point = payer.kill()
        finally:
            self._payer = None
            payer.stop()
        self.tally.kills += 1
        self.tally.points[point] += 1
        return point

    def finish(self) -> Tally:
        """Settle once more without killing, then count."""
        self.sim.control(mode="approve")
        payer = self._payer = Payer(self._command(0, resolve_only=True), self._log)
        try:
            code = payer.proc.wait(timeout=START_DEADLINE * 2)
        finally:
            self._payer = None
            payer.stop()
        if code != 0:
            self.tally.problems.append(f"the last settling ended with {code}: {payer.lines[-3:]}")
        self._count()
        return self.tally

    def _count(self) -> None:
        tally = self.tally
        standing: Counter[str] = Counter()
        poi_sale: dict[str, str] = {}
        journal = self.sim.journal()
        for record in journal:
            if record["record"] == "payment":
                poi_sale[record["poi_tx"]] = record["sale_tx"]
        for record in journal:
            if record["record"] == "result" and record["result"] == "Success":
                standing[poi_sale[record["poi_tx"]]] += 1
            elif record["record"] == "reversal":
                standing[poi_sale[record["poi_tx"]]] -= 1
        conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)
        try:
            tally.integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
            rows = dict(conn.execute("SELECT sale_reference, state FROM payment_journal"))
        finally:
            conn.close()
        tally.payments = len(rows)
        tally.states = Counter(rows.values())
        for sale, state in rows.items():
            if state in ("intent", "unknown", "approved", "reversal_failed"):
                tally.unresolved += 1
                tally.problems.append(f"{sale} left {state}")
            charges = standing.get(sale, 0)
            if state == "delivered":
                if charges > 1:
                    tally.double_charges += charges - 1
                    tally.problems.append(f"{sale} delivered and charged {charges} times")
                elif charges < 1:
                    tally.uncharged += 1
                    tally.problems.append(f"{sale} delivered and not charged")
            elif charges > 0 and state != "reversal_failed":
                tally.double_charges += charges
                tally.problems.append(f"{sale} is {state} and charged {charges} times")
        for sale, charges in standing.items():
            if sale not in rows and charges > 0:
                tally.double_charges += charges
                tally.problems.append(f"{sale} charged {charges} times, unknown to the journal")


def report(tally: Tally) -> str:
    lines = [
        f"kills={tally.kills} double_charges={tally.double_charges} unresolved={tally.unresolved}",
        f"  payments in the journal: {tally.payments} "
        f"({', '.join(f'{s} {n}' for s, n in sorted(tally.states.items()))}); "
        f"delivered without a charge: {tally.uncharged}; integrity_check: {tally.integrity}",
        "  kill points (the last step announced before the kill):",
    ]
    for point, count in sorted(tally.points.items(), key=lambda p: (-p[1], p[0])):
        lines.append(f"    {count:4d}  {point}")
    lines += [f"  ! {problem}" for problem in tally.problems]
    return "\n".join(lines)


def run(folder: Path, kills: int, seed: int, progress: bool = False) -> Tally:
    with CrashRun(folder, seed) as crash:
        for number in range(1, kills + 1):
            point = crash.kill_once()
            if progress and number % 25 == 0:
                print(f"  {number} kills (the last at: {point})", file=sys.stderr, flush=True)
        return crash.finish()


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--kills", type=int, default=220)
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100_000)
    parser.add_argument("--keep", help="run in this folder and keep it (logs, journals)")
    parser.add_argument("--payer", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--resolve-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--terminal-url", help=argparse.SUPPRESS)
    parser.add_argument("--notify-port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.payer:
        logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
        code: int = asyncio.run(payer(args))
        sys.stdout.flush()
        os._exit(code)  # the terminal's threads are not waited for
    import tempfile

    # A stop by SIGTERM unwinds like Ctrl+C, so the simulator and the payer are stopped too.
    signal.signal(signal.SIGTERM, _interrupted)
    print(f"crash run: {args.kills} SIGKILLs of the payer, seed {args.seed}", flush=True)
    if args.keep:
        folder = Path(args.keep)
        folder.mkdir(parents=True, exist_ok=True)
        tally = run(folder, args.kills, args.seed, progress=True)
    else:
        with tempfile.TemporaryDirectory(prefix="kiosk-bench-crash-") as tmp:
            tally = run(Path(tmp), args.kills, args.seed, progress=True)
    print(report(tally))
    clean = tally.double_charges == 0 and tally.unresolved == 0 and tally.uncharged == 0
    return 0 if clean and tally.integrity == "ok" else 1


if __name__ == "__main__":
    raise SystemExit(main())
