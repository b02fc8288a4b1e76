"""The `kiosk-agent` command: ship the outbox to the hub, keep the forms and e-services
catalogues (kiosk.agent.catalogue), and report the kiosk's health (heartbeat, events, usage,
remote actions: kiosk.agent.health), until stopped (SIGTERM or SIGINT: the request under way is
finished first, then exit 0).

`--once` makes one pass over what is due now (one fetch of each catalogue, one heartbeat round),
for technicians and tests: exit 0 when nothing waits for the hub afterwards, 1 when rows (outbox,
events or usage) still wait. Rows the hub
refused for good do not wait: they are logged as errors and kept for support.
Exit 2: the config cannot be used (with `--once` also: the hub refused the kiosk's id and token),
or another kiosk-agent serves the same data folder. The service itself keeps trying after a
refusal, logged once as an error, so that a token renewed on the hub is taken up by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import logging
import os
import signal
import sys
import time
from collections.abc import Awaitable, Iterator
from pathlib import Path
from typing import IO

import aiohttp

from kiosk.agent.actions import ActionRunner
from kiosk.agent.catalogue import CATALOGUES, CatalogueKeeper
from kiosk.agent.events import EventShipper
from kiosk.agent.health import FleetLink, Heartbeat
from kiosk.agent.shipper import Backoff, Shipper
from kiosk.config import DEFAULT_PATH, Config, ConfigError
from kiosk.hubclient import REFUSED_TEXT, HubClient
from kiosk.outbox import Outbox
from kiosk.store import StoreError, open_store
from kiosk.store.fleet import Fleet
from kiosk.store.full import is_disk_full

log = logging.getLogger("kiosk.agent")

#: How often the store is asked whether the app has put new rows in the outbox. A query on an
#: index, so cheap; the app and the agent are separate processes with nothing else between them.
POLL_SECONDS = 2.0
LOCK_FILE = "kiosk-agent.lock"


class AgentSetupError(Exception):
    """The agent cannot start; str() is one line a person can act on."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk-agent",
        description=(
            "Ship the kiosk's sealed outbox to the hub; keep the hub's forms and e-services "
            "catalogues."
        ),
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="config file (default /etc/kiosk/kiosk.toml, if it exists)",
    )
    parser.add_argument(
        "--once",
        action="store_true",
        help="one pass over what is due now; exit 0 if nothing waits afterwards, 1 otherwise",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    try:
        config = _load(args.config)
        with _single_agent(config.data_dir):
            from kiosk.logs import setup_logging

            setup_logging(os.environ.get("KIOSK_LOG_LEVEL", "INFO"))
            return asyncio.run(_serve(config, once=args.once))
    except (ConfigError, AgentSetupError) as exc:
        print(f"kiosk-agent: {exc}", file=sys.stderr)
        return 2


async def run_once(path: Path | None) -> int:
    """One pass as `kiosk-agent --once` makes it, on the caller's loop; the caller has set up
    logging and keeps other agents off the data folder. Same exit codes."""
    return await _serve(_load(path), once=True)


def _load(path: Path | None) -> Config:
    from kiosk.config import load_config
    from kiosk.devices.catalog import DeviceClass, backend_names
    from kiosk.services import SERVICES

    # The app's own choices, so that any file the app accepts is accepted here too.
    config = load_config(
        path,
        backends={c.value: backend_names(c) for c in DeviceClass},
        services=SERVICES.keys(),
    )
    if not config.kiosk.hub_token:
        source = config.source or DEFAULT_PATH
        raise AgentSetupError(
            f"{source}: kiosk.hub_token is empty: kiosk-agent needs the kiosk's token "
            "(`kiosk-hub kiosk add` prints it)"
        )
    return config


@contextlib.contextmanager
def _single_agent(data_dir: Path) -> Iterator[None]:
    """Hold a lock on the data folder: two agents would send every row twice at once."""
    data_dir.mkdir(parents=True, exist_ok=True)
    lock: IO[bytes] = open(data_dir / LOCK_FILE, "ab")  # noqa: SIM115 (held until the end)
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AgentSetupError(
                f"another kiosk-agent is running for {data_dir} (it holds {LOCK_FILE})"
            ) from None
        yield
    finally:
        lock.close()  # closing releases the lock; the kernel does it too if the process dies


async def _serve(config: Config, *, once: bool) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        store = await asyncio.to_thread(open_store, config.db_path)
    except StoreError as exc:
        raise AgentSetupError(str(exc)) from None
    agent = config.agent
    backoff = Backoff(agent.retry_initial_seconds, agent.retry_max_seconds)
    hub = HubClient.from_settings(config.kiosk)
    try:
        async with hub.session() as http:
            # The outbox only ships sealed bytes: the public key is the app's business.
            outbox = Outbox(store, b"")
            shipper = Shipper(
                outbox,
                http,
                hub=hub,
                backoff=backoff,
                request_timeout=agent.request_timeout_seconds,
            )
            keepers = [
                CatalogueKeeper(
                    http,
                    catalogue,
                    hub=hub,
                    data_dir=config.data_dir,
                    refresh_seconds=agent.catalogue_refresh_minutes * 60.0,
                    backoff=backoff,
                    request_timeout=agent.request_timeout_seconds,
                )
                for catalogue in CATALOGUES
            ]
            fleet = _fleet_link(config, hub, Fleet(store), http, backoff)
            log.info("kiosk-agent started", extra={"kiosk_id": config.kiosk.id})
            if once:
                full = DiskFull()
                await full.guard(shipper.ship_due(stop))
                for keeper in keepers:
                    if not stop.is_set():
                        await full.guard(keeper.refresh())
                if not stop.is_set():
                    await full.guard(fleet.round(stop))
                refused = [
                    health.refused
                    for health in (
                        shipper.health,
                        *(keeper.health for keeper in keepers),
                        fleet.heartbeat.health,
                        fleet.events.health,
                        fleet.actions.health,
                    )
                    if health.refused is not None
                ]
                if refused:
                    raise AgentSetupError(REFUSED_TEXT.format(status=refused[0]))
                waiting = await asyncio.to_thread(outbox.waiting) + await fleet.events.waiting()
                return 0 if waiting == 0 or stop.is_set() else 1
            await _run(shipper, keepers, fleet, stop)
            log.info("kiosk-agent stopped", extra={"kiosk_id": config.kiosk.id})
            return 0
    finally:
        await asyncio.to_thread(store.close)


def _fleet_link(
    config: Config, hub: HubClient, fleet: Fleet, http: aiohttp.ClientSession, backoff: Backoff
) -> FleetLink:
    agent = config.agent
    timeout = agent.request_timeout_seconds
    heartbeat = Heartbeat(
        fleet,
        http,
        hub=hub,
        data_dir=config.data_dir,
        unit=agent.systemd_unit,
        request_timeout=timeout,
    )
    actions = ActionRunner(
        fleet, http, hub=hub, restart_command=agent.restart_command, request_timeout=timeout
    )
    events = EventShipper(
        fleet,
        http,
        hub=hub,
        backoff=backoff,
        request_timeout=timeout,
        batch=agent.events_batch,
        max_unshipped=agent.max_unshipped_events,
    )
    return FleetLink(heartbeat, actions, events, float(agent.heartbeat_seconds))


async def _run(
    shipper: Shipper, keepers: list[CatalogueKeeper], fleet: FleetLink, stop: asyncio.Event
) -> None:
    full = DiskFull()
    while not stop.is_set():
        for keeper in keepers:
            if time.monotonic() >= keeper.due_at and not stop.is_set():
                await full.guard(keeper.refresh())
        if not stop.is_set():
            await full.guard(shipper.ship_due(stop))
        if not stop.is_set():
            await full.guard(fleet.tick(stop))
        full.round_done()
        now = time.monotonic()
        # Wake for new rows (and finished actions), the end of the retry wait, the next
        # catalogue fetch or the next heartbeat.
        wake = min(
            max(POLL_SECONDS, shipper.resume_at - now),
            *(keeper.due_at - now for keeper in keepers),
            fleet.due_at - now,
        )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=max(wake, 0.05))


class DiskFull:
    """Keeps the agent going while the kiosk's disk is full: a step that could not write down
    what the hub answered is left for the next round (the hub takes a repeat as a duplicate).
    The log says so once, and again when a whole round could write."""

    def __init__(self) -> None:
        self.full = False
        self._hit = False

    async def guard(self, step: Awaitable[object]) -> None:
        try:
            await step
        except Exception as exc:
            if not is_disk_full(exc):
                raise
            if not self.full:
                log.warning(
                    "the kiosk's disk is full: what the hub answered is not recorded; "
                    "the agent tries again",
                    extra={"state": "disk-full"},
                )
            self.full = self._hit = True

    def round_done(self) -> None:
        if self.full and not self._hit:
            log.info("the kiosk's store can be written again", extra={"state": "ok"})
            self.full = False
        self._hit = False


if __name__ == "__main__":
    sys.exit(main())
