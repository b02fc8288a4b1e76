"""The payment process killed (SIGKILL) at seeded random points during payments against the
nexo simulator, restarted after each kill: afterwards no fee is charged twice, no charge stands
that the journal did not deliver, and nothing is left open (bench/payment_crash.py runs the long
version and says where each kill landed)."""

from __future__ import annotations

from pathlib import Path

from bench.payment_crash import report, run

KILLS = 15


def test_payments_killed_at_random_points_are_never_charged_twice_nor_left_open(
    tmp_path: Path,
) -> None:
    tally = run(tmp_path, KILLS, seed=1815)
    assert tally.kills == KILLS
    assert tally.payments > 0, report(tally)
    assert (tally.double_charges, tally.unresolved, tally.uncharged) == (0, 0, 0), report(tally)
    assert tally.integrity == "ok"
    assert tally.problems == [], report(tally)
