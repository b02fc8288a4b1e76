"""The citizen's ID card in the reader: is one there, whose is it, and which session it keys.

A FINEID card inserted during a session is read on the reader's own thread; the holder's name is
kept in that session's Visit only (the session's end wipes it, and it is never logged), and from
then on taking the card out ends the session.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.devices.cardreader.base import CardInfo, CardReader
    from kiosk.devices.cardreader.fineid import CardHolder
    from kiosk.session import SessionManager

log = logging.getLogger(__name__)


class IdCards:
    """The card reader as the session sees it (no reader configured: never a card)."""

    def __init__(self, reader: CardReader | None, sessions: SessionManager) -> None:
        self._reader = reader
        self._sessions = sessions

    def in_reader(self) -> CardInfo | None:
        """The card in the reader now, if any."""
        return self._reader.card() if self._reader is not None else None

    def read_holder(self) -> Future[CardHolder] | None:
        """Start reading the holder of the FINEID card in the reader; None if there is none."""
        reader = self._reader
        card = reader.card() if reader is not None else None
        if reader is None or card is None or card.card_type != "fineid":
            return None
        return reader.read_holder()

    def keep_holder(self, session_id: str, holder: CardHolder) -> bool:
        """Keep the holder read from the card in the session `session_id`, if it still runs."""
        session = self._sessions.current
        if session is None or session.id != session_id:
            return False
        session.visit.card_holder = holder
        session.card_used = True
        log.info("id card read for the session")
        return True
