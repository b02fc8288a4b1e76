"""The e-service test sites: the demo site's three servers (eservices.demosite) on free ports of
127.0.0.1, reached under their own host names, for the e-services browser's tests.

    service         http://eservice.test:<port>   (also http://eservice.localhost:<port>)
    identification  http://ident.test:<port>
    offlist         http://offlist.test:<port>    listed nowhere; counts every request

QtWebEngine maps the .test names to 127.0.0.1 through Chromium's host-resolver rules, which it
reads once, when it starts: `set_chromium_flags` (called by tests/conftest.py at import) puts
them in QTWEBENGINE_CHROMIUM_FLAGS. `eservice.localhost` needs no rule (Chromium sends every
*.localhost to loopback) and is a secure context where `eservice.test` is not: a page asks for
geolocation, the camera or the clipboard only there, so permission tests use `secure_url`.

Use the fixture `websites` by importing it:
`from tests.peers.websites import websites_fixture  # noqa: F401 - the fixture is used by name`.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, MutableMapping
from typing import Any

import pytest

from eservices.demosite import RequestLog, Role, SitesThread, catalogue

HOST_NAMES: dict[Role, str] = {
    "service": "eservice.test",
    "identification": "ident.test",
    "offlist": "offlist.test",
}
#: The service's second name: a secure context for the browser, with no resolver rule needed.
SECURE_SERVICE_HOST = "eservice.localhost"
RESOLVER_RULES = ", ".join(f"MAP {name} 127.0.0.1" for name in HOST_NAMES.values())
_RULES_FLAG = re.compile(r'--host-resolver-rules=(?:"([^"]*)"|(\S*))')


def chromium_flags(existing: str) -> str:
    """`existing` Chromium flags with the test sites' host-resolver rules added to theirs (or
    as a flag of their own). The rules are quoted: unquoted, Chromium splits them at spaces."""
    if all(f"MAP {name} " in existing for name in HOST_NAMES.values()):
        return existing
    found = _RULES_FLAG.search(existing)
    if found is None:
        return f'{existing} --host-resolver-rules="{RESOLVER_RULES}"'.strip()
    rules = found.group(1) if found.group(1) is not None else found.group(2)
    merged = f'--host-resolver-rules="{rules}, {RESOLVER_RULES}"'
    return existing[: found.start()] + merged + existing[found.end() :]


def set_chromium_flags(environ: MutableMapping[str, str]) -> None:
    """What QtWebEngine must find in the environment before it starts, in any test process:
    the test sites' host names, and (as root, where Chromium's sandbox cannot run) no sandbox."""
    environ["QTWEBENGINE_CHROMIUM_FLAGS"] = chromium_flags(
        environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
    )
    if os.geteuid() == 0:
        environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")


class Websites:
    """The running test sites: their addresses, their catalogue, and what each was asked."""

    def __init__(self, running: SitesThread) -> None:
        self._running = running
        self.sites = running.sites
        #: Origins, `http://host:port`, without a trailing slash.
        self.service = running.sites.service
        self.identification = running.sites.identification
        self.offlist = running.sites.offlist
        self.secure_service = f"http://{SECURE_SERVICE_HOST}:{running.ports['service']}"
        self.ports: dict[Role, int] = dict(running.ports)
        #: Every request each server answered, in order (eservices.demosite.RequestLog).
        self.logs: dict[Role, RequestLog] = running.logs
        self.service_log = running.logs["service"]
        self.identification_log = running.logs["identification"]
        self.offlist_log = running.logs["offlist"]

    def url(self, path: str = "/", role: Role = "service") -> str:
        """The address of `path` ("/form", "/offlist-probe?only=img") on a role's server."""
        return self.sites.origin(role) + path

    def secure_url(self, path: str = "/") -> str:
        """The address of `path` on the service under its secure-context name."""
        return self.secure_service + path

    def offlist_count(self) -> int:
        """How many requests reached the off-list site."""
        return self.offlist_log.count()

    def catalogue(self) -> dict[str, Any]:
        """The e-services catalogue for these sites: the service (on eservice.test and
        eservice.localhost) as services "demo-service" (start /) and "demo-limits" (start
        /try), identification on ident.test, offlist.test nowhere."""
        return catalogue(self.sites)

    def catalogue_json(self) -> bytes:
        return json.dumps(self.catalogue(), ensure_ascii=False).encode("utf-8")

    def clear_logs(self) -> None:
        for log in self.logs.values():
            log.clear()


@pytest.fixture(name="websites")
def websites_fixture() -> Iterator[Websites]:
    """The three test sites, started for the test and stopped after it (fresh logs each test)."""
    running = SitesThread(HOST_NAMES, service_aliases=[SECURE_SERVICE_HOST])
    try:
        running.start()
        yield Websites(running)
    finally:
        running.stop()
