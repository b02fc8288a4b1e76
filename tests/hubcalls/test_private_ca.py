"""A hub reached over https with a certificate of the library's own CA ([kiosk] hub_ca_file):
the app's e-mail policy and call link and kiosk-agent all trust that CA when it is configured,
and none of them talks to the hub when it is not (the certificate is always checked)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.app import Kiosk
from kiosk.config import Config
from kiosk.forms.cache import read_cache
from kiosk.hubclient import HubRefused
from kiosk.video.hub_client import HubAdviceClient
from tests.hubcalls.conftest import SENDER, Site, load
from tests.hubcalls.tls import TlsProxy, make_certificates
from tests.peers.hub import wait_until


@pytest.fixture
def proxy(site: Site, tmp_path: Path) -> Iterator[TlsProxy]:
    found = TlsProxy(site.hub.port, make_certificates(tmp_path / "tls"))
    found.start()
    yield found
    found.stop()


def over_https(site: Site, proxy: TlsProxy, folder: Path, ca_file: Path | None) -> Path:
    """The kiosk's config with the hub at the proxy's https:// address."""
    text = site.config_file.read_text().replace(site.hub.url, proxy.url)
    if ca_file is not None:
        text = text.replace("[kiosk]\n", f'[kiosk]\nhub_ca_file = "{ca_file}"\n', 1)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "kiosk.toml"
    path.write_text(text)
    return path


@pytest.fixture
def trusted(site: Site, proxy: TlsProxy, tmp_path: Path) -> Path:
    return over_https(site, proxy, tmp_path / "trusted", tmp_path / "tls" / "ca.pem")


def started(config: Config) -> Kiosk:
    kiosk = Kiosk(config)
    kiosk.start_backend()
    return kiosk


def test_with_the_librarys_ca_every_part_of_the_kiosk_reaches_the_hub(
    site: Site, trusted: Path
) -> None:
    config = load(trusted)
    assert config.kiosk.hub_url.startswith("https://")
    kiosk = started(config)
    try:
        assert kiosk.submissions is not None
        policy = kiosk.submissions.email_policy().result(timeout=30)
        assert policy.known and policy.sender == SENDER
        advice = kiosk.advice
        assert isinstance(advice, HubAdviceClient)
        wait_until(lambda: advice.hub_connected, "the hub says hello over wss://")
    finally:
        kiosk.shutdown()

    done = site.agent_once(trusted)
    assert done.returncode == 0, done.stderr
    assert read_cache(config.data_dir) is not None


def test_without_the_librarys_ca_the_hub_is_not_trusted(
    site: Site, proxy: TlsProxy, tmp_path: Path
) -> None:
    config = load(over_https(site, proxy, tmp_path / "untrusted", None))
    kiosk = started(config)
    try:
        assert kiosk.submissions is not None
        with pytest.raises(OSError) as failed:
            kiosk.submissions.email_policy().result(timeout=30)
    finally:
        kiosk.shutdown()
    assert not isinstance(failed.value, HubRefused)
    assert "certificate" in repr(failed.value.__cause__).casefold()
