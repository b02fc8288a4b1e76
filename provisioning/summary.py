"""The plain summary printed at the end: what each step found or did, and what is left for the
technician."""

from __future__ import annotations

from collections.abc import Sequence

from provisioning.steps import Outcome, StepResult

MARK = {
    Outcome.OK: "ok",
    Outcome.WOULD_CHANGE: "would change",
    Outcome.CHANGED: "changed",
    Outcome.SKIPPED: "skipped",
    Outcome.FAILED: "FAILED",
}


def render(results: Sequence[StepResult], *, dry_run: bool, extra_todo: Sequence[str] = ()) -> str:
    width = max((len(r.name) for r in results), default=0)
    lines = ["kiosk-provision summary" + (" (dry run: nothing was changed)" if dry_run else "")]
    lines += [f"  {MARK[r.outcome]:<12} {r.name:<{width}}  {r.detail}".rstrip() for r in results]
    count = {outcome: sum(r.outcome is outcome for r in results) for outcome in Outcome}
    lines.append("")
    if count[Outcome.FAILED]:
        lines.append(f"{count[Outcome.FAILED]} step(s) FAILED; see above and below.")
    elif dry_run:
        lines.append(f"{count[Outcome.WOULD_CHANGE]} step(s) would change something.")
    elif count[Outcome.CHANGED]:
        lines.append(f"{count[Outcome.CHANGED]} step(s) changed something; the rest was right.")
    else:
        lines.append("All ok: nothing needed changing.")
    todo = [item for r in results for item in r.todo] + list(extra_todo)
    if todo:
        lines += ["", "Left for the technician:"]
        lines += [f"  - {item}" for item in dict.fromkeys(todo)]
    return "\n".join(lines) + "\n"
