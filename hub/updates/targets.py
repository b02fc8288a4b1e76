"""Rollout targets and versions, and which version a kiosk is wanted to run.

A target is `all`, `library:<library>` or `group:<name>`; a version is a Debian version as
the kiosk's package carries it. `wanted_for` is the one rule, used by the heartbeat's answer
and by support's views alike: a group before the kiosk's library before `all`; among several
groups, the rollout set last.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

#: A Debian version as docs/updates.md allows it (no epoch): a digit, then letters, digits
#: and . + ~ -; at most 64 characters.
VERSION = re.compile(r"[0-9][A-Za-z0-9.+~-]{0,63}")
#: A library's or a group's name: what an admin types and a URL carries as it is.
NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
ALL = "all"
LIBRARY = "library:"
GROUP = "group:"
VERSION_RULE = "a Debian version: a digit, then letters, digits and . + ~ - (at most 64)"
NAME_RULE = "1 to 64 of a-z, 0-9, _ and -, starting with a letter or digit"
TARGET_RULE = f"all, library:<name> or group:<name>, the name {NAME_RULE}"


@dataclass(frozen=True)
class Rollout:
    target: str
    version: str
    set_by: str
    set_at: str


def is_version(value: object) -> bool:
    return isinstance(value, str) and VERSION.fullmatch(value) is not None


def is_name(value: object) -> bool:
    return isinstance(value, str) and NAME.fullmatch(value) is not None


def parse_target(value: object) -> tuple[str, str] | None:
    """("all", ""), ("library", name) or ("group", name); None for anything else."""
    if value == ALL:
        return ("all", "")
    if isinstance(value, str):
        for prefix in (LIBRARY, GROUP):
            if value.startswith(prefix) and is_name(value[len(prefix) :]):
                return (prefix[:-1], value[len(prefix) :])
    return None


def wanted_for(
    library: str | None, groups: Iterable[str], rollouts: Mapping[str, Rollout]
) -> Rollout | None:
    """The rollout that decides what a kiosk of `library` in `groups` runs, or None."""
    in_groups = [rollouts[GROUP + name] for name in groups if GROUP + name in rollouts]
    if in_groups:
        # The newest; of two set in the same millisecond, the one whose target sorts last.
        return max(in_groups, key=lambda rollout: (rollout.set_at, rollout.target))
    if library and LIBRARY + library in rollouts:
        return rollouts[LIBRARY + library]
    return rollouts.get(ALL)
