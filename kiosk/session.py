"""A citizen's session: start, touch, idle warning, end, and the privacy wipe at the end.

Personal data lives only inside a session: its folder (tmpfs in production), its in-memory
`visit` (kiosk.visit: scans, sent forms, pages, card holder), and the resources services register
(a camera stream, a call, a card). Ending a session releases every resource, deletes the folder
and wipes the visit; only anonymous usage (which services, how long, what outcome, which
language) is handed to the usage recorder. No Qt here: the UI drives `touch()`/`poll()` and
listens for start and end.
"""

from __future__ import annotations

import logging
import os
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from kiosk import logs
from kiosk.visit import Visit

log = logging.getLogger(__name__)

LANGUAGES = ("fi", "sv", "en")


# Records of a session are passed on, never compared; skipping the generated __eq__ and
# __repr__ keeps this module cheap to import before the first paint.
_LEAN: dict[str, bool] = {"eq": False, "repr": False}


class Phase(StrEnum):
    NONE = "none"  # no session: the attract screen
    ACTIVE = "active"
    WARNING = "warning"  # idle warning counting down


class EndReason(StrEnum):
    USER = "user"
    TIMEOUT = "timeout"
    CARD_REMOVED = "card_removed"
    SHUTDOWN = "shutdown"
    TECHNICIAN = "technician"


@dataclass(frozen=True, **_LEAN)
class UsageRecord:
    """Anonymous usage: no names, no form contents, nothing a citizen typed."""

    session_id: str
    kind: str  # session_start | session_end | service_opened | eservice_opened | outcome
    service: str | None = None
    language: str | None = None
    value: str | None = None
    duration_ms: int | None = None


UsageSink = Callable[[UsageRecord], None]


@dataclass(**_LEAN)
class Session:
    id: str
    language: str
    folder: Path
    started_at: float
    last_touch: float
    services: list[str] = field(default_factory=list)
    #: What the visit made and used (scans, sent forms, pages, card holder). Wiped at the end.
    visit: Visit = field(default_factory=Visit)
    card_used: bool = False
    _releases: list[tuple[str, Callable[[], None]]] = field(default_factory=list)


@dataclass(frozen=True, **_LEAN)
class EndSummary:
    session_id: str
    reason: EndReason
    duration_ms: int
    #: Names of resources whose release raised; they are logged, the wipe goes on.
    failed_releases: tuple[str, ...]


