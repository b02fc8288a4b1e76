"""kiosk.config: defaults, a full file, one clear line per mistake, and the technician PIN."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest

import kiosk.config
from kiosk.config import (
    DEMO_PIN_HASH,
    ConfigError,
    default_config,
    hash_pin,
    load_config,
    verify_pin,
)

ENV = {"HOME": "/home/kiosk", "XDG_RUNTIME_DIR": "/run/user/1000"}

FULL = """
[kiosk]
id = "itakeskus-1"
name = "Itäkeskus library, kiosk 1"
location = "Itäkeskus library, 2nd floor"
hub_url = "https://hub.example.fi"
data_dir = "/var/lib/kiosk"

[session]
idle_seconds = 120
warning_seconds = 20
ended_message_seconds = 10
folder = "/run/kiosk/sessions"
default_language = "sv"

[ui]
fullscreen = false
large_text_scale = 2
high_contrast = true

[technician]
pin_hash = "{pin_hash}"
hold_seconds = 3
max_attempts = 5
lockout_seconds = 300

[services]
enabled = ["help", "forms"]

[devices.printer]
backend = "cups"
pages_per_minute = 60
paper_sheets = 0
output_dir = "/srv/printed"

[devices.cardreader]
backend = "none"
card = "unknown"

[devices.camera]
backend = "simulated"
width = 640
height = 480
fps = 15

[devices.payment]
backend = "simulated"
delay_seconds = 0
timeout_seconds = 30.5
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ=ENV)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    return message.removeprefix(f"{path}: ")


def test_defaults_give_the_demo_without_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kiosk.config, "DEFAULT_PATH", tmp_path / "absent.toml")
    config = load_config(None, environ=ENV)
    assert asdict(config) == asdict(default_config(environ=ENV))
    assert config.source is None
    assert config.kiosk.id == "demo-kiosk"
    assert config.kiosk.hub_url == "http://127.0.0.1:8080"
    assert config.session.idle_seconds == 90
    assert config.session.warning_seconds == 30
    assert config.ui.fullscreen is True
    assert config.services.enabled == (
        "forms",
        "eservices",
        "email",
        "scan",
        "print",
        "copy",
        "fee",
        "advice",
        "help",
    )
    assert config.devices.printer.backend == "simulated"
    assert config.devices.payment.timeout_seconds == 120.0
    assert verify_pin("1234", config.technician.pin_hash)
    assert config.data_dir == Path("/home/kiosk/.local/state/kiosk")
    assert config.db_path == Path("/home/kiosk/.local/state/kiosk/kiosk.db")
    assert config.session_folder == Path("/run/user/1000/kiosk-sessions")
    # Printed documents are the citizen's: by default the simulated printer keeps none.
    assert config.printer_output_dir is None


def test_an_empty_file_is_all_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    config = load_config(path, environ=ENV)
    assert config.source == path
    assert asdict(config.kiosk) == asdict(default_config(environ=ENV).kiosk)


def test_derived_folders_follow_xdg_and_fall_back(tmp_path: Path) -> None:
    config = default_config(environ={"HOME": "/h", "XDG_STATE_HOME": "/state"})
    assert config.data_dir == Path("/state/kiosk")
    assert config.session_folder.name.startswith("kiosk-sessions-")
    assert config.session_folder.parent == Path("/tmp")
    relative_xdg = default_config(environ={"HOME": "/h", "XDG_STATE_HOME": "state"})
    assert relative_xdg.data_dir == Path("/h/.local/state/kiosk")


def test_a_full_valid_file(tmp_path: Path) -> None:
    pin_hash = hash_pin("987654")
    path = write(tmp_path, FULL.replace("{pin_hash}", pin_hash))
    config = load_config(
        path,
        backends={"printer": ("simulated", "cups", "none")},
        services=("help", "forms"),
        environ=ENV,
    )
    assert config.source == path
    assert config.kiosk.name == "Itäkeskus library, kiosk 1"
    assert config.data_dir == Path("/var/lib/kiosk")
    assert config.db_path == Path("/var/lib/kiosk/kiosk.db")
    assert config.session.default_language == "sv"
    assert config.session_folder == Path("/run/kiosk/sessions")
    assert config.ui.large_text_scale == 2.0
    assert isinstance(config.ui.large_text_scale, float)
    assert config.ui.high_contrast is True
    assert verify_pin("987654", config.technician.pin_hash)
    assert config.technician.lockout_seconds == 300
    assert config.services.enabled == ("help", "forms")
    assert config.devices.printer.backend == "cups"
    assert config.devices.cardreader.card == "unknown"
    assert config.devices.camera.fps == 15
    assert config.devices.payment.delay_seconds == 0.0
    assert config.device_options("printer") == {
        "pages_per_minute": 60,
        "paper_sheets": 0,
        "output_dir": Path("/srv/printed"),
        "queue": "kiosk",
        "server": "",
    }
    assert config.device_options("camera") == {
        "width": 640,
        "height": 480,
        "fps": 15,
        "source": "0",
    }


