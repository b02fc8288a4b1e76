"""One run of kiosk-update (docs/updates.md, "On the kiosk"): nothing outside the window; in
it, when the hub wants a version that is not installed and no citizen is at the kiosk, install
it, restart the kiosk's services, wait for the new version to come up healthy, and put the
previous one back when it does not. Every state goes to state.json as it is reached.

The updater keeps its own record (the last state, a version it rolled back from) in a folder
only root can write, since the data folder's updates/ belongs to the agent's user.
"""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from pathlib import Path

from kiosk.updates.apt import AptFailed, Packages
from kiosk.updates.beat import last_beat
from kiosk.updates.files import (
    Unreadable,
    UpdateState,
    is_version,
    iso,
    parse_state,
    read_json,
    read_state,
    read_wanted,
    utc_now,
    write_json,
    write_state,
)
from kiosk.updates.health import HealthCheck
from kiosk.updates.window import Window

log = logging.getLogger("kiosk.updates")

#: The app's heartbeat is stale after three missed beats (kiosk.agent.health.STALE): an app
#: that has not written one for this long is not running a session.
STALE = timedelta(seconds=30)
RESTART_TIMEOUT = 120.0
RECORD_FILE = "record.json"


def local_time() -> time:
    return datetime.now().astimezone().time()


def session_on(db_path: Path, now: datetime) -> bool:
    """Whether a citizen's session is on: the app's heartbeat is fresh and says so."""
    beat = last_beat(db_path)
    return beat is not None and now - beat.at <= STALE and beat.session_active


@dataclass(frozen=True)
class Setup:
    data_dir: Path
    db_path: Path
    #: The updater's own folder (root's): its record and its lock.
    own_dir: Path
    window: Window
    healthy_within: float
    settle: float
    restart_command: Sequence[str]


class Record:
    """What the updater remembers between runs, in a file only root writes."""

    def __init__(self, own_dir: Path) -> None:
        self.path = own_dir / RECORD_FILE
        self.last: UpdateState | None = None
        self.rolled_back_from: str | None = None
        try:
            content = read_json(self.path) or {}
            if isinstance(content.get("last"), dict):
                self.last = parse_state(content["last"])
            if is_version(content.get("rolled_back_from")):
                self.rolled_back_from = content["rolled_back_from"]
        except Unreadable as exc:
            log.warning("the updater's record is not readable; starting afresh: %s", exc)

    def save(self) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        content = {
            "last": None if self.last is None else self.last.to_json(),
            "rolled_back_from": self.rolled_back_from,
        }
        write_json(self.path, content, mode=0o600)


