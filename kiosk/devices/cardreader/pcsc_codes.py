"""PC/SC return codes and reader states as pcsc-lite defines them, and how a code is shown.

Spelled out so that the card reader backend needs nothing of pyscard before the reader opens.
"""

from __future__ import annotations

from typing import Any

S_SUCCESS = 0x0
E_CANCELLED = 0x80100002
E_TIMEOUT = 0x8010000A
E_UNKNOWN_READER = 0x80100009
E_NO_READERS_AVAILABLE = 0x8010002E
W_RESET_CARD = 0x80100068
STATE_UNAWARE = 0x0
STATE_CHANGED = 0x2
STATE_UNKNOWN = 0x4
STATE_UNAVAILABLE = 0x8
STATE_PRESENT = 0x20
STATE_MUTE = 0x200


def result_code(hresult: int) -> int:
    """A PC/SC return code as the unsigned 32-bit number the constants are written as."""
    return int(hresult) & 0xFFFFFFFF


def error_text(scard: Any, hresult: int) -> str:
    try:
        return f"{scard.SCardGetErrorMessage(hresult)} ({hresult & 0xFFFFFFFF:#x})"
    except Exception:
        return f"{hresult & 0xFFFFFFFF:#x}"
