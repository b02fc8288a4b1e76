"""Where a page of an e-service may go: the one decision the browser asks for every request.

A `WebPolicy` belongs to the e-service on screen: its origins and strong identification's. The
browser asks `navigation()` before a page (or a frame) changes address and `request()` for
everything the page loads, sub-resources included: a refused request never leaves the box.
Only http(s) and WebSockets reach the network, and plain http only where the kiosk's
configuration allows it (the tests and the demo's local site). Addresses that never reach the
network (`data:`, `blob:`, `about:`) may be loaded inside an allowed page, which could make them
itself anyway, but no page may be navigated to one, nor to `file:`, `javascript:`, `view-source:`
or the browser's own pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from eservices.catalogue import DEFAULT_PORTS, Catalogue, EService, Origin, url_origin

NETWORK_SCHEMES = ("http", "https", "ws", "wss")
#: Schemes a page may use for what it loads itself, without the network.
IN_PAGE_SCHEMES = ("data", "blob", "about")
#: The one non-network address a page may be navigated to: a new window starts there.
BLANK = "about:blank"


class Refusal(Enum):
    #: The host is not among the service's origins nor identification's.
    OFF_LIST = "off_list"
    #: Not an address the kiosk's browser goes to (file:, javascript:, view-source:, chrome:...).
    SCHEME = "scheme"
    #: http:// where only https:// is allowed.
    PLAIN_HTTP = "plain_http"


def scheme_of(url: str) -> str:
    head, colon, _ = url.partition(":")
    return head.strip().lower() if colon else ""


@dataclass(frozen=True)
class WebPolicy:
    origins: tuple[Origin, ...]
    allow_plain_http: bool = False

    @classmethod
    def for_service(
        cls, catalogue: Catalogue, service: EService, *, allow_plain_http: bool = False
    ) -> WebPolicy:
        return cls(catalogue.reachable(service), allow_plain_http)

    def request(self, url: str) -> Refusal | None:
        """None when the page may load `url` (any request: a frame, a script, an image, a fetch,
        a WebSocket, a form post); otherwise why not."""
        scheme = scheme_of(url)
        if scheme in IN_PAGE_SCHEMES:
            return None
        return self._network(url, scheme)

    def navigation(self, url: str) -> Refusal | None:
        """None when a page or a frame may be navigated to `url`; otherwise why not."""
        if url.strip().lower() == BLANK:
            return None
        return self._network(url, scheme_of(url))

    def _network(self, url: str, scheme: str) -> Refusal | None:
        if scheme not in NETWORK_SCHEMES:
            return Refusal.SCHEME
        where = url_origin(url)
        if where is None:
            return Refusal.SCHEME
        if where[0] == "http" and not self.allow_plain_http:
            return Refusal.PLAIN_HTTP
        if not any(origin.matches(*where) for origin in self.origins):
            return Refusal.OFF_LIST
        return None


def host_of(url: str) -> str:
    """The host a citizen is shown for `url` ("www.kela.fi"), with its port when it is not the
    scheme's own ("127.0.0.1:8095"); "" when it has none."""
    where = url_origin(url)
    if where is None:
        return ""
    scheme, host, port = where
    return host if DEFAULT_PORTS[scheme] == port else f"{host}:{port}"