def test_backend_choices_can_come_from_a_function(tmp_path: Path) -> None:
    path = write(tmp_path, '[devices.camera]\nbackend = "opencv"\n')
    asked: list[str] = []

    def backend_names(device_class: str) -> tuple[str, ...]:
        asked.append(device_class)
        return ("simulated", "opencv", "none")

    config = load_config(path, backends=backend_names, environ=ENV)
    assert config.devices.camera.backend == "opencv"
    assert asked == ["camera"]


def test_unknown_device_class_for_options() -> None:
    with pytest.raises(ValueError, match="scanner"):
        default_config(environ=ENV).device_options("scanner")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "[sesion]\nidle_seconds = 60\n",
            "unknown section [sesion] (known sections: kiosk, session, ui, technician, "
            "services, devices, call, prices, payments, agent, updates, privacy, browser, "
            "speech, keypad, fees)",
        ),
        (
            "[devices.scanner]\nbackend = 'simulated'\n",
            "unknown section [devices.scanner] (known sections in [devices]: printer, "
            "cardreader, camera, payment)",
        ),
        ("[devices]\nbackend = 'simulated'\n", "unknown key devices.backend"),
        (
            "idle_seconds = 60\n",
            "unknown key idle_seconds (known sections: kiosk, session, ui, technician, "
            "services, devices, call, prices, payments, agent, updates, privacy, browser, "
            "speech, keypad, fees)",
        ),
        (
            "[session]\nidel_seconds = 60\n",
            "unknown key session.idel_seconds (known keys in [session]: idle_seconds, "
            "warning_seconds, ended_message_seconds, folder, default_language)",
        ),
        (
            "[session]\nwarning_seconds = 5\n",
            "session.warning_seconds = 5 is not allowed: a whole number from 20 to 300",
        ),
        (
            '[session]\nidle_seconds = "90"\n',
            'session.idle_seconds = "90" is not allowed: a whole number from 10 to 3600',
        ),
        (
            "[session]\nidle_seconds = 90.0\n",
            "session.idle_seconds = 90.0 is not allowed: a whole number from 10 to 3600",
        ),
        (
            "[devices.camera]\nfps = true\n",
            "devices.camera.fps = true is not allowed: a whole number from 1 to 60",
        ),
        (
            '[call]\nmicrophone = "oss"\n',
            'call.microphone = "oss" is not allowed: one of tone, pulse, alsa, none',
        ),
        (
            '[call]\nspeaker = "tone"\n',
            'call.speaker = "tone" is not allowed: one of none, pulse, alsa',
        ),
        (
            '[call]\nmicrophone_device = "hw 1"\n',
            'call.microphone_device = "hw 1" is not allowed: an ALSA or PulseAudio device name',
        ),
        (
            '[call]\nspeaker_device = ""\n',
            'call.speaker_device = "" is not allowed: an ALSA or PulseAudio device name',
        ),
        ('[call]\nmic = "alsa"\n', "unknown key call.mic (known keys in [call]: microphone, "),
        (
            "[ui]\nlarge_text_scale = false\n",
            "ui.large_text_scale = false is not allowed: a number from 1.5 to 2.5",
        ),
        (
            "[ui]\nlarge_text_scale = 3\n",
            "ui.large_text_scale = 3 is not allowed: a number from 1.5 to 2.5",
        ),
        ("[ui]\nfullscreen = 1\n", "ui.fullscreen = 1 is not allowed: true or false"),
        (
            '[devices.printer]\nbackend = "cupz"\n',
            'devices.printer.backend = "cupz" is not allowed: one of simulated, none',
        ),
        (
            '[session]\ndefault_language = "de"\n',
            'session.default_language = "de" is not allowed: one of fi, sv, en',
        ),
        (
            '[kiosk]\nhub_url = "ftp://hub.example.fi"\n',
            'kiosk.hub_url = "ftp://hub.example.fi" is not allowed: an http:// or https:// URL',
        ),
        (
            '[kiosk]\nhub_token = "my token"\n',
            "kiosk.hub_token = (the value is not shown) is not allowed: "
            '"" or the token `kiosk-hub kiosk add`',
        ),
        (
            '[kiosk]\nid = "Kiosk 1"\n',
            'kiosk.id = "Kiosk 1" is not allowed: 1 to 64 characters from a-z, 0-9 and -',
        ),
        (
            '[technician]\npin_hash = "1234"\n',
            'technician.pin_hash = "1234" is not allowed: a hash made with `kiosk hash-pin`',
        ),
        (
            '[services]\nenabled = ["help", "games"]\n',
            'services.enabled = ["help", "games"] is not allowed: a list of ids, each at most '
            "once, from: forms, email, scan, print, copy, fee, advice, help",
        ),
        (
            '[services]\nenabled = ["help", "help"]\n',
            'services.enabled = ["help", "help"] is not allowed',
        ),
        ("session = 5\n", "session must be a table"),
        ("[devices]\nprinter = 5\n", "devices.printer must be a table"),
        (
            "[prices]\nprint_page = 0.2\n",
            "prices.print_page = 0.2 is not allowed: an amount in euros written as text, "
            'like "0.20"',
        ),
        ('[prices]\ncopy_page = "20 c"\n', 'prices.copy_page = "20 c" is not allowed'),
        ('[fees.Lost_Card]\namount = "3.00"\n', "[fees.Lost_Card]: the id must be"),
        ('[fees.lost-card]\nname_fi = "Kortti"\n', "[fees.lost-card] needs amount"),
        ('[fees.lost-card]\namount = "3.00"\n', "[fees.lost-card] needs name_fi"),
        ('[fees.lost-card]\nprice = "3.00"\n', "unknown key fees.lost-card.price"),
        ("fees = 5\n", "fees must be a table: write [fees.<id>]"),
        (
            '[agent]\nrestart_command = "systemctl restart kiosk.service"\n',
            'agent.restart_command = "systemctl restart kiosk.service" is not allowed: a command '
            "as a list of strings, program first (run without a shell)",
        ),
        ("[agent]\nrestart_command = []\n", "agent.restart_command = [] is not allowed"),
        ('[agent]\nrestart_command = ["", "x"]\n', 'agent.restart_command = ["", "x"] is not'),
        (
            '[agent]\nsystemd_unit = "kiosk"\n',
            'agent.systemd_unit = "kiosk" is not allowed: a systemd unit name ending in .service',
        ),
        (
            "[agent]\nevents_batch = 501\n",
            "agent.events_batch = 501 is not allowed: a whole number from 1 to 500",
        ),
        (
            "[agent]\nheartbeat_seconds = 1\n",
            "agent.heartbeat_seconds = 1 is not allowed: a whole number from 5 to 3600",
        ),
    ],
)
def test_each_mistake_is_one_line_naming_the_key(tmp_path: Path, text: str, expected: str) -> None:
    assert error_of(tmp_path, text).startswith(expected)


