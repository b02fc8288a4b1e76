"""E-forms shared by the kiosk and the hub: form definitions as data, the Finnish field checks and
the shipped catalogue. No Qt, nothing of the kiosk app or the hub: the kiosk renders and checks
forms with it, the hub checks the catalogue it serves and where each form goes.
"""

#: The languages every form text must be given in.
LANGUAGES: tuple[str, ...] = ("fi", "sv", "en")


def N_(message: str) -> str:
    """Mark a message id for extraction (tools/i18n.py); the kiosk translates it when shown."""
    return message
