"""Telling systemd how the app is (the sd_notify protocol, without libsystemd).

With `Type=notify` the unit counts as started when the app sends READY=1, which it does once
the first screen is painted. With `WatchdogSec=` the app sends WATCHDOG=1 from a timer on the
Qt thread, so a frozen UI stops the pings and systemd restarts the app. Both are only sent when
systemd asked for them (NOTIFY_SOCKET, WATCHDOG_USEC); anywhere else this does nothing.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

log = logging.getLogger(__name__)


class SystemdNotifier:
    """Sends state lines to systemd's notification socket (an AF_UNIX datagram socket)."""

    def __init__(self, address: str, watchdog_usec: int | None = None) -> None:
        # "@name" is Linux's abstract namespace: the name begins with a NUL byte.
        self.address = "\0" + address[1:] if address.startswith("@") else address
        self.watchdog_usec = watchdog_usec
        self._failed = False

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> SystemdNotifier | None:
        """The notifier systemd asked for, or None when the app does not run under it."""
        env = os.environ if environ is None else environ
        address = env.get("NOTIFY_SOCKET", "")
        if not address or not (address.startswith(("/", "@"))):
            return None
        return cls(address, _watchdog_usec(env))

    @property
    def watchdog_interval_ms(self) -> int | None:
        """How often to send WATCHDOG=1: half of systemd's limit, as sd_watchdog_enabled says."""
        if not self.watchdog_usec:
            return None
        return max(1, self.watchdog_usec // 2000)

    def notify(self, state: str) -> bool:
        """Send one state line such as "READY=1"; False if it could not be sent."""
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                # Never block the Qt thread: a full queue loses one ping, the next one follows.
                sock.setblocking(False)
                sock.sendto(state.encode(), self.address)
        except OSError as exc:
            if not self._failed:
                log.warning("systemd notification failed", extra={"reason": str(exc)[:200]})
            self._failed = True
            return False
        self._failed = False
        return True

    def ready(self) -> bool:
        return self.notify("READY=1")

    def ping(self) -> bool:
        return self.notify("WATCHDOG=1")


def _watchdog_usec(env: Mapping[str, str]) -> int | None:
    pid = env.get("WATCHDOG_PID", "")
    if pid and pid != str(os.getpid()):
        return None  # meant for another process (the one that started us)
    try:
        usec = int(env.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    return usec if usec > 0 else None
