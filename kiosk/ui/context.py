"""What a service screen is given: the shared state and the Qt-free services it may use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.app import Kiosk
    from kiosk.ui.bridge import Bridge
    from kiosk.ui.state import UiState


@dataclass(frozen=True)
class ServiceContext:
    ui: UiState
    kiosk: Kiosk
    bridge: Bridge
    #: Opens another service of the session (set by the session frame), e.g. Scan -> Print.
    open_service: Callable[[str], None] | None = None
