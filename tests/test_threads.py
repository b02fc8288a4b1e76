"""kiosk.threads: a call that can block fails on the UI thread in tests, runs anywhere else."""

from __future__ import annotations

import logging
import threading

import pytest

from kiosk import threads


@threads.blocking
def slow_sum(a: int, b: int) -> int:
    return a + b


def test_a_blocking_call_on_the_ui_thread_raises_in_strict_mode() -> None:
    threads.mark_ui_thread()
    with pytest.raises(threads.BlockingOnUiThread, match="slow_sum can block"):
        slow_sum(1, 2)


def test_the_same_call_runs_on_another_thread_and_without_a_ui_thread() -> None:
    threads.mark_ui_thread()
    results: list[int] = []
    worker = threading.Thread(target=lambda: results.append(slow_sum(2, 3)))
    worker.start()
    worker.join()
    assert results == [5]
    threads.clear_ui_thread()
    assert slow_sum(3, 4) == 7


def test_outside_tests_it_warns_once_and_goes_on(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(threads, "strict", False)
    threads.mark_ui_thread()
    with caplog.at_level(logging.WARNING, logger="kiosk.threads"):
        assert slow_sum(1, 1) == 2
        assert slow_sum(1, 1) == 2
    warnings = [r for r in caplog.records if r.getMessage() == "blocking call on the UI thread"]
    assert len(warnings) == 1
    assert getattr(warnings[0], "code", "").endswith("slow_sum")


def test_the_engine_runs_blocking_work_for_the_ui_thread() -> None:
    from kiosk.engine import Engine

    threads.mark_ui_thread()
    engine = Engine()
    engine.start()
    try:
        assert engine.run_blocking(slow_sum, 2, b=5).result(timeout=10) == 7
    finally:
        engine.stop()
