"""Soak: the hub process (`kiosk-hub serve`) under a fleet of kiosks for minutes on end, and
what it holds as they go.

Every kiosk is enrolled in the hub's store before the hub starts (as `kiosk-hub kiosk add` does
it, without a process per kiosk). Each then does what a real one does, from one asyncio loop in
this process, with two HTTP clients of its own as the real box has (the app's and the agent's):

- the app's `/ws/kiosk` socket, kept open with aiohttp's ping every 20 s and opened again when
  it drops (kiosk.video.hub_link), and the service lines (`GET /api/lines`) when it connects and
  each time a citizen opens Video advice;
- the agent's heartbeat round (kiosk.agent.health): `POST /api/kiosk/heartbeat` with four devices
  and the box's disk, memory and uptime; after a session, the session's events and usage rows
  (`/api/kiosk/events`, `/api/kiosk/usage`: four device events and thirteen usage rows, what a
  session of form, scan, print, fee and call writes in bench/soak.py), and one time in three a
  sealed form (`/api/kiosk/submissions`, a 20 kB PDF in it); the forms and e-services
  catalogues (`GET /api/kiosk/forms`, `/api/kiosk/eservices`) on their refresh.

Time is compressed by --speedup (default 2), and said at the start: the agent's heartbeat is
every 30 s, so 15 s here; the catalogue refresh every 15 min, so 7.5 min here; a busy library
kiosk has a session about every 20 minutes, so each kiosk here has one every 10 minutes on
average (at random). The sockets' pings are not compressed (20 s, as the app sends them).

Each minute it prints the hub's resident memory, open file descriptors and threads, and what the
kiosks saw (requests answered, by status; failures; sockets open and dropped). Target: the hub's
memory flat once every kiosk is connected.

    .venv/bin/python bench/hub_soak.py [--kiosks 1000] [--minutes 10] [--speedup 2]

The hub is stopped when it ends, also on Ctrl+C or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import collections
import os
import random
import resource
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LINE = "soak-line"
#: The real intervals, in seconds (kiosk.agent, kiosk.video.hub_link).
HEARTBEAT = 30.0
CATALOGUE = 15 * 60.0
SESSION_EVERY = 20 * 60.0
WS_PING = 20.0
#: Opening the sockets is spread over this many seconds, before the timed part.
RAMP = 30.0
PDF = b"%PDF-1.7\n" + os.urandom(15_000).hex().encode()[:20_000] + b"\n%%EOF\n"
DEVICES = ("printer", "cardreader", "camera", "payment")
#: A session's device events: the printer and the terminal busy, then online again.
SESSION_EVENTS = (
    ("printer", "busy"),
    ("printer", "online"),
    ("payment", "busy"),
    ("payment", "online"),
)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def threads(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/task"))


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class Tally:
    """What the kiosks saw, since the start and since the last report."""

    def __init__(self) -> None:
        self.answers: collections.Counter[str] = collections.Counter()
        self.failures: collections.Counter[str] = collections.Counter()
        self.sockets_open = 0
        self.socket_drops = 0
        self.sessions = 0
        self.submissions = 0
        self.slowest = 0.0

    def answered(self, path: str, status: int, took: float) -> None:
        self.answers[f"{path.rsplit('/', 1)[-1]}:{status}"] += 1
        self.slowest = max(self.slowest, took)

    def failed(self, path: str, exc: BaseException) -> None:
        self.failures[f"{path.rsplit('/', 1)[-1]}:{type(exc).__name__}"] += 1


class Kiosk:
    """One enrolled kiosk's app and agent, as the hub sees them."""

    def __init__(self, kiosk_id: str, token: str, url: str, speedup: float, tally: Tally) -> None:
        self.kiosk_id = kiosk_id
        self.url = url
        self.speedup = speedup
        self.tally = tally
        self.headers = {"Authorization": f"Bearer {token}", "X-Kiosk-Id": kiosk_id}
        self.event_id = 0
        self.usage_id = 0
        self.session_done = False
        self.started = time.monotonic()

    async def run(self, stop: asyncio.Event, ramp: float) -> None:
        import aiohttp

        await asyncio.sleep(random.uniform(0, ramp))
        timeout = aiohttp.ClientTimeout(total=60, connect=10)
        async with (
            aiohttp.ClientSession(headers=self.headers, timeout=timeout) as app,
            aiohttp.ClientSession(headers=self.headers, timeout=timeout) as agent,
        ):
            tasks = [
                asyncio.ensure_future(self._socket(app, stop)),
                asyncio.ensure_future(self._agent(agent, stop)),
                asyncio.ensure_future(self._citizens(app, stop)),
            ]
            await stop.wait()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _request(self, http: Any, method: str, path: str, **kwargs: Any) -> int:
        start = time.monotonic()
        try:
            async with http.request(method, self.url + path, **kwargs) as response:
                await response.read()
                self.tally.answered(path, response.status, time.monotonic() - start)
                return int(response.status)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.tally.failed(path, exc)
            return 0

    async def _socket(self, http: Any, stop: asyncio.Event) -> None:
        import aiohttp

        while not stop.is_set():
            await self._request(http, "GET", "/api/lines")
            try:
                async with http.ws_connect(
                    self.url + "/ws/kiosk", heartbeat=WS_PING, autoping=True
                ) as ws:
                    self.tally.sockets_open += 1
                    try:
                        async for frame in ws:
                            if frame.type is not aiohttp.WSMsgType.TEXT:
                                break
                    finally:
                        self.tally.sockets_open -= 1
                if not stop.is_set():
                    self.tally.socket_drops += 1
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.tally.failed("/ws/kiosk", exc)
            await asyncio.sleep(1.0)

    async def _citizens(self, http: Any, stop: asyncio.Event) -> None:
        """A session now and then: the advice screen asks for the lines; the agent ships it."""
        while not stop.is_set():
            await asyncio.sleep(random.expovariate(self.speedup / SESSION_EVERY))
            await self._request(http, "GET", "/api/lines")
            self.session_done = True

    async def _agent(self, http: Any, stop: asyncio.Event) -> None:
        interval = HEARTBEAT / self.speedup
        catalogue_every = CATALOGUE / self.speedup
        catalogue_due = 0.0
        await asyncio.sleep(random.uniform(0, interval))
        while not stop.is_set():
            round_start = time.monotonic()
            await self._request(http, "POST", "/api/kiosk/heartbeat", json=self._heartbeat())
            if self.session_done:
                self.session_done = False
                await self._ship_session(http)
            if round_start >= catalogue_due:
                catalogue_due = round_start + catalogue_every
                await self._request(http, "GET", "/api/kiosk/forms")
                await self._request(http, "GET", "/api/kiosk/eservices")
            await asyncio.sleep(max(0.0, interval - (time.monotonic() - round_start)))

    def _heartbeat(self) -> dict[str, Any]:
        now = datetime.now(UTC)
        since = iso(now - timedelta(seconds=time.monotonic() - self.started + 60))
        return {
            "sent_at": iso(now),
            "app": {"state": "running", "since": since, "version": "soak"},
            "agent_version": "soak",
            "session_active": False,
            "devices": {
                d: {"state": "online", "attention": "none", "code": None, "since": since}
                for d in DEVICES
            },
            "disk": {"free_bytes": 20_000_000_000, "total_bytes": 30_000_000_000},
            "memory": {"available_bytes": 3_000_000_000, "total_bytes": 4_000_000_000},
            "uptime_seconds": int(time.monotonic() - self.started) + 60,
            "last_self_test": None,
        }

    async def _ship_session(self, http: Any) -> None:
        self.tally.sessions += 1
        now = datetime.now(UTC)
        session = os.urandom(8).hex()
        events = []
        for device, state in SESSION_EVENTS:
            self.event_id += 1
            events.append(
                {
                    "id": self.event_id,
                    "at": iso(now),
                    "level": "info",
                    "kind": "device",
                    "device_id": device,
                    "session_id": None,
                    "code": None,
                    "attention": "none",
                    "message": f"device {device} {state}",
                    "payload": {"state": state, "detail": {"paper": "full"}},
                }
            )
        await self._request(http, "POST", "/api/kiosk/events", json={"events": events})
        usage = []
        for kind, service, value, duration in (
            ("session_start", None, None, None),
            ("service_opened", "forms", None, None),
            ("outcome", "forms", "submitted:kansalaisneuvonta-contact", None),
            ("service_opened", "scan", None, None),
            ("outcome", "scan", "scanned", None),
            ("service_opened", "print", None, None),
            ("outcome", "print", "printed:1", None),
            ("service_opened", "fee", None, None),
            ("outcome", "fee:lost-card", "payment:approved", None),
            ("outcome", "fee", "paid", None),
            ("service_opened", "advice", None, None),
            ("outcome", "advice", "called", None),
            ("session_end", None, "user", 95_000),
        ):
            self.usage_id += 1
            usage.append(
                {
                    "id": self.usage_id,
                    "session_id": session,
                    "kind": kind,
                    "service": service,
                    "language": "fi",
                    "value": value,
                    "duration_ms": duration,
                    "at": iso(now),
                }
            )
        await self._request(http, "POST", "/api/kiosk/usage", json={"usage": usage})
        if random.random() < 1 / 3:
            await self._submit(http)

    async def _submit(self, http: Any) -> None:
        from tests.hub.conftest import form_payload, sealed_for

        submission_id = os.urandom(16).hex()
        payload = form_payload(
            submission_id,
            kiosk_id=self.kiosk_id,
            submitted_at=iso(datetime.now(UTC)),
            pdf=base64.b64encode(PDF).decode(),
        )
        sealed = await asyncio.to_thread(sealed_for, payload)
        headers = {
            "Content-Type": "application/octet-stream",
            "X-Submission-Id": submission_id,
            "X-Submission-Kind": "form",
        }
        self.tally.submissions += 1
        await self._request(http, "POST", "/api/kiosk/submissions", data=sealed, headers=headers)


