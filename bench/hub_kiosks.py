"""Simulated kiosks for bench/hub.py: each heartbeats on its own 30 s schedule and sends an
event batch every 5th beat, as kiosk-agent does, over HTTP to one of the hub instances.

The schedule is fixed before the first request: kiosk i of K beats at `start + i/K × period +
n × period` (the kiosks shuffled first, so that instances and batch phases mix), and starts at a
random beat number, so that a fifth of the kiosks send their batch in every period and batches
arrive steadily from the first seconds, not only after five beats.

Every request records three times: when it was due (the schedule), when this client actually
began it (the coroutine woke: `late` is how far behind its own schedule the client was), and
when the answer was read. A heartbeat's latency counts from when it was DUE: a hub that stalls
delays the requests queued behind it, and measuring from the actual start would hide exactly
that (coordinated omission). Its latency from the actual start is kept too, and `late` says
how much of the difference is this client's own fault. A batch goes right after its
heartbeat's answer, so its latency counts from then. Time spent waiting for one of the pool's
connections (a load balancer's upstream pool: 100 per instance) is counted as `queued`.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

BEAT_SECONDS = 30.0
EVENTS_EVERY = 5
EVENTS_PER_BATCH = 20
POOL = 100


@dataclass
class Sample:
    due: float  # the schedule's time (wall clock, time.time())
    late: float  # seconds the client began after `due`
    queued: float  # seconds waiting for a pooled connection
    latency: float  # seconds from `due` (heartbeats) or from the start (batches) to the answer
    from_start: float  # seconds from the actual start to the answer
    ok: bool


@dataclass
class Tally:
    beats: list[Sample] = field(default_factory=list)
    batches: list[Sample] = field(default_factory=list)


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


def batch(first_id: int) -> dict[str, Any]:
    at = datetime.now(UTC).isoformat()
    return {
        "events": [
            {
                "id": first_id + n,
                "at": at,
                "level": "info",
                "kind": "log",
                "device_id": None,
                "session_id": None,
                "code": None,
                "attention": None,
                "message": "print job sent to the printer queue",
                "payload": {"pages": 2},
            }
            for n in range(EVENTS_PER_BATCH)
        ]
    }


def _trace() -> Any:
    import aiohttp

    async def queued_start(_s: Any, ctx: SimpleNamespace, _p: Any) -> None:
        ctx.trace_request_ctx["queued_at"] = time.perf_counter()

    async def queued_end(_s: Any, ctx: SimpleNamespace, _p: Any) -> None:
        started = ctx.trace_request_ctx.pop("queued_at", None)
        if started is not None:
            ctx.trace_request_ctx["queued"] = time.perf_counter() - started

    config = aiohttp.TraceConfig()
    config.on_connection_queued_start.append(queued_start)
    config.on_connection_queued_end.append(queued_end)
    return config


async def _post(session: Any, url: str, body: dict[str, Any], headers: dict[str, str]) -> Sample:
    ctx: dict[str, float] = {}
    started = time.perf_counter()
    async with session.post(url, json=body, headers=headers, trace_request_ctx=ctx) as r:
        await r.read()
        ok = r.status == 200
    took = time.perf_counter() - started
    return Sample(0.0, 0.0, ctx.get("queued", 0.0), took, took, ok)


async def kiosk(
    sessions: list[Any],
    urls: list[str],
    index: int,
    kiosk_id: str,
    token: str,
    *,
    start: float,
    phase: float,
    period: float,
    until: float,
    tally: Tally,
) -> None:
    """One kiosk's beats from `start + phase` until `until` (wall clock), to instance index % N."""
    headers = {"Authorization": f"Bearer {token}", "X-Kiosk-Id": kiosk_id}
    which = index % len(urls)
    session, url = sessions[which], urls[which]
    beat = random.randrange(EVENTS_EVERY)
    event_id = index * 10**7
    due = start + phase
    while due < until:
        await asyncio.sleep(max(0.0, due - time.time()))
        late = max(0.0, time.time() - due)
        sample = await _post(session, f"{url}/api/kiosk/heartbeat", heartbeat(), headers)
        sample.due, sample.late = due, late
        sample.latency = late + sample.from_start
        tally.beats.append(sample)
        beat += 1
        if beat % EVENTS_EVERY == 0:
            answered = time.time()
            event_id += EVENTS_PER_BATCH
            sample = await _post(session, f"{url}/api/kiosk/events", batch(event_id), headers)
            sample.due = answered
            tally.batches.append(sample)
        due += period


async def fleet(
    urls: list[str], tokens: dict[str, str], *, start: float, until: float, tally: Tally
) -> None:
    """Every kiosk of `tokens`, spread evenly over one period from `start`, until `until`."""
    import aiohttp

    order = list(tokens.items())
    random.shuffle(order)
    sessions = [
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=POOL), trace_configs=[_trace()])
        for _ in urls
    ]
    try:
        await asyncio.gather(
            *(
                kiosk(
                    sessions,
                    urls,
                    n,
                    kiosk_id,
                    token,
                    start=start,
                    phase=n * BEAT_SECONDS / len(order),
                    period=BEAT_SECONDS,
                    until=until,
                    tally=tally,
                )
                for n, (kiosk_id, token) in enumerate(order)
            )
        )
    finally:
        for session in sessions:
            await session.close()