class Updater:
    def __init__(
        self,
        setup: Setup,
        packages: Packages,
        *,
        clock: Callable[[], datetime] = utc_now,
        local: Callable[[], time] = local_time,
        health: HealthCheck | None = None,
    ) -> None:
        self.setup = setup
        self.packages = packages
        self._clock = clock
        self._local = local
        self.health = health or HealthCheck(
            setup.db_path, setup.data_dir, within=setup.healthy_within, settle=setup.settle
        )
        self.record = Record(setup.own_dir)

    def ignore_window(self) -> None:
        """Act now, whatever the time (a technician at the box); a session is still waited for."""
        start = self.setup.window.start
        self._local = lambda: start

    # ---- states -------------------------------------------------------------------------------

    def _write(self, state: UpdateState) -> UpdateState:
        """Record a state and put it in state.json; the same news as before keeps its time."""
        last = self.record.last
        if last is not None and state.same_as(last):
            kept = last
        else:
            kept = replace(state, at=iso(self._clock()))
            log.info(
                "update state %s: installed %s, wanted %s",
                kept.state,
                kept.installed or "none",
                kept.wanted or "none",
                extra={"state": kept.state, "reason": kept.detail or None},
            )
        try:
            on_disk = read_state(self.setup.data_dir)
        except Unreadable:
            on_disk = None
        if on_disk != kept:
            try:
                write_state(self.setup.data_dir, kept)
            except OSError as exc:
                log.warning("state.json cannot be written: %s", exc, extra={"state": kept.state})
        if kept is not last:
            self.record.last = kept
            self.record.save()
        return kept

    # ---- one run ------------------------------------------------------------------------------

    def run(self) -> UpdateState | None:
        """One look at what is wanted, and what follows from it; the state it ended in (None
        when nothing could be decided, as when wanted.json cannot be used)."""
        try:
            wanted = read_wanted(self.setup.data_dir)
        except Unreadable as exc:
            log.warning("the wanted version cannot be used: %s; nothing is done", exc)
            return None
        record = self.record
        if record.rolled_back_from is not None and record.rolled_back_from != wanted:
            record.rolled_back_from = None  # the hub wants another version now
            record.save()
        installed = self.packages.installed()
        last = record.last
        interrupted = (
            last is not None
            and last.state in ("installing", "checking")
            and wanted is not None
            and last.wanted == wanted
            and installed == wanted
            and last.previous is not None
        )
        if installed is None:
            detail = (
                "the kiosk package is not installed: this box was not set up from the repository"
            )
            return self._write(
                UpdateState(
                    "failed" if wanted else "up-to-date",
                    None,
                    None,
                    wanted,
                    detail if wanted else "",
                )
            )
        if not interrupted and (wanted is None or wanted == installed):
            if last is not None and last.state == "updated" and last.installed == installed:
                return self._write(replace(last, wanted=wanted))
            return self._write(UpdateState("up-to-date", installed, None, wanted))
        if wanted == record.rolled_back_from:
            if last is not None and last.wanted == wanted:
                return self._write(last)  # rolled-back (or failed, if it could not be)
            detail = f"{wanted} was rolled back before: not tried again until another is wanted"
            return self._write(UpdateState("rolled-back", installed, installed, wanted, detail))
        window = f"the maintenance window {self.setup.window} (local time)"
        base = UpdateState("pending", installed, None, wanted, f"waiting for {window}")
        if not self.setup.window.contains(self._local()):
            return self._write(base)
        if session_on(self.setup.db_path, self._clock()):
            detail = f"a session is on: tried again at the next look, within {window}"
            return self._write(replace(base, state="waiting-for-session", detail=detail))
        assert wanted is not None
        if interrupted:
            assert last is not None and last.previous is not None
            log.info("an update was interrupted: its new version is checked again")
            return self._restart_and_check(wanted, last.previous)
        return self._update(installed, wanted)

    def _update(self, installed: str, wanted: str) -> UpdateState:
        self._write(UpdateState("installing", installed, installed, wanted))
        try:
            self.packages.refresh()
            self.packages.install(wanted)
        except AptFailed as exc:
            now = self.packages.installed()
            if now == installed:
                return self._write(UpdateState("failed", installed, None, wanted, str(exc)))
            return self._roll_back(wanted, installed, f"{wanted} could not be installed ({exc})")
        return self._restart_and_check(wanted, installed)

    def _restart_and_check(self, version: str, previous: str) -> UpdateState:
        restarted_at = self._clock()
        self._write(UpdateState("checking", version, previous, version))
        self._restart()
        verdict = self.health.wait(version, restarted_at)
        if verdict.healthy:
            return self._write(UpdateState("updated", version, previous, version))
        return self._roll_back(version, previous, verdict.reason)

    def _roll_back(self, version: str, previous: str, reason: str) -> UpdateState:
        log.warning(
            "%s is not healthy; putting %s back", version, previous, extra={"reason": reason}
        )
        self.record.rolled_back_from = version
        self.record.save()
        try:
            try:
                self.packages.install(previous)
            except AptFailed:
                if not self.packages.install_cached(previous):
                    raise
        except AptFailed as exc:
            now = self.packages.installed()
            detail = f"{reason}; {previous} could not be put back ({exc})"
            return self._write(UpdateState("failed", now, previous, version, detail))
        self._restart()
        detail = f"{reason}; {previous} put back"
        return self._write(UpdateState("rolled-back", previous, previous, version, detail))

    def _restart(self) -> None:
        command = list(self.setup.restart_command)
        try:
            done = subprocess.run(
                command,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                errors="replace",
                timeout=RESTART_TIMEOUT,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            log.error(
                "the restart command failed: %s", type(exc).__name__, extra={"reason": command[0]}
            )
            return
        if done.returncode != 0:
            said = (done.stderr or done.stdout).strip().splitlines()[-1:] or [""]
            log.error(
                "the restart command exited %d: %s",
                done.returncode,
                said[0],
                extra={"reason": command[0]},
            )
