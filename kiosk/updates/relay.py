"""kiosk-agent's part in updates: the hub's answer to wanted.json, state.json to the hub.

With each heartbeat the agent sends the updater's state.json as `update` (when the file is
missing or unusable, no `update`, and the log says so once), and from each answer the hub
accepted it writes the wanted version to wanted.json (only when it changed) and the time to
agent.json (the updater's sign that the agent reaches the hub).
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.updates.files import (
    Unreadable,
    is_version,
    read_state,
    utc_now,
    write_accepted,
    write_wanted,
)

log = logging.getLogger(__name__)


class UpdateRelay:
    def __init__(
        self, data_dir: Path, agent_version: str, *, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self.data_dir = data_dir
        self.agent_version = agent_version
        self._clock = clock
        self._state_problem: str | None = None
        self._answer_problem = False
        self._write_problem = False

    def report(self) -> dict[str, Any] | None:
        """The heartbeat's `update`: state.json's contents, or None."""
        try:
            state = read_state(self.data_dir)
        except Unreadable as exc:
            if self._state_problem != str(exc):
                log.warning("the update state is not sent: %s", exc, extra={"state": "unreadable"})
            self._state_problem = str(exc)
            return None
        if state is None:
            if self._state_problem != "missing":
                log.info("no update state yet (kiosk-update has not run)")
            self._state_problem = "missing"
            return None
        if self._state_problem is not None:
            log.info("the update state is sent again", extra={"state": state.state})
        self._state_problem = None
        return state.to_json()

    def answered(self, answer: dict[str, Any]) -> None:
        """The hub accepted a heartbeat and gave this answer. A file that cannot be written
        is logged once and left for the next answer; a full disk is the caller's to handle."""
        try:
            self._answered(answer)
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise
            if not self._write_problem:
                log.warning(
                    "the hub's answer on updates is not recorded: %s",
                    exc.strerror,
                    extra={"state": "unwritable"},
                )
            self._write_problem = True
        else:
            self._write_problem = False

    def _answered(self, answer: dict[str, Any]) -> None:
        now = self._clock()
        write_accepted(self.data_dir, at=now, agent_version=self.agent_version)
        if "update" not in answer:
            return  # a hub that knows nothing of updates
        found = answer["update"]
        version = found.get("version") if isinstance(found, dict) else None
        if found is not None and not is_version(version):
            if not self._answer_problem:
                log.warning("the hub's wanted version is not a Debian version; ignored")
            self._answer_problem = True
            return
        self._answer_problem = False
        if write_wanted(self.data_dir, version, at=now):
            log.info("the hub wants version %s", version or "none", extra={"state": "wanted"})
