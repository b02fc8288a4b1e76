"""Help when nobody is free: callbacks, booked video appointments and advisors' schedules.

docs/appointments.md describes the whole: what a kiosk and the home page may ask, what the
advisor console shows, what is kept and for how long.
"""
