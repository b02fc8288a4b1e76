"""Every request the kiosk makes to its hub is built here, the same way for each caller.

The app (the e-mail policy, the call link) and kiosk-agent (catalogue, submissions, heartbeat,
events, usage, remote actions) all reach the hub with the kiosk's identity: `Authorization:
Bearer <token>` with `X-Kiosk-Id: <id>` (the hub answers 401 to a token without its id), a
`User-Agent` naming the software and its version, the hub's URL joined to the API path, the
timeouts the caller asks for, and the private CA of [kiosk] hub_ca_file when the hub's
certificate is signed by one. Nothing else in the kiosk builds these by hand.

An answer of 401 or 403 means the hub refused this kiosk's credentials: a wrong or revoked token,
or an id the token is not for. That is not "the hub is away" and is said differently
(`HubRefused`, `refused()`): a person must fix the kiosk's config, waiting will not help.

The requests themselves are asynchronous (aiohttp) and run on an event loop: the app's engine or
kiosk-agent's. The one synchronous step that touches the disk, loading the private CA, is
`@blocking`, like every such step in the kiosk (kiosk.threads).
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from kiosk.threads import blocking

if TYPE_CHECKING:
    import aiohttp

    from kiosk.config import KioskSettings

#: Answers that mean the hub does not accept this kiosk's id and token.
REFUSED_STATUSES = frozenset({401, 403})
#: The code a refusal is logged with, wherever it happens.
REFUSED_CODE = "hub-credentials-refused"
REFUSED_TEXT = (
    "the hub refused this kiosk's credentials (HTTP {status}): check [kiosk] id and hub_token "
    "(or hub_token_file) against `kiosk-hub kiosk list`"
)


class HubRefused(Exception):
    """The hub refused this kiosk's credentials (HTTP 401 or 403)."""

    def __init__(self, status: int) -> None:
        super().__init__(REFUSED_TEXT.format(status=status))
        self.status = status

    @property
    def log_fields(self) -> dict[str, str]:
        """The record's context for support: one code for every refusal, and the answer."""
        return {"code": REFUSED_CODE, "reason": f"HTTP {self.status}"}


def refused(status: int) -> bool:
    """Whether an HTTP status from the hub means it refused the kiosk's credentials."""
    return status in REFUSED_STATUSES


@cache
def user_agent() -> str:
    """`kiosk/<version>`: the hub's log and support see which software asked."""
    from importlib import metadata

    try:
        version = metadata.version("kiosk")
    except metadata.PackageNotFoundError:
        version = "0+unknown"
    return f"kiosk/{version}"


@dataclass(frozen=True)
class HubClient:
    """The hub as this kiosk reaches it: where it is, who the kiosk is, whom to trust."""

    base_url: str
    kiosk_id: str
    token: str = field(repr=False)
    #: A PEM file of the CA that signed the hub's certificate; "" = the system's CAs.
    ca_file: str = ""

    @classmethod
    def from_settings(cls, kiosk: KioskSettings) -> HubClient:
        return cls(
            base_url=kiosk.hub_url,
            kiosk_id=kiosk.id,
            token=kiosk.hub_token,
            ca_file=kiosk.hub_ca_file,
        )

    def url(self, path: str) -> str:
        """The hub's URL for an API path such as "/api/kiosk/forms"."""
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")

    @property
    def headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.token}",
            "X-Kiosk-Id": self.kiosk_id,
            "User-Agent": user_agent(),
        }

    @blocking
    def ssl_context(self) -> ssl.SSLContext | bool:
        """What an https:// hub's certificate is checked against (always checked)."""
        if not self.ca_file:
            return True
        return ssl.create_default_context(cafile=self.ca_file)

    @staticmethod
    def timeout(total: float, connect: float | None = None) -> aiohttp.ClientTimeout:
        """A whole request may take `total` seconds, opening the connection `connect`."""
        import aiohttp

        return aiohttp.ClientTimeout(
            total=total, sock_connect=min(connect, total) if connect is not None else None
        )

    def session(
        self, *, total: float | None = None, connect: float | None = None
    ) -> aiohttp.ClientSession:
        """An HTTP session to the hub with the kiosk's identity on every request; open it with
        `async with` (or close it) on the event loop that uses it."""
        import aiohttp

        if total is None and connect is None:
            timeout = aiohttp.client.DEFAULT_TIMEOUT
        elif total is None:
            timeout = aiohttp.ClientTimeout(total=None, sock_connect=connect)
        else:
            timeout = self.timeout(total, connect)
        return aiohttp.ClientSession(
            headers=self.headers,
            timeout=timeout,
            connector=aiohttp.TCPConnector(ssl=self.ssl_context()),
        )
