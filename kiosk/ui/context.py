"""What a service screen is given: the shared state and the Qt-free services it may use.

Screens are views: they reach the visit, the session, the config and the feature services
(printing, payments, submissions, …) through this context, never the composition root
(`kiosk.app.Kiosk`) itself, which only builds them.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, ParamSpec, TypeVar

if TYPE_CHECKING:
    from kiosk.app import Kiosk
    from kiosk.config import Config
    from kiosk.devices.base import Device
    from kiosk.devices.catalog import DeviceClass
    from kiosk.forms.catalogue import FormsCatalogue
    from kiosk.payments.service import Payments
    from kiosk.printing.service import Printing
    from kiosk.session import Session, SessionManager
    from kiosk.submissions.service import Submissions
    from kiosk.ui.bridge import Bridge
    from kiosk.ui.state import UiState
    from kiosk.video.advice import AdviceClient
    from kiosk.visit import Visit


P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True)
class ServiceContext:
    ui: UiState
    #: The composition root the services come from; screens use the properties below.
    root: Kiosk
    bridge: Bridge
    #: Opens another service of the session (set by the session frame), e.g. Scan -> Print.
    open_service: Callable[[str], None] | None = None

    @property
    def config(self) -> Config:
        return self.root.config

    @property
    def sessions(self) -> SessionManager:
        return self.root.session

    @property
    def session(self) -> Session:
        """The running session (a service screen only exists inside one)."""
        session = self.root.session.current
        assert session is not None, "a service screen belongs to a session"
        return session

    @property
    def visit(self) -> Visit:
        """What the running session has made and used."""
        return self.session.visit

    @property
    def forms(self) -> FormsCatalogue:
        """The forms on offer, loaded off the Qt thread."""
        forms = self.root.forms
        assert forms is not None, "the back end starts before a service opens"
        return forms

    @property
    def submissions(self) -> Submissions:
        """Sending forms and e-mails (a service screen opens after the back end started)."""
        submissions = self.root.submissions
        assert submissions is not None, "the back end starts before a service opens"
        return submissions

    @property
    def advice(self) -> AdviceClient | None:
        """The hub's video advice; None without a hub ([kiosk] hub_token unset)."""
        return self.root.advice

    @property
    def printing(self) -> Printing | None:
        """Printing and print orders; None until the back end has started."""
        return self.root.printing

    @property
    def payments(self) -> Payments | None:
        """Paying on the card terminal; None when there is no terminal."""
        return self.root.payments

    def run_blocking(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Run work that can block (kiosk.threads.blocking) on the engine's workers."""
        engine = self.root.engine
        assert engine is not None, "the back end starts before a service opens"
        return engine.run_blocking(fn, *args, **kwargs)

    def device(self, device_class: DeviceClass) -> Device | None:
        return self.root.device(device_class)
