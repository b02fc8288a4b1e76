"""Provisioning's printer detection against the tests' real cupsd and virtual IPP printer.

The peer's cupsd listens on a private port: `CUPS_SERVER` points lpstat and lpadmin at it, as
it would at any CUPS that is not the local default.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from provisioning.checks import check_devices, find_devices, line_of
from provisioning.steps import Box, Outcome
from provisioning.summary import render
from provisioning.system import ensure_cups_queue
from tests.peers.cups import (  # noqa: F401 - the fixtures are used by name
    CupsPeer,
    cups_peer_fixture,
    cups_session_fixture,
    free_port,
)


@pytest.fixture
def cups(cups_peer: CupsPeer, monkeypatch: pytest.MonkeyPatch) -> CupsPeer:
    """The peer, with the CUPS tools of this process pointed at it."""
    monkeypatch.setenv("CUPS_SERVER", cups_peer.server)
    return cups_peer


@pytest.fixture
def no_cups(monkeypatch: pytest.MonkeyPatch) -> None:
    """A CUPS address where nothing listens: as a box where cupsd is not running."""
    monkeypatch.setenv("CUPS_SERVER", f"127.0.0.1:{free_port()}")


@pytest.fixture
def box() -> Box:
    """The running system (not a --root tree), so that the steps really ask CUPS."""
    return Box(Path("/"))


@pytest.fixture
def extra_queue(cups: CupsPeer) -> Iterator[str]:
    """A queue name the peer does not have; removed again if a test created it."""
    name = "provisioning-test"
    yield name
    subprocess.run(["lpadmin", "-h", cups.server, "-x", name], capture_output=True, check=False)


def test_the_queue_cups_has_is_found(cups: CupsPeer) -> None:
    found = find_devices(None)
    assert cups.queue in found.cups_queues
    assert found.cups_note == ""
    assert f"printers in CUPS: {', '.join(found.cups_queues)}" in found.lines()


def test_queue_is_found_whatever_the_locale(
    cups: CupsPeer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # lpstat translates "device for" (de: "Gerät für"); the look-up must not depend on that.
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    monkeypatch.setenv("LC_ALL", "de_DE.UTF-8")
    german = subprocess.run(["lpstat", "-v"], capture_output=True, text=True, check=False)
    assert "Gerät für" in german.stdout  # the trap is real on this machine
    assert cups.queue in find_devices(None).cups_queues


def test_an_existing_queue_is_left_alone(cups: CupsPeer, box: Box) -> None:
    result = ensure_cups_queue(box, cups.queue, "")
    assert (result.outcome, result.detail) == (Outcome.OK, f"prints to {cups.printer_uri}")
    same = ensure_cups_queue(box, cups.queue.upper(), cups.printer_uri)  # CUPS ignores case
    assert (same.outcome, same.detail) == (Outcome.OK, f"prints to {cups.printer_uri}")


def test_a_missing_queue_tells_the_technician_what_to_give(
    cups: CupsPeer, box: Box, extra_queue: str
) -> None:
    result = ensure_cups_queue(box, extra_queue, "")
    assert result.outcome is Outcome.FAILED
    assert result.detail == "CUPS has no such queue"
    summary = render(box.results, dry_run=False)
    assert f"FAILED       CUPS queue {extra_queue}  CUPS has no such queue" in summary
    assert f"  - give --printer-uri ipp://... for the queue {extra_queue}" in summary
    assert extra_queue not in find_devices(None).cups_queues


def test_a_missing_queue_is_made_for_the_printer_uri(
    cups: CupsPeer, box: Box, extra_queue: str
) -> None:
    made = ensure_cups_queue(box, extra_queue, cups.printer_uri)
    assert made.outcome is Outcome.CHANGED, made.detail
    assert extra_queue in find_devices(None).cups_queues
    again = ensure_cups_queue(box, extra_queue, cups.printer_uri)
    assert (again.outcome, again.detail) == (Outcome.OK, f"prints to {cups.printer_uri}")


def test_cups_not_running_is_not_called_a_missing_queue(no_cups: None, box: Box) -> None:
    found = find_devices(None)
    assert found.cups_queues == ()
    line = line_of(found, "printers in CUPS")
    assert line == (
        "printers in CUPS: none "
        "(lpstat: Scheduler is not running. Start CUPS: systemctl start cups)"
    )
    result = ensure_cups_queue(box, "kiosk", "")
    assert result.outcome is Outcome.FAILED
    assert result.detail == "CUPS cannot be asked: lpstat: Scheduler is not running."
    assert result.todo == ("start CUPS (systemctl start cups), then check: lpstat -v kiosk",)


def test_ippfind_sees_the_virtual_printer(cups: CupsPeer) -> None:
    # ippeveprinter announces itself through avahi (DNS-SD), which the peer runs. A printer
    # that has just started may not be announced yet (on a box, it has been for long): look
    # again until it is, within a generous deadline.
    deadline = time.monotonic() + 60
    while True:
        printers = find_devices(None).ipp_printers
        ours = [uri for uri in printers if f":{cups.ipp_port}/" in uri]
        if ours or time.monotonic() > deadline:
            break
    assert ours, f"ippfind found {printers!r}"
    assert ours[0].startswith("ipp://")
    assert ours[0].endswith("/ipp/print")


def test_the_summary_shows_each_finding_whole(no_cups: None, box: Box) -> None:
    # The findings are joined with "; " in the summary: no note may contain one.
    found = check_devices(box, "10.0.0.5:8470/nexo")
    [result] = box.results
    assert result.detail.split("; ") == found.lines()
