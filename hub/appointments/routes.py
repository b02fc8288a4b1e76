"""The routes of schedules, bookings and calendar feeds (docs/appointments.md).

Staff POST and DELETE carry the CSRF token (checked by hub.auth before a handler runs). The
calendar feed is public: its address's token is the credential.
"""

from __future__ import annotations

from hub.appointments import bookings, calendar, schedule
from hub.auth import KIOSK, PUBLIC
from hub.route import Route

ADVISOR_OR_ADMIN = frozenset({"advisor", "admin"})
ADMIN = frozenset({"admin"})
_KIOSK = frozenset({KIOSK})

APPOINTMENT_ROUTES: tuple[Route, ...] = (
    Route("GET", "/api/schedule", schedule.week, ADVISOR_OR_ADMIN),
    Route("POST", "/api/schedule/slots", schedule.add_slot, ADVISOR_OR_ADMIN),
    Route("DELETE", "/api/schedule/slots/{id}", schedule.remove_slot, ADVISOR_OR_ADMIN),
    Route("POST", "/api/schedule/feed", calendar.new_feed, ADVISOR_OR_ADMIN),
    Route("GET", "/calendar/{token}.ics", calendar.calendar_feed, frozenset({PUBLIC})),
    Route("POST", "/api/schedule/bookings/{id}/cancel", bookings.cancel, ADMIN),
    Route("GET", "/api/advisor/appointments", bookings.appointments, ADVISOR_OR_ADMIN),
    Route("GET", "/api/kiosk/slots", bookings.free_slots, _KIOSK),
    Route("POST", "/api/kiosk/bookings", bookings.book, _KIOSK),
)
