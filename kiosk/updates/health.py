"""Whether a freshly installed version came up healthy after the restart (docs/updates.md):

1. the app's heartbeat in the store names the new version and was written after the restart
   (the app writes its first one once its first screen is shown and its store is open);
2. it is still the same app process `settle` later (the heartbeat's `started_at` unchanged: a
   watchdog restart or a crash loop changes it) and still beating;
3. kiosk-agent has had a heartbeat accepted by the hub since the restart.

All within `within`; otherwise the reason, in words a technician understands.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from kiosk.updates.beat import Beat, last_beat
from kiosk.updates.files import parse_iso, read_accepted, utc_now

POLL_SECONDS = 1.0


def same_version(reported: str, debian: str) -> bool:
    """Whether the app's own version (its Python package's) is the Debian package's: the same,
    or the Debian version without its revision ("0.3.0-1")."""
    upstream = debian.split(":", 1)[-1]
    return reported in (debian, upstream, upstream.rsplit("-", 1)[0])


@dataclass(frozen=True)
class Verdict:
    healthy: bool
    reason: str = ""


class HealthCheck:
    def __init__(
        self,
        db_path: Path,
        data_dir: Path,
        *,
        within: float,
        settle: float,
        clock: Callable[[], datetime] = utc_now,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.db_path = db_path
        self.data_dir = data_dir
        self.within = within
        self.settle = settle
        self._clock = clock
        self._sleep = sleep

    def wait(self, version: str, restarted_at: datetime) -> Verdict:
        """Watch until the new version is healthy or `within` seconds after the restart."""
        deadline = restarted_at + timedelta(seconds=self.within)
        first: Beat | None = None
        latest: Beat | None = None
        settled_at = deadline
        seen: str | None = None
        while True:
            now = self._clock()
            beat = last_beat(self.db_path)
            # An app started since the restart: the old one may still write a beat as it stops.
            if beat is not None and _started_since(beat, restarted_at):
                seen = beat.version
                if same_version(beat.version, version):
                    latest = beat
            if latest is not None and first is None:
                first = latest
                settled_at = now + timedelta(seconds=self.settle)
            if first is not None and latest is not None:
                if latest.started_at != first.started_at:
                    return Verdict(
                        False,
                        f"{version} started but was started again within {self.settle:g} s "
                        "(it crashed or stopped answering)",
                    )
                beating = self.settle == 0 or latest.at > first.at
                if now >= settled_at and beating and self._agent_reached_hub(restarted_at):
                    return Verdict(True)
            if now >= deadline:
                return Verdict(False, self._why(version, first, latest, seen, restarted_at))
            self._sleep(POLL_SECONDS)

    def _agent_reached_hub(self, since: datetime) -> bool:
        accepted = read_accepted(self.data_dir)
        return accepted is not None and accepted >= since

    def _why(
        self,
        version: str,
        first: Beat | None,
        latest: Beat | None,
        seen: str | None,
        restarted_at: datetime,
    ) -> str:
        within = f"{self.within:g} s"
        if first is None or latest is None:
            also = f" (the app reported {seen})" if seen is not None else ""
            return f"{version} did not report ready within {within}{also}"
        if self.settle and latest.at <= first.at:
            return f"{version} reported ready once, then stopped reporting"
        if not self._agent_reached_hub(restarted_at):
            return (
                f"{version} started, but kiosk-agent had no heartbeat accepted by the hub "
                f"within {within}"
            )
        return f"{version} did not stay up {self.settle:g} s within {within}"


def _started_since(beat: Beat, moment: datetime) -> bool:
    """Whether the app that wrote `beat` started at `moment` or later."""
    try:
        return parse_iso(beat.started_at) >= moment
    except ValueError:
        return False
