"""Provisioning's detection of card readers, cameras and the payment terminal, against the
tests' real pcscd with vpcd's virtual readers, the camera nodes of this machine, and the nexo
terminal simulator run as a process of its own."""

from __future__ import annotations

import glob
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from provisioning.checks import (
    NO_PYSCARD,
    Found,
    check_devices,
    find_devices,
    line_of,
    look_again_for_readers,
)
from provisioning.steps import Box, Outcome
from tests.peers.nexo import (  # noqa: F401 - the fixtures are used by name
    NexoSimulator,
    free_port,
    notify_port_fixture,
    sim_fixture,
)
from tests.peers.pcsc import (
    VIRTUAL_READER,
    PcscPeer,
    pcsc_peer,  # noqa: F401 - the fixture is used by name
)

# ---- PC/SC readers ---------------------------------------------------------------------------


@pytest.fixture
def pcscd(request: pytest.FixtureRequest) -> PcscPeer:
    """The tests' pcscd, running, with vpcd's virtual readers."""
    peer: PcscPeer = request.getfixturevalue("pcsc_peer")
    peer.start()
    return peer


def test_the_virtual_reader_is_found_by_name(pcscd: PcscPeer) -> None:
    found = find_devices(None)
    assert VIRTUAL_READER in found.readers
    assert found.readers_note == ""
    assert VIRTUAL_READER in line_of(found, "PC/SC readers")


def test_pcscd_stopped_says_so(pcscd: PcscPeer) -> None:
    pcscd.stop()
    try:
        found = find_devices(None)
    finally:
        pcscd.start()
    assert found.readers == ()
    assert line_of(found, "PC/SC readers") == (
        "PC/SC readers: none (pcscd does not answer: systemctl start pcscd.socket)"
    )


# On a fresh box provisioning runs on the system's Python, without pyscard; once the kiosk's
# own Python is installed (here: this test's, which has pyscard) the readers are looked for again.
FRESH_BOX = Found((), (), (), (), None, readers_note=NO_PYSCARD)


def test_readers_are_looked_for_again_with_the_kiosks_python(pcscd: PcscPeer) -> None:
    box = Box(Path("/"))
    again = look_again_for_readers(box, FRESH_BOX, sys.executable)
    assert VIRTUAL_READER in again.readers
    assert again.readers_note == ""
    [result] = box.results
    assert (result.name, result.outcome) == ("PC/SC readers", Outcome.OK)
    assert result.detail == line_of(again, "PC/SC readers")
    assert VIRTUAL_READER in result.detail


def test_the_second_look_says_why_it_found_none(pcscd: PcscPeer, tmp_path: Path) -> None:
    box = Box(Path("/"))
    pcscd.stop()
    try:
        stopped = look_again_for_readers(box, FRESH_BOX, sys.executable)
    finally:
        pcscd.start()
    assert stopped.readers == ()
    assert stopped.readers_note == "pcscd does not answer: systemctl start pcscd.socket"
    missing = look_again_for_readers(box, FRESH_BOX, str(tmp_path / "python"))
    assert missing.readers_note == f"{tmp_path / 'python'} is not installed"


def test_there_is_no_second_look_when_the_first_could_look() -> None:
    box = Box(Path("/"))
    looked = Found((), (), ("Some Reader 00 00",), (), None)
    assert look_again_for_readers(box, looked, sys.executable) is looked
    assert box.results == []


# ---- cameras ---------------------------------------------------------------------------------


def test_the_cameras_of_this_machine() -> None:
    # Whatever /dev holds here: the default place is the one looked at.
    nodes = glob.glob("/dev/video*")
    found = find_devices(None)
    assert sorted(found.cameras) == sorted(nodes)
    if not nodes:
        assert line_of(found, "cameras") == (
            "cameras: none: no /dev/video* "
            "(plug the camera in, then `v4l2-ctl --list-devices` lists it)"
        )


def test_no_camera_tells_the_technician_what_to_do(tmp_path: Path) -> None:
    box = Box(Path("/"))
    found = check_devices(box, None, dev=tmp_path)
    assert found.cameras == ()
    [result] = box.results
    assert result.outcome is Outcome.OK
    assert f"cameras: none: no {tmp_path}/video* (plug the camera in," in result.detail


def test_camera_nodes_are_listed_in_number_order(tmp_path: Path) -> None:
    for name in ("video10", "video2", "video0", "video1", "vhci"):
        (tmp_path / name).touch()
    found = find_devices(None, dev=tmp_path)
    expected = tuple(str(tmp_path / f"video{n}") for n in (0, 1, 2, 10))
    assert found.cameras == expected
    assert line_of(found, "cameras") == "cameras: " + ", ".join(expected)


def test_a_uvc_camera_is_one_camera_not_its_metadata_node_too(tmp_path: Path) -> None:
    dev, sysfs = tmp_path / "dev", tmp_path / "sys"
    dev.mkdir()
    # Two UVC cameras: pictures on index 0, metadata on index 1 (as the kernel's uvcvideo does).
    for name, index in (("video0", 0), ("video1", 1), ("video2", 0), ("video3", 1)):
        (dev / name).touch()
        entry = sysfs / "class" / "video4linux" / name
        entry.mkdir(parents=True)
        (entry / "index").write_text(f"{index}\n")
    found = find_devices(None, dev=dev, sysfs=sysfs)
    assert found.cameras == (str(dev / "video0"), str(dev / "video2"))


# ---- the payment terminal --------------------------------------------------------------------


@pytest.fixture
def listener() -> Iterator[int]:
    """A TCP port that takes connections, as a terminal's does."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield server.getsockname()[1]


def test_no_terminal_configured() -> None:
    found = find_devices(None)
    assert found.terminal_reachable is None
    assert line_of(found, "payment terminal") == "payment terminal: not configured"


def test_the_terminal_simulator_answers(sim: NexoSimulator) -> None:
    found = find_devices(sim.url)
    assert found.terminal_reachable is True
    assert line_of(found, "payment terminal") == (
        f"payment terminal: answers (at 127.0.0.1:{sim.port})"
    )


def test_a_listening_port_answers(listener: int) -> None:
    found = find_devices(f"https://127.0.0.1:{listener}/nexo")
    assert found.terminal_reachable is True


def test_a_closed_port_does_not_answer() -> None:
    port = free_port()  # bound and closed again: nothing listens there
    found = find_devices(f"http://127.0.0.1:{port}/nexo")
    assert found.terminal_reachable is False
    assert line_of(found, "payment terminal") == (
        f"payment terminal: does not answer (at 127.0.0.1:{port}: Connection refused)"
    )


@pytest.mark.parametrize(
    "url",
    ["", "10.0.0.5:8470/nexo", "http://10.0.0.5:99999/nexo", "ftp://10.0.0.5/nexo"],
)
def test_an_unusable_terminal_address_names_the_option(url: str) -> None:
    found = find_devices(url)
    assert found.terminal_reachable is False
    assert line_of(found, "payment terminal") == (
        "payment terminal: does not answer "
        f"({url!r} is not an http:// address with a host, give --terminal-url)"
    )
