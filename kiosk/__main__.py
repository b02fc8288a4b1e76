"""The `kiosk` command: run the kiosk app, or make a technician PIN hash."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse


def _parser() -> argparse.ArgumentParser:
    import argparse

    parser = argparse.ArgumentParser(prog="kiosk", description="Self-service e-kiosk.")
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="config file (default /etc/kiosk/kiosk.toml, if it exists)",
    )
    parser.add_argument(
        "--mirror",
        type=Path,
        default=None,
        help="save a picture of the screen to this PNG every 2 seconds (readable by this "
        "user only; the attract screen once a session ends and after exit)",
    )
    parser.add_argument(
        "command",
        nargs="?",
        choices=["run", "hash-pin", "check-config"],
        default="run",
        help="run (default); hash-pin: read a PIN and print the pin_hash for "
        "[technician]; check-config: validate the config and exit",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # The service starts `kiosk` with no arguments; argparse is loaded only when there are some.
    args = (
        _parser().parse_args(argv)
        if argv
        else SimpleNamespace(config=None, mirror=None, command="run")
    )
    from kiosk.config import ConfigError, hash_pin, load_config
    from kiosk.logs import setup_logging

    if args.command == "hash-pin":
        import getpass

        pin = getpass.getpass("PIN: ") if sys.stdin.isatty() else sys.stdin.readline().strip()
        if not pin.isdigit() or not 4 <= len(pin) <= 12:
            print("kiosk: the PIN must be 4 to 12 digits", file=sys.stderr)
            return 2
        print(hash_pin(pin))
        return 0

    from kiosk.devices.catalog import DeviceClass, backend_names
    from kiosk.services import SERVICES

    try:
        config = load_config(
            args.config,
            backends={c.value: backend_names(c) for c in DeviceClass},
            services=SERVICES.keys(),
        )
    except ConfigError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 2
    if args.command == "check-config":
        print("kiosk: configuration is valid")
        return 0

    setup_logging(os.environ.get("KIOSK_LOG_LEVEL", "INFO"))
    from kiosk.ui.main import run

    # Hooks for bench/startup.py and the tests: say when the attract screen is painted (and
    # which modules are loaded by then), and optionally quit right then.
    return run(
        config,
        mirror=args.mirror,
        report_painted=os.environ.get("KIOSK_REPORT_PAINTED") == "1",
        report_modules=os.environ.get("KIOSK_REPORT_MODULES") == "1",
        quit_after_paint=os.environ.get("KIOSK_QUIT_AFTER_PAINT") == "1",
    )


if __name__ == "__main__":
    sys.exit(main())
