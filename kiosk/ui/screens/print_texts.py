"""The Print screen's words (kiosk.ui.screens.print): what it says while choosing, paying,
printing and when done, in the words of printing or of copying."""

from __future__ import annotations

from kiosk.i18n import N_, NP_

MAX_COPIES = 10

NOTHING = N_("You have nothing to print yet. Scan a document first.")
TO_SCAN = N_("Go to Scan")
CHOOSE = N_("Choose what to print. Tap “{show}” to see a document's pages larger.")
YOUR_DOCUMENT = NP_("Your scan: {n} page", "Your scan: {n} pages")
YOUR_FORM = NP_("Your copy of a sent form: {n} page", "Your copy of a sent form: {n} pages")
YOUR_ADVISOR_DOCUMENT = NP_("From the advisor: {n} page", "From the advisor: {n} pages")
TO_COPY = NP_("To copy: {n} page", "To copy: {n} pages")
WAITING = N_("Sending to the printer…")
PRINTING = N_("Printing page {done} of {total}…")
HELD = N_(
    "The printer has stopped: it may be out of paper. Please tell library staff. Your pages "
    "will be printed when the printer is ready, and not twice."
)
PRINTED = NP_(
    "Printed {n} page. Please take it from the printer.",
    "Printed {n} pages. Please take them from the printer.",
)
COPIED = NP_(
    "Copied {n} page. Please take it from the printer.",
    "Copied {n} pages. Please take them from the printer.",
)
FAILED = N_("The printing did not succeed. Please ask library staff for help.")
NO_PRINTER = N_("The printer is not available at the moment. Please ask library staff for help.")
PRICE = N_("Price: {amount}")
FREE = N_("Free of charge")
#: A document an advisor sent, where the call's line prints advisors' documents free.
FREE_FROM_ADVISOR = N_("Free: sent by the advisor")
FREE_LEFT = NP_(
    "Free of charge. After this you have {n} free page left.",
    "Free of charge. After this you have {n} free pages left.",
)
REFUNDED = N_(
    "The printing did not succeed, so your payment has been returned to your card. Please ask "
    "library staff for help."
)
SHOW_RECEIPT = N_("Show the receipt")
DONE = N_("Done")
ANOTHER = N_("Print another document")
#: The words that change between printing and copying.
WORDS: dict[str, dict[str, str]] = {
    "print": {
        "go": N_("Print"),
        "pay": N_("Pay and print"),
        "again": N_("Print again: {amount}"),
        "again_free": N_("Print again, free of charge"),
    },
    "copy": {
        "go": N_("Make the copies"),
        "pay": N_("Pay and copy"),
        "again": N_("Copy again: {amount}"),
        "again_free": N_("Copy again, free of charge"),
    },
}
RECEIPT_FOR = {
    "print": NP_("Printing, {n} page", "Printing, {n} pages"),
    "copy": NP_("Copying, {n} page", "Copying, {n} pages"),
}
SHOW_PAGES = N_("Show the pages")
PREVIEWING = N_("This is how the pages look on paper.")
