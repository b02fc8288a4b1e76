"""The `kiosk-hub` command: serve the hub, check its config, manage staff accounts, kiosks,
the sealing key, advisors' bookable slots and the versions the kiosks run."""

from __future__ import annotations

import argparse
import getpass
import hashlib
import os
import sys
from pathlib import Path

from hub.appointments import cli as schedule_cli
from hub.config import USERNAME, ConfigError, HubConfig, load_config
from hub.store import ROLES, HubStore, StoreError, open_configured
from hub.updates import cli as update_cli
from hub.updates.targets import NAME_RULE, is_name

PROG = "kiosk-hub"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="The kiosks' hub service.")
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="config file (default /etc/kiosk-hub/hub.toml, if it exists)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("serve", help="run the hub (the default)")
    commands.add_parser("check-config", help="validate the config and exit")

    user = commands.add_parser("user", help="staff accounts").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    add = user.add_parser("add", help="add an account; the password is read from a prompt")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=ROLES)
    user.add_parser("list", help="list the accounts")
    disable = user.add_parser("disable", help="disable an account and end its sessions")
    disable.add_argument("username")

    kiosk = commands.add_parser("kiosk", help="enrolled kiosks").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    enroll = kiosk.add_parser("add", help="enroll a kiosk and print its token once")
    enroll.add_argument("kiosk_id")
    enroll.add_argument("--name", required=True)
    enroll.add_argument("--location", required=True)
    enroll.add_argument("--contact", default=None, help="whom to call about the kiosk")
    enroll.add_argument("--library", default=None, help="the library it belongs to (updates)")
    code = kiosk.add_parser(
        "enroll-code", help="make a one-time code that kiosk-provision enrolls a kiosk with"
    )
    code.add_argument("kiosk_id")
    code.add_argument("--name", required=True)
    code.add_argument("--location", required=True)
    code.add_argument("--contact", default=None, help="whom to call about the kiosk")
    code.add_argument("--hours", type=int, default=24, help="valid for this long (default 24)")
    kiosk.add_parser("list", help="list the kiosks")
    revoke = kiosk.add_parser(
        "revoke",
        help="revoke a kiosk's token: its calls to the hub are refused and its sockets close "
        "(an enrollment code for the id gives it a new one)",
    )
    revoke.add_argument("kiosk_id")
    update_cli.add_library_parser(kiosk)

    keys = commands.add_parser("keys", help="the key kiosks seal submissions to").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    keys.add_parser(
        "generate", help="write a new private key to [sealing] private_key_file; print the public"
    )
    keys.add_parser("public", help="print the public key of the configured private key")
    schedule_cli.add_parser(commands)
    update_cli.add_parser(commands)
    return parser


def _fail(message: str) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    command = args.command or "serve"
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        return _fail(str(exc))
    if command == "check-config":
        print(f"{PROG}: configuration is valid")
        return 0
    if command == "keys":
        return _keys(args, config)
    try:
        store = open_configured(config)
    except StoreError as exc:
        if config.store_url:
            return _fail(str(exc))
        return _fail(f"cannot open the database {config.db_path}: {exc}")
    except OSError as exc:
        return _fail(f"cannot open the database {config.db_path}: {exc}")
    try:
        if command == "serve":
            return _serve(config, store)
        if command == "user":
            return _user(args, store)
        if command == "schedule":
            return schedule_cli.run(args, store, config, PROG)
        if command == "update":
            return update_cli.run(args, store, PROG)
        return _kiosk(args, store, config)
    finally:
        store.close()


def _serve(config: HubConfig, store: HubStore) -> int:
    import asyncio

    from hub.app import serve
    from hub.delivery.keys import SetupError, load_secrets
    from hub.logs import setup_logging

    try:
        secrets = load_secrets(config)
    except SetupError as exc:
        return _fail(str(exc))
    setup_logging(os.environ.get("KIOSK_HUB_LOG_LEVEL", "INFO"))
    asyncio.run(serve(config, store, secrets))
    return 0


def _keys(args: argparse.Namespace, config: HubConfig) -> int:
    from hub.delivery.keys import SetupError, generate_key_file, load_private_key, public_key_text

    path = config.sealing_key_path
    try:
        if args.action == "generate":
            key = generate_key_file(path)
            print(f"{PROG}: wrote {path}; its public key (kiosk.hub_public_key):", file=sys.stderr)
        else:
            key = load_private_key(path)
    except SetupError as exc:
        return _fail(str(exc))
    print(public_key_text(key))
    print(f"{PROG}: its fingerprint: {key_fingerprint(bytes(key.public_key))}", file=sys.stderr)
    return 0


