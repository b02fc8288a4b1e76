"""Which thread may block: a guard for work that must never run on the Qt thread.

The Qt thread paints and takes touches; a call on it that waits (a durable commit, sealing, a
store read, HTTP, key derivation, file I/O over a few KB) freezes the screen under a citizen's
finger. Functions that can block say so with `@blocking`; they run on the engine (asyncio), the
store's writer thread or a worker pool. The UI marks its thread at start-up
(`mark_ui_thread()`); a `@blocking` call made on that thread then

- raises `BlockingOnUiThread` when `strict` is on (the test suite turns it on), so a regression
  fails a test instead of showing up as a stall figure;
- otherwise logs a warning once per function and goes on: a kiosk in a library is better slow
  than stopped.

No Qt here: the UI thread is whichever thread called `mark_ui_thread()`.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from typing import ParamSpec, TypeVar

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

_ui_thread: int | None = None
#: Raise instead of warning (tests set it; see tests/conftest.py).
strict = False
_warned: set[str] = set()


class BlockingOnUiThread(RuntimeError):
    """A call that can block was made on the UI (Qt) thread."""


def mark_ui_thread(thread: threading.Thread | None = None) -> None:
    """Record the UI thread (the calling thread by default)."""
    global _ui_thread
    _ui_thread = (thread or threading.current_thread()).ident


def clear_ui_thread() -> None:
    global _ui_thread
    _ui_thread = None


def on_ui_thread() -> bool:
    return _ui_thread is not None and threading.get_ident() == _ui_thread


def check_not_ui_thread(what: str) -> None:
    """Raise (strict) or warn (once) if called on the UI thread; `what` names the work."""
    if not on_ui_thread():
        return
    if strict:
        raise BlockingOnUiThread(f"{what} can block and was called on the UI thread")
    if what not in _warned:
        _warned.add(what)
        log.warning("blocking call on the UI thread", extra={"code": what})


def blocking(fn: Callable[P, R]) -> Callable[P, R]:
    """Mark `fn` as work that can block: it must not be called on the UI thread."""
    what = f"{fn.__module__}.{fn.__qualname__}"

    @functools.wraps(fn)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        check_not_ui_thread(what)
        return fn(*args, **kwargs)

    return guarded
