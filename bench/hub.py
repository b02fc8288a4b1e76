"""Fleet ingest figures: a real hub (`kiosk-hub serve`) under 1,000 simulated kiosks.

    .venv/bin/python bench/hub.py [--kiosks 1000] [--speed 10] [--seconds 30] [--runs 3]

The hub runs as its own process on a temporary config and database with KIOSKS kiosks enrolled
(through the store, directly), pinned to CPU 0 with `taskset` when there is one (and this
client to the other CPUs). Every kiosk heartbeats every 30 s, compressed SPEED times (so the
hub sees KIOSKS / 30 × SPEED heartbeats a second), and sends a batch of 20 events every 5th
beat, over aiohttp with a pool of 100 connections. Each run measures SECONDS: heartbeat and
event-batch latency (p50, p99, from request to the answer read), requests per second achieved,
and the hub's CPU time from /proc/<pid>/stat as % of one core. Figures are medians of RUNS.
The target is a p99 under 50 ms on one core at SPEED 1; higher speeds show the headroom.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BEAT_SECONDS = 30.0
EVENTS_EVERY = 5
EVENTS_PER_BATCH = 20
POOL = 100


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def prepare(folder: Path, kiosks: int, port: int) -> tuple[Path, dict[str, str]]:
    """A config, a sealing key and a database with `kiosks` enrolled; returns their tokens."""
    from nacl.public import PrivateKey

    from hub.accounts import new_secret, sha256_hex
    from hub.config import load_config
    from hub.store import open_store

    data = folder / "data"
    data.mkdir()
    key = data / "sealing.key"
    key.write_text(base64.b64encode(bytes(PrivateKey.generate())).decode() + "\n")
    key.chmod(0o600)
    config_path = folder / "hub.toml"
    config_path.write_text(
        f'[hub]\ndata_dir = "{data}"\nlisten_port = {port}\ncookie_secure = false\n'
        '[smtp]\nhost = "127.0.0.1"\nport = 9\n'
    )
    store = open_store(load_config(config_path).db_path)
    tokens = {}
    at = datetime.now(UTC).isoformat()
    try:
        with store.db.atomic():
            for n in range(kiosks):
                kiosk_id, token = f"kiosk-{n:04d}", new_secret()
                store.db.execute(
                    "INSERT INTO kiosks (kiosk_id, name, location, token_hash, created_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    [kiosk_id, f"Kiosk {n}", f"Library {n % 40}", sha256_hex(token), at],
                )
                tokens[kiosk_id] = token
    finally:
        store.close()
    return config_path, tokens


def start_hub(config: Path, port: int) -> tuple[subprocess.Popen[bytes], bool]:
    command = [str(ROOT / ".venv/bin/kiosk-hub"), "--config", str(config), "serve"]
    pinned = shutil.which("taskset") is not None and (os.cpu_count() or 1) > 1
    if pinned:
        command = ["taskset", "-c", "0", *command]
    from tests.peers.lifetime import spawn  # stopped however the bench ends

    env = {**os.environ, "KIOSK_HUB_LOG_LEVEL": "WARNING"}
    hub = spawn(command, env=env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return hub, pinned
        except OSError:
            time.sleep(0.1)
    hub.kill()
    raise SystemExit("the hub did not start listening within 30 s")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    # utime and stime are fields 14 and 15 of the whole line (1-based), 11 and 12 here.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def heartbeat() -> dict[str, Any]:
    now = datetime.now(UTC).isoformat()
    return {
        "sent_at": now,
        "app": {"state": "running", "since": now, "version": "0.9"},
        "agent_version": "0.9",
        "session_active": random.random() < 0.3,
        "devices": {
            name: {"state": "online", "attention": "none", "code": None, "since": None}
            for name in ("printer", "card_reader", "camera", "payment")
        },
        "disk": {"free_bytes": 10**10, "total_bytes": 6 * 10**10},
        "memory": {"available_bytes": 2 * 10**9, "total_bytes": 8 * 10**9},
        "uptime_seconds": 3600,
        "last_self_test": None,
    }


@dataclass
class Tally:
    beats: list[float] = field(default_factory=list)
    batches: list[float] = field(default_factory=list)
    errors: int = 0


async def kiosk_loop(
    session: Any, url: str, kiosk_id: str, token: str, period: float, until: float, tally: Tally
) -> None:
    headers = {"Authorization": f"Bearer {token}", "X-Kiosk-Id": kiosk_id}
    loop = asyncio.get_running_loop()
    next_at = loop.time() + random.uniform(0, period)
    beat, event_id = 0, int(time.time() * 1000) % 10**9 * 100
    while next_at < until:
        await asyncio.sleep(max(0.0, next_at - loop.time()))
        next_at += period
        beat += 1
        started = time.perf_counter()
        async with session.post(
            f"{url}/api/kiosk/heartbeat", json=heartbeat(), headers=headers
        ) as r:
            await r.read()
            ok = r.status == 200
        tally.beats.append(time.perf_counter() - started)
        tally.errors += not ok
        if beat % EVENTS_EVERY == 0:
            events = []
            for _ in range(EVENTS_PER_BATCH):
                event_id += 1
                events.append(
                    {
                        "id": event_id,
                        "at": datetime.now(UTC).isoformat(),
                        "level": "info",
                        "kind": "log",
                        "device_id": None,
                        "session_id": None,
                        "code": None,
                        "attention": None,
                        "message": "print job sent to the printer queue",
                        "payload": {"pages": 2},
                    }
                )
            started = time.perf_counter()
            async with session.post(
                f"{url}/api/kiosk/events", json={"events": events}, headers=headers
            ) as r:
                await r.read()
                ok = r.status == 200
            tally.batches.append(time.perf_counter() - started)
            tally.errors += not ok


async def handler_buckets(session: Any, url: str, endpoint: str) -> dict[float, float]:
    """The hub's own latency histogram of `endpoint` (handler time, from /metrics)."""
    from prometheus_client.parser import text_string_to_metric_families

    async with session.get(f"{url}/metrics") as response:
        text = await response.text()
    buckets = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name.endswith("_bucket") and sample.labels.get("endpoint") == endpoint:
                buckets[float(sample.labels["le"])] = sample.value
    return buckets


