"""Whether headphones are plugged in: the sound card's headphone switch, or the demo's.

A PC's sound card reports its headphone socket as a switch on a Linux input device (an
"... Headphone" device under /dev/input, switch SW_HEADPHONE_INSERT); reading the switch's state
is one ioctl, so it is polled. The kiosk user needs read access to that device (the `input`
group). Where the hardware reports nothing, the kiosk treats speech as going to the loudspeaker.
"""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)

#: linux/input-event-codes.h
SW_HEADPHONE_INSERT = 0x02
SW_MAX = 0x10
#: linux/input.h: EVIOCGSW(len) = _IOC(_IOC_READ, 'E', 0x1b, len)
_IOC_READ = 2


def eviocgsw(length: int) -> int:
    return (_IOC_READ << 30) | (length << 16) | (ord("E") << 8) | 0x1B


class Headset(Protocol):
    def plugged(self) -> bool:
        """Whether headphones are in the socket now (False when it cannot be told)."""
        ...


class NoHeadset:
    """The hardware does not say: speech is taken to come from the loudspeaker."""

    def plugged(self) -> bool:
        return False


class SimulatedHeadset:
    """The demo's and the tests' socket: plugged in by setting `is_plugged`."""

    def __init__(self) -> None:
        self.is_plugged = False

    def plugged(self) -> bool:
        return self.is_plugged


class JackSwitch:
    """The headphone switch of an input device (`device`, or the first named like one)."""

    def __init__(self, device: str = "", input_root: Path = Path("/sys/class/input")) -> None:
        self.device = device or find_jack(input_root) or ""
        self._warned = False
        if not self.device:
            log.info("no headphone socket reported by the hardware")

    def plugged(self) -> bool:
        if not self.device:
            return False
        try:
            fd = os.open(self.device, os.O_RDONLY | os.O_NONBLOCK)
        except OSError as exc:
            if not self._warned:
                self._warned = True
                log.warning("cannot read the headphone socket", extra={"code": type(exc).__name__})
            return False
        try:
            state = bytearray(SW_MAX // 8 + 1)
            fcntl.ioctl(fd, eviocgsw(len(state)), state)
        except OSError:
            return False
        finally:
            os.close(fd)
        return bool(state[SW_HEADPHONE_INSERT // 8] & (1 << (SW_HEADPHONE_INSERT % 8)))


def find_jack(input_root: Path) -> str | None:
    """/dev/input/eventN of the first input device whose name says it is a headphone socket."""
    try:
        entries = sorted(input_root.glob("event*"))
    except OSError:
        return None
    for entry in entries:
        try:
            name = (entry / "device" / "name").read_text().strip()
        except OSError:
            continue
        if "Headphone" in name or "Headset" in name:
            return f"/dev/input/{entry.name}"
    return None


def make_headset(kind: str, device: str = "") -> Headset:
    if kind == "jack":
        return JackSwitch(device)
    if kind == "simulated":
        return SimulatedHeadset()
    return NoHeadset()
