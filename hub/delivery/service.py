"""What the hub's app holds for sealed submissions: the catalogue, the key and the worker."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from aiohttp import web
from nacl.public import PrivateKey

from hub.config import HubConfig
from hub.delivery.catalogue import FormCatalogue
from hub.delivery.keys import Secrets, SetupError, load_secrets
from hub.delivery.transport import Mailer
from hub.delivery.worker import DeliveryWorker
from hub.store import HubStore

log = logging.getLogger(__name__)

#: Submissions one kiosk may be sending at once. Each is held in memory whole while it is
#: checked (up to [delivery] max_submission_bytes): without a bound, a few kiosks uploading
#: in parallel could take the hub's memory.
MAX_IN_FLIGHT = 2


class InFlight:
    """How many submissions each kiosk is sending now."""

    def __init__(self, most: int = MAX_IN_FLIGHT) -> None:
        self.most = most
        self._counts: dict[str, int] = {}

    def enter(self, kiosk_id: str) -> bool:
        """Count one more for `kiosk_id`; False (and nothing counted) when it has `most`."""
        count = self._counts.get(kiosk_id, 0)
        if count >= self.most:
            return False
        self._counts[kiosk_id] = count + 1
        return True

    def leave(self, kiosk_id: str) -> None:
        count = self._counts.get(kiosk_id, 0) - 1
        if count > 0:
            self._counts[kiosk_id] = count
        else:
            self._counts.pop(kiosk_id, None)


@dataclass
class Delivery:
    catalogue: FormCatalogue
    #: None when the hub has no usable sealing key: intake then answers 503 (kiosks retry).
    key: PrivateKey | None
    worker: DeliveryWorker | None
    receiving: InFlight = field(default_factory=InFlight)

    @classmethod
    def make(
        cls,
        config: HubConfig,
        store: HubStore,
        clock: Callable[[], datetime],
        secrets: Secrets | None = None,
    ) -> Delivery:
        """With `secrets=None` they are read from the configured files; `kiosk-hub serve`
        has already refused to start if they cannot be, so only a test hub runs without."""
        catalogue = FormCatalogue.load(config.catalogue_dir)
        if secrets is None:
            try:
                secrets = load_secrets(config)
            except SetupError as exc:
                log.warning("sealed submissions are off: %s", exc)
                return cls(catalogue, None, None)
        mailer = Mailer(config.smtp, secrets.smtp_password)
        worker = DeliveryWorker(config, store, clock, catalogue, secrets.sealing_key, mailer)
        return cls(catalogue, secrets.sealing_key, worker)

    def wake(self) -> None:
        if self.worker is not None:
            self.worker.wake()

    async def start(self, app: web.Application) -> None:
        if self.worker is not None:
            await self.worker.start()

    async def stop(self, app: web.Application) -> None:
        if self.worker is not None:
            await self.worker.stop()


DELIVERY = web.AppKey("delivery", Delivery)
