"""The composition root: back end started after the first paint, stopped without leftovers."""

from __future__ import annotations

import logging
import sqlite3

from kiosk.app import Kiosk
from kiosk.config import Config
from kiosk.logs import StoreLogHandler
from kiosk.session import EndReason
from tests.conftest import FakeClock


def test_usage_before_the_store_opens_is_kept_and_written(config: Config, clock: FakeClock) -> None:
    kiosk = Kiosk(config, clock=clock)
    session = kiosk.session.start("sv")  # a touch that came before the back end was up
    kiosk.start_backend()
    try:
        kiosk.session.end(EndReason.USER)
    finally:
        kiosk.shutdown()
    with sqlite3.connect(config.db_path) as db:
        rows = db.execute(
            "SELECT kind, language FROM usage WHERE session_id = ? ORDER BY id", (session.id,)
        ).fetchall()
    assert rows[0] == ("session_start", "sv")
    assert rows[-1][0] == "session_end"


def test_shutdown_leaves_no_log_handler_behind(config: Config) -> None:
    root = logging.getLogger()
    before = [h for h in root.handlers if isinstance(h, StoreLogHandler)]
    kiosk = Kiosk(config)
    kiosk.start_backend()
    assert len([h for h in root.handlers if isinstance(h, StoreLogHandler)]) == len(before) + 1
    kiosk.shutdown()
    assert [h for h in root.handlers if isinstance(h, StoreLogHandler)] == before
