"""The demo site's three servers, for the demo (./dev demo) and for trying them by hand.

    python -m eservices.demosite --host 127.0.0.1 --service-port 8093 \\
        --identification-port 8094 --offlist-port 8095 [--catalogue-out PATH]

With --catalogue-out it first writes the e-services catalogue the demo's hub serves: the shipped
services and the demo site's beside them (the off-list site left out), checked as the kiosk
and the hub check one. Each request is
logged on standard error. SIGTERM or Ctrl+C stops it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from eservices.catalogue import check_catalogue
from eservices.demosite.log import RequestLog
from eservices.demosite.running import listen, start_servers, stop_servers
from eservices.demosite.sites import ROLES, Role, Sites, beside_shipped, catalogue


def write_catalogue(sites: Sites, path: Path) -> None:
    """Write the demo's catalogue to `path` (replaced whole); ValueError if it did not check out."""
    document = beside_shipped(catalogue(sites))
    errors = check_catalogue(document).errors
    if errors:
        raise ValueError("; ".join(str(error) for error in errors))
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    part.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(part, path)


async def serve(host: str, ports: dict[Role, int], sites: Sites) -> None:
    sockets = {role: listen(host, ports[role]) for role in ROLES}
    logs = {role: RequestLog() for role in ROLES}
    runners = await start_servers(sites, sockets, logs)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    for role in ROLES:
        logging.info("%s on %s", role, sites.origin(role))
    try:
        await stopping.wait()
    finally:
        await stop_servers(runners)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eservices.demosite", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="the address to listen on")
    parser.add_argument(
        "--public-host", help="the host name a browser uses for the servers (default: --host)"
    )
    parser.add_argument("--service-port", type=int, default=8093)
    parser.add_argument("--identification-port", type=int, default=8094)
    parser.add_argument("--offlist-port", type=int, default=8095)
    parser.add_argument("--catalogue-out", type=Path, help="write the demo's catalogue here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    name = args.public_host or args.host
    ports: dict[Role, int] = {
        "service": args.service_port,
        "identification": args.identification_port,
        "offlist": args.offlist_port,
    }
    sites = Sites(
        service=f"http://{name}:{ports['service']}",
        identification=f"http://{name}:{ports['identification']}",
        offlist=f"http://{name}:{ports['offlist']}",
    )
    if args.catalogue_out is not None:
        try:
            write_catalogue(sites, args.catalogue_out)
        except ValueError as exc:
            print(f"demosite: the catalogue does not check out: {exc}", file=sys.stderr)
            return 2
    try:
        asyncio.run(serve(args.host, ports, sites))
    except OSError as exc:
        print(f"demosite: cannot listen: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
