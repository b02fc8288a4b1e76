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


# ---- the citizen's ID card (kiosk.cards, no Qt) ------------------------------------------------


def test_the_id_card_is_read_and_kept_only_in_the_session_that_read_it(
    config: Config, clock: FakeClock
) -> None:
    import threading

    from kiosk.cards import IdCards
    from kiosk.devices.cardreader.simulated import SimulatedCardReader
    from kiosk.devices.status import CardInserted

    kiosk = Kiosk(config, clock=clock)
    reader = SimulatedCardReader("reader-1")
    inserted = threading.Event()
    reader.events.subscribe(
        lambda event: inserted.set() if isinstance(event, CardInserted) else None
    )
    reader.start()
    try:
        cards = IdCards(reader, kiosk.session)
        assert cards.in_reader() is None and cards.read_holder() is None
        reader.insert()
        assert inserted.wait(10)
        card = cards.in_reader()
        assert card is not None and card.card_type == "fineid"
        reading = cards.read_holder()
        assert reading is not None
        holder = reading.result(timeout=10)

        first = kiosk.session.start("fi")
        assert cards.keep_holder(first.id, holder)
        assert first.visit.card_holder == holder and first.card_used
        kiosk.session.end(EndReason.USER)
        second = kiosk.session.start("fi")
        # An answer for a session that has ended is not kept in the next one.
        assert not cards.keep_holder(first.id, holder)
        assert second.visit.card_holder is None and not second.card_used
        kiosk.session.end(EndReason.USER)
    finally:
        reader.stop()


def test_no_card_reader_means_no_card(config: Config) -> None:
    from kiosk.cards import IdCards

    cards = IdCards(None, Kiosk(config).session)
    assert cards.in_reader() is None and cards.read_holder() is None