def key_fingerprint(public_key: bytes) -> str:
    """What a technician compares on the kiosk being provisioned: SHA-256 of the raw public key,
    its first 16 bytes in upper-case hex, 8 groups of 4 separated by spaces."""
    digits = hashlib.sha256(public_key).digest()[:16].hex().upper()
    return " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))


def _now_iso() -> str:
    from datetime import UTC, datetime

    from hub.hours import utc_iso

    return utc_iso(datetime.now(UTC))


def _user(args: argparse.Namespace, store: HubStore) -> int:
    from hub.accounts import hash_password, password_problem

    if args.action == "list":
        print(f"{'USERNAME':<24} {'ROLE':<11} {'STATE':<9} CREATED")
        for user in store.users():
            state = "disabled" if user.disabled else "active"
            print(f"{user.username:<24} {user.role:<11} {state:<9} {user.created_at}")
        return 0
    username = args.username.lower()
    if args.action == "disable":
        if not store.disable_user(username):
            return _fail(f"there is no user {username}")
        print(f"{PROG}: {username} is disabled and logged out")
        return 0
    if not USERNAME.fullmatch(username):
        return _fail("the username must be 1 to 64 of a-z, 0-9, . _ - (starting a-z or 0-9)")
    password = _read_password()
    if password is None:
        return _fail("the passwords did not match")
    problem = password_problem(password)
    if problem:
        return _fail(problem)
    try:
        store.add_user(username, args.role, hash_password(password), at=_now_iso())
    except StoreError as exc:
        return _fail(str(exc))
    print(f"{PROG}: added {username} ({args.role})")
    return 0


def _read_password() -> str | None:
    """From a prompt asked twice on a terminal, else the first line of stdin."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    return first if getpass.getpass("Again: ") == first else None


def _kiosk(args: argparse.Namespace, store: HubStore, config: HubConfig) -> int:
    from datetime import UTC, datetime

    from hub.accounts import enroll_kiosk

    if args.action == "list":
        print(f"{'KIOSK':<24} {'LAST SEEN':<25} NAME — LOCATION")
        for kiosk in store.kiosks():
            seen = "token revoked" if kiosk.revoked else kiosk.last_seen or "never"
            print(f"{kiosk.kiosk_id:<24} {seen:<25} {kiosk.name} — {kiosk.location}")
        return 0
    if args.action == "enroll-code":
        return _enroll_code(args, store, config)
    if args.action == "library":
        return update_cli.set_library(args, store, PROG)
    if args.action == "revoke":
        if not store.revoke_kiosk(args.kiosk_id):
            return _fail(f"there is no kiosk {args.kiosk_id}")
        print(
            f"{PROG}: the token of {args.kiosk_id} is revoked; a running hub closes its sockets "
            "within seconds"
        )
        return 0
    if args.library is not None and not is_name(args.library):
        return _fail(f"{args.library!r} is not a library's name: {NAME_RULE}")
    try:
        token = enroll_kiosk(store, args.kiosk_id, args.name, args.location, at=datetime.now(UTC))
    except (ValueError, StoreError) as exc:
        return _fail(str(exc))
    if args.library:
        store.updates.set_library(args.kiosk_id, args.library)
    if args.contact:
        store.enrollment.set_contact(args.kiosk_id, args.contact.strip() or None)
    print(f"{PROG}: enrolled {args.kiosk_id}; its token (shown only now):", file=sys.stderr)
    print(token)
    return 0


def _enroll_code(args: argparse.Namespace, store: HubStore, config: HubConfig) -> int:
    from datetime import UTC, datetime

    from hub.enrollment import make_code

    try:
        made = make_code(
            store,
            args.kiosk_id,
            name=args.name,
            location=args.location,
            contact=args.contact,
            created_by="command line",
            at=datetime.now(UTC),
            hours=args.hours,
        )
    except ValueError as exc:
        return _fail(str(exc))
    print(
        f"{PROG}: enrollment code for {made.kiosk_id}, valid once until {made.expires_at} "
        "(shown only now):",
        file=sys.stderr,
    )
    print(made.code)
    print(_fingerprint_line(config), file=sys.stderr)
    return 0


def _fingerprint_line(config: HubConfig) -> str:
    """The sealing key's fingerprint for the technician to compare with what kiosk-provision
    shows, or why there is none."""
    from hub.delivery.keys import SetupError, load_private_key

    try:
        key = load_private_key(config.sealing_key_path)
    except SetupError as exc:
        return f"{PROG}: no sealing key to show the fingerprint of: {exc}"
    return (
        f"{PROG}: the hub's sealing key fingerprint (kiosk-provision must show the same): "
        f"{key_fingerprint(bytes(key.public_key))}"
    )


if __name__ == "__main__":
    sys.exit(main())
