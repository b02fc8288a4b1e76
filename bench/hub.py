"""Fleet ingest figures: real hubs (`kiosk-hub serve`) under 1 000 and 10 000 simulated kiosks.

    .venv/bin/python bench/hub.py [--kiosks 1000,10000] [--store sqlite,postgresql]
        [--instances 1,2] [--seconds 30] [--warmup 30] [--runs 3] [--probe]

For every store × instances × kiosks (SQLite runs one instance only: two processes never share
its file), the bench enrolls the kiosks in a fresh database (PostgreSQL: a private durable
server, fsync on, from tests.peers.postgres; SQLite: a file), starts the hub instances, and runs
the kiosks at the real rate (bench/hub_kiosks.py): every kiosk heartbeats every 30 s, phases
spread evenly, and sends 20 events every 5th beat from a random beat on, so that batches come
from the first seconds; with two instances the kiosks are dealt over them as a load balancer
would, a pool of 100 connections to each. After WARMUP seconds (one period: every kiosk is
known to the hub, as in a fleet that has run for a while) come RUNS back-to-back windows of
SECONDS each; a figure is the median over the windows.

Pinning (2 cores here): the server side, hubs and PostgreSQL, on CPU 0 with `taskset`; this
client on the others. Per window: heartbeat and batch p50/p99 (heartbeats from the time they
were due, batches from when they were sent: see bench/hub_kiosks.py), requests/s, batches in
the window (a window with no heartbeat or no batch is an error, not a figure), each hub's CPU
and PostgreSQL's as % of one core, how late this client itself was against its schedule, and
the hub's own handler time (its /metrics histogram). `--probe` runs each hub under
bench/hub_probe.py and adds its event-loop lag and GC pauses. Ratios compare with SQLite on one
instance at the same kiosk count. The target is a p99 under 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import itertools
import json
import os
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

from bench.hub_kiosks import BEAT_SECONDS, Sample, Tally, fleet  # noqa: E402

SERVER_CPU = "0"
#: A hub's event loop late by more than this is a stall worth naming (--probe).
STALL = 0.030


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def pinned() -> bool:
    return shutil.which("taskset") is not None and (os.cpu_count() or 1) > 1


@dataclass
class Setup:
    store: str
    instances: int
    kiosks: int
    folder: Path
    database_url: str | None
    ports: list[int] = field(default_factory=list)
    configs: list[Path] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        from hub.config import DATABASE_URL_VARIABLE

        env = {k: v for k, v in os.environ.items() if k != DATABASE_URL_VARIABLE}
        if self.database_url:
            env[DATABASE_URL_VARIABLE] = self.database_url
        return {**env, "KIOSK_HUB_LOG_LEVEL": "WARNING"}


def prepare(setup: Setup) -> None:
    """Hub configs (one per instance, one sealing key) and the kiosks enrolled in the store."""
    from nacl.public import PrivateKey

    from hub.accounts import new_secret, sha256_hex
    from hub.store import open_postgres, open_store

    key = setup.folder / "sealing.key"
    key.write_text(base64.b64encode(bytes(PrivateKey.generate())).decode() + "\n")
    key.chmod(0o600)
    for index in range(setup.instances):
        home = setup.folder / f"hub{index}"
        home.mkdir()
        port = free_port()
        config = home / "hub.toml"
        config.write_text(
            f'[hub]\ndata_dir = "{home / "data"}"\nlisten_port = {port}\ncookie_secure = false\n'
            f'[sealing]\nprivate_key_file = "{key}"\n[metrics]\nprivate_port = true\n'
            '[smtp]\nhost = "127.0.0.1"\nport = 9\n'
        )
        setup.ports.append(port)
        setup.configs.append(config)
    if setup.database_url:
        store = open_postgres(setup.database_url)
    else:
        store = open_store(setup.folder / "hub0" / "data" / "hub.db")
    at = datetime.now(UTC).isoformat()
    try:
        with store.db.atomic():
            for n in range(setup.kiosks):
                kiosk_id, token = f"kiosk-{n:05d}", new_secret()
                store.db.execute(
                    "INSERT INTO kiosks (kiosk_id, name, location, token_hash, created_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    [kiosk_id, f"Kiosk {n}", f"Library {n % 40}", sha256_hex(token), at],
                )
                setup.tokens[kiosk_id] = token
    finally:
        store.close()


def start_hub(setup: Setup, index: int, probe: Path | None) -> subprocess.Popen[bytes]:
    from tests.peers.lifetime import spawn  # stopped however the bench ends

    python = str(ROOT / ".venv/bin/python")
    hub = [str(ROOT / ".venv/bin/kiosk-hub")]
    if probe is not None:
        hub = [python, str(ROOT / "bench/hub_probe.py"), str(probe)]
    command = [*hub, "--config", str(setup.configs[index]), "serve"]
    if pinned():
        command = ["taskset", "-c", SERVER_CPU, *command]
    log = (setup.configs[index].parent / "hub.log").open("wb")
    process = spawn(command, env=setup.env, stderr=log)
    log.close()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = (setup.configs[index].parent / "hub.log").read_text(errors="replace")
            raise SystemExit(f"hub instance {index} exited at start: {tail[-1500:]}")
        try:
            with socket.create_connection(("127.0.0.1", setup.ports[index]), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"hub instance {index} did not start listening within 60 s")


def cpu_seconds(pid: int, *, children: bool = False) -> float:
    """A process's CPU time; with `children`, that of its finished and living children too."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    # utime, stime, cutime, cstime are fields 14-17 of the whole line (1-based), 11-14 here.
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
        for path in Path(f"/proc/{pid}/task").glob("*/children"):
            for child in path.read_text().split():
                ticks += _own_ticks(int(child))
    return ticks / os.sysconf("SC_CLK_TCK")


