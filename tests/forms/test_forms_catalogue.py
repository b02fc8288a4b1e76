"""The forms on offer, kept loaded off the Qt thread: loaded once, loaded again only when
kiosk-agent has replaced the cached file, and never loaded on the UI thread."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from eforms.definition import shipped_sources
from kiosk import threads
from kiosk.forms.cache import CACHE_FILE
from kiosk.forms.catalogue import FormsCatalogue, LoadedCatalogue, load_forms


class Worker:
    """A worker thread that counts the loads it ran."""

    def __init__(self, pool: ThreadPoolExecutor) -> None:
        self.pool = pool
        self.loads = 0

    def __call__(
        self, fn: Callable[[Path], LoadedCatalogue], data_dir: Path
    ) -> Future[LoadedCatalogue]:
        self.loads += 1
        return self.pool.submit(fn, data_dir)


@pytest.fixture
def worker() -> Iterator[Worker]:
    with ThreadPoolExecutor(1) as pool:
        yield Worker(pool)


def write_cache(data_dir: Path, form_ids: list[str]) -> None:
    """A catalogue as kiosk-agent leaves it: some of the shipped forms, replaced atomically."""
    forms = [json.loads(text) for _name, text in shipped_sources()]
    chosen = [form for form in forms if form["id"] in form_ids]
    data = {"version": "v-" + "-".join(form_ids), "fetched_at": "2026-12-06T10:00:00Z"}
    partial = data_dir / (CACHE_FILE + ".part")
    partial.write_text(json.dumps({**data, "forms": chosen}))
    os.replace(partial, data_dir / CACHE_FILE)


def ids(loaded: LoadedCatalogue) -> list[str]:
    return sorted(form.id for form in loaded.forms)


def test_the_catalogue_is_loaded_once_and_kept(tmp_path: Path, worker: Worker) -> None:
    catalogue = FormsCatalogue(tmp_path, worker)
    first = catalogue.current()
    assert ids(first) == sorted(json.loads(text)["id"] for _name, text in shipped_sources())
    assert catalogue.current() is first and catalogue.refresh().result() is first
    assert worker.loads == 1


def test_a_catalogue_replaced_by_the_agent_is_loaded_again(tmp_path: Path, worker: Worker) -> None:
    write_cache(tmp_path, ["helsinki-feedback"])
    catalogue = FormsCatalogue(tmp_path, worker)
    assert ids(catalogue.current()) == ["helsinki-feedback"]
    write_cache(tmp_path, ["helsinki-feedback", "kansalaisneuvonta-contact"])
    assert ids(catalogue.current()) == ["helsinki-feedback", "kansalaisneuvonta-contact"]
    assert worker.loads == 2


def test_the_ui_thread_waits_for_a_load_it_never_runs(tmp_path: Path, worker: Worker) -> None:
    threads.mark_ui_thread()  # this test's thread plays the Qt thread
    with pytest.raises(threads.BlockingOnUiThread):
        load_forms(tmp_path)
    loaded = FormsCatalogue(tmp_path, worker).current()  # loaded on the worker
    assert loaded.forms and loaded.errors == []