def enroll(store_path: Path, count: int) -> dict[str, str]:
    from hub.accounts import enroll_kiosk
    from hub.store import open_store

    store = open_store(store_path)
    try:
        now = datetime.now(UTC)
        return {
            f"soak-{n:04d}": enroll_kiosk(store, f"soak-{n:04d}", f"Soak {n}", "Bench", at=now)
            for n in range(count)
        }
    finally:
        store.close()


def report(minute: str, pid: int, tally: Tally, last: dict[str, int]) -> None:
    answered = sum(tally.answers.values())
    failures = sum(tally.failures.values())
    not_ok = {k: v for k, v in tally.answers.items() if not k.endswith((":200", ":201"))}
    print(
        f"{minute:>6}  hub rss {rss_mb(pid):7.1f} MB  fds {fds(pid):5d}  threads {threads(pid):3d}"
        f"  | sockets {tally.sockets_open:5d} open, {tally.socket_drops} dropped"
        f"  requests {answered - last['answered']:6d} (+{failures - last['failures']} failed)"
        f"  sessions {tally.sessions}  forms {tally.submissions}"
        f"  slowest {tally.slowest:.2f} s",
        flush=True,
    )
    if not_ok or tally.failures:
        print(f"        not 200: {dict(not_ok)}  failures: {dict(tally.failures)}", flush=True)
    last.update(answered=answered, failures=failures)
    tally.slowest = 0.0


