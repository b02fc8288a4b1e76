"""kiosk.logs: one JSON line per record, only allowed context fields, and the events table."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kiosk.logs import StoreLogHandler, set_session_id, setup_logging
from kiosk.store import Store, StoreWriter, open_store

log = logging.getLogger("kiosk.test")


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    level = root.level
    out = io.StringIO()
    handler = setup_logging("DEBUG", stream=out)
    yield out
    root.removeHandler(handler)
    root.setLevel(level)
    set_session_id(None)


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_record_is_one_json_line_with_its_context(stream: io.StringIO) -> None:
    log.info(
        "printed %d pages",
        3,
        extra={"session_id": "s-1", "device_id": "printer-1", "pages": 3, "state": "online"},
    )
    [line] = lines(stream)
    assert line["level"] == "INFO"
    assert line["logger"] == "kiosk.test"
    assert line["msg"] == "printed 3 pages"
    assert line["session_id"] == "s-1"
    assert line["device_id"] == "printer-1"
    assert line["pages"] == 3
    assert line["state"] == "online"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", str(line["ts"]))
    assert stream.getvalue().count("\n") == 1


def test_extra_fields_outside_the_allow_list_are_dropped(stream: io.StringIO) -> None:
    # (`name` itself cannot be passed: logging refuses extras that shadow LogRecord attributes.)
    log.warning(
        "form sent",
        extra={"full_name": "Matti Meikäläinen", "hetu": "010101-123N", "service": "forms"},
    )
    text = stream.getvalue()
    assert "Matti" not in text
    assert "010101" not in text
    [line] = lines(stream)
    assert line["service"] == "forms"
    assert set(line) == {"ts", "level", "logger", "msg", "service"}


def test_only_json_scalars_are_kept(stream: io.StringIO) -> None:
    log.info("odd", extra={"reason": ["a", "list"], "error": Path("/x"), "duration_ms": 1.5})
    [line] = lines(stream)
    assert "reason" not in line
    assert "error" not in line
    assert line["duration_ms"] == 1.5


def test_an_exception_gives_its_type_and_traceback(stream: io.StringIO) -> None:
    try:
        raise ConnectionResetError("terminal went away")
    except ConnectionResetError:
        log.exception("payment failed", extra={"sale_reference": "S-42"})
    [line] = lines(stream)
    assert line["level"] == "ERROR"
    assert line["exc_type"] == "ConnectionResetError"
    assert "Traceback" in str(line["traceback"])
    assert "terminal went away" in str(line["traceback"])
    assert line["sale_reference"] == "S-42"


def test_the_current_session_id_tags_every_record(stream: io.StringIO) -> None:
    set_session_id("s-7")
    log.info("service opened", extra={"service": "help"})
    log.info("card inserted", extra={"session_id": "s-explicit"})
    set_session_id(None)
    log.info("idle")
    first, second, third = lines(stream)
    assert first["session_id"] == "s-7"
    assert second["session_id"] == "s-explicit"
    assert "session_id" not in third


def test_setup_again_replaces_the_handler(stream: io.StringIO) -> None:
    other = io.StringIO()
    handler = setup_logging("INFO", stream=other)
    try:
        log.info("once")
        log.debug("below the level")
    finally:
        logging.getLogger().removeHandler(handler)
    assert stream.getvalue() == ""
    assert [line["msg"] for line in lines(other)] == ["once"]


def test_store_handler_puts_warnings_into_events(tmp_path: Path) -> None:
    writer = StoreWriter(open_store(tmp_path / "kiosk.db"))
    handler = StoreLogHandler(writer)
    log.addHandler(handler)
    try:
        set_session_id("s-3")
        log.info("not stored: below warning")
        log.warning(
            "paper out",
            extra={
                "device_id": "printer-1",
                "code": "media-empty",
                "attention": "clear",
                "full_name": "Matti Meikäläinen",
            },
        )
        try:
            raise ZeroDivisionError("division by zero")
        except ZeroDivisionError:
            log.error("print job crashed", exc_info=True, extra={"job_id": "j-1"})
        assert writer.flush(timeout=30)
        events = writer.store.unshipped_events()
    finally:
        log.removeHandler(handler)
        set_session_id(None)
        writer.close()

    assert [(e.kind, e.level) for e in events] == [("log", "warning"), ("log", "error")]
    paper, crash = events
    assert (paper.device_id, paper.session_id, paper.code, paper.attention) == (
        "printer-1",
        "s-3",
        "media-empty",
        "clear",
    )
    assert paper.payload == {"logger": "kiosk.test", "msg": "paper out"}
    assert "Matti" not in json.dumps([e.payload for e in events])
    assert crash.payload["exc_type"] == "ZeroDivisionError"
    assert crash.payload["job_id"] == "j-1"
    assert "Traceback" in str(crash.payload["traceback"])


def test_store_handler_after_close_drops_quietly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    writer = StoreWriter(open_store(tmp_path / "kiosk.db"))
    writer.close()
    handler = StoreLogHandler(writer)
    log.addHandler(handler)
    try:
        log.warning("shutting down")
    finally:
        log.removeHandler(handler)
    # logging reports a handler's failure on stderr and carries on; here there is none.
    assert "Logging error" not in capsys.readouterr().err
    assert handler.dropped == 0  # not a backlog: the record is not counted as dropped
    store = open_store(tmp_path / "kiosk.db")
    try:
        assert store.unshipped_events() == []
    finally:
        store.close()


class BrokenWriter(StoreWriter):
    """A writer whose queue fails in a way other than being closed."""

    def submit(self, write: Callable[[Store], object]) -> None:
        raise OSError("disk gone")


def test_store_handler_reports_other_failures_through_logging(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    writer = BrokenWriter(open_store(tmp_path / "kiosk.db"))
    handler = StoreLogHandler(writer)
    log.addHandler(handler)
    try:
        log.warning("paper out")
    finally:
        log.removeHandler(handler)
        writer.close()
    err = capsys.readouterr().err
    assert "Logging error" in err
    assert "OSError: disk gone" in err


def test_store_handler_ignores_the_writers_own_failures(tmp_path: Path) -> None:
    writer = StoreWriter(open_store(tmp_path / "kiosk.db"))
    handler = StoreLogHandler(writer)
    writer_log = logging.getLogger("kiosk.store.writer")
    writer_log.addHandler(handler)
    try:
        writer_log.error("a store write failed")
        assert writer.flush(timeout=30)
        assert writer.store.unshipped_events() == []
    finally:
        writer_log.removeHandler(handler)
        writer.close()
