"""`kiosk-hub` run with two probes, for `bench/hub.py --probe`: event-loop lag and GC pauses.

    python bench/hub_probe.py OUT.json --config hub.toml serve

Runs the hub's own entry point unchanged, and records, with the wall-clock time of each:

- the lag of its asyncio loop: a callback asks to run every 10 ms and notes how late it ran
  (no thread, so the probe never contends for the GIL);
- every pause of the cyclic garbage collector, with its generation (`gc.callbacks`).

At exit (the hub stops on SIGTERM and returns) both lists are written to OUT.json as
`{"lags": [[wall, seconds], ...], "gc": [[wall, generation, seconds], ...]}`; bench/hub.py
cuts them to its measured windows by wall time.
"""

from __future__ import annotations

import asyncio
import atexit
import gc
import json
import sys
import time
from pathlib import Path
from typing import Any

TICK = 0.010

lags: list[tuple[float, float]] = []
pauses: list[tuple[float, int, float]] = []
_gc_started = 0.0


def _on_gc(phase: str, info: dict[str, Any]) -> None:
    global _gc_started
    if phase == "start":
        _gc_started = time.perf_counter()
    else:
        pauses.append((time.time(), int(info["generation"]), time.perf_counter() - _gc_started))


def _tick(loop: asyncio.AbstractEventLoop, due: float) -> None:
    lags.append((time.time(), loop.time() - due))
    loop.call_at(loop.time() + TICK, _tick, loop, loop.time() + TICK)


class _ProbedPolicy(asyncio.DefaultEventLoopPolicy):
    def new_event_loop(self) -> asyncio.AbstractEventLoop:
        loop = super().new_event_loop()
        loop.call_soon(_tick, loop, loop.time())
        return loop


def main() -> int:
    out = Path(sys.argv[1])
    sys.argv = ["kiosk-hub", *sys.argv[2:]]
    atexit.register(
        lambda: out.write_text(json.dumps({"lags": lags, "gc": pauses}), encoding="utf-8")
    )
    gc.callbacks.append(_on_gc)
    asyncio.set_event_loop_policy(_ProbedPolicy())
    from hub.__main__ import main as hub_main

    return hub_main()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
