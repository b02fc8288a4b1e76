"""Property-based fuzzing (Hypothesis): the settings every fuzz test runs under, the hub
process they share, and the count of cases tried per target at the end of the run.

Two profiles. "ci" (the default, what `./dev test` runs): a fixed number of cases per test (40,
KIOSK_FUZZ_CI_EXAMPLES to change it; the whole folder stays within about three minutes) and
derandomize=True, so that every run tries the same cases and a failure in CI is one anyone can
reproduce by running the test again; new cases come from the long profile and from changed
code. "long" (KIOSK_FUZZ_EXAMPLES=<n>): n cases per test from a random seed, which Hypothesis
prints with any failure (print_blob), and the examples it found failing kept in a database
under the system's temporary folder, so the next long run tries them first.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.database import DirectoryBasedExampleDatabase

from tests.fuzz import site as hub_site
from tests.fuzz.tally import CASES

#: Hypothesis keeps its files (caches, and the long profile's examples) under the system's
#: temporary folder: by default it would write .hypothesis/ into the working tree.
HOME = Path(tempfile.gettempdir()) / "kiosk-fuzz-hypothesis"
set_hypothesis_home_dir(HOME)
DATABASE = DirectoryBasedExampleDatabase(HOME / "examples")
SLOW_IS_FINE = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]

settings.register_profile(
    "ci",
    max_examples=int(os.environ.get("KIOSK_FUZZ_CI_EXAMPLES", "40")),
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=SLOW_IS_FINE,
)
settings.register_profile(
    "long",
    max_examples=int(os.environ.get("KIOSK_FUZZ_EXAMPLES", "0") or 0) or 1000,
    derandomize=False,
    deadline=None,
    database=DATABASE,
    print_blob=True,
    suppress_health_check=SLOW_IS_FINE,
)
settings.load_profile("long" if os.environ.get("KIOSK_FUZZ_EXAMPLES") else "ci")


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[hub_site.Site]:
    """The one hub all the fuzzing of routes and sockets goes to."""
    running = hub_site.start(tmp_path_factory.mktemp("fuzz-hub"))
    yield running
    hub_site.stop(running)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not CASES:
        return
    profile = settings.default
    terminalreporter.section("fuzz cases tried")
    name = settings.get_current_profile_name()
    terminalreporter.write_line(
        f"profile {name}: up to {profile.max_examples} cases a test against the hub, four times "
        f"that in-process (and the shrinking of any that failed), "
        f"derandomize={profile.derandomize}"
    )
    for target, count in sorted(CASES.items()):
        terminalreporter.write_line(f"{count:8d}  {target}")
    terminalreporter.write_line(f"{sum(CASES.values()):8d}  in all")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A failing case with a 100 000-deep body is reported with its whole repr: Hypothesis warns
    # that it is large, and the warning (an error in this suite) would hide the failure.
    for item in items:
        if "tests/fuzz/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.filterwarnings("ignore:Generating overly large repr"))
