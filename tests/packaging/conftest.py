"""The kiosk's Debian packages, built once for the test session (kiosk-runtime is the long
step; tests elsewhere may use the same fixture through `tests.peers.aptrepo`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.peers.aptrepo import AptRepo, BuiltPackages, build_packages, served_repo


@pytest.fixture(scope="session")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltPackages]:
    yield build_packages(tmp_path_factory.mktemp("debs"))


@pytest.fixture(scope="module")
def repo(packages: BuiltPackages, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AptRepo]:
    """A signed repository with the runtime and kiosk 0.2.0 and 0.3.0, served on loopback."""
    with served_repo(tmp_path_factory.mktemp("fleet")) as served:
        served.publish(packages.runtime, packages.kiosk("0.2.0"), packages.kiosk("0.3.0"))
        yield served