def _own_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


async def scrape(urls: list[str]) -> list[dict[float, float]]:
    """Each instance's heartbeat handler histogram (cumulative counts by upper bound)."""
    import aiohttp
    from prometheus_client.parser import text_string_to_metric_families

    found = []
    async with aiohttp.ClientSession() as session:
        for url in urls:
            async with session.get(f"{url}/metrics") as response:
                text = await response.text()
            buckets: dict[float, float] = {}
            for family in text_string_to_metric_families(text):
                for sample in family.samples:
                    if (
                        sample.name.endswith("_bucket")
                        and sample.labels.get("endpoint") == "heartbeat"
                    ):
                        buckets[float(sample.labels["le"])] = sample.value
            found.append(buckets)
    return found


@dataclass
class Mark:
    """What the processes had used, and the handler histograms, at a window's edge."""

    wall: float
    hubs: list[float]
    postgres: float
    client: float
    handled: list[dict[float, float]]


async def drive(
    setup: Setup, hubs: list[int], postgres: int | None, warmup: float, seconds: float, runs: int
) -> tuple[Tally, list[Mark]]:
    urls = [f"http://127.0.0.1:{port}" for port in setup.ports]
    tally = Tally()
    start = time.time() + 2.0
    edges = [start + warmup + n * seconds for n in range(runs + 1)]
    marks: list[Mark] = []

    async def marker() -> None:
        for edge in edges:
            await asyncio.sleep(max(0.0, edge - time.time()))
            marks.append(
                Mark(
                    time.time(),
                    [cpu_seconds(pid) for pid in hubs],
                    cpu_seconds(postgres, children=True) if postgres else 0.0,
                    time.process_time(),
                    await scrape(urls),
                )
            )

    await asyncio.gather(
        fleet(urls, setup.tokens, start=start, until=edges[-1], tally=tally), marker()
    )
    return tally, marks


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


def bucket_p99(before: dict[float, float], after: dict[float, float]) -> float:
    """The histogram bucket (ms) that holds the 99th percentile of the window's handler times."""
    total = after.get(float("inf"), 0.0) - before.get(float("inf"), 0.0)
    for bound in sorted(after):
        if total and after[bound] - before.get(bound, 0.0) >= 0.99 * total:
            return bound * 1000
    return float("nan")