async def soak(url: str, pid: int, tokens: dict[str, str], minutes: float, speedup: float) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    tally = Tally()
    kiosks = [Kiosk(k, t, url, speedup, tally) for k, t in tokens.items()]
    runs = [asyncio.ensure_future(k.run(stop, RAMP)) for k in kiosks]
    last = {"answered": 0, "failures": 0}
    report("before", pid, tally, last)
    ramp_end = time.monotonic() + RAMP + 5
    while time.monotonic() < ramp_end and not stop.is_set():
        await asyncio.sleep(1)
    report("ready", pid, tally, last)
    start = time.monotonic()
    for minute in range(1, int(minutes) + 1):
        with_stop = asyncio.ensure_future(stop.wait())
        await asyncio.wait([with_stop], timeout=start + 60 * minute - time.monotonic())
        if stop.is_set():
            print("hub soak: stopped", file=sys.stderr)
            break
        with_stop.cancel()
        report(f"{minute} min", pid, tally, last)
    stop.set()
    await asyncio.gather(*runs, return_exceptions=True)


def main(kiosks: int, minutes: float, speedup: float) -> int:
    from hub.config import load_config
    from tests.conftest import HUB_KEY
    from tests.peers.hub import Hub
    from tests.peers.nexo import free_port

    # Each kiosk holds two connections (app and agent), at both ends: raise the soft limit to
    # the hard one for this process and the hub it starts.
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < 4 * kiosks + 200:
        print(f"hub soak: only {hard} file descriptors allowed; expect failures", file=sys.stderr)

    folder = Path(tempfile.mkdtemp(prefix="bench-hub-soak-"))
    key_file = folder / "sealing.key"
    key_file.write_text(base64.b64encode(bytes(HUB_KEY)).decode() + "\n")
    key_file.chmod(0o600)
    port = free_port()
    hours = "\n".join(f'{day} = "00:00-24:00"' for day in DAYS)
    hub_toml = folder / "hub.toml"
    hub_toml.write_text(
        f'[hub]\nlisten_port = {port}\ndata_dir = "{folder / "hub"}"\ncookie_secure = false\n'
        f'[sealing]\nprivate_key_file = "{key_file}"\n'
        f'[lines.{LINE}]\nname_fi = "Kestoneuvonta"\n[lines.{LINE}.hours]\n{hours}\n'
    )
    config = load_config(hub_toml)
    config.data_dir.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    tokens = enroll(config.db_path, kiosks)
    print(
        f"hub soak: {kiosks} kiosks enrolled in {time.monotonic() - began:.0f} s; {minutes:g} min"
        f" at {speedup:g}× time (heartbeat every {HEARTBEAT / speedup:g} s, a session per kiosk"
        f" every {SESSION_EVERY / speedup / 60:g} min on average, catalogues every"
        f" {CATALOGUE / speedup / 60:g} min, socket pings every {WS_PING:g} s); data in {folder}",
        flush=True,
    )
    hub = Hub(hub_toml, port)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        hub.start()
        assert hub.process is not None
        asyncio.run(soak(hub.url, hub.process.pid, tokens, minutes, speedup))
    except KeyboardInterrupt:
        print("hub soak: stopped", file=sys.stderr)
        return 130
    finally:
        if hub.process is not None and hub.process.poll() is None:
            try:
                hub.stop()
            except Exception:
                if hub.process is not None:
                    hub.process.kill()
                    hub.process.wait(10)
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kiosks", type=int, default=1000)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--speedup", type=float, default=2.0, help="time compression")
    args = parser.parse_args()
    sys.exit(main(args.kiosks, args.minutes, args.speedup))