def share_within(before: dict[float, float], after: dict[float, float], seconds: float) -> float:
    """The share (%) of requests in the run whose handler took at most `seconds`."""
    total = after.get(float("inf"), 0.0) - before.get(float("inf"), 0.0)
    within = after.get(seconds, 0.0) - before.get(seconds, 0.0)
    return 100 * within / total if total else float("nan")


async def one_run(
    url: str, tokens: dict[str, str], speed: float, seconds: float, pid: int
) -> dict[str, float]:
    import aiohttp

    period = BEAT_SECONDS / speed
    tally = Tally()
    connector = aiohttp.TCPConnector(limit=POOL)
    async with aiohttp.ClientSession(connector=connector) as session:
        loop = asyncio.get_running_loop()
        until = loop.time() + seconds
        handled = await handler_buckets(session, url, "heartbeat")
        cpu_before, wall_before = cpu_seconds(pid), time.monotonic()
        client_before = time.process_time()
        await asyncio.gather(
            *(kiosk_loop(session, url, k, t, period, until, tally) for k, t in tokens.items())
        )
        cpu = (cpu_seconds(pid) - cpu_before) / (time.monotonic() - wall_before)
        wall = time.monotonic() - wall_before
        client = (time.process_time() - client_before) / wall
        handled_50 = share_within(handled, await handler_buckets(session, url, "heartbeat"), 0.05)

    def pct(values: list[float], q: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0

    return {
        "beat_p50": pct(tally.beats, 0.50),
        "beat_p99": pct(tally.beats, 0.99),
        "batch_p50": pct(tally.batches, 0.50),
        "batch_p99": pct(tally.batches, 0.99),
        "rps": (len(tally.beats) + len(tally.batches)) / wall,
        "cpu": cpu * 100,
        "handled_50": handled_50,
        "client_cpu": client * 100,
        "errors": tally.errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kiosks", type=int, default=1000)
    parser.add_argument("--speed", type=float, default=10.0, help="heartbeat compression K")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, set(range(1, os.cpu_count() or 2)))
    with tempfile.TemporaryDirectory(prefix="bench-hub-") as tmp:
        port = free_port()
        config, tokens = prepare(Path(tmp), args.kiosks, port)
        hub, pinned = start_hub(config, port)
        try:
            runs = [
                asyncio.run(
                    one_run(f"http://127.0.0.1:{port}", tokens, args.speed, args.seconds, hub.pid)
                )
                for _ in range(args.runs)
            ]
        finally:
            hub.terminate()
            hub.wait(timeout=10)
    rate = args.kiosks / BEAT_SECONDS * args.speed
    print(
        f"hub ingest: {args.kiosks} kiosks, heartbeat every {BEAT_SECONDS:.0f} s compressed "
        f"K={args.speed:g} (= {rate:.0f} heartbeats/s offered), {EVENTS_PER_BATCH} events every "
        f"{EVENTS_EVERY}th beat; {args.seconds:g} s per run, median of {args.runs}; hub "
        + ("pinned to CPU 0 (taskset)" if pinned else "not pinned")
    )

    def median(key: str) -> float:
        return statistics.median(run[key] for run in runs)

    print(f"  heartbeat    p50 {median('beat_p50'):6.1f} ms   p99 {median('beat_p99'):6.1f} ms")
    print(f"  heartbeat handler within 50 ms: {median('handled_50'):.2f} % (the hub's histogram)")
    print(f"  event batch  p50 {median('batch_p50'):6.1f} ms   p99 {median('batch_p99'):6.1f} ms")
    print(f"  requests/s   {median('rps'):.0f}   hub CPU {median('cpu'):.0f} % of one core")
    print(
        f"  this client's CPU {median('client_cpu'):.0f} % of a core (near 100 %: the client, "
        "not the hub, sets the latency)"
    )
    print(f"  errors       {sum(run['errors'] for run in runs):.0f}")


if __name__ == "__main__":
    main()