def window_figures(tally: Tally, a: Mark, b: Mark, probes: list[dict[str, Any]]) -> dict[str, Any]:
    def inside(samples: list[Sample]) -> list[Sample]:
        return [s for s in samples if a.wall <= s.due < b.wall]

    beats, batches = inside(tally.beats), inside(tally.batches)
    wall = b.wall - a.wall
    figures: dict[str, Any] = {
        "beat_p50": pct([s.latency for s in beats], 0.50),
        "beat_p99": pct([s.latency for s in beats], 0.99),
        "beat_sent_p99": pct([s.from_start for s in beats], 0.99),
        "batch_p50": pct([s.latency for s in batches], 0.50),
        "batch_p99": pct([s.latency for s in batches], 0.99),
        "late_p99": pct([s.late for s in beats], 0.99),
        "late_max": pct([s.late for s in beats], 1.0),
        "queued_p99": pct([s.queued for s in beats + batches], 0.99),
        "beats": len(beats),
        "batches": len(batches),
        "rps": (len(beats) + len(batches)) / wall,
        "errors": sum(not s.ok for s in beats + batches),
        "hub_cpu": [100 * (y - x) / wall for x, y in zip(a.hubs, b.hubs, strict=True)],
        "pg_cpu": 100 * (b.postgres - a.postgres) / wall,
        "client_cpu": 100 * (b.client - a.client) / wall,
        "handler_p99": max(bucket_p99(x, y) for x, y in zip(a.handled, b.handled, strict=True)),
    }
    if probes:
        lags = [lag for p in probes for at, lag in p["lags"] if a.wall <= at < b.wall]
        pauses = [(gen, d) for p in probes for at, gen, d in p["gc"] if a.wall <= at < b.wall]
        figures["lag_p99"] = pct(lags, 0.99)
        figures["lag_max"] = pct(lags, 1.0)
        figures["gc2"] = sum(1 for gen, _ in pauses if gen == 2)
        figures["gc_max"] = max((d for _, d in pauses), default=0.0) * 1000
        figures["gc_count"] = len(pauses)
        figures["stalls"] = sorted(
            round(at - a.wall, 1)
            for p in probes
            for at, lag in p["lags"]
            if a.wall <= at < b.wall and lag > STALL
        )
    return figures


def postmaster_pid(server: Any) -> int:
    return int((server.folder / "data" / "postmaster.pid").read_text().split()[0])


def measure(
    store: str, instances: int, kiosks: int, args: argparse.Namespace, server: Any
) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="bench-hub-") as tmp:
        url = server.schema_url() if store == "postgresql" else None
        setup = Setup(store, instances, kiosks, Path(tmp), url)
        prepare(setup)
        probes = [Path(tmp) / f"probe{i}.json" for i in range(instances)]
        hubs: list[subprocess.Popen[bytes]] = []
        try:
            for index in range(instances):  # the first alone first: it migrates
                hubs.append(start_hub(setup, index, probes[index] if args.probe else None))
            postgres = postmaster_pid(server) if url else None
            tally, marks = asyncio.run(
                drive(
                    setup,
                    [hub.pid for hub in hubs],
                    postgres,
                    args.warmup,
                    args.seconds,
                    args.runs,
                )
            )
        finally:
            for hub in hubs:
                hub.terminate()
                hub.wait(timeout=15)
        found = [json.loads(p.read_text()) for p in probes if args.probe and p.exists()]
        if url:
            server.drop_schema(url)
    windows = [window_figures(tally, a, b, found) for a, b in itertools.pairwise(marks)]
    for n, window in enumerate(windows, 1):
        if not window["beats"] or not window["batches"]:
            raise SystemExit(
                f"{store} ×{instances}, {kiosks} kiosks, window {n}: {window['beats']} heartbeats"
                f" and {window['batches']} batches in the window; a figure needs both"
            )
    return windows


def median(windows: list[dict[str, Any]], key: str) -> float:
    return statistics.median(float(w[key]) for w in windows)


