"""A small e-service web site that ships for the demo and for the browser's tests.

Three servers (roles): the e-service, its strong identification step, and a site that no
catalogue lists and that counts every request it gets, so that a test can show the kiosk's
browser let none through. `make_app(role, sites)` builds one; `SitesThread` runs all three on
free ports for tests; `python -m eservices.demosite` runs them for the demo and writes the
catalogue that offers them (`catalogue(sites)`).
"""

from eservices.demosite.app import REQUESTS, make_app
from eservices.demosite.log import RequestLog, Seen
from eservices.demosite.running import SitesThread
from eservices.demosite.sites import ROLES, Role, Sites, catalogue

__all__ = [
    "REQUESTS",
    "ROLES",
    "RequestLog",
    "Role",
    "Seen",
    "Sites",
    "SitesThread",
    "catalogue",
    "make_app",
]
