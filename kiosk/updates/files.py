"""What kiosk-agent and kiosk-update tell each other, as files in `<data_dir>/updates/`.

- `wanted.json`, written by the agent from the hub's heartbeat answer:
  `{"version": "0.2.0" | null, "received_at": "…"}`.
- `state.json`, written by the updater as it goes (mode 0644, for the agent to read and send
  as the heartbeat's `update`): `{"state": …, "installed", "previous", "wanted", "detail", "at"}`.
- `agent.json`, written by the agent after each heartbeat the hub accepted:
  `{"heartbeat_accepted_at": "…", "agent_version": "…"}`; the updater's sign that the agent of
  the new version reaches the hub.

The folder belongs to the agent's user, and the updater runs as root: what root reads here is
read without following a link, at most a few KB, and trusted only as far as its syntax says
(a version is a Debian version string, nothing more; apt then installs only what the fleet's
key signed). Every write is a new file renamed into place, so a reader never sees half of one
and a link planted under the name is replaced, not followed.
"""

from __future__ import annotations

import json
import os
import re
import stat
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

UPDATES_DIR = "updates"
WANTED_FILE = "wanted.json"
STATE_FILE = "state.json"
AGENT_FILE = "agent.json"
#: docs/updates.md: a Debian version as the fleet uses them.
VERSION = re.compile(r"[0-9][A-Za-z0-9.+~-]{0,63}")
STATES = (
    "up-to-date",
    "pending",
    "waiting-for-session",
    "installing",
    "checking",
    "updated",
    "rolled-back",
    "failed",
)
MAX_DETAIL = 500
#: Larger than any file here can honestly be.
MAX_BYTES = 8192


class Unreadable(Exception):
    """A file that is there but cannot be used; str() says why, without its contents."""


def is_version(value: object) -> bool:
    return isinstance(value, str) and VERSION.fullmatch(value) is not None


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """The store's timestamp format: ISO 8601 UTC to the millisecond, with Z."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone")
    return moment


def updates_dir(data_dir: Path) -> Path:
    return data_dir / UPDATES_DIR


def ensure_updates_dir(data_dir: Path) -> Path:
    """The folder, made if missing; made by root, it is given to the data folder's owner, so
    that the agent can write in it. Root never makes the data folder itself: one root owned
    would keep the kiosk's user out of it."""
    folder = updates_dir(data_dir)
    if not folder.is_dir():
        if os.geteuid() == 0 and not data_dir.is_dir():
            raise FileNotFoundError(f"{data_dir} is not there yet (the kiosk has not run)")
        folder.mkdir(mode=0o755, parents=True, exist_ok=True)
        if os.geteuid() == 0:
            owner = data_dir.stat()
            os.chown(folder, owner.st_uid, owner.st_gid)
    return folder


def write_json(path: Path, content: dict[str, Any], *, mode: int = 0o644) -> None:
    """Write `content` to `path` atomically: a new file in the same folder, synced, renamed."""
    data = (json.dumps(content, ensure_ascii=False, sort_keys=True) + "\n").encode()
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), mode)
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_json(path: Path) -> dict[str, Any] | None:
    """A small JSON object from `path`; None when there is no file. Unreadable says why it
    cannot be used (a link, not a regular file, too large, not a JSON object)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise Unreadable(f"{path.name}: cannot be opened ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as found:
        info = os.fstat(found.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable(f"{path.name}: not a regular file")
        data = found.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise Unreadable(f"{path.name}: larger than {MAX_BYTES} bytes")
    try:
        content = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Unreadable(f"{path.name}: not JSON") from None
    if not isinstance(content, dict):
        raise Unreadable(f"{path.name}: not a JSON object")
    return content


# ---- wanted.json ------------------------------------------------------------------------------


def read_wanted(data_dir: Path) -> str | None:
    """The version the hub wants, or None when it wants none (or never said). Unreadable when
    the file is not what the agent writes."""
    content = read_json(updates_dir(data_dir) / WANTED_FILE)
    if content is None:
        return None
    version = content.get("version")
    if version is not None and not is_version(version):
        raise Unreadable(f"{WANTED_FILE}: its version is not a Debian version")
    return version


def write_wanted(data_dir: Path, version: str | None, *, at: datetime) -> bool:
    """Write what the hub wants when it differs from what the file says; True if written."""
    if version is not None and not is_version(version):
        raise ValueError(f"{version!r} is not a Debian version")
    try:
        if read_wanted(data_dir) == version and (updates_dir(data_dir) / WANTED_FILE).exists():
            return False
    except Unreadable:
        pass  # rewritten below
    folder = ensure_updates_dir(data_dir)
    write_json(folder / WANTED_FILE, {"version": version, "received_at": iso(at)})
    return True


# ---- state.json -------------------------------------------------------------------------------


@dataclass(frozen=True)
class UpdateState:
    """The heartbeat's `update` object (docs/updates.md)."""

    state: str
    installed: str | None = None
    previous: str | None = None
    wanted: str | None = None
    detail: str = ""
    at: str = ""

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"state": self.state, "detail": self.detail[:MAX_DETAIL]}
        for name in ("installed", "previous", "wanted"):
            value = getattr(self, name)
            if value is not None:
                found[name] = value
        if self.at:
            found["at"] = self.at
        return found

    def same_as(self, other: UpdateState | None) -> bool:
        """The same news (whenever it was written)."""
        return other is not None and self.to_json() | {"at": ""} == other.to_json() | {"at": ""}


def parse_state(content: dict[str, Any]) -> UpdateState:
    """A state.json's contents checked as the hub checks the heartbeat's `update`."""
    state = content.get("state")
    if state not in STATES:
        raise Unreadable(f"{STATE_FILE}: no known state")
    versions: dict[str, str | None] = {}
    for name in ("installed", "previous", "wanted"):
        value = content.get(name)
        if value is not None and not is_version(value):
            raise Unreadable(f"{STATE_FILE}: {name} is not a Debian version")
        versions[name] = value
    detail, at = content.get("detail", ""), content.get("at", "")
    if not isinstance(detail, str) or not isinstance(at, str):
        raise Unreadable(f"{STATE_FILE}: detail and at must be text")
    if at:
        try:
            parse_iso(at)
        except ValueError:
            raise Unreadable(f"{STATE_FILE}: at is not a time") from None
    return UpdateState(str(state), **versions, detail=detail[:MAX_DETAIL], at=at)


def read_state(data_dir: Path) -> UpdateState | None:
    """The updater's last state; None when it never wrote one. Unreadable otherwise."""
    content = read_json(updates_dir(data_dir) / STATE_FILE)
    return None if content is None else parse_state(content)


def write_state(data_dir: Path, state: UpdateState) -> None:
    folder = ensure_updates_dir(data_dir)
    write_json(folder / STATE_FILE, state.to_json(), mode=0o644)


# ---- agent.json -------------------------------------------------------------------------------


def write_accepted(data_dir: Path, *, at: datetime, agent_version: str) -> None:
    folder = ensure_updates_dir(data_dir)
    content = {"heartbeat_accepted_at": iso(at), "agent_version": agent_version}
    write_json(folder / AGENT_FILE, content, mode=0o644)


def read_accepted(data_dir: Path) -> datetime | None:
    """When the hub last accepted the agent's heartbeat; None if never (or not readable)."""
    try:
        content = read_json(updates_dir(data_dir) / AGENT_FILE)
    except Unreadable:
        return None
    at = content.get("heartbeat_accepted_at") if content else None
    if not isinstance(at, str):
        return None
    try:
        return parse_iso(at)
    except ValueError:
        return None
