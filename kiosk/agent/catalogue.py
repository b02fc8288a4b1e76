"""Keeping the hub's forms catalogue on the kiosk: fetched at start and every few minutes.

GET /api/kiosk/forms carries If-None-Match with the cached version, so an unchanged catalogue
costs a 304 and nothing is written. A new one is checked definition by definition with
`eforms.definition.load_definition`: a malformed one is logged (form id and problem) and left
out, the rest is cached. The cache file is replaced atomically (temporary file, fsync, rename,
fsync of the folder), so the app never reads half of one, even after a power cut.
kiosk.forms.cache reads it for the app.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

from kiosk.agent.shipper import Backoff, HubHealth
from kiosk.forms.cache import CorruptCacheError, cache_path, read_cache
from kiosk.hubclient import HubClient, refused
from kiosk.store import utc_iso

log = logging.getLogger(__name__)

FORMS_PATH = "/api/kiosk/forms"


class CatalogueKeeper:
    """Fetches the catalogue when it is due and keeps the cache in `data_dir`."""

    def __init__(
        self,
        http: aiohttp.ClientSession,
        *,
        hub: HubClient,
        data_dir: Path,
        refresh_seconds: float,
        backoff: Backoff,
        request_timeout: float,
    ) -> None:
        self._http = http
        self._url = hub.url(FORMS_PATH)
        self.data_dir = data_dir
        self.refresh_seconds = refresh_seconds
        self.backoff = backoff
        self._timeout = hub.timeout(request_timeout)
        self.health = HubHealth("forms catalogue")
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
            catalogue = json.loads(body)
        except (UnicodeDecodeError, ValueError):
            catalogue = None
        new_version = catalogue.get("version") if isinstance(catalogue, dict) else None
        forms = catalogue.get("forms") if isinstance(catalogue, dict) else None
        if not isinstance(new_version, str) or not new_version or not isinstance(forms, list):
            self.health.failed("unexpected", "the catalogue is not {version, forms}")
            return "failed"
        good = await asyncio.to_thread(checked_forms, forms)
        await asyncio.to_thread(write_cache, self.data_dir, new_version, good)
        log.info(
            "forms catalogue %s cached: %d forms, %d left out",
            new_version[:16],
            len(good),
            len(forms) - len(good),
            extra={"state": new_version},
        )
        return "updated"

    def _cached_version(self) -> str | None:
        try:
            cached = read_cache(self.data_dir)
        except CorruptCacheError as exc:
            # Asked for in full (no If-None-Match): the answer replaces the broken file.
            log.warning("the cached forms catalogue is unusable", extra={"reason": str(exc)})
            return None
        return None if cached is None else cached.version


def checked_forms(forms: list[Any]) -> list[dict[str, Any]]:
    """The definitions that pass `load_definition`, each id once; the others are logged."""
    from eforms.definition import FormDefinitionError, load_definition

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
            _left_out(form_id, exc.problem)
            continue
        except (AttributeError, TypeError, KeyError, ValueError) as exc:
            # What the checks do not foresee in data from the network must not stop the agent.
            _left_out(form_id, f"{type(exc).__name__}: {exc}")
            continue
        seen.add(definition.id)
        good.append(form)
    return good


def _left_out(form_id: str, problem: str) -> None:
    log.error(
        "form %s from the hub is malformed and left out: %s",
        form_id[:64],
        problem[:200],
        extra={"reason": problem[:200]},
    )


def write_cache(data_dir: Path, version: str, forms: list[dict[str, Any]]) -> Path:
    """Replace the cache file atomically with this catalogue; returns its path."""
    target = cache_path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    content = {"version": version, "fetched_at": utc_iso(datetime.now(UTC)), "forms": forms}
    data = json.dumps(content, ensure_ascii=False, sort_keys=True).encode("utf-8")
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=data_dir)
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
    folder = os.open(data_dir, os.O_RDONLY)
    try:
        os.fsync(folder)  # the rename itself must survive a power cut
    finally:
        os.close(folder)
    return target
