"""The `kiosk-update` command, run as root by kiosk-update.service from kiosk-update.timer:
one run of the updater (kiosk.updates.flow), then exit.

Exit 0 after a run, whatever state it ended in (state.json and the log say which); 2 when it
cannot run: the config cannot be used, it is not run as root, or another kiosk-update is
running (it holds the lock).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from kiosk.config import Config, ConfigError, load_config
from kiosk.updates.apt import Packages
from kiosk.updates.flow import Setup, Updater
from kiosk.updates.window import parse_window

log = logging.getLogger("kiosk.updates")

OWN_DIR = Path("/var/lib/kiosk-update")
LOCK_FILE = "kiosk-update.lock"


class CannotRun(Exception):
    """str() is one line a person can act on."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk-update",
        description="Install the kiosk version the hub wants, in the maintenance window; put "
        "the previous one back if the new one does not come up healthy.",
    )
    parser.add_argument(
        "--config", type=Path, default=None, help="default /etc/kiosk/kiosk.toml, if it exists"
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=OWN_DIR,
        help=f"the updater's own folder, for root only (default {OWN_DIR})",
    )
    parser.add_argument(
        "--root",
        type=Path,
        default=None,
        help="run the package commands in the Debian tree at DIR (chroot DIR ...)",
    )
    parser.add_argument(
        "--now",
        action="store_true",
        help="do not wait for the maintenance window (a technician at the box); a citizen's "
        "session is still waited for",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    try:
        config = _load(args.config)
        if os.geteuid() != 0:
            raise CannotRun("run as root: it installs packages (kiosk-update.service does)")
        with _single(args.state_dir):
            from kiosk.logs import setup_logging

            setup_logging(os.environ.get("KIOSK_LOG_LEVEL", "INFO"))
            updates = config.updates
            if not updates.enabled:
                log.info("updates are off ([updates] enabled = false)")
                return 0
            window = parse_window(updates.window)
            setup = Setup(
                data_dir=config.data_dir,
                db_path=config.db_path,
                own_dir=args.state_dir,
                window=window,
                healthy_within=float(updates.healthy_within_seconds),
                settle=float(updates.settle_seconds),
                restart_command=updates.restart_command,
            )
            updater = Updater(setup, Packages(args.root))
            if args.now:
                updater.ignore_window()
            updater.run()
            return 0
    except (ConfigError, CannotRun) as exc:
        print(f"kiosk-update: {exc}", file=sys.stderr)
        return 2


def _load(path: Path | None) -> Config:
    """kiosk.toml with the app's own choices of backends and services, so that any file the
    app accepts is accepted here too."""
    from kiosk.devices.catalog import DeviceClass, backend_names
    from kiosk.services import SERVICES

    return load_config(
        path,
        backends={c.value: backend_names(c) for c in DeviceClass},
        services=SERVICES.keys(),
    )


@contextlib.contextmanager
def _single(own_dir: Path) -> Iterator[None]:
    """Hold the updater's lock: two at once would install over each other."""
    own_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    lock: IO[bytes] = open(own_dir / LOCK_FILE, "ab")  # noqa: SIM115 (held until the end)
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CannotRun(
                f"another kiosk-update is running (it holds {own_dir / LOCK_FILE})"
            ) from None
        yield
    finally:
        lock.close()


if __name__ == "__main__":
    sys.exit(main())
