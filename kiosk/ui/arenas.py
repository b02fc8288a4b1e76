"""Few malloc arenas for the kiosk process: its memory stays flat over thousands of sessions.

glibc gives each thread that allocates its own arena, up to eight per core. The kiosk's threads
come and go (device workers, a print worker per Print screen, executors), and memory freed in
an arena other threads no longer use is seldom given back: over a thousand citizen sessions
the process grew by tens of megabytes it did not hold (bench/soak.py), and it started some
150 MB larger. Two arenas keep the Qt thread's and the workers' allocations from contending
much while what is freed is reused.
"""

from __future__ import annotations

import ctypes
import logging

log = logging.getLogger(__name__)

#: glibc's mallopt() parameter for the largest number of arenas (malloc.h).
M_ARENA_MAX = -8
ARENAS = 2


def limit_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Ask glibc for at most `arenas` arenas, before the threads start (arenas made already
    stay). False where the C library is not glibc or refuses."""
    try:
        # The process's own symbols: the C library it runs on (no search for the file).
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    done = bool(mallopt(M_ARENA_MAX, arenas))
    if not done:
        log.warning("malloc arenas could not be limited", extra={"arenas": arenas})
    return done
