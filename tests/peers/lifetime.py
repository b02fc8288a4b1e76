"""Peers that never outlive the run that started them: a test session or a bench.

`spawn` starts a peer (cupsd, ippeveprinter, pcscd, kiosk-hub, the terminal simulator) in a
process group of its own, so that a Ctrl+C at the terminal does not kill it before the run's
own teardown stops it, and then makes sure it is stopped however the run ends:

- at a normal exit, and on Ctrl+C or SIGTERM (turned into KeyboardInterrupt, so that `finally`
  blocks and teardowns run), `atexit` stops every group still running;
- when the run is killed outright (SIGKILL), the kernel sends the peer SIGTERM
  (PR_SET_PDEATHSIG), and a guard process, which reads a pipe from the run until it closes,
  stops what is left: every group the run registered, and every process that carries the run's
  mark (`KIOSK_PEER_OWNER=<pid>` in its environment), such as a filter cupsd started.

Only the standard library here: the guard runs this file as a script.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import IO, Any

#: In the environment of every peer: the pid of the run that started it.
MARKER = "KIOSK_PEER_OWNER"
#: On the guard's command line, so that it can be found.
GUARD_NAME = "kiosk-peer-guard"
#: How long a peer has after SIGTERM before SIGKILL.
GRACE_SECONDS = 5.0

_PR_SET_PDEATHSIG = 1
_lock = threading.Lock()
_running: dict[int, subprocess.Popen[bytes]] = {}
_guard: subprocess.Popen[bytes] | None = None


def spawn(
    argv: list[str], *, env: Mapping[str, str] | None = None, **popen: Any
) -> subprocess.Popen[bytes]:
    """Start a peer that is stopped when this run ends, however it ends (see the module)."""
    owner = os.getpid()
    _start_guard()
    marked = {**(os.environ if env is None else env), MARKER: str(owner)}
    on_main = threading.current_thread() is threading.main_thread()
    # PR_SET_PDEATHSIG fires when the thread that forked ends: only from the main thread,
    # which lives as long as the run. From other threads the guard alone stands behind it.
    proc = subprocess.Popen(
        argv,
        env=marked,
        start_new_session=True,
        preexec_fn=_dies_with(owner) if on_main else None,
        **popen,
    )
    with _lock:
        _running[proc.pid] = proc
    _tell(f"+{proc.pid}")
    return proc


def stop(proc: subprocess.Popen[bytes] | None, sig: int = signal.SIGTERM) -> None:
    """Stop a spawned peer and everything in its group: `sig`, then SIGKILL after the grace."""
    if proc is None:
        return
    _signal_group(proc.pid, sig)
    try:
        proc.wait(GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        _signal_group(proc.pid, signal.SIGKILL)
        proc.wait(GRACE_SECONDS)
    forget(proc)


def forget(proc: subprocess.Popen[bytes]) -> None:
    """The peer has been stopped by its owner: nothing more to do for it at exit."""
    with _lock:
        known = _running.pop(proc.pid, None) is not None
    if known:
        _tell(f"-{proc.pid}")


def mark() -> dict[str, str]:
    """The run's mark, for a program this run starts that starts peers itself."""
    _start_guard()
    return {MARKER: str(os.getpid())}


def marked_pids(owner: int) -> list[int]:
    """Live processes carrying `owner`'s mark (zombies are already gone)."""
    wanted = f"{MARKER}={owner}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if wanted in environ and not zombie(int(entry.name)):
            found.append(int(entry.name))
    return found


def _dies_with(owner: int) -> Callable[[], None]:
    # Looked up here, in the parent: the child of a process with threads must not load
    # libraries between fork and exec.
    prctl = ctypes.CDLL(None, use_errno=True).prctl

    def in_child() -> None:
        prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
        if os.getppid() != owner:  # the run ended before the line above
            os._exit(1)

    return in_child


def _start_guard() -> None:
    global _guard
    with _lock:
        if _guard is not None and _guard.poll() is None:
            return
        # Its own session: a Ctrl+C at the terminal, or a kill of the run's group, leaves it
        # to do its work. The pipe's write end stays with this process only (close_fds).
        _guard = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), GUARD_NAME, str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        for pid in _running:
            _write(_guard.stdin, f"+{pid}")
    _catch_sigterm()


def _tell(line: str) -> None:
    with _lock:
        if _guard is not None:
            _write(_guard.stdin, line)


def _write(pipe: IO[bytes] | None, line: str) -> None:
    if pipe is None:
        return
    with contextlib.suppress(OSError, ValueError):
        pipe.write(line.encode() + b"\n")
        pipe.flush()


def _catch_sigterm() -> None:
    """SIGTERM ends the run as Ctrl+C does, so that its teardown and atexit run; only where
    nobody else has a handler for it."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _terminated)


def _terminated(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@atexit.register
def _stop_all() -> None:
    with _lock:
        procs = list(_running.values())
    for proc in procs:
        _signal_group(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + GRACE_SECONDS
    for proc in procs:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(max(deadline - time.monotonic(), 0.1))
    for proc in procs:
        _signal_group(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(GRACE_SECONDS)
        forget(proc)
    with _lock:
        guard = _guard
    if guard is not None and guard.stdin is not None:
        # The guard sees the end of its pipe, finds nothing left and ends.
        with contextlib.suppress(OSError):
            guard.stdin.close()


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def zombie(pid: int) -> bool:
    """Whether `pid` has ended and waits only to be reaped (or is gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


# ---- the guard ----------------------------------------------------------------------------


def _guard_main(owner: int, lines: Iterable[bytes]) -> None:
    """Wait for the owner's pipe to close (it exited, or was killed), then stop its peers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    groups: set[int] = set()
    for line in lines:
        text = line.decode().strip()
        if text.startswith("+"):
            groups.add(int(text[1:]))
        elif text.startswith("-"):
            groups.discard(int(text[1:]))
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pgid in groups:
            _signal_group(pgid, sig)
        for pid in marked_pids(owner):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + GRACE_SECONDS
        while time.monotonic() < deadline and (_groups_alive(groups) or marked_pids(owner)):
            time.sleep(0.1)


def _groups_alive(groups: set[int]) -> bool:
    for pgid in groups:
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            continue
        return True
    return False


if __name__ == "__main__" and sys.argv[1:2] == [GUARD_NAME]:
    _guard_main(int(sys.argv[2]), sys.stdin.buffer)
