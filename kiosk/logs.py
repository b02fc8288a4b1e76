"""Logging for the kiosk: JSON lines on stderr (for journald) and warnings into the store's events.

Logs carry session and device ids, never personal data. So only the context fields in
`CONTEXT_FIELDS` are taken from a record's `extra`; anything else, such as a form field someone
passed by mistake, is dropped before it is written anywhere.
"""

from __future__ import annotations

import logging
import math
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from kiosk.store import Store
    from kiosk.store.writer import StoreWriter

JsonScalar = str | int | float | bool

#: The only `extra` keys that reach a log line or the events table, in the order they appear.
CONTEXT_FIELDS = (
    "session_id",
    "device_id",
    "kiosk_id",
    "service",
    "state",
    "attention",
    "code",
    "error",
    "event",
    "job_id",
    "sale_reference",
    "pages",
    "duration_ms",
    "reason",
    "language",
    "outcome",
    "submission_id",
    "record_id",
    "form",
    "page",
    "attachments",
    "known",
    "exhausted",
)
#: Failures of the store writer; storing those through the store could fail again, forever.
_STORE_WRITER_LOGGER = "kiosk.store.writer"

_session_id: str | None = None


def set_session_id(session_id: str | None) -> None:
    """Tag every later record with this session id (None when no session is running).

    Process-wide on purpose: a kiosk has one session at a time, and records about it come from
    the Qt thread, the engine thread and device threads alike.
    """
    global _session_id
    _session_id = session_id


def current_session_id() -> str | None:
    return _session_id


def context_fields(record: logging.LogRecord) -> dict[str, JsonScalar]:
    """The record's allowed context fields that are JSON scalars, plus the current session id."""
    found: dict[str, JsonScalar] = {}
    attributes = record.__dict__
    for key in CONTEXT_FIELDS:
        value = attributes.get(key)
        if isinstance(value, float) and not math.isfinite(value):
            found[key] = str(value)  # JSON has no NaN or infinity
        elif isinstance(value, str | int | float):  # bool is an int
            found[key] = value
    if "session_id" not in found and _session_id is not None:
        found = {"session_id": _session_id, **found}
    return found


def _utc_iso(created: float) -> str:
    whole = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(created))
    return f"{whole}.{int(created % 1 * 1000):03d}Z"


def _exception_fields(formatter: logging.Formatter, record: logging.LogRecord) -> dict[str, str]:
    fields: dict[str, str] = {}
    if record.exc_info and record.exc_info[0] is not None:
        fields["exc_type"] = record.exc_info[0].__name__
        fields["traceback"] = formatter.formatException(record.exc_info)
    if record.stack_info:
        fields["stack"] = formatter.formatStack(record.stack_info)
    return fields


class JsonLinesFormatter(logging.Formatter):
    """One JSON object per record: ts, level, logger, msg, context fields, exception."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "ts": _utc_iso(record.created),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        line.update(context_fields(record))
        line.update(_exception_fields(self, record))
        import json  # first used after the first screen is painted

        return json.dumps(line, ensure_ascii=False)


class JsonLinesHandler(logging.StreamHandler[TextIO]):
    """The stderr handler that setup_logging installs (a class of its own so it can be found)."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self.setFormatter(JsonLinesFormatter())


def setup_logging(level: int | str = "INFO", stream: TextIO | None = None) -> logging.Handler:
    """Send the root logger's records to `stream` (stderr by default) as JSON lines.

    Calling it again replaces the handler it installed before; other handlers are left alone.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, JsonLinesHandler):
            root.removeHandler(handler)
            handler.close()
    installed = JsonLinesHandler(sys.stderr if stream is None else stream)
    root.addHandler(installed)
    root.setLevel(level)
    return installed


def _event_level(levelno: int) -> str:
    for threshold, name in (
        (logging.CRITICAL, "critical"),
        (logging.ERROR, "error"),
        (logging.WARNING, "warning"),
        (logging.INFO, "info"),
    ):
        if levelno >= threshold:
            return name
    return "debug"


class StoreLogHandler(logging.Handler):
    """Puts records into the events table (kind 'log') through the StoreWriter; never blocks.

    When the writer falls `max_pending` writes behind (a disk that hangs, a log storm), further
    records are counted in `dropped` instead of queued, so logging cannot eat the memory.
    """

    def __init__(
        self, writer: StoreWriter, level: int = logging.WARNING, *, max_pending: int = 10_000
    ) -> None:
        super().__init__(level)
        self._writer = writer
        self._max_pending = max_pending
        self._formatter = logging.Formatter()
        self.dropped = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == _STORE_WRITER_LOGGER:
            return
        if self._writer.pending >= self._max_pending:
            self.dropped += 1
            return
        # Already imported by whoever made the writer; not at the top, to keep this module light.
        from kiosk.store.writer import StoreWriterClosed

        try:
            self._writer.submit(self._event_write(record))
        except StoreWriterClosed:
            pass  # the app is shutting down; the stderr line still has the record
        except Exception:
            self.handleError(record)

    def _event_write(self, record: logging.LogRecord) -> Callable[[Store], object]:
        # Everything is read from the record now, on the caller's thread: the record and the
        # exception it refers to may change or go away before the writer gets to it.
        context = context_fields(record)
        session_id, device_id = context.pop("session_id", None), context.pop("device_id", None)
        code, attention = context.pop("code", None), context.pop("attention", None)
        payload = {"logger": record.name, "msg": record.getMessage(), **context}
        payload.update(_exception_fields(self._formatter, record))
        level = _event_level(record.levelno)
        at = datetime.fromtimestamp(record.created, UTC)
        return lambda store: store.add_event(
            level,
            "log",
            device_id=_text(device_id),
            session_id=_text(session_id),
            code=_text(code),
            attention=_text(attention),
            payload=payload,
            at=at,
        )


def _text(value: JsonScalar | None) -> str | None:
    return None if value is None else str(value)
