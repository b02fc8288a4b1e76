"""What the callback and booking pages of Video advice say (the slip's own words are
kiosk.appointments.slip's, the callback form's kiosk.appointments.callback_form's)."""

from __future__ import annotations

from kiosk.i18n import N_

#: Offered where a call would meet nobody soon.
OFFER = N_("You can also ask an advisor to call you back, or book a time for a video call.")
ASK_CALLBACK = N_("Ask for a callback")
BOOK = N_("Book a video appointment")

#: The callback request is in the kiosk's outbox.
CALLBACK_SENT = N_("Your callback request has been sent")
CALLBACK_REFERENCE = N_("Your reference:")
CALLBACK_SENT_TEXT = N_(
    "An advisor of {line} will contact you. Your phone number or address is deleted once they "
    "have, and in any case after a fixed time."
)
CALLBACK_NOT_SENT = N_(
    "The request could not be sent because of a fault in the kiosk. Nothing you gave has been "
    "kept. Please ask library staff for help."
)
CALLBACK_NOT_SENT_FULL = N_(
    "The request was not sent: the kiosk has no room to store it just now. Nothing you gave has "
    "been kept, and your answers are still here. Please try again in a while."
)

CHOOSE_TIME = N_("Choose a day and a time.")
LOADING_SLOTS = N_("Looking for free times…")
NO_SLOTS = N_("There are no free times to book right now. You can ask for a callback instead.")
SLOT_TAKEN = N_("That time was just taken by someone else. Please choose another.")
BOOKING_UNAVAILABLE = N_(
    "The booking service cannot be reached right now. Nothing was booked. Please try again in a "
    "moment."
)
BOOKING_FAILED = N_("The time could not be booked. Please choose another, or ask library staff.")
TRY_AGAIN = N_("Try again")
BOOKING = N_("Booking the time…")
CHOSEN_TIME = N_("Your time: {time}")
BOOKED = N_("Your video appointment is booked")
CODE_HINT = N_(
    "Write the code down, print it or send it to yourself. You need it at the time of the "
    "appointment."
)
PRINT_SLIP = N_("Print the code")
PRINTING_SLIP = N_("Printing…")
SLIP_PRINTED = N_("Please take the note from the printer.")
SLIP_NOT_PRINTED = N_("The note could not be printed. Please write the code down.")
EMAIL_TO = N_("Send the code to this e-mail address")
SEND_EMAIL = N_("Send")
EMAIL_SENT = N_("The code is on its way to {address}.")
EMAIL_NOT_SENT = N_("The e-mail could not be sent. Please write the code down.")
DONE = N_("Done")
BACK = N_("Back")
