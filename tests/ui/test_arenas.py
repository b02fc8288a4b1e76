"""The kiosk asks the C library for few malloc arenas before its threads start."""

from __future__ import annotations

import subprocess
import sys
import textwrap

#: Threads allocating at once, each in an arena of its own unless the number is limited.
SCRIPT = textwrap.dedent(
    """
    import ctypes, sys, threading
    from kiosk.ui.arenas import limit_malloc_arenas

    if sys.argv[1] == "limited":
        assert limit_malloc_arenas(2)
    ready = threading.Barrier(8)
    def work():
        ready.wait()
        kept = [bytearray(512) for _ in range(20000)]
        ready.wait()
    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ctypes.CDLL(None).malloc_stats()  # glibc: one "Arena n:" per arena, on stderr
    """
)


def arenas(mode: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, check=True, timeout=60
    )
    return sum(line.startswith("Arena ") for line in done.stderr.splitlines())


def test_the_limit_keeps_threads_to_few_arenas() -> None:
    assert arenas("limited") <= 2
    assert arenas("free") > 2  # what the limit prevents, on this machine
