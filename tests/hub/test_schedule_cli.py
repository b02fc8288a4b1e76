"""`kiosk-hub schedule add` from the shell: slots under the week view's rules, one clear line for
each mistake."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hub.config import load_config
from hub.store import open_configured
from tests.hub.test_cli import hub_command

LINES = """
[lines.virka-info]
name_fi = "Virka-info"
advisors = ["anna"]
[lines.sign]
name_fi = "Viittomakielen tulkki"
interpreting = "fse"
advisors = ["anna"]
"""


def tomorrow_at_nine() -> str:
    day = datetime.now(ZoneInfo("Europe/Helsinki")).date() + timedelta(days=1)
    return f"{day.isoformat()}T09:00"


def test_an_advisors_morning_of_slots_from_the_shell(write_config: Callable[[str], Path]) -> None:
    path = write_config(LINES)
    hub_command(path, "user", "add", "anna", "--role", "advisor", stdin="long enough pw\n")
    start = tomorrow_at_nine()
    added = hub_command(path, "schedule", "add", "anna", "virka-info", start, "--count", "3")
    assert added.returncode == 0, added.stderr
    assert len(added.stdout.splitlines()) == 3

    store = open_configured(load_config(path))
    try:
        rows = list(store.db.query("SELECT starts_at, ends_at FROM advisor_slots ORDER BY 1"))
    finally:
        store.close()
    first = datetime.fromisoformat(start).replace(tzinfo=ZoneInfo("Europe/Helsinki"))
    starts = [datetime.fromisoformat(r["starts_at"].replace("Z", "+00:00")) for r in rows]
    assert starts == [first + timedelta(minutes=20 * n) for n in range(3)]
    assert all(s.tzinfo is not None and s.utcoffset() == UTC.utcoffset(None) for s in starts)

    # The same morning again overlaps every slot: nothing added, and each refusal said.
    again = hub_command(path, "schedule", "add", "anna", "virka-info", start, "--count", "3")
    assert again.returncode == 1
    assert again.stdout.count("not added: overlap") == 3


def test_mistakes_are_named(write_config: Callable[[str], Path]) -> None:
    path = write_config(LINES)
    hub_command(path, "user", "add", "anna", "--role", "advisor", stdin="long enough pw\n")
    hub_command(path, "user", "add", "sam", "--role", "support", stdin="long enough pw\n")
    start = tomorrow_at_nine()
    cases = [
        (("anna", "nowhere", start), "'nowhere' is not a service line of this hub"),
        (("anna", "sign", start), "'sign' is not a service line of this hub"),
        (("sam", "virka-info", start), "'sam' is not an advisor's account"),
        (("anna", "virka-info", "tomorrow"), "'tomorrow' is not a time like 2026-12-08T09:00"),
        (("anna", "virka-info", "2020-01-01T09:00"), "2020-01-01T09:00 is in the past"),
        (("anna", "virka-info", start, "--minutes", "1"), "--minutes 1: a slot is 5 to 240"),
    ]
    for args, message in cases:
        result = hub_command(path, "schedule", "add", *args)
        assert result.returncode == 2, args
        assert message in result.stderr, result.stderr
