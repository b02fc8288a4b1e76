"""The support desk's pages: the fleet view, one kiosk's page, and usage (HTML + JS)."""

from hub.support.pages import SUPPORT_PAGES

__all__ = ["SUPPORT_PAGES"]
