"""Home tiles: only enabled services, and a service whose device is down says so in words."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from kiosk.config import Config
from kiosk.devices.catalog import DeviceClass
from kiosk.i18n import Catalogue
from kiosk.services import ServiceSpec
from kiosk.ui.screens.home import HomeScreen
from kiosk.ui.state import UiState

PRINT = ServiceSpec(
    id="print",
    title="Help and privacy",
    subtitle="Help and privacy",
    icon="help.svg",
    screen="kiosk.ui.screens.help:HelpScreen",
    needs=(DeviceClass.PRINTER,),
)


def test_tile_of_a_service_whose_device_is_down_is_disabled_and_says_why(qtbot: QtBot) -> None:
    ui = UiState(Catalogue(), language="en", large_text_scale=1.5, high_contrast=False)
    home = HomeScreen(ui, [PRINT])
    qtbot.addWidget(home)
    tile = home.tiles["print"]
    assert tile.isEnabled()
    home.set_unusable_devices({DeviceClass.PRINTER})
    assert not tile.isEnabled()
    assert tile.subtitle.text() == "Not available at the moment"
    ui.set_language("fi")
    assert tile.subtitle.text() == "Ei käytettävissä juuri nyt"
    home.set_unusable_devices(set())
    assert tile.isEnabled()


def test_only_enabled_services_get_a_tile(qtbot: QtBot, make_config: object) -> None:
    from kiosk.app import Kiosk

    assert callable(make_config)
    config: Config = make_config("[services]\nenabled = []\n")
    assert Kiosk(config).enabled_services() == []
    config = make_config()
    # No fee configured and no hub token: neither "fee" nor "advice" has a tile.
    assert [s.id for s in Kiosk(config).enabled_services()] == [
        "forms",
        "eservices",
        "email",
        "scan",
        "print",
        "copy",
        "help",
    ]
