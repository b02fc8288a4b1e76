"""Callbacks and booked video appointments from the kiosk, without Qt (docs/appointments.md).

Where a video call would meet nobody (a line closed or unstaffed, a wait longer than the hub's
`long_wait_s`, a call ended for want of an advisor), the citizen may ask to be called back or
book a time with an advisor. `options` reads what the hub offers (topics, times of day, the long
wait), `contact` checks a phone number or an e-mail address, `callback` seals a request into the
outbox, `booking` asks the hub for free slots and books one, `slip` is the printed and e-mailed
note of a booking, and `service.Appointments` puts them together for a screen.
"""
