"""A PC/SC smart-card reader through pcscd and pyscard.

Every PC/SC call runs on the device thread. Card presence comes from a polling job there:
SCardGetStatusChange with a short timeout, which then queues itself again behind whatever was
asked meanwhile (an APDU, a self-test, close). Callers wake a waiting poll with SCardCancel, the
one PC/SC call meant to be made from another thread, so an APDU never waits out the timeout.

When pcscd goes away the context is dead for good: the reader reports `offline` and keeps trying
to establish a fresh context, so a restarted pcscd is picked up without restarting the app. A
reader that is not there (yet) reports `no_device` and is looked for again when pcscd's reader
list changes.

`smartcard` is imported only on the device thread, when the reader opens.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from kiosk.devices.cardreader.base import (
    CardInfo,
    CardReader,
    CardReaderError,
    card_type_for_atr,
)
from kiosk.devices.cardreader.pcsc_codes import (
    E_CANCELLED,
    E_NO_READERS_AVAILABLE,
    E_TIMEOUT,
    E_UNKNOWN_READER,
    S_SUCCESS,
    STATE_CHANGED,
    STATE_MUTE,
    STATE_PRESENT,
    STATE_UNAVAILABLE,
    STATE_UNAWARE,
    STATE_UNKNOWN,
    W_RESET_CARD,
    error_text,
    result_code,
)
from kiosk.devices.status import (
    Attention,
    CardInserted,
    CardRemoved,
    DeviceState,
    Media,
    SelfTestResult,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

#: The pseudo reader whose state changes when a reader is added or removed (pcsc-lite).
PNP_READER = "\\\\?PnP?\\Notification"


class NoCardError(CardReaderError):
    """There is no card to talk to (none inserted, no reader, or no pcscd)."""


class PcscCardReader(CardReader):
    backend = "pcsc"

    #: Longest a poll blocks in SCardGetStatusChange, in seconds.
    POLL_SECONDS = 0.5
    #: How often to try again while pcscd is not there, in seconds.
    RETRY_SECONDS = 1.0

    def __init__(self, device_id: str, *, reader: str = "") -> None:
        super().__init__(device_id)
        self._reader_filter = reader
        # Shared with other threads: the context (for SCardCancel), the wake-up flag and what
        # has been reported.
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._context: int | None = None
        self._reported: CardInfo | None = None
        # Device thread only.
        self._scard: Any = None
        self._opened = False
        self._reader_name: str | None = None
        self._reader_state = STATE_UNAWARE
        self._pnp_state = STATE_UNAWARE
        self._counter: int | None = None
        self._card_handle: int | None = None
        self._protocol = 0

    # ---- the CardReader interface -------------------------------------------------------------

    def card(self) -> CardInfo | None:
        with self._lock:
            return self._reported

    def _on_device_thread(self, fn: Callable[[], T]) -> Future[T]:
        future = self.worker.submit(fn)
        self._interrupt()
        return future

    def self_test(self) -> Future[SelfTestResult]:
        future = super().self_test()
        self._interrupt()
        return future

    def stop(self) -> None:
        self._interrupt()
        super().stop()

    # ---- any thread ---------------------------------------------------------------------------

    def _interrupt(self) -> None:
        """Make a waiting poll return now, so the job queued behind it runs."""
        self._wake.set()
        with self._lock:
            if self._context is not None and self._scard is not None:
                try:
                    self._scard.SCardCancel(self._context)
                except Exception:  # the poll times out by itself anyway
                    log.debug("SCardCancel failed", exc_info=True)

    # ---- device thread: lifecycle -------------------------------------------------------------

    def _open(self) -> None:
        try:
            from smartcard import scard
        except ImportError:
            self._set_health(
                DeviceState.NO_DEVICE,
                Attention.MAINTENANCE,
                detail={"media": Media.NOT_PRESENT.value},
                error="backend-unavailable",
            )
            return
        self._scard = scard
        self._opened = True
        self._wake.set()  # the first poll reports what it finds without waiting
        self._poll()

    def _close(self) -> None:
        self._opened = False
        self._drop_context(report=False)
        with self._lock:
            self._reported = None

    def _poll(self) -> None:
        if not self._opened:
            return
        try:
            self._poll_once()
        except Exception as exc:  # never let the poll die: report and start over
            log.exception("card reader poll failed", extra={"device_id": self.device_id})
            self._drop_context(report=True)
            self._set_health(
                DeviceState.HARDWARE_ERROR,
                Attention.MAINTENANCE,
                detail={"media": Media.NOT_PRESENT.value},
                error=type(exc).__name__,
            )
            self._wake.wait(self.RETRY_SECONDS)
            self._wake.clear()
        if self._opened:
            self.worker.submit(self._poll)

    def _timeout_ms(self) -> int:
        if self._wake.is_set():
            self._wake.clear()
            return 0
        return int(self.POLL_SECONDS * 1000)

    def _poll_once(self) -> None:
        scard = self._scard
        if self._context is None:
            hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
            if result_code(hresult) != S_SUCCESS:
                self._set_health(
                    DeviceState.OFFLINE,
                    Attention.MAINTENANCE,
                    detail={"media": Media.NOT_PRESENT.value},
                    error="pcscd-unavailable",
                )
                self._wake.wait(self.RETRY_SECONDS)
                self._wake.clear()
                return
            with self._lock:
                self._context = context
            self._reader_name = None
            self._pnp_state = STATE_UNAWARE
        context = self._context

        if self._reader_name is None:
            hresult, readers = scard.SCardListReaders(context, [])
            hresult = result_code(hresult)
            if hresult == E_NO_READERS_AVAILABLE:
                readers = []
            elif hresult != S_SUCCESS:
                self._lost_service(hresult)
                return
            found = [r for r in readers if self._reader_filter in r]
            if not found:
                self._set_health(
                    DeviceState.NO_DEVICE,
                    Attention.MAINTENANCE,
                    detail={"media": Media.NOT_PRESENT.value},
                    error="reader-not-found",
                )
                # Wait for pcscd's reader list to change.
                hresult, states = scard.SCardGetStatusChange(
                    context, self._timeout_ms(), [(PNP_READER, self._pnp_state)]
                )
                hresult = result_code(hresult)
                if hresult == S_SUCCESS:
                    self._pnp_state = states[0][1] & ~STATE_CHANGED
                elif hresult not in (E_TIMEOUT, E_CANCELLED):
                    self._lost_service(hresult)
                return
            self._reader_name = found[0]
            self._reader_state = STATE_UNAWARE
            self._counter = None

        hresult, states = scard.SCardGetStatusChange(
            context, self._timeout_ms(), [(self._reader_name, self._reader_state)]
        )
        hresult = result_code(hresult)
        if hresult in (E_TIMEOUT, E_CANCELLED):
            return
        if hresult == E_UNKNOWN_READER:
            self._lost_reader()
            return
        if hresult != S_SUCCESS:
            self._lost_service(hresult)
            return
        _, event_state, atr = states[0]
        if event_state & (STATE_UNKNOWN | STATE_UNAVAILABLE):
            self._lost_reader()
            return
        self._reader_state = event_state & ~STATE_CHANGED
        present = bool(event_state & STATE_PRESENT) and not event_state & STATE_MUTE
        self._report(bytes(atr) if present else None, event_state >> 16)

    # ---- device thread: reporting -------------------------------------------------------------

    def _report(self, atr: bytes | None, counter: int) -> None:
        """Bring the reported card in line with the reader's state (atr None: no card)."""
        with self._lock:
            reported = self._reported
        if reported is not None and (
            atr is None
            or atr != reported.atr
            or (self._counter is not None and counter != self._counter)
        ):
            # Gone, or taken out and another (or the same) card put in between two polls.
            self._card_removed()
            reported = None
        if atr is not None and reported is None:
            info = CardInfo(atr, card_type_for_atr(atr))
            with self._lock:
                self._reported = info
            self._publish(CardInserted(self.device_id, atr, info.card_type))
        self._counter = counter
        media = Media.PRESENT if atr is not None else Media.NOT_PRESENT
        self._set_health(DeviceState.ONLINE, Attention.NONE, detail={"media": media.value})

    def _card_removed(self) -> None:
        self._disconnect()
        with self._lock:
            had_card, self._reported = self._reported is not None, None
        if had_card:
            self._publish(CardRemoved(self.device_id))

    def _lost_reader(self) -> None:
        self._card_removed()
        self._reader_name = None
        self._counter = None
        self._set_health(
            DeviceState.NO_DEVICE,
            Attention.MAINTENANCE,
            detail={"media": Media.NOT_PRESENT.value},
            error="reader-not-found",
        )

    def _lost_service(self, hresult: int) -> None:
        """A PC/SC error that means the context is no good: start again with a fresh one."""
        log.info(
            "pc/sc context lost",
            extra={"device_id": self.device_id, "error": f"{hresult & 0xFFFFFFFF:#x}"},
        )
        self._drop_context(report=True)
        # Reported as offline only if no fresh context can be established (next poll).

    def _drop_context(self, *, report: bool) -> None:
        if report:
            self._card_removed()
        else:
            self._disconnect()
        with self._lock:
            context, self._context = self._context, None
        self._reader_name = None
        self._counter = None
        if context is not None and self._scard is not None:
            try:
                self._scard.SCardReleaseContext(context)
            except Exception:  # a context of a dead pcscd may not release cleanly
                log.debug("SCardReleaseContext failed", exc_info=True)

    # ---- device thread: APDUs -----------------------------------------------------------------

    def _disconnect(self) -> None:
        handle, self._card_handle = self._card_handle, None
        if handle is not None and self._scard is not None:
            try:
                self._scard.SCardDisconnect(handle, self._scard.SCARD_LEAVE_CARD)
            except Exception:
                log.debug("SCardDisconnect failed", exc_info=True)

    def _connect(self) -> int:
        scard = self._scard
        if self._card_handle is None:
            hresult, handle, protocol = scard.SCardConnect(
                self._context,
                self._reader_name,
                scard.SCARD_SHARE_SHARED,
                scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1,
            )
            if result_code(hresult) != S_SUCCESS:
                raise CardReaderError(f"cannot connect to the card: {error_text(scard, hresult)}")
            self._card_handle, self._protocol = handle, protocol
        return self._card_handle

    def _exchange(self, apdu: bytes) -> bytes:
        if not self._opened or self._context is None or self._reader_name is None:
            raise NoCardError("no card reader")
        with self._lock:
            reported = self._reported
        if reported is None:
            raise NoCardError("no card in the reader")
        if len(apdu) < 4:
            raise CardReaderError("a command APDU has at least 4 bytes")
        scard = self._scard
        handle = self._connect()
        hresult, response = scard.SCardTransmit(handle, self._protocol, list(apdu))
        if result_code(hresult) == W_RESET_CARD:
            # Someone reset the card: reconnect once and try again.
            hresult, self._protocol = scard.SCardReconnect(
                handle,
                scard.SCARD_SHARE_SHARED,
                scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1,
                scard.SCARD_LEAVE_CARD,
            )
            if hresult == S_SUCCESS:
                hresult, response = scard.SCardTransmit(handle, self._protocol, list(apdu))
        if result_code(hresult) != S_SUCCESS:
            self._disconnect()
            raise CardReaderError(f"card did not answer: {error_text(scard, hresult)}")
        return bytes(response)

    # ---- device thread: self-test -------------------------------------------------------------

    def _run_self_test(self) -> SelfTestResult:
        scard = self._scard
        if scard is None:
            return SelfTestResult(self.device_id, False, ("pyscard: backend-unavailable",))
        steps: list[str] = []
        # A context of its own, so the check sees pcscd as it is now.
        hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hresult != S_SUCCESS:
            return SelfTestResult(self.device_id, False, ("pcscd: unavailable",))
        try:
            steps.append("pcscd: ok")
            hresult, readers = scard.SCardListReaders(context, [])
        finally:
            scard.SCardReleaseContext(context)
        found = hresult == S_SUCCESS and any(self._reader_filter in r for r in readers)
        if not found:
            steps.append("reader: not found")
            return SelfTestResult(self.device_id, False, tuple(steps))
        steps.append("reader: ok")
        with self._lock:
            reported = self._reported
        if reported is None:
            steps.append("card: none")
            return SelfTestResult(self.device_id, True, tuple(steps))
        steps.append(f"card: {reported.card_type}")
        if reported.card_type == "fineid":
            step, ok = self._certificate_step()
            steps.append(step)
            return SelfTestResult(self.device_id, ok, tuple(steps))
        return SelfTestResult(self.device_id, True, tuple(steps))
