"""Where the demo site's three servers are reached, and the e-services catalogue that lists them.

The three roles run as separate servers, each on a port of its own, and each knows the others'
origins from the start (links, the identification's return check, the probe page's targets):

  service         the e-service itself: the pages a citizen uses and the test pages
  identification  the strong identification step the service sends to and that returns to it
  offlist         a site no catalogue lists: it answers anything, and counts what it is asked
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from eservices.catalogue import url_origin

Role = Literal["service", "identification", "offlist"]
ROLES: tuple[Role, ...] = ("service", "identification", "offlist")


@dataclass(frozen=True)
class Sites:
    """Each role's origin, `http://host:port` as a browser reaches it."""

    service: str
    identification: str
    offlist: str
    #: Further origins the service answers under, such as `http://eservice.localhost:8093`,
    #: which a browser counts as a secure context (permission prompts need one); identification
    #: returns to any of them as to the service itself.
    service_aliases: tuple[str, ...] = ()

    def origin(self, role: Role) -> str:
        return {"service": self.service, "identification": self.identification}.get(
            role, self.offlist
        )

    @property
    def service_origins(self) -> tuple[str, ...]:
        return (self.service, *self.service_aliases)

    def is_service_url(self, url: str) -> bool:
        """True for an http(s) URL on one of the service's origins, with nothing in its
        address that a browser might read as another host."""
        try:
            parts = urlsplit(url)
        except ValueError:
            return False
        if parts.scheme not in ("http", "https") or "@" in parts.netloc or "\\" in url:
            return False
        if any(ch.isspace() or ord(ch) < 0x20 for ch in url):
            return False
        where = url_origin(url)
        return where is not None and any(where == url_origin(o) for o in self.service_origins)


def catalogue(sites: Sites) -> dict[str, Any]:
    """The e-services catalogue (eservices.catalogue's format) that offers the demo site: its
    services on the service's origins, identification on the identification site, and the
    off-list site nowhere."""
    origins = list(sites.service_origins)
    return {
        "identification": [sites.identification],
        "topics": [
            {
                "id": "demo",
                "names": {"fi": "Kokeilu", "sv": "Demonstration", "en": "Demonstration"},
            }
        ],
        "services": [
            {
                "id": "demo-service",
                "topic": "demo",
                "names": {
                    "fi": "Demopalvelu",
                    "sv": "Demotjänst",
                    "en": "Demo e-service",
                },
                "summaries": {
                    "fi": "Kirjaudu, täytä lomake ja lataa kuitti",
                    "sv": "Logga in, fyll i en blankett och ladda ner kvittot",
                    "en": "Log in, fill in a form and download the receipt",
                },
                "authority": {
                    "fi": "Demovirasto",
                    "sv": "Demomyndigheten",
                    "en": "Demo Agency",
                },
                "start_url": f"{sites.service}/",
                "origins": origins,
            },
            {
                "id": "demo-limits",
                "topic": "demo",
                "names": {
                    "fi": "Kioskin rajat",
                    "sv": "Kioskens gränser",
                    "en": "The kiosk's limits",
                },
                "summaries": {
                    "fi": "Ponnahdusikkunat, luvat ja listan ulkopuoliset osoitteet",
                    "sv": "Popup-fönster, behörigheter och adresser utanför listan",
                    "en": "Popups, permissions and addresses off the list",
                },
                "authority": {
                    "fi": "Demovirasto",
                    "sv": "Demomyndigheten",
                    "en": "Demo Agency",
                },
                "start_url": f"{sites.service}/try",
                "origins": origins,
            },
        ],
    }


def beside_shipped(demo: dict[str, Any]) -> dict[str, Any]:
    """The shipped catalogue with the demo's services and identification added (the demo's
    topic last): what the demo's kiosk offers, real services and the local one side by side."""
    import json

    from eservices.catalogue import shipped_bytes

    shipped = json.loads(shipped_bytes())
    return {
        "identification": shipped["identification"] + demo["identification"],
        "topics": shipped["topics"] + demo["topics"],
        "services": shipped["services"] + demo["services"],
    }