def test_first_error_in_file_order_is_reported(tmp_path: Path) -> None:
    message = error_of(tmp_path, "[ui]\nfullscreen = 2\n[session]\nidle_seconds = 1\n")
    assert message.startswith("ui.fullscreen")


def test_toml_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    message = error_of(tmp_path, "[session]\nidle_seconds = 90\nwarning_seconds 30\n")
    assert message.startswith("TOML syntax error at line 3, column 17: ")


def test_a_missing_explicit_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    with pytest.raises(ConfigError, match=f"^{path}: no such file$"):
        load_config(path)


def test_a_file_that_is_not_utf8_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_bytes(b'[kiosk]\nname = "It\xe4keskus"\n')
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path)


def test_long_values_are_cut_to_keep_one_line(tmp_path: Path) -> None:
    message = error_of(tmp_path, f'[kiosk]\nname = "{"x" * 500}"\n')
    assert len(message) < 200
    assert message.endswith("is not allowed: text of at most 200 characters")


def test_pin_hash_roundtrip_and_wrong_pin() -> None:
    pin_hash = hash_pin("2468")
    assert pin_hash.startswith("pbkdf2_sha256$100000$")
    assert verify_pin("2468", pin_hash)
    assert not verify_pin("2469", pin_hash)
    assert not verify_pin("", pin_hash)
    assert hash_pin("2468") != pin_hash  # a fresh salt every time


