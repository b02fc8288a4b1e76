"""The forms on offer, loaded off the Qt thread and kept until kiosk-agent replaces the file.

Loading the catalogue (reading the cached file and checking every definition against its JSON
Schema) takes a good part of a second the first time. It runs on a worker when the back end
starts, and again after each session when the file has changed, so that opening Forms finds the
catalogue ready; only a citizen who opens Forms in the very moment after start-up, or after
kiosk-agent has just replaced the file, waits for the load.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.forms.cache import cache_path
from kiosk.threads import blocking

if TYPE_CHECKING:
    from eforms.definition import FormDefinition, FormDefinitionError

#: (modification time in ns, size, inode) of the cached file; None when there is none.
Stamp = tuple[int, int, int] | None
#: Runs a function on a worker and returns its future (kiosk.engine.Engine.run_blocking).
Run = Callable[[Callable[[Path], "LoadedCatalogue"], Path], "Future[LoadedCatalogue]"]

#: How long opening Forms may wait for a load under way before it gives up.
LOAD_SECONDS = 30.0


@dataclass(frozen=True)
class LoadedCatalogue:
    forms: list[FormDefinition]
    #: What was wrong with the definitions that are left out.
    errors: list[FormDefinitionError]
    #: The cached file as it was when the load began.
    stamp: Stamp


def stamp(data_dir: Path) -> Stamp:
    try:
        found = cache_path(data_dir).stat()
    except FileNotFoundError:
        return None
    return (found.st_mtime_ns, found.st_size, found.st_ino)


@blocking
def load_forms(data_dir: Path) -> LoadedCatalogue:
    """The hub's catalogue as cached in `data_dir` (the shipped forms without a usable cache),
    each definition checked."""
    from eforms.definition import load_catalogue
    from kiosk.forms.cache import catalogue_sources

    before = stamp(data_dir)
    forms, errors = load_catalogue(catalogue_sources(data_dir))
    return LoadedCatalogue(forms, errors, before)


class FormsCatalogue:
    def __init__(self, data_dir: Path, run: Run) -> None:
        self.data_dir = data_dir
        self._run = run
        self._lock = threading.Lock()
        #: The last load: under way, done, or failed (then the next refresh tries again).
        self._loading: Future[LoadedCatalogue] | None = None

    def refresh(self) -> Future[LoadedCatalogue]:
        """Load the catalogue on a worker unless the one loaded is still the file's; the future
        gives the catalogue (done at once when nothing changed)."""
        with self._lock:
            last = self._loading
            if last is not None and (
                not last.done()
                or (last.exception() is None and last.result().stamp == stamp(self.data_dir))
            ):
                return last
            self._loading = self._run(load_forms, self.data_dir)
            return self._loading

    def current(self) -> LoadedCatalogue:
        """The forms to offer now: ready at once when the loaded catalogue is still the file's,
        otherwise after the load (see the module's docstring for when that happens)."""
        return self.refresh().result(timeout=LOAD_SECONDS)
