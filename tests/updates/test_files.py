"""wanted.json, state.json and agent.json: what the agent and the root updater tell each other,
read strictly (the updater trusts wanted.json no further than "a Debian version") and written
atomically."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.updates.files import (
    Unreadable,
    UpdateState,
    read_accepted,
    read_state,
    read_wanted,
    write_accepted,
    write_state,
    write_wanted,
)

AT = datetime(2026, 12, 7, 2, 14, 3, tzinfo=UTC)


def wanted_file(data_dir: Path, content: bytes) -> Path:
    folder = data_dir / "updates"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "wanted.json"
    path.write_bytes(content)
    return path


def test_no_file_is_nothing_wanted(tmp_path: Path) -> None:
    assert read_wanted(tmp_path) is None


@pytest.mark.parametrize(
    "version", ["0.2.0", "1.0.0~rc1", "1.4+dfsg-1", "0.3.0-1", "10.0a+b~c.d-e"]
)
def test_a_debian_version_is_read(tmp_path: Path, version: str) -> None:
    wanted_file(tmp_path, json.dumps({"version": version, "received_at": "x"}).encode())
    assert read_wanted(tmp_path) == version


def test_null_is_nothing_wanted(tmp_path: Path) -> None:
    wanted_file(tmp_path, b'{"version": null, "received_at": "2026-12-07T02:00:00.000Z"}')
    assert read_wanted(tmp_path) is None


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b'{"version": "0.2.0; rm -rf /"}', "not a Debian version"),
        (b'{"version": "-o APT::Get::Foo=1"}', "not a Debian version"),
        (b'{"version": "kiosk=0.2"}', "not a Debian version"),
        (b'{"version": "v1.0"}', "not a Debian version"),
        (b'{"version": "1.0\\n"}', "not a Debian version"),
        (b'{"version": "' + b"1" * 65 + b'"}', "not a Debian version"),
        (b'{"version": 2}', "not a Debian version"),
        (b'["0.2.0"]', "not a JSON object"),
        (b"0.2.0", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        (b'{"version": "0.2.0", "pad": "' + b"x" * 9000 + b'"}', "larger than"),
    ],
)
def test_anything_else_is_refused(tmp_path: Path, content: bytes, says: str) -> None:
    wanted_file(tmp_path, content)
    with pytest.raises(Unreadable, match=says):
        read_wanted(tmp_path)


def test_a_link_is_not_followed(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text('{"version": "0.2.0"}')
    (tmp_path / "updates").mkdir()
    (tmp_path / "updates" / "wanted.json").symlink_to(elsewhere)
    with pytest.raises(Unreadable, match="cannot be opened"):
        read_wanted(tmp_path)


def test_a_fifo_is_not_waited_on(tmp_path: Path) -> None:
    (tmp_path / "updates").mkdir()
    os.mkfifo(tmp_path / "updates" / "wanted.json")
    with pytest.raises(Unreadable, match="not a regular file"):
        read_wanted(tmp_path)


def test_wanted_is_written_only_when_it_changes(tmp_path: Path) -> None:
    assert write_wanted(tmp_path, "0.2.0", at=AT)
    path = tmp_path / "updates" / "wanted.json"
    first = path.stat()
    assert json.loads(path.read_text()) == {
        "version": "0.2.0",
        "received_at": "2026-12-07T02:14:03.000Z",
    }
    assert not write_wanted(tmp_path, "0.2.0", at=datetime.now(UTC))
    assert path.stat().st_ino == first.st_ino
    assert write_wanted(tmp_path, None, at=AT)
    assert read_wanted(tmp_path) is None
    assert not write_wanted(tmp_path, None, at=AT)
    with pytest.raises(ValueError, match="not a Debian version"):
        write_wanted(tmp_path, "0.2 0", at=AT)


def test_a_broken_wanted_file_is_replaced(tmp_path: Path) -> None:
    wanted_file(tmp_path, b"garbage")
    assert write_wanted(tmp_path, "0.3.0", at=AT)
    assert read_wanted(tmp_path) == "0.3.0"


def test_state_is_written_atomically_readable_by_all(tmp_path: Path) -> None:
    state = UpdateState(
        "rolled-back",
        installed="0.2.0",
        previous="0.2.0",
        wanted="0.3.0",
        detail="0.3.0 did not report ready within 300 s; 0.2.0 put back",
        at="2026-12-07T02:14:03.000Z",
    )
    os.umask(0o077)
    try:
        write_state(tmp_path, state)
    finally:
        os.umask(0o022)
    path = tmp_path / "updates" / "state.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert json.loads(path.read_text()) == {
        "state": "rolled-back",
        "installed": "0.2.0",
        "previous": "0.2.0",
        "wanted": "0.3.0",
        "detail": "0.3.0 did not report ready within 300 s; 0.2.0 put back",
        "at": "2026-12-07T02:14:03.000Z",
    }
    assert read_state(tmp_path) == state
    assert [p.name for p in path.parent.iterdir()] == ["state.json"]  # no temporary left


def test_a_planted_link_is_replaced_not_written_through(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    (tmp_path / "updates").mkdir()
    (tmp_path / "updates" / "state.json").symlink_to(victim)
    write_state(tmp_path, UpdateState("up-to-date", installed="0.2.0"))
    assert victim.read_text() == "keep me"
    assert not (tmp_path / "updates" / "state.json").is_symlink()


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ({"state": "done"}, "no known state"),
        ({"installed": "0.2.0"}, "no known state"),
        ({"state": "updated", "installed": "latest!"}, "installed is not a Debian version"),
        ({"state": "updated", "detail": 5}, "detail and at must be text"),
        ({"state": "updated", "at": "yesterday"}, "at is not a time"),
    ],
)
def test_a_malformed_state_is_refused(tmp_path: Path, content: object, says: str) -> None:
    (tmp_path / "updates").mkdir()
    (tmp_path / "updates" / "state.json").write_text(json.dumps(content))
    with pytest.raises(Unreadable, match=says):
        read_state(tmp_path)


def test_the_agents_accepted_heartbeat(tmp_path: Path) -> None:
    assert read_accepted(tmp_path) is None
    write_accepted(tmp_path, at=AT, agent_version="0.3.0")
    assert read_accepted(tmp_path) == AT
    (tmp_path / "updates" / "agent.json").write_text('{"heartbeat_accepted_at": "soon"}')
    assert read_accepted(tmp_path) is None
