"""The Qt binding itself must survive a kiosk that runs for days."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    event = Signal(object)


def test_signal_emit_keeps_reference_counts() -> None:
    """PySide6 6.12.0 lost a reference to True on every emit() and aborted the process after a
    few hundred device events; the bridge emits one per device event."""
    emitter = _Emitter()
    received: list[object] = []
    emitter.event.connect(received.append)
    before = (sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None))
    for i in range(1000):
        emitter.event.emit(i)
    after = (sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None))
    assert len(received) == 1000
    assert after == before