def test_demo_pin_is_1234() -> None:
    assert verify_pin("1234", DEMO_PIN_HASH)
    assert not verify_pin("0000", DEMO_PIN_HASH)
    assert hash_pin("1234", salt=b"kiosk-demo-salt!") == DEMO_PIN_HASH


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "1234",
        "md5$100000$c2FsdHNhbHQ=$AAAA",
        "pbkdf2_sha256$10$a2lvc2stZGVtby1zYWx0IQ==$" + "A" * 43 + "=",
        "pbkdf2_sha256$100000$not base64$xyz",
        DEMO_PIN_HASH.replace("$100000$", "$1_00000$"),
        DEMO_PIN_HASH[:-8],
    ],
)
def test_a_malformed_hash_never_verifies(bad: str) -> None:
    assert not verify_pin("1234", bad)


@pytest.mark.parametrize("pin", ["", "123", "12a4", "1234567890123", "１２３４"])
def test_a_pin_the_keypad_cannot_type_is_refused(pin: str) -> None:
    with pytest.raises(ValueError, match="4 to 12 digits"):
        hash_pin(pin)


def test_prices_and_fees_are_read_as_cents(tmp_path: Path) -> None:
    from kiosk.payments.prices import parse_euros

    path = tmp_path / "kiosk.toml"
    path.write_text(
        '[prices]\nprint_page = "0.20"\ncopy_page = "0,30"\nfree_pages = 5\n'
        '[fees.lost-card]\nname_fi = "Kadonnut kirjastokortti"\nname_en = "Lost library card"\n'
        'amount = "3.00"\nreference = "LIB-CARD"\n'
    )
    config = load_config(path)
    assert parse_euros(config.prices.print_page) == 20
    assert parse_euros(config.prices.copy_page) == 30
    assert config.prices.free_pages == 5
    fee = config.fees["lost-card"]
    assert (fee.name_fi, fee.name_sv, fee.amount, fee.reference) == (
        "Kadonnut kirjastokortti",
        "",
        "3.00",
        "LIB-CARD",
    )


def test_the_call_sound_is_a_tone_and_no_speaker_unless_configured(tmp_path: Path) -> None:
    call = default_config(environ=ENV).call
    assert (call.microphone, call.microphone_device, call.speaker, call.speaker_device) == (
        "tone",
        "default",
        "none",
        "default",
    )
    path = write(
        tmp_path,
        '[call]\nmicrophone = "alsa"\nmicrophone_device = "plughw:CARD=USB,DEV=0"\n'
        'speaker = "pulse"\nspeaker_device = "alsa_output.pci-0000_00_1f.3.analog-stereo"\n',
    )
    call = load_config(path, environ=ENV).call
    assert (call.microphone, call.microphone_device, call.speaker, call.speaker_device) == (
        "alsa",
        "plughw:CARD=USB,DEV=0",
        "pulse",
        "alsa_output.pci-0000_00_1f.3.analog-stereo",
    )


def test_agent_fleet_keys_have_defaults_and_can_be_set(tmp_path: Path) -> None:
    agent = default_config(environ=ENV).agent
    assert (agent.heartbeat_seconds, agent.events_batch, agent.max_unshipped_events) == (
        30,
        500,
        50_000,
    )
    assert agent.systemd_unit == "kiosk.service"
    assert agent.restart_command == ("systemctl", "restart", "kiosk.service")
    path = write(
        tmp_path,
        "[agent]\nheartbeat_seconds = 10\nevents_batch = 100\nmax_unshipped_events = 2000\n"
        'systemd_unit = "kiosk@1.service"\n'
        'restart_command = ["/usr/bin/sudo", "-n", "systemctl", "restart", "kiosk@1.service"]\n',
    )
    agent = load_config(path, environ=ENV).agent
    assert (agent.heartbeat_seconds, agent.events_batch, agent.max_unshipped_events) == (
        10,
        100,
        2000,
    )
    assert agent.systemd_unit == "kiosk@1.service"
    assert agent.restart_command == (
        "/usr/bin/sudo",
        "-n",
        "systemctl",
        "restart",
        "kiosk@1.service",
    )