def report(results: dict[tuple[str, int, int], list[dict[str, Any]]], probe: bool) -> None:
    head = (
        f"{'store':<10} {'inst':>4} {'kiosks':>6}  {'hb p50':>6} {'hb p99':>6}  {'bt p50':>6}"
        f" {'bt p99':>6}  {'req/s':>5} {'batches':>7}  {'hub CPU %':<11} {'PG %':>4}"
        f"  {'late p99':>8} {'errors':>6}"
    )
    print(head)
    for (store, instances, kiosks), windows in results.items():
        cpus = "/".join(
            f"{statistics.median(w['hub_cpu'][i] for w in windows):.0f}" for i in range(instances)
        )
        pg = f"{median(windows, 'pg_cpu'):.0f}" if store == "postgresql" else "-"
        print(
            f"{store:<10} {instances:>4} {kiosks:>6}  {median(windows, 'beat_p50'):6.1f}"
            f" {median(windows, 'beat_p99'):6.1f}  {median(windows, 'batch_p50'):6.1f}"
            f" {median(windows, 'batch_p99'):6.1f}  {median(windows, 'rps'):5.0f}"
            f" {median(windows, 'batches'):7.0f}  {cpus:<11} {pg:>4}"
            f"  {median(windows, 'late_p99'):8.1f} {sum(w['errors'] for w in windows):6d}"
        )
    print("\nratios to SQLite on one instance (same kiosks): hb p99, bt p99, hub CPU (sum)")
    for (store, instances, kiosks), windows in results.items():
        base = results.get(("sqlite", 1, kiosks))
        if base is None or (store, instances) == ("sqlite", 1):
            continue

        def cpu(ws: list[dict[str, Any]]) -> float:
            return statistics.median(sum(w["hub_cpu"]) for w in ws)

        print(
            f"  {store} ×{instances}, {kiosks}: "
            f"{median(windows, 'beat_p99') / median(base, 'beat_p99'):.2f}  "
            f"{median(windows, 'batch_p99') / median(base, 'batch_p99'):.2f}  "
            f"{cpu(windows) / cpu(base):.2f}"
        )
    print(
        "\nwhere the time goes (medians): heartbeat p99 from the actual start; the client's"
        " lateness p99/max; pool wait p99; hub handler p99 (histogram bucket); client CPU"
    )
    for (store, instances, kiosks), windows in results.items():
        line = (
            f"  {store} ×{instances}, {kiosks}: sent→answer p99 "
            f"{median(windows, 'beat_sent_p99'):.1f} ms, late {median(windows, 'late_p99'):.1f}"
            f"/{median(windows, 'late_max'):.1f} ms, pool wait {median(windows, 'queued_p99'):.1f}"
            f" ms, handler ≤{median(windows, 'handler_p99'):.0f} ms, client CPU "
            f"{median(windows, 'client_cpu'):.0f} %"
        )
        if probe:
            line += (
                f"; hub loop lag p99 {median(windows, 'lag_p99'):.1f} ms max "
                f"{median(windows, 'lag_max'):.1f} ms, GC pauses {median(windows, 'gc_count'):.0f}"
                f" (gen 2: {median(windows, 'gc2'):.0f}) max {median(windows, 'gc_max'):.1f} ms"
            )
        print(line)
        if probe:
            stalls = "; ".join(
                ", ".join(f"{at:g}" for at in w["stalls"]) or "none" for w in windows
            )
            print(f"    loop stalls > {STALL * 1000:.0f} ms, seconds into each window: {stalls}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kiosks", default="1000,10000", help="comma-separated counts")
    parser.add_argument("--store", default="sqlite,postgresql", help="sqlite, postgresql or both")
    parser.add_argument("--instances", default="1,2", help="1, 2 or both (PostgreSQL only: 2)")
    parser.add_argument("--seconds", type=float, default=30.0, help="one window (≥ 30)")
    parser.add_argument("--warmup", type=float, default=BEAT_SECONDS)
    parser.add_argument("--runs", type=int, default=3, help="windows per combination")
    parser.add_argument("--probe", action="store_true", help="hub loop lag and GC pauses")
    args = parser.parse_args()
    stores = [s.strip() for s in args.store.split(",")]
    if any(s not in ("sqlite", "postgresql") for s in stores):
        parser.error("--store takes sqlite, postgresql or both, comma-separated")
    counts = [int(k) for k in args.kiosks.split(",")]
    spreads = [int(i) for i in args.instances.split(",")]
    if any(i not in (1, 2) for i in spreads):
        parser.error("--instances takes 1, 2 or both, comma-separated")
    if args.seconds < BEAT_SECONDS:
        parser.error(f"--seconds must be at least {BEAT_SECONDS:.0f}: every kiosk once")
    if pinned():
        os.sched_setaffinity(0, set(range(1, os.cpu_count() or 2)))
    combos = [
        (store, instances, kiosks)
        for store in stores
        for instances in spreads
        for kiosks in counts
        if store == "postgresql" or instances == 1
    ]
    server = None
    if "postgresql" in stores:
        from tests.peers.postgres import PostgresServer

        server = PostgresServer(durable=True, port=free_port()).start()
        if pinned():
            subprocess.run(
                ["taskset", "-a", "-p", "-c", SERVER_CPU, str(postmaster_pid(server))],
                check=True,
                capture_output=True,
            )
    began = time.monotonic()
    results = {}
    try:
        for combo in combos:
            results[combo] = measure(*combo, args, server)
    finally:
        if server is not None:
            server.stop()
    print(
        f"hub ingest, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores: kiosks"
        f" heartbeat every {BEAT_SECONDS:.0f} s, 20 events every 5th beat; warm-up"
        f" {args.warmup:g} s, then {args.runs} windows of {args.seconds:g} s, medians; "
        + ("hubs and PostgreSQL on CPU 0, this client on the rest" if pinned() else "unpinned")
        + f"; PostgreSQL durable (fsync on); took {time.monotonic() - began:.0f} s\n"
    )
    report(results, args.probe)


if __name__ == "__main__":
    main()
