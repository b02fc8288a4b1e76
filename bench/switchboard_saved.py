"""One hub's saved switchboard, measured: what keeping the calls across a restart costs.

For a switchboard with N calls in progress (half of them connected, half waiting), on an SQLite
store in a temporary folder (hub.calls.saved):

- unchanged: the check made after every operation (each signalling message too) when no call
  changed state, the common case; mean of 200;
- write: a snapshot taken and written because a call changed; mean of 20;
- restore: a new switchboard filled from the saved snapshot, as at start; mean of 20;
- size: the snapshot's JSON.

    .venv/bin/python bench/switchboard_saved.py [--calls 10 100 1000]
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

# Run as a file, bench/ comes first on the path, and bench/hub.py is not the hub package.
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hub.calls import LineConfig, Switchboard  # noqa: E402
from hub.calls.saved import ROW, SavedSwitchboard  # noqa: E402
from hub.store import open_store  # noqa: E402


def busy(n: int) -> tuple[Switchboard, list[str]]:
    advisors = [f"a{i}" for i in range(n // 2)]
    board = Switchboard([LineConfig.of("virka-info", advisors)])
    for name in advisors:
        board.advisor_connected(name, available=True)
    for i in range(n):
        board.kiosk_connected(f"k{i}")
        call, fx = board.request_call(f"k{i}", "virka-info", "fi")
        rung = [m.to.id for m in fx.messages if m.message["type"] == "ringing"]
        if rung:
            board.accept(rung[0], call)
    return board, advisors


def measure(n: int, folder: Path) -> None:
    board, advisors = busy(n)
    store = open_store(folder / f"hub-{n}.db")
    try:
        saved = SavedSwitchboard(store)
        saved.save(board)
        start = time.perf_counter()
        for _ in range(200):
            saved.save(board)
        unchanged = (time.perf_counter() - start) / 200
        start = time.perf_counter()
        for _ in range(20):
            SavedSwitchboard(store).save(board)  # knows nothing written: takes and writes
        written = (time.perf_counter() - start) / 20
        start = time.perf_counter()
        for _ in range(20):
            SavedSwitchboard(store).restore_into(
                Switchboard([LineConfig.of("virka-info", advisors)])
            )
        restore = (time.perf_counter() - start) / 20
        size = len(store.switchboard_state(ROW) or "")
    finally:
        store.close()
    print(
        f"{n:6d} calls  unchanged {unchanged * 1000:7.3f} ms  write {written * 1000:7.2f} ms"
        f"  restore {restore * 1000:7.2f} ms  snapshot {size / 1024:6.0f} KiB"
    )


def main(sizes: list[int]) -> None:
    logging.disable(logging.INFO)
    with tempfile.TemporaryDirectory() as folder:
        for n in sizes:
            measure(n, Path(folder))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--calls", type=int, nargs="+", default=[10, 100, 1000])
    main(parser.parse_args().calls)
