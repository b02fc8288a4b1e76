"""Each provisioning step is a check, then (ok | would change | changed | failed | skipped).

A step looks at the box first and acts only when something is missing or wrong, which makes a
second run change nothing that is right; with `dry_run` it says what it would do instead.
Under `--root DIR` files are written below DIR, but programs that change the running system
(apt-get, useradd, lpadmin, systemctl) are never run: the step is `skipped` and the summary
names the command for the technician.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

COMMAND_TIMEOUT = 1800.0


class Outcome(StrEnum):
    OK = "ok"
    WOULD_CHANGE = "would change"
    CHANGED = "changed"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True)
class StepResult:
    name: str
    outcome: Outcome
    detail: str = ""
    #: What the technician still has to do because of this step (shown under "Left to do").
    todo: tuple[str, ...] = ()


@dataclass
class Box:
    """The machine being provisioned: where files go, and whether to change anything."""

    root: Path
    dry_run: bool = False
    results: list[StepResult] = field(default_factory=list)

    @property
    def under_root(self) -> bool:
        """True when writing into a directory instead of `/`: no system commands then."""
        return self.root.resolve() != Path("/")

    def path(self, absolute: str | Path) -> Path:
        """`absolute` (a path on the box, such as /etc/kiosk) below the root."""
        return self.root / str(absolute).lstrip("/")

    def add(self, result: StepResult) -> StepResult:
        self.results.append(result)
        return result

    def run(
        self,
        name: str,
        commands: Sequence[Sequence[str]],
        *,
        done: str,
        below_root: bool = False,
    ) -> StepResult:
        """Run system commands for a step that found something to change. `below_root`: the
        commands only write below the root (they are given its paths), so they run under
        --root too."""
        shown = " && ".join(shlex.join(command) for command in commands)
        if self.dry_run:
            return self.add(StepResult(name, Outcome.WOULD_CHANGE, f"would run: {shown}"))
        if self.under_root and not below_root:
            return self.add(
                StepResult(name, Outcome.SKIPPED, f"skipped under --root: run {shown}", (shown,))
            )
        for command in commands:
            try:
                finished = subprocess.run(
                    list(command), capture_output=True, text=True, timeout=COMMAND_TIMEOUT
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                return self.add(StepResult(name, Outcome.FAILED, f"{shlex.join(command)}: {exc}"))
            if finished.returncode != 0:
                said = (finished.stderr or finished.stdout).strip().splitlines()[-1:] or [""]
                detail = f"{shlex.join(command)} exited {finished.returncode}: {said[0]}"
                return self.add(StepResult(name, Outcome.FAILED, detail, (f"fix, then: {shown}",)))
        return self.add(StepResult(name, Outcome.CHANGED, done))

    def write_file(
        self,
        name: str,
        target: str,
        content: bytes,
        *,
        mode: int,
        group: str | None = None,
    ) -> StepResult:
        """Make the file at `target` (a path on the box) hold `content` with `mode`, and belong
        to root:`group` when not under --root."""
        path = self.path(target)
        try:
            same = path.is_file() and not path.is_symlink() and path.read_bytes() == content
            mode_ok = same and (path.stat().st_mode & 0o7777) == mode
            owner_ok = self.under_root or group is None or (same and _owned(path, group))
        except OSError as exc:
            return self.add(StepResult(name, Outcome.FAILED, f"cannot read {target}: {exc}"))
        if same and mode_ok and owner_ok:
            return self.add(StepResult(name, Outcome.OK, target))
        what = "would write" if not path.exists() else "would rewrite"
        if same:
            what = "would fix the mode/owner of"
        if self.dry_run:
            return self.add(StepResult(name, Outcome.WOULD_CHANGE, f"{what} {target}"))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            _write_atomic(path, content, mode, None if self.under_root else group)
        except (OSError, KeyError) as exc:
            return self.add(StepResult(name, Outcome.FAILED, f"cannot write {target}: {exc}"))
        done = {"would write": "wrote", "would rewrite": "rewrote"}.get(
            what, "fixed the mode/owner of"
        )
        return self.add(StepResult(name, Outcome.CHANGED, f"{done} {target}"))

    def symlink(self, name: str, link: str, target: str) -> StepResult:
        """Make `link` (a path on the box) a symlink to `target` (as systemctl enable does)."""
        path = self.path(link)
        if path.is_symlink() and os.readlink(path) == target:
            return self.add(StepResult(name, Outcome.OK, link))
        if self.dry_run:
            return self.add(StepResult(name, Outcome.WOULD_CHANGE, f"would link {link}"))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.is_symlink() or path.exists():
                path.unlink()
            path.symlink_to(target)
        except OSError as exc:
            return self.add(StepResult(name, Outcome.FAILED, f"cannot link {link}: {exc}"))
        return self.add(StepResult(name, Outcome.CHANGED, f"linked {link} -> {target}"))


def _owned(path: Path, group: str) -> bool:
    import grp

    stat = path.stat()
    try:
        return stat.st_uid == 0 and stat.st_gid == grp.getgrnam(group).gr_gid
    except KeyError:
        return False


def _write_atomic(path: Path, content: bytes, mode: int, group: str | None) -> None:
    """Write through a temporary file with its final mode and owner, then rename: the file is
    never seen half-written or readable by more than it should be."""
    temporary = path.with_name(f".{path.name}.new")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        if group is not None:
            import grp

            os.chown(temporary, 0, grp.getgrnam(group).gr_gid)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
