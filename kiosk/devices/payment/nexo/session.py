"""The kiosk's login session with its nexo terminal, and the device health that follows from it.

Health: online (busy during a payment) after a Login; offline with attention `maintenance`
when the terminal does not answer, is in maintenance or out of order, or refuses the Login;
offline with `suspend` when it announced a shutdown (it comes back by itself, with an
Initialised event). Runs on the device loop only.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from typing import TypeVar

from kiosk.devices.payment.nexo.client import (
    AnswerLost,
    NexoClient,
    RequestRefused,
    TerminalNotReached,
)
from kiosk.devices.payment.nexo.messages import (
    NOT_STARTED,
    Body,
    ErrorCondition,
    EventNotification,
    EventToNotify,
    LoginRequest,
    LoginResponse,
    ResponseBody,
)
from kiosk.devices.status import Attention, DeviceState

log = logging.getLogger(__name__)

R = TypeVar("R", bound=ResponseBody)

SetHealth = Callable[..., None]

UNREACHABLE = "terminal-unreachable"
#: Error codes of a terminal that cannot be used -> who must act.
ATTENTION = {
    UNREACHABLE: Attention.MAINTENANCE,
    "terminal-maintenance": Attention.MAINTENANCE,
    "terminal-out-of-order": Attention.MAINTENANCE,
    "terminal-login-refused": Attention.MAINTENANCE,
    "terminal-busy": Attention.SUSPEND,
    "terminal-shutdown": Attention.SUSPEND,
}
_EVENT_CODES = {
    EventToNotify.BEGIN_MAINTENANCE: "terminal-maintenance",
    EventToNotify.OUT_OF_ORDER: "terminal-out-of-order",
    EventToNotify.SHUTDOWN: "terminal-shutdown",
}
_OUT_OF_SERVICE = frozenset({ErrorCondition.DEVICE_OUT, ErrorCondition.UNAVAILABLE_DEVICE})


def new_service_id() -> str:
    """A fresh ServiceID (nexo: at most 10 characters)."""
    return secrets.token_hex(5)


def _software_version() -> str:
    try:
        return metadata.version("kiosk")
    except metadata.PackageNotFoundError:
        return "0"


class TerminalSession:
    def __init__(self, client: NexoClient, *, request_timeout: float, set_health: SetHealth):
        self.client = client
        self._request_timeout = request_timeout
        self._set_health = set_health
        self.logged_in = False
        self._paying: str | None = None
        self._down: str | None = None
        self._fatal: str | None = None
        self._lock = asyncio.Lock()
        self._later: set[asyncio.Task[bool]] = set()

    @property
    def paying(self) -> str | None:
        """The sale reference of the payment in progress."""
        return self._paying

    @paying.setter
    def paying(self, sale_reference: str | None) -> None:
        self._paying = sale_reference
        self.refresh()

    def fail(self, code: str) -> None:
        """The backend itself cannot work (e.g. its notification port is taken)."""
        self._fatal = code
        self.refresh()

    # ---- requests -----------------------------------------------------------------------------

    async def login(self, *, force: bool = False) -> bool:
        """Log in unless already logged in; True when a session exists afterwards."""
        async with self._lock:
            if (self.logged_in and not force) or self._fatal:
                return self.logged_in
            body = LoginRequest(
                datetime.now(UTC),
                manufacturer_id="kiosk",
                application_name="e-kiosk",
                software_version=_software_version(),
                terminal_environment="Unattended",
                operator_language="fi",
            )
            try:
                answer = await self._exchange(body, LoginResponse, timeout=self._request_timeout)
            except (TerminalNotReached, AnswerLost):
                return False
            except RequestRefused:
                self._down = "terminal-login-refused"
                self.refresh()
                return False
            condition = answer.response.error_condition
            if answer.response.ok:
                self.logged_in, self._down = True, None
            elif condition in _OUT_OF_SERVICE:
                self._down = "terminal-maintenance"
            elif condition is ErrorCondition.BUSY:
                self._down = "terminal-busy"
            else:
                self._down = "terminal-login-refused"
            self.refresh()
            return self.logged_in

    async def service(
        self,
        body: Body,
        expect: type[R],
        *,
        timeout: float,
        service_id: str | None = None,
        sale_reference: str | None = None,
    ) -> R:
        """Send a service request within a login session: Login first if there is none; and
        when the terminal answers Busy or LoggedOut (it did not start the request), Login and
        send it once more. Raises TerminalNotReached when no session can be had."""
        sid = service_id or new_service_id()
        for attempt in (1, 2):
            if not await self.login():
                raise TerminalNotReached("no login session with the terminal")
            answer = await self._exchange(
                body, expect, timeout=timeout, service_id=sid, sale_reference=sale_reference
            )
            condition = answer.response.error_condition
            if attempt == 2 or answer.response.ok or condition not in NOT_STARTED:
                break
            log.info("terminal answered %s: logging in again", condition)
            self.logged_in = False
        return answer

    async def send(self, body: Body, *, timeout: float) -> None:
        await self.client.send(body, service_id=new_service_id(), timeout=timeout)

    async def _exchange(
        self,
        body: Body,
        expect: type[R],
        *,
        timeout: float,
        service_id: str | None = None,
        sale_reference: str | None = None,
    ) -> R:
        try:
            answer = await self.client.exchange(
                body,
                expect,
                service_id=service_id or new_service_id(),
                timeout=timeout,
                sale_reference=sale_reference,
            )
        except (TerminalNotReached, AnswerLost):
            # A terminal that comes back may have restarted: it will want a new Login.
            self.logged_in, self._down = False, UNREACHABLE
            self.refresh()
            raise
        if self._down == UNREACHABLE:
            self._down = None
            self.refresh()
        return answer

    # ---- the terminal's own news --------------------------------------------------------------

    def on_event(self, event: EventNotification) -> None:
        kind = event.event
        log.info("terminal event %s", kind)
        if kind in _EVENT_CODES:
            self.logged_in, self._down = False, _EVENT_CODES[kind]
        elif kind in (EventToNotify.INITIALISED, EventToNotify.END_MAINTENANCE):
            # Back (a restart ends any session): log in again now rather than at the next sale.
            self.logged_in, self._down = False, None
            task = asyncio.get_running_loop().create_task(self.login())
            self._later.add(task)
            task.add_done_callback(self._later.discard)
        else:
            log.warning("terminal rejected a message: %s", event.details or "no details")
        self.refresh()

    async def keep_logged_in(self, interval: float) -> None:
        """Try to log in again every `interval` seconds while there is no session."""
        while True:
            await asyncio.sleep(interval)
            if not self.logged_in and self._paying is None and not self._fatal:
                await self.login()

    async def self_test(self) -> tuple[str, ...]:
        if self._fatal:
            return (f"notifications: {self._fatal}",)
        if await self.login(force=True):
            return ("connection: ok", "login: logged_in")
        if self._down == UNREACHABLE:
            return ("connection: failed",)
        return ("connection: ok", f"login: {self._down or 'refused'}")

    # ---- health -------------------------------------------------------------------------------

    def refresh(self) -> None:
        out = {"login": "logged_out"}
        if self._fatal:
            self._set_health(
                DeviceState.HARDWARE_ERROR, Attention.MAINTENANCE, detail=out, error=self._fatal
            )
        elif self._down:
            attention = ATTENTION.get(self._down, Attention.MAINTENANCE)
            self._set_health(DeviceState.OFFLINE, attention, detail=out, error=self._down)
        elif self.logged_in:
            state = DeviceState.BUSY if self._paying is not None else DeviceState.ONLINE
            self._set_health(state, Attention.NONE, detail={"login": "logged_in"})
        # Between a LoggedOut answer and the new Login the health stays as it was: that moment
        # is no news for the support staff.
