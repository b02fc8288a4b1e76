"""Keeping the hub's catalogues on the kiosk: the forms and the e-services, each fetched at start
and every few minutes by one `CatalogueKeeper`; a `Catalogue` says which one.

The GET carries If-None-Match with the cached version, so an unchanged catalogue costs a 304 and
nothing is written. A new one is checked entry by entry (forms with
`eforms.definition.load_definition`, e-services with `eservices.catalogue.check_catalogue`): a
malformed entry is logged (its id and problem) and left out, the rest is cached. The cache file
is replaced atomically (temporary file, fsync, rename, fsync of the folder), so the app never
reads half of one, even after a power cut. kiosk.forms.cache and kiosk.web.cache read them for
the app.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import aiohttp

from eservices.catalogue import check_catalogue
from kiosk.agent.shipper import Backoff, HubHealth
from kiosk.forms import cache as forms_cache
from kiosk.hubclient import HubClient, refused
from kiosk.store import utc_iso
from kiosk.web import cache as eservices_cache

log = logging.getLogger(__name__)

FORMS_PATH = "/api/kiosk/forms"
ESERVICES_PATH = "/api/kiosk/eservices"


class Versioned(Protocol):
    @property
    def version(self) -> str: ...


@dataclass(frozen=True)
class Kept:
    """What of a catalogue from the hub is cached, and how many entries were left out."""

    content: Any
    entries: int
    left_out: int


@dataclass(frozen=True)
class Catalogue:
    """One catalogue the hub serves and the kiosk keeps."""

    #: For the log and HubHealth: "forms catalogue".
    what: str
    path: str
    #: The key of the hub's answer, and of the cache file, that holds the catalogue itself.
    key: str
    cache_file: str
    #: The cache in a data folder, None when there is none yet; ValueError when it is unusable.
    read_cache: Callable[[Path], Versioned | None]
    #: The entries that check out, the others logged; ValueError when the hub's answer is not
    #: this catalogue at all.
    check: Callable[[Any], Kept]
    #: What the log counts: "forms", "e-services".
    entries: str


class CatalogueKeeper:
    """Fetches one catalogue when it is due and keeps its cache in `data_dir`."""

    def __init__(
        self,
        http: aiohttp.ClientSession,
        catalogue: Catalogue,
        *,
        hub: HubClient,
        data_dir: Path,
        refresh_seconds: float,
        backoff: Backoff,
        request_timeout: float,
    ) -> None:
        self._http = http
        self.catalogue = catalogue
        self._url = hub.url(catalogue.path)
        self.data_dir = data_dir
        self.refresh_seconds = refresh_seconds
        self.backoff = backoff
        self._timeout = hub.timeout(request_timeout)
        self.health = HubHealth(catalogue.what)
        #: time.monotonic() when the next fetch is due (0 = now).
        self.due_at = 0.0

    async def refresh(self) -> str:
        """Fetch once: "updated", "unchanged" (304) or "failed". Schedules the next fetch:
        the refresh interval after an answer, a backoff (never longer) after a failure."""
        outcome = await self._fetch()
        if outcome == "failed":
            wait = min(self.refresh_seconds, self.backoff.delay(self.health.failures))
        else:
            self.health.answered()
            wait = self.refresh_seconds
        self.due_at = time.monotonic() + wait
        return outcome

    async def _fetch(self) -> str:
        version = await asyncio.to_thread(self._cached_version)
        headers = {"Accept": "application/json"}
        if version is not None:
            headers["If-None-Match"] = f'"{version}"'
        try:
            async with self._http.get(self._url, headers=headers, timeout=self._timeout) as resp:
                status = resp.status
                body = await resp.read() if status == 200 else b""
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            cause = "timeout" if isinstance(exc, TimeoutError) else "unreachable"
            self.health.failed(cause, f"{type(exc).__name__}: {exc}")
            return "failed"
        if status == 304:
            return "unchanged"
        if status != 200:
            cause = "token" if refused(status) else "server" if status >= 500 else "unexpected"
            self.health.failed(cause, f"HTTP {status}")
            return "failed"
        try:
            answer = json.loads(body)
        except (UnicodeDecodeError, ValueError):
            answer = None
        key = self.catalogue.key
        new_version = answer.get("version") if isinstance(answer, dict) else None
        if not isinstance(new_version, str) or not new_version or not isinstance(answer, dict):
            self.health.failed("unexpected", f"the answer is not {{version, {key}}}")
            return "failed"
        try:
            kept = await asyncio.to_thread(self.catalogue.check, answer.get(key))
        except ValueError as exc:
            self.health.failed("unexpected", f"{key}: {exc}")
            return "failed"
        try:
            await asyncio.to_thread(
                write_cache,
                self.data_dir / self.catalogue.cache_file,
                new_version,
                key,
                kept.content,
            )
        except OSError as exc:
            # A full disk, say: the copy cached before stays in use, and the fetch is tried again.
            log.warning(
                "%s %s could not be cached (%s); the cached copy stays",
                self.catalogue.what,
                new_version[:16],
                exc.strerror or type(exc).__name__,
                extra={"state": "not-cached"},
            )
            return "failed"
        log.info(
            "%s %s cached: %d %s, %d left out",
            self.catalogue.what,
            new_version[:16],
            kept.entries,
            self.catalogue.entries,
            kept.left_out,
            extra={"state": new_version},
        )
        return "updated"

    def _cached_version(self) -> str | None:
        try:
            cached = self.catalogue.read_cache(self.data_dir)
        except ValueError as exc:
            # Asked for in full (no If-None-Match): the answer replaces the broken file.
            log.warning(
                "the cached %s is unusable", self.catalogue.what, extra={"reason": str(exc)}
            )
            return None
        return None if cached is None else cached.version


def checked_forms(forms: Any) -> Kept:
    """The definitions that pass `load_definition`, each id once; the others are logged."""
    from eforms.definition import FormDefinitionError, load_definition

    if not isinstance(forms, list):
        raise ValueError("not a list")
    good: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, form in enumerate(forms):
        form_id = str(form.get("id", f"#{index}")) if isinstance(form, dict) else f"#{index}"
        try:
            if not isinstance(form, dict):
                raise FormDefinitionError(form_id, "not a JSON object")
            definition = load_definition(form)
            if definition.id in seen:
                raise FormDefinitionError(form_id, "the id is used twice")
        except FormDefinitionError as exc:
            _left_out(f"form {form_id[:64]}", exc.problem)
            continue
        except (AttributeError, TypeError, KeyError, ValueError) as exc:
            # What the checks do not foresee in data from the network must not stop the agent.
            _left_out(f"form {form_id[:64]}", f"{type(exc).__name__}: {exc}")
            continue
        seen.add(definition.id)
        good.append(form)
    return Kept(good, len(good), len(forms) - len(good))


def checked_eservices(catalogue: Any) -> Kept:
    """The entries that pass `check_catalogue`; the others are logged. ValueError
    (CatalogueError) when it is not an e-services catalogue at all."""
    try:
        checked = check_catalogue(catalogue)
    except (AttributeError, TypeError, KeyError) as exc:
        # What the checks do not foresee in data from the network must not stop the agent.
        raise ValueError(f"{type(exc).__name__}: {exc}") from None
    for error in checked.errors:
        _left_out(error.what, error.problem)
    return Kept(checked.catalogue.served, len(checked.catalogue.services), len(checked.errors))


def _left_out(what: str, problem: str) -> None:
    log.error(
        "%s from the hub is malformed and left out: %s",
        what,
        problem[:200],
        extra={"reason": problem[:200]},
    )


FORMS = Catalogue(
    "forms catalogue", FORMS_PATH, "forms", forms_cache.CACHE_FILE, forms_cache.read_cache,
    checked_forms, "forms",
)  # fmt: skip
ESERVICES = Catalogue(
    "e-services catalogue", ESERVICES_PATH, "catalogue", eservices_cache.CACHE_FILE,
    eservices_cache.read_cache, checked_eservices, "e-services",
)  # fmt: skip

#: Every catalogue kiosk-agent keeps.
CATALOGUES = (FORMS, ESERVICES)


def write_cache(target: Path, version: str, key: str, content: Any) -> Path:
    """Replace the cache file `target` atomically with {version, fetched_at, <key>: content};
    returns its path."""
    folder_path = target.parent
    folder_path.mkdir(parents=True, exist_ok=True)
    cached = {"version": version, "fetched_at": utc_iso(datetime.now(UTC)), key: content}
    data = json.dumps(cached, ensure_ascii=False, sort_keys=True).encode("utf-8")
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=folder_path)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    folder = os.open(folder_path, os.O_RDONLY)
    try:
        os.fsync(folder)  # the rename itself must survive a power cut
    finally:
        os.close(folder)
    return target
