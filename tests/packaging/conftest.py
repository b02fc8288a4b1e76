"""A signed repository with the kiosk's packages (the session's `packages`, tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.peers.aptrepo import AptRepo, BuiltPackages, served_repo


@pytest.fixture(scope="module")
def repo(packages: BuiltPackages, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AptRepo]:
    """A signed repository with the runtime and kiosk 0.2.0 and 0.3.0, served on loopback."""
    with served_repo(tmp_path_factory.mktemp("fleet")) as served:
        served.publish(packages.runtime, packages.kiosk("0.2.0"), packages.kiosk("0.3.0"))
        yield served
