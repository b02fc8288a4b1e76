"""The video-advice screen as a citizen meets it: the call's screen with the callback and
booking offered where a call would meet nobody. Composed here so that the screen needs nothing
of the offers but whether their page holds the citizen (`AdviceScreen.appointments`)."""

from __future__ import annotations

from kiosk.ui.context import ServiceContext
from kiosk.ui.screens.video.appointment_desk import AppointmentDesk
from kiosk.ui.screens.video.screen import AdviceScreen


def advice_screen(ctx: ServiceContext) -> AdviceScreen:
    screen = AdviceScreen(ctx)
    screen.appointments = AppointmentDesk(screen)
    return screen