class SessionManager:
    def __init__(
        self,
        root: Path,
        *,
        idle_seconds: float,
        warning_seconds: float,
        usage: UsageSink | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.root = root
        self.idle_seconds = idle_seconds
        self.warning_seconds = warning_seconds
        #: Both times are this many times longer while the citizen has the kiosk read aloud.
        self.time_factor = 1.0
        self._usage = usage or (lambda record: None)
        self._clock = clock
        self.current: Session | None = None
        self._on_start: list[Callable[[Session], None]] = []
        self._on_end: list[Callable[[EndSummary], None]] = []

    # ---- listeners ------------------------------------------------------------------------------

    def on_start(self, fn: Callable[[Session], None]) -> None:
        self._on_start.append(fn)

    def on_end(self, fn: Callable[[EndSummary], None]) -> None:
        self._on_end.append(fn)

    # ---- folder -------------------------------------------------------------------------------

    def prepare_root(self) -> None:
        """Create the sessions root (0700) and wipe folders a crash left behind."""
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.root, stat.S_IRWXU)
        for stale in self.root.iterdir():
            log.warning("wiping folder of an unfinished session", extra={"session_id": stale.name})
            _remove(stale)

    # ---- lifecycle ----------------------------------------------------------------------------

    def start(self, language: str) -> Session:
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
        if self.current is not None:
            raise RuntimeError("a session is already running")
        now = self._clock()
        session_id = os.urandom(8).hex()
        folder = self.root / session_id
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        folder.mkdir(mode=0o700)
        session = Session(session_id, language, folder, started_at=now, last_touch=now)
        self.current = session
        logs.set_session_id(session_id)
        log.info("session started", extra={"language": language})
        self._usage(UsageRecord(session_id, "session_start", language=language))
        for fn in self._on_start:
            fn(session)
        return session

    def touch(self) -> None:
        """The citizen did something. Does not dismiss an idle warning: that takes `resume()`."""
        if self.current is not None and self.phase() is Phase.ACTIVE:
            self.current.last_touch = self._clock()

    def resume(self) -> None:
        """The citizen pressed "Continue" on the idle warning."""
        if self.current is not None:
            self.current.last_touch = self._clock()

    def phase(self) -> Phase:
        if self.current is None:
            return Phase.NONE
        idle = self._clock() - self.current.last_touch
        return Phase.ACTIVE if idle < self.idle_seconds * self.time_factor else Phase.WARNING

    def seconds_left(self) -> float:
        """Seconds until the session ends by itself (counting down during the warning)."""
        if self.current is None:
            return 0.0
        deadline = self.current.last_touch + (self.idle_seconds + self.warning_seconds) * (
            self.time_factor
        )
        return max(0.0, deadline - self._clock())

    def poll(self) -> Phase:
        """Called by the UI's timer: ends a session whose warning ran out."""
        if self.current is not None and self.seconds_left() <= 0:
            self.end(EndReason.TIMEOUT)
        return self.phase()

    def set_language(self, language: str) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
        if self.current is not None and language != self.current.language:
            self.current.language = language
            self._usage(
                UsageRecord(self.current.id, "outcome", value="language_changed", language=language)
            )

    def service_opened(self, service_id: str) -> None:
        if self.current is not None:
            self.current.services.append(service_id)
        self._opened("service_opened", service_id)

    def eservice_opened(self, service_id: str) -> None:
        """An e-service of the catalogue was opened (its id, as `eservices.catalogue` names it):
        usage counts opens per e-service."""
        self._opened("eservice_opened", service_id)

    def _opened(self, kind: str, service_id: str) -> None:
        if self.current is not None:
            language = self.current.language
            self._usage(UsageRecord(self.current.id, kind, service=service_id, language=language))

    def outcome(self, service_id: str, outcome: str) -> None:
        """An anonymous outcome of a service ("printed", "paid", "sent"...)."""
        if self.current is not None:
            self._usage(UsageRecord(self.current.id, "outcome", service=service_id, value=outcome))

    def add_resource(self, name: str, release: Callable[[], None]) -> None:
        """Register something to release when the session ends (camera, call, card data)."""
        if self.current is None:
            raise RuntimeError("no session")
        self.current._releases.append((name, release))

    def card_removed(self) -> None:
        if self.current is not None and self.current.card_used:
            self.end(EndReason.CARD_REMOVED)

    def end(self, reason: EndReason) -> EndSummary | None:
        session = self.current
        if session is None:
            return None
        self.current = None
        failed: list[str] = []
        for name, release in reversed(session._releases):
            try:
                release()
            except Exception:
                failed.append(name)
                log.exception("session resource release failed", extra={"reason": name})
        session._releases.clear()
        session.visit.wipe()
        _remove(session.folder)
        duration_ms = int((self._clock() - session.started_at) * 1000)
        summary = EndSummary(session.id, reason, duration_ms, tuple(failed))
        self._usage(
            UsageRecord(
                session.id,
                "session_end",
                language=session.language,
                value=reason.value,
                duration_ms=duration_ms,
            )
        )
        log.info("session ended", extra={"reason": reason.value, "duration_ms": duration_ms})
        logs.set_session_id(None)
        for fn in self._on_end:
            try:
                fn(summary)
            except Exception:
                log.exception("session end listener failed")
        return summary


def _remove(path: Path) -> None:
    import shutil  # only needed when a session ends, not at start-up

    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
    if path.exists():
        log.error("session data could not be deleted", extra={"reason": "wipe_failed"})
