"""A kiosk's update report from its heartbeat: stored, applied to alerts, and answered with
the version the hub wants it to run (docs/updates.md)."""

from __future__ import annotations

from hub.fleet.service import Fleet
from hub.hours import utc_iso
from hub.store.updates import UpdateReport
from hub.updates.targets import Rollout

MAX_ALERT_DETAIL = 600


def alert_detail(report: UpdateReport) -> str:
    """What an update alert says: the versions, then the updater's own reason."""
    wanted = report.wanted or "?"
    if report.state == "rolled-back":
        what = f"{wanted} rolled back to {report.previous or report.installed or '?'}"
    else:
        what = f"{wanted} not installed, {report.installed or '?'} kept"
    detail = f"{what}: {report.detail}" if report.detail else what
    return detail[:MAX_ALERT_DETAIL]


def take_report(fleet: Fleet, kiosk_id: str, report: UpdateReport | None) -> Rollout | None:
    """Store the kiosk's report (if it sent one) and apply it to its alerts; returns the
    rollout that decides what it should run, or None."""
    updates = fleet.hub_store.updates
    wanted = updates.wanted(kiosk_id)
    if report is not None:
        at = utc_iso(fleet.clock())
        updates.save_report(kiosk_id, report, received_at=at)
        fleet.book.update(
            kiosk_id,
            report.state,
            report.wanted,
            wanted.version if wanted else None,
            at=at,
            detail=alert_detail(report),
        )
    return wanted


def answer(wanted: Rollout | None) -> dict[str, str] | None:
    """The heartbeat answer's `update`."""
    return {"version": wanted.version} if wanted is not None else None
