"""No peer outlives the run that started it: a run (as a bench runs them, tests.peers' own
classes) starts a private cupsd with its ippeveprinter, pcscd and the hub's process, and is then
interrupted with Ctrl+C, stopped with SIGTERM or killed outright with SIGKILL. Afterwards no
process of those peers is left: none carrying the run's mark, none in their process groups.

These start real peers: run them under `flock /tmp/kiosk-peers.lock`.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.peers import lifetime
from tests.peers.hub import wait_until

ROOT = Path(__file__).resolve().parents[2]

RUN = textwrap.dedent("""\
    import os, sys, time
    from pathlib import Path

    from tests.peers import pcsc
    from tests.peers.cups import CupsPeer
    from tests.peers.hub import configured_hub
    from tests.peers.smtp import free_port

    base = Path(sys.argv[1])
    cups = CupsPeer(base / "cups")
    cups.base.mkdir()
    hub = configured_hub(base, os.urandom(32), free_port())
    reader = pcsc.PcscPeer()
    try:
        cups.start()
        hub.start()
        pcsc.stop_foreign_pcscd()
        reader.start()
        print("ready", flush=True)
        while True:
            time.sleep(1)
    finally:
        reader.stop()
        hub.stop()
        cups.stop()
""")

#: What the run starts, by the name the kernel gives each process (kiosk-hub is Python).
PEERS = {"cupsd", "ippeveprinter", "pcscd", "kiosk-hub"}


def names(pids: list[int]) -> set[str]:
    found = set()
    for pid in pids:
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        found |= {Path(a.decode()).name for a in argv[:3]} & PEERS
    return found


def group_members(groups: set[int]) -> list[int]:
    """Live processes in any of `groups` (zombies are gone already)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[2]) in groups:
            found.append(int(entry.name))
    return found


def guards_of(owner: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if lifetime.GUARD_NAME.encode() in argv and str(owner).encode() in argv:
            found.append(int(entry.name))
    return [pid for pid in found if not lifetime.zombie(pid)]


def wait_ready(run: subprocess.Popen[bytes]) -> None:
    assert run.stdout is not None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        readable, _, _ = select.select([run.stdout], [], [], 1.0)
        if readable:
            line = run.stdout.readline()
            if line == b"ready\n":
                return
            if not line:
                break
    pytest.fail(f"the run did not start its peers (status {run.poll()})")


@pytest.mark.parametrize(
    "how", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=["ctrl-c", "sigterm", "sigkill"]
)
def test_no_peer_outlives_a_run_however_it_ends(tmp_path: Path, how: signal.Signals) -> None:
    run = lifetime.spawn(
        [sys.executable, "-c", RUN, str(tmp_path)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_ready(run)
        peers = lifetime.marked_pids(run.pid)
        assert names(peers) == PEERS
        groups = {os.getpgid(pid) for pid in peers}

        run.send_signal(how)
        run.wait(60)
        wait_until(
            lambda: not lifetime.marked_pids(run.pid) and not group_members(groups),
            f"no peer of the run is left: {names(lifetime.marked_pids(run.pid))}",
        )
        wait_until(lambda: not guards_of(run.pid), "the run's guard has ended")
    finally:
        lifetime.stop(run, signal.SIGKILL)
        assert run.stdout is not None
        run.stdout.close()
