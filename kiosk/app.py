"""Composition root of the kiosk: config → session → store → devices → engine (no Qt here).

Start-up is split in two so the attract screen is painted as early as possible: `Kiosk(config)`
builds only what the first screen needs; `start_backend()`, called once the attract screen has
been painted, opens the store, starts the devices and the engine. Usage records made before the
store is open are kept and written once it is.

Modules needed only once the back end starts are imported inside the functions that start or
use them: imported at the top, they would all load before the first paint (the store's
sqlite-utils, the payments, the devices' status model, the video call).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from kiosk.config import Config
from kiosk.devices.catalog import DeviceClass
from kiosk.services import SERVICES, ServiceSpec
from kiosk.session import EndReason, EndSummary, SessionManager, UsageRecord

if TYPE_CHECKING:
    from kiosk.cards import IdCards
    from kiosk.devices.base import Device
    from kiosk.devices.registry import DeviceSet
    from kiosk.devices.status import DeviceEvent
    from kiosk.engine import Engine
    from kiosk.forms.catalogue import FormsCatalogue
    from kiosk.outbox import Outbox
    from kiosk.payments.journal import JournalEntry
    from kiosk.payments.ledger import Ledger
    from kiosk.payments.service import Payments
    from kiosk.printing.service import Printing
    from kiosk.store import Store, StoreWriter
    from kiosk.submissions.service import Submissions
    from kiosk.video.advice import AdviceClient

log = logging.getLogger(__name__)


class Kiosk:
    def __init__(
        self,
        config: Config,
        *,
        clock: Callable[[], float] | None = None,
        advice: AdviceClient | None = None,
    ) -> None:
        self.config = config
        #: The hub's video advice; built at start-up when [kiosk] hub_token is set (a test may
        #: hand in its own), None without a hub.
        self.advice: AdviceClient | None = advice
        #: Sealed submissions for the hub; None without [kiosk] hub_public_key.
        self.outbox: Outbox | None = None
        #: Forms and e-mails sealed into the outbox off the Qt thread; built at start-up.
        self.submissions: Submissions | None = None
        #: The forms on offer, kept loaded off the Qt thread; None until the back end starts.
        self.forms: FormsCatalogue | None = None
        self._pending_usage: list[UsageRecord] = []
        self._lock = threading.Lock()
        self.writer: StoreWriter | None = None
        self._log_handler: logging.Handler | None = None
        self.devices: DeviceSet | None = None
        self.engine: Engine | None = None
        #: Card payments through the journal; None when there is no payment terminal.
        self.ledger: Ledger | None = None
        #: Paying on the card terminal; None when there is no payment terminal.
        self.payments: Payments | None = None
        #: Printing and print orders (built with the devices).
        self.printing: Printing | None = None
        #: The citizen's ID card in the reader; built with the devices.
        self.cards: IdCards | None = None
        #: The kiosk's monotonic clock: sessions, the technician's hold and lock-out use it.
        self.clock: Callable[[], float] = clock or time.monotonic
        self.session = SessionManager(
            config.session_folder,
            idle_seconds=config.session.idle_seconds,
            warning_seconds=config.session.warning_seconds,
            usage=self._record_usage,
            clock=self.clock,
        )
        self.session.prepare_root()

    def enabled_services(self) -> list[ServiceSpec]:
        # "Pay a fee" with no fee configured would be an empty page, video advice with no hub
        # a dead end: no tile then.
        return [
            SERVICES[sid]
            for sid in self.config.services.enabled
            if sid in SERVICES
            and (sid != "fee" or self.config.fees)
            and (sid != "advice" or self.config.kiosk.hub_token)
            and (sid not in ("forms", "email") or self.config.kiosk.hub_public_key)
        ]

    # ---- back end -----------------------------------------------------------------------------

    def start_backend(self, on_device_event: Callable[[DeviceEvent], None] | None = None) -> None:
        """Open the store, start the devices and the engine. Runs after the first paint."""
        from kiosk.cards import IdCards
        from kiosk.devices.cardreader.base import CardReader
        from kiosk.devices.registry import DeviceSet
        from kiosk.engine import Engine
        from kiosk.logs import StoreLogHandler
        from kiosk.store import StoreWriter, open_store

        store: Store = open_store(self.config.db_path)
        self.writer = StoreWriter(store)
        # INFO and up: support reads the kiosk's log on the hub (ids and codes only).
        self._log_handler = StoreLogHandler(self.writer, logging.INFO)
        logging.getLogger().addHandler(self._log_handler)
        with self._lock:
            pending, self._pending_usage = self._pending_usage, []
        for record in pending:
            self._write_usage(record)

        self.devices = DeviceSet.from_config(
            {
                c: {
                    "backend": getattr(self.config.devices, c.value).backend,
                    **self.config.device_options(c.value),
                }
                for c in DeviceClass
            }
        )
        self.devices.subscribe(self._store_device_event)
        if on_device_event is not None:
            self.devices.subscribe(on_device_event)
        self.devices.start_all()
        reader = self.device(DeviceClass.CARD_READER)
        self.cards = IdCards(reader if isinstance(reader, CardReader) else None, self.session)
        self.engine = Engine()
        self.engine.start()
        self._start_payments(store)
        self._start_printing()
        self._start_advice()
        if self.config.kiosk.hub_public_key:
            from kiosk.outbox import Outbox, parse_public_key

            self.outbox = Outbox(store, parse_public_key(self.config.kiosk.hub_public_key))
        self._start_submissions()
        self._start_forms()
        log.info("kiosk started", extra={"kiosk_id": self.config.kiosk.id})

    def _start_submissions(self) -> None:
        from kiosk.hubclient import HubClient
        from kiosk.submissions.service import Submissions

        assert self.writer is not None
        self.submissions = Submissions(
            sessions=self.session,
            writer=self.writer,
            outbox=self.outbox,
            kiosk_id=self.config.kiosk.id,
            engine=self.engine,
            hub=HubClient.from_settings(self.config.kiosk),
        )

    def _start_forms(self) -> None:
        from kiosk.forms.catalogue import FormsCatalogue

        assert self.engine is not None
        forms = self.forms = FormsCatalogue(self.config.data_dir, self.engine.run_blocking)
        forms.refresh()

        def between_citizens(_summary: EndSummary) -> None:
            # Whatever kiosk-agent fetched meanwhile is loaded for the next citizen.
            forms.refresh()

        self.session.on_end(between_citizens)

    def _start_payments(self, store: Store) -> None:
        from kiosk.devices.payment.base import PaymentTerminal
        from kiosk.payments.journal import PaymentJournal
        from kiosk.payments.ledger import Ledger
        from kiosk.payments.service import Payments

        terminal = self.device(DeviceClass.PAYMENT)
        engine = self.engine
        if not isinstance(terminal, PaymentTerminal) or engine is None or self.devices is None:
            return
        self.ledger = Ledger(
            PaymentJournal(store), terminal, kiosk_id=self.config.kiosk.id, alert=self._alert
        )
        session = self.session
        payments = Payments(
            self.ledger,
            engine.submit,
            session_id=lambda: session.current.id if session.current is not None else None,
        )
        self.devices.subscribe(payments.on_device_event)
        self.session.on_end(payments.session_ended)
        payments.start(self.config.payments.reconcile_at)
        self.payments = payments

    def _start_printing(self) -> None:
        from kiosk.devices.printer.base import Printer
        from kiosk.printing.service import Printing

        printer = self.device(DeviceClass.PRINTER)
        self.printing = Printing(
            printer if isinstance(printer, Printer) else None,
            self.config,
            payments=self.payments,
            usage=self._record_usage,
        )

    def _start_advice(self) -> None:
        from kiosk.devices.camera.base import Camera

        token = self.config.kiosk.hub_token
        if self.advice is not None or not token or self.engine is None:
            return
        from kiosk.video.call import CallSound, VideoFormat
        from kiosk.video.hub_client import HubAdviceClient

        camera = self.device(DeviceClass.CAMERA)
        call = self.config.call
        shape = self.config.devices.camera
        client = HubAdviceClient(
            hub_url=self.config.kiosk.hub_url,
            token=token,
            kiosk_id=self.config.kiosk.id,
            ca_file=self.config.kiosk.hub_ca_file,
            loop=self.engine.loop,
            camera=camera if isinstance(camera, Camera) else None,
            audio=CallSound(
                call.microphone, call.microphone_device, call.speaker, call.speaker_device
            ),
            video=VideoFormat.fitting(shape.width, shape.height, shape.fps),
        )
        client.open()
        self.advice = client

    def _stop_advice(self) -> None:
        advice, self.advice = self.advice, None
        if advice is None:
            return
        from kiosk.video.hub_client import HubAdviceClient

        if isinstance(advice, HubAdviceClient) and self.engine is not None:
            try:
                self.engine.submit(advice.aclose()).result(timeout=10)
            except Exception:
                log.warning("the hub client did not close cleanly", exc_info=True)
        else:
            advice.close()

    # ---- payments -------------------------------------------------------------------------------

    def unsettled_payments(self) -> list[JournalEntry]:
        """Payments a person must look at (open, or a refund the terminal refused)."""
        return self.payments.unsettled() if self.payments is not None else []

    def _alert(self, code: str, details: dict[str, object]) -> None:
        """Something support must see (an unsettled payment, a reconciliation mismatch)."""
        log.error("alert for support", extra={"code": code})
        writer = self.writer
        if writer is not None:
            writer.submit(
                lambda store: store.add_event("error", "alert", code=code, payload=details)
            )

    def devices_list(self) -> list[Device]:
        return list(self.devices.all()) if self.devices is not None else []

    def device(self, device_class: DeviceClass) -> Device | None:
        return self.devices.get(device_class) if self.devices is not None else None

    def shutdown(self) -> None:
        """End any session (wiping it), stop devices and engine, write out what is queued."""
        self.session.end(EndReason.SHUTDOWN)
        self._stop_advice()
        if self.devices is not None:
            self.devices.stop_all()
            self.devices = None
        if self.engine is not None:
            self.engine.stop()
            self.engine = None
        if self._log_handler is not None:
            logging.getLogger().removeHandler(self._log_handler)
            self._log_handler = None
        if self.writer is not None:
            self.writer.close()
            self.writer = None

    # ---- records ------------------------------------------------------------------------------

    def _record_usage(self, record: UsageRecord) -> None:
        with self._lock:
            if self.writer is None:
                self._pending_usage.append(record)
                return
        self._write_usage(record)

    def _write_usage(self, record: UsageRecord) -> None:
        writer = self.writer
        assert writer is not None
        writer.submit(
            lambda store: store.record_usage(
                record.session_id,
                record.kind,
                service=record.service,
                language=record.language,
                value=record.value,
                duration_ms=record.duration_ms,
            )
        )

    def _store_device_event(self, event: DeviceEvent) -> None:
        from kiosk.devices.status import DeviceError, StatusChanged

        writer = self.writer
        if writer is None:
            return
        if isinstance(event, StatusChanged):
            if event.readings_only:
                return  # a camera's fps moved: not a change of state
            health = event.health
            calm = health.state.usable and health.attention.value == "none"
            writer.submit(
                lambda store: store.add_event(
                    "info" if calm else "warning",
                    "device",
                    device_id=health.device_id,
                    # last_error outlives the fault: a device that is fine names no error.
                    code=None if calm else health.last_error,
                    attention=health.attention.value,
                    payload={"state": health.state.value, "detail": dict(health.detail)},
                )
            )
        elif isinstance(event, DeviceError):
            writer.submit(
                lambda store: store.add_event(
                    "warning",
                    "device_error",
                    device_id=event.device_id,
                    code=event.code,
                    attention=event.attention.value,
                )
            )
