"""Logging for the hub: JSON lines on stderr (for journald), in the kiosk's format.

Only the context fields in `CONTEXT_FIELDS` are taken from a record's `extra`, so a password,
a token or a cookie passed by mistake is dropped before it is written anywhere. A line logged
while a request is handled carries its client's address (`client`, set by the access
middleware through `CLIENT`) unless the record gives its own.
"""

from __future__ import annotations

import json
import logging
import math
import sys
import time
from contextvars import ContextVar
from typing import TextIO

#: The address of the client whose request is being handled (hub.auth.client_address).
CLIENT: ContextVar[str | None] = ContextVar("client", default=None)

#: The only `extra` keys that reach a log line, in the order they appear.
CONTEXT_FIELDS = (
    "kiosk_id",
    "username",
    "client",
    "role",
    "line",
    "method",
    "path",
    "status",
    "host",
    "port",
    "reason",
    "error",
    "event",
    "duration_ms",
    "submission_id",
    "form",
)


def _utc_iso(created: float) -> str:
    whole = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(created))
    return f"{whole}.{int(created % 1 * 1000):03d}Z"


class JsonLinesFormatter(logging.Formatter):
    """One JSON object per record: ts, level, logger, msg, context fields, exception."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "ts": _utc_iso(record.created),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key in CONTEXT_FIELDS:
            value = record.__dict__.get(key)
            if key == "client" and not value:
                value = CLIENT.get()
            if isinstance(value, float) and not math.isfinite(value):
                line[key] = str(value)
            elif isinstance(value, str | int | float):
                line[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            line["exc_type"] = record.exc_info[0].__name__
            line["traceback"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class JsonLinesHandler(logging.StreamHandler[TextIO]):
    """The stderr handler that setup_logging installs."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self.setFormatter(JsonLinesFormatter())


def setup_logging(level: int | str = "INFO", stream: TextIO | None = None) -> logging.Handler:
    """Send the root logger's records to `stream` (stderr by default) as JSON lines."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, JsonLinesHandler):
            root.removeHandler(handler)
            handler.close()
    installed = JsonLinesHandler(sys.stderr if stream is None else stream)
    root.addHandler(installed)
    root.setLevel(level)
    return installed
