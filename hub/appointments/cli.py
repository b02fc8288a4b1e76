"""`kiosk-hub schedule add`: an advisor's bookable slots from the command line, for a site that
sets up its advisors' week in bulk (and for the demo), under the same rules as the week view."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hub.config import HubConfig
from hub.store import HubStore
from hub.store.appointments import SlotRefused

HELSINKI = ZoneInfo("Europe/Helsinki")


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    schedule = commands.add_parser("schedule", help="advisors' bookable slots").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    add = schedule.add_parser(
        "add", help="add COUNT consecutive slots of an advisor on a line from START"
    )
    add.add_argument("advisor")
    add.add_argument("line")
    add.add_argument("start", help="Helsinki time, like 2026-12-08T09:00")
    add.add_argument("--minutes", type=int, default=None, help="each slot's length")
    add.add_argument("--count", type=int, default=1, help="how many slots, one after another")


def run(args: argparse.Namespace, store: HubStore, config: HubConfig, prog: str) -> int:
    """Add the slots; exit status 2 with one line naming what is wrong."""
    line = config.line(args.line)
    if line is None or line.interpreting:
        return _fail(prog, f"{args.line!r} is not a service line of this hub")
    user = store.user(args.advisor)
    if user is None or user.role != "advisor" or user.disabled:
        return _fail(prog, f"{args.advisor!r} is not an advisor's account")
    if args.advisor not in line.advisors:
        return _fail(prog, f"{args.advisor} does not answer {args.line} ([lines.{args.line}])")
    minutes = args.minutes or config.appointments.slot_minutes
    if not 5 <= minutes <= 240:
        return _fail(prog, f"--minutes {minutes}: a slot is 5 to 240 minutes")
    if not 1 <= args.count <= 200:
        return _fail(prog, f"--count {args.count}: 1 to 200 slots at once")
    try:
        start = datetime.fromisoformat(args.start)
    except ValueError:
        return _fail(prog, f"{args.start!r} is not a time like 2026-12-08T09:00")
    if start.tzinfo is None:
        start = start.replace(tzinfo=HELSINKI)
    now = datetime.now(UTC)
    if start < now:
        return _fail(prog, f"{args.start} is in the past")
    length = timedelta(minutes=minutes)
    added = 0
    for n in range(args.count):
        begins = start + n * length
        try:
            slot = store.appointments.add_slot(
                args.advisor, args.line, begins, begins + length, by="kiosk-hub", at=now
            )
        except SlotRefused as refused:
            print(f"{prog}: {begins.astimezone(HELSINKI):%Y-%m-%d %H:%M} not added: {refused}")
            continue
        added += 1
        print(f"{slot.id}  {begins.astimezone(HELSINKI):%Y-%m-%d %H:%M}  {minutes} min")
    return 0 if added else 1


def _fail(prog: str, message: str) -> int:
    print(f"{prog}: {message}", file=sys.stderr)
    return 2
