"""What a service screen is given: the shared state and the Qt-free services it may use."""

from __future__ import annotations

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
