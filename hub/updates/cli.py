"""`kiosk-hub update ...` and `kiosk-hub kiosk library`: rollouts, pilot groups and kiosks'
libraries from the command line, under the same rules as the admin's API (hub.updates.routes).
A bad target, version, name or kiosk id is one line saying so, exit status 2."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from hub.hours import utc_iso
from hub.intake import Refused
from hub.store import HubStore
from hub.updates.routes import checked_target, overview
from hub.updates.targets import NAME_RULE, TARGET_RULE, VERSION_RULE, is_name, is_version

BY = "command line"


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    update = commands.add_parser(
        "update", help="which version of the kiosk software each kiosk runs"
    ).add_subparsers(dest="action", metavar="ACTION", required=True)
    update.add_parser("list", help="the versions set, the pilot groups and each kiosk's update")
    put = update.add_parser("set", help="set the version wanted for a target")
    put.add_argument("target", help=TARGET_RULE)
    put.add_argument("version", help=VERSION_RULE)
    clear = update.add_parser(
        "clear", help="take a target's version away (its kiosks fall back to the next target)"
    )
    clear.add_argument("target")
    group = update.add_parser(
        "group", help="set a pilot group's kiosks (none: remove the group and its version)"
    )
    group.add_argument("name", help=NAME_RULE)
    group.add_argument("kiosk_ids", nargs="*", metavar="KIOSK_ID")


def add_library_parser(kiosk: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    library = kiosk.add_parser("library", help="set the library a kiosk belongs to ('' for none)")
    library.add_argument("kiosk_id")
    library.add_argument("library", help=f'{NAME_RULE}, or "" for none')


def _fail(prog: str, message: str) -> int:
    print(f"{prog}: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace, store: HubStore, prog: str) -> int:
    updates = store.updates
    if args.action == "list":
        return _list(store)
    if args.action == "set":
        try:
            target = checked_target(updates, args.target)
        except Refused as exc:
            return _fail(prog, f"{args.target!r} is not a target: {exc.problem}")
        if not is_version(args.version):
            return _fail(prog, f"{args.version!r} is not {VERSION_RULE}")
        updates.set_rollout(target, args.version, by=BY, at=utc_iso(datetime.now(UTC)))
        print(f"{prog}: {target} wants {args.version}")
        return 0
    if args.action == "clear":
        if not updates.clear_rollout(args.target):
            return _fail(prog, f"no version is set for {args.target!r}")
        print(f"{prog}: {args.target} wants no version now")
        return 0
    if not is_name(args.name):
        return _fail(prog, f"{args.name!r} is not a group's name: {NAME_RULE}")
    known = {kiosk.kiosk_id for kiosk in store.kiosks()}
    unknown = [kiosk_id for kiosk_id in args.kiosk_ids if kiosk_id not in known]
    if unknown:
        return _fail(prog, f"there is no kiosk {', '.join(unknown)}")
    updates.set_group(args.name, args.kiosk_ids)
    if args.kiosk_ids:
        print(f"{prog}: group {args.name}: {', '.join(dict.fromkeys(args.kiosk_ids))}")
    else:
        print(f"{prog}: group {args.name} removed, with any version set for it")
    return 0


def set_library(args: argparse.Namespace, store: HubStore, prog: str) -> int:
    if args.library and not is_name(args.library):
        return _fail(prog, f"{args.library!r} is not a library's name: {NAME_RULE}")
    if not store.updates.set_library(args.kiosk_id, args.library or None):
        return _fail(prog, f"there is no kiosk {args.kiosk_id}")
    print(f"{prog}: {args.kiosk_id} is in library {args.library or '(none)'}")
    return 0


def _list(store: HubStore) -> int:
    seen = overview(store.updates)
    print(f"{'TARGET':<28} {'VERSION':<20} {'KIOSKS':>6}  SET BY, AT")
    for rollout in seen["rollouts"]:
        print(
            f"{rollout['target']:<28} {rollout['version']:<20} {rollout['kiosks']:>6}"
            f"  {rollout['set_by']}, {rollout['set_at']}"
        )
    for group in seen["groups"]:
        print(f"group {group['name']}: {', '.join(group['kiosks'])}")
    print(f"\n{'KIOSK':<24} {'LIBRARY':<16} {'INSTALLED':<14} {'WANTED':<14} STATE")
    for kiosk in seen["kiosks"]:
        wanted = f"{kiosk['wanted']} ({kiosk['wanted_from']})" if kiosk["wanted"] else "-"
        print(
            f"{kiosk['kiosk_id']:<24} {kiosk['library'] or '-':<16}"
            f" {kiosk['installed'] or '-':<14} {wanted:<14} {kiosk['state'] or 'never reported'}"
        )
    return 0
