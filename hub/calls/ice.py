"""The STUN and TURN servers the hub hands to both ends of a call, with each peer's credentials.

A TURN server in hub.toml's `[ice]` is either static (one `username` and `credential` for
everyone) or shares coturn's `static-auth-secret` with the hub (`use-auth-secret`, the "TURN REST
API" scheme). For the latter the hub mints each peer its own credentials, valid for
`TURN_CREDENTIAL_SECONDS`: the username is "<expiry unix time>:<peer id>" and the credential
base64(HMAC-SHA1(secret, username)). The TURN server checks the same HMAC and the expiry itself,
so a credential that leaks from one kiosk or browser is good for that long only, and names whom
it was given to. Minting is pure: the caller gives the time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

#: How long minted TURN credentials stay valid. The hub mints afresh at each socket's `hello`
#: and at each `connected`, so this only has to outlast one call (and its ICE restarts).
TURN_CREDENTIAL_HOURS = 12
TURN_CREDENTIAL_SECONDS = TURN_CREDENTIAL_HOURS * 3600
#: The shortest `secret` hub.toml accepts: a guessable secret lets anyone mint credentials.
MIN_SECRET_LENGTH = 16


@dataclass(frozen=True)
class TurnServer:
    """One `[ice].turn` entry: static `username` and `credential`, or a shared `secret`."""

    url: str
    username: str = ""
    credential: str = ""
    secret: str = field(default="", repr=False)

    def for_peer(self, peer: str, now: datetime) -> dict[str, Any]:
        """The RTCIceServer dictionary for `peer` at `now`: minted when there is a secret."""
        if not self.secret:
            return {"urls": [self.url], "username": self.username, "credential": self.credential}
        username = f"{int(now.timestamp()) + TURN_CREDENTIAL_SECONDS}:{peer}"
        return {
            "urls": [self.url],
            "username": username,
            "credential": turn_credential(self.secret, username),
        }


def turn_credential(secret: str, username: str) -> str:
    """coturn's `use-auth-secret` password for `username`: base64(HMAC-SHA1(secret, username))."""
    digest = hmac.new(secret.encode("utf-8"), username.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def ice_servers(
    stun: tuple[str, ...], turn: tuple[TurnServer, ...], peer: str, now: datetime
) -> list[dict[str, Any]]:
    """The STUN and TURN servers as WebRTC's RTCIceServer dictionaries, for `peer` at `now`."""
    servers: list[dict[str, Any]] = []
    if stun:
        servers.append({"urls": list(stun)})
    servers.extend(server.for_peer(peer, now) for server in turn)
    return servers
