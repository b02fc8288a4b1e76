"""The E-services screen's words (English source; fi and sv in the catalogues)."""

from __future__ import annotations

from kiosk.i18n import N_
from kiosk.web.downloads import DownloadRefusal
from kiosk.web.policy import Refusal

CHOOSE = N_(
    "Choose the e-service you want to use. If you get stuck, press Video advice: "
    "you will come back to the same page."
)
SEARCH = N_("Search e-services")
SEARCH_HINT = N_("Type a word of the service's name")
NO_MATCH = N_("No e-service has that in its name. Try another word, or clear the search.")
NO_SERVICES = N_("There are no e-services to use at the moment.")
LOADING = N_("Loading the e-services…")
ERASED = N_(
    "Everything you do in the e-services, logins included, is erased when your session ends."
)

BACK = N_("Back")
BACK_HINT = N_("The previous page")
SERVICES = N_("All e-services")
SERVICES_HINT = N_("Back to the list of e-services")
RELOAD = N_("Reload")
STOP = N_("Stop")
SMALLER = N_("Smaller")
LARGER = N_("Larger")
SECURE = N_("Secure connection")
NOT_SECURE = N_("Not a secure connection")
LOADING_PAGE = N_("Loading the page…")
SAVE_PAGE = N_("Save for printing")
SAVE_PAGE_HINT = N_("Keeps this page as a PDF among your documents, for Print and E-mail")
PAGE_SAVED = N_(
    "The page is now among your documents as “{name}”: open Print to print it, or E-mail to "
    "send it to yourself."
)

CLOSE_WINDOW = N_("Close this window")
WINDOW = N_("A window the page opened")

#: The kiosk's own page in place of one it does not open, by why.
REFUSED_TITLE = N_("This address is not available here")
REFUSED = {
    Refusal.OFF_LIST: N_(
        "The kiosk opens only the pages of the e-services in its list, and {host} is not "
        "one of them. Go back, or choose another e-service."
    ),
    Refusal.SCHEME: N_("The kiosk does not open this kind of address. Go back to the page."),
    Refusal.PLAIN_HTTP: N_(
        "This page would not use a secure connection, so the kiosk does not open it."
    ),
}
NO_NETWORK_TITLE = N_("The page could not be loaded")
NO_NETWORK = N_(
    "The kiosk cannot reach the service right now. Try again in a moment. If it still does not "
    "work, library staff can help."
)
CERTIFICATE_TITLE = N_("The page was not opened")
CERTIFICATE = N_(
    "The service's security certificate could not be verified, so the connection might not be "
    "safe. Library staff can help."
)
TRY_AGAIN = N_("Try again")
#: A page's own message or question, in the kiosk's panel (the page's words follow).
PAGE_SAYS = N_("The page says:")
PAGE_ASKS = N_("The page asks:")
OK = N_("OK")
CHOOSE_DOCUMENT = N_("Choose the document to give to the service")
NO_DOCUMENTS = N_(
    "You have no documents in this visit yet. Scan the papers with Scan first, then come back "
    "to this page: it is kept as it is."
)
CANCEL = N_("Cancel")

SAVING = N_("Saving the document “{name}”…")
SAVED = N_(
    "“{name}” is now among your documents: you can print it or send it to yourself by e-mail."
)
NOT_SAVED = {
    DownloadRefusal.NOT_PDF: N_(
        "The file was not saved: the kiosk keeps only PDF documents. You can read the "
        "document on the service's page instead."
    ),
    DownloadRefusal.TOO_LARGE: N_("The file was not saved: it is larger than {mb} MB."),
    DownloadRefusal.BROKEN: N_("The file was not saved: it is not a readable PDF document."),
}
