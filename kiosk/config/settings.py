"""The kiosk's settings: every table and key of kiosk.toml, typed and frozen.

Every key is optional and the built-in defaults give the demo. A wrong key or value raises
`ConfigError` with one line naming the file, the key and what is allowed; docs/config.md is the
schema. The config is read before the first window is painted, so this module keeps to cheap
stdlib imports. Here are the settings, each key with its rule (field metadata; the rules are
kiosk.config.rules); kiosk.config.check holds the small validator that applies them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import field, fields
from pathlib import Path
from typing import Any

from kiosk.config.money import FeeSettings as FeeSettings
from kiosk.config.money import PaymentsSettings as PaymentsSettings
from kiosk.config.money import PricesSettings as PricesSettings
from kiosk.config.rules import FOLDER, frozen_settings, key
from kiosk.config.rules import Rule as Rule
from kiosk.pin import DEMO_PIN_HASH, parse_pin_hash
from kiosk.speech.keypad import ACTIONS, DEFAULT_KEYS, is_key_list

DEFAULT_PATH = Path("/etc/kiosk/kiosk.toml")
DEFAULT_BACKENDS: tuple[str, ...] = ("simulated", "none")
DEFAULT_SERVICES: tuple[str, ...] = (
    "forms",
    "email",
    "scan",
    "print",
    "copy",
    "fee",
    "advice",
    "help",
)


BackendChoices = Mapping[str, Sequence[str]] | Callable[[str], Sequence[str]]


class ConfigError(Exception):
    """A config file that cannot be used; str() is one line a person can act on."""


@frozen_settings()
class KioskSettings:
    id: str = key("demo-kiosk", r"[a-z0-9-]{1,64}", text="1 to 64 characters from a-z, 0-9 and -")
    name: str = key("Demo kiosk")
    location: str = key("Demo library")
    hub_url: str = key(
        "http://127.0.0.1:8080",
        r"https?://[^\s/?#@]+([/?#]\S*)?",
        text="an http:// or https:// URL",
    )
    #: A PEM file of the private CA that signed an https:// hub's certificate; "" = the
    #: system's CAs. The certificate is checked either way.
    hub_ca_file: str = key(
        "",
        max_length=4096,
        check=lambda value: not value or os.path.isfile(value),
        text="\"\" for the system's CAs, or an existing PEM file of the CA that signed the hub's "
        "certificate",
    )
    #: The kiosk's token from `kiosk-hub kiosk add`; "" = no hub: video advice is not offered.
    hub_token: str = key(
        "",
        r"[A-Za-z0-9._~+/=-]{0,256}",
        max_length=256,
        text='"" or the token `kiosk-hub kiosk add` printed (A-Z a-z 0-9 . _ ~ + / = -)',
        secret=True,
    )
    #: A file holding the token instead (readable by root and the kiosk user only); then
    #: hub_token must be "". kiosk-provision writes /etc/kiosk/hub-token.
    hub_token_file: str = key("", max_length=4096, text='a file path, or "" for none')
    #: The hub's public key that forms and e-mail are sealed to; "" = the Forms service is not
    #: offered (nothing may be kept unsealed).
    hub_public_key: str = key(
        "",
        r"([A-Za-z0-9+/]{43}=)?",
        max_length=44,
        text='"" or the hub\'s 32-byte public key in base64 (44 characters)',
    )
    data_dir: str = key("", **FOLDER)


@frozen_settings()
class SessionSettings:
    idle_seconds: int = key(90, low=10, high=3600)
    warning_seconds: int = key(30, low=20, high=300)
    ended_message_seconds: int = key(6, low=2, high=30)
    folder: str = key("", **FOLDER)
    default_language: str = key("fi", choices=("fi", "sv", "en"))


@frozen_settings()
class UiSettings:
    fullscreen: bool = key(True)
    large_text_scale: float = key(1.5, low=1.5, high=2.5)
    high_contrast: bool = key(False)


_NOTICE: dict[str, Any] = {"max_length": 600, "pattern": r"[^\x00-\x1f]*"}


@frozen_settings()
class PrivacySettings:
    """The privacy notice of Help, in each language: who is responsible for the data (the
    controller), how to reach them, and anything the site adds ("" = nothing). What the kiosk
    software itself keeps is said by the kiosk."""

    controller_fi: str = key(
        "Helsingin kaupunki, kulttuurin ja vapaa-ajan toimiala (Helsingin kaupunginkirjasto)",
        **_NOTICE,
    )
    controller_sv: str = key(
        "Helsingfors stad, kultur- och fritidssektorn (Helsingfors stadsbibliotek)", **_NOTICE
    )
    controller_en: str = key(
        "City of Helsinki, Culture and Leisure Division (Helsinki City Library)", **_NOTICE
    )
    contact_fi: str = key(
        "Helsingin kaupungin tietosuojavastaava, tietosuoja@hel.fi. "
        "Kirjaston henkilökunta auttaa myös täällä paikan päällä.",
        **_NOTICE,
    )
    contact_sv: str = key(
        "Helsingfors stads dataskyddsombud, tietosuoja@hel.fi. "
        "Bibliotekets personal hjälper också här på plats.",
        **_NOTICE,
    )
    contact_en: str = key(
        "The City of Helsinki's data protection officer, tietosuoja@hel.fi. "
        "Library staff can also help you here.",
        **_NOTICE,
    )
    more_fi: str = key("", **_NOTICE)
    more_sv: str = key("", **_NOTICE)
    more_en: str = key("", **_NOTICE)


@frozen_settings()
class TechnicianSettings:
    pin_hash: str = key(
        DEMO_PIN_HASH,
        check=lambda value: parse_pin_hash(value) is not None,
        text="a hash made with `kiosk hash-pin`: pbkdf2_sha256$<iterations>$<salt>$<hash>",
    )
    hold_seconds: int = key(5, low=2, high=30)
    max_attempts: int = key(3, low=1, high=10)
    lockout_seconds: int = key(60, low=10, high=3600)


@frozen_settings()
class ServicesSettings:
    enabled: tuple[str, ...] = key(
        ("forms", "eservices", "email", "scan", "print", "copy", "fee", "advice", "help"),
        choices_from="services",
    )


@frozen_settings()
class PrinterSettings:
    backend: str = key("simulated", choices_from="backends")
    pages_per_minute: int = key(20, low=1, high=120)
    paper_sheets: int = key(100, low=0, high=10_000)
    output_dir: str = key("", **FOLDER)
    queue: str = key(
        "kiosk", r"[A-Za-z0-9_.-]{1,127}", text="a CUPS queue name (A-Z a-z 0-9 _ . -)"
    )
    server: str = key(
        "",
        r"|/\S+|[A-Za-z0-9.-]+(:\d{1,5})?",
        text='"" for the local CUPS, a socket path, or host[:port]',
    )


@frozen_settings()
class CardReaderSettings:
    backend: str = key("simulated", choices_from="backends")
    card: str = key("fineid", choices=("fineid", "unknown"))
    reader: str = key("", text='part of the PC/SC reader name, or "" for the first reader')


@frozen_settings()
class CameraSettings:
    backend: str = key("simulated", choices_from="backends")
    width: int = key(1280, low=160, high=3840)
    height: int = key(720, low=120, high=2160)
    fps: int = key(30, low=1, high=60)
    source: str = key(
        "0", text="a camera index such as 0, or a path: /dev/video0, a video file or images"
    )


@frozen_settings()
class PaymentSettings:
    backend: str = key("simulated", choices_from="backends")
    delay_seconds: float = key(2.0, low=0, high=60)
    timeout_seconds: float = key(120.0, low=5, high=600)
    terminal_url: str = key(
        "http://127.0.0.1:8470/nexo",
        r"https?://[^\s/?#@]+([/?#]\S*)?",
        text="an http:// or https:// URL",
    )
    notify_port: int = key(8471, low=1024, high=65535)
    poi_id: str = key("SIMPOI01", r"[A-Za-z0-9._-]{1,32}", text="1 to 32 of A-Z a-z 0-9 . _ -")
    sale_id: str = key("kiosk", r"[A-Za-z0-9._-]{1,32}", text="1 to 32 of A-Z a-z 0-9 . _ -")
    request_timeout_seconds: float = key(15.0, low=1, high=120)
    simulator_control_url: str = key(
        "",
        r"(https?://[^\s/?#@]+([/?#]\S*)?)?",
        text='the terminal simulator\'s http://…/control URL, or "" for a real terminal',
    )


@frozen_settings()
class AgentSettings:
    """kiosk-agent, which ships the outbox to the hub and keeps the hub's forms catalogue."""

    retry_initial_seconds: float = key(5.0, low=1, high=600)
    retry_max_seconds: float = key(300.0, low=10, high=86400)
    request_timeout_seconds: float = key(60.0, low=5, high=3600)
    catalogue_refresh_minutes: int = key(15, low=1, high=1440)
    #: How often the agent tells the hub how the kiosk is (and hears of remote actions).
    heartbeat_seconds: int = key(30, low=5, high=3600)
    #: Events (and usage rows) per request to the hub; the hub takes at most 500 events.
    events_batch: int = key(500, low=1, high=500)
    #: Events kept for the hub while it cannot be reached; beyond it routine ones are dropped.
    max_unshipped_events: int = key(50_000, low=100, high=10_000_000)
    #: The app's systemd unit, asked for its state for the heartbeat.
    systemd_unit: str = key(
        "kiosk.service",
        r"[A-Za-z0-9:_.@-]{1,250}\.service",
        text="a systemd unit name ending in .service",
    )
    #: Run (without a shell) when support asks for the app to be restarted.
    restart_command: tuple[str, ...] = key(
        ("systemctl", "restart", "kiosk.service"),
        free_items=True,
        max_length=4096,
        text="a command as a list of strings, program first (run without a shell), such as "
        '["systemctl", "restart", "kiosk.service"]',
    )


def _is_window(text: str) -> bool:
    from kiosk.updates.window import parse_window

    try:
        parse_window(text)
    except ValueError:
        return False
    return True


@frozen_settings()
class UpdatesSettings:
    """kiosk-update, which installs the version the hub wants in the maintenance window."""

    enabled: bool = key(True)
    #: Local time, "HH:MM-HH:MM"; may pass midnight ("23:30-04:00").
    window: str = key(
        "02:00-05:00",
        check=_is_window,
        text='a local time span "HH:MM-HH:MM" (00:00 to 23:59, start and end differ), '
        'such as "02:00-05:00"; it may pass midnight',
    )
    healthy_within_seconds: int = key(300, low=10, high=3600)
    #: How long the new app must keep the same process (no watchdog restart) to count as up.
    settle_seconds: int = key(20, low=0, high=600)
    restart_command: tuple[str, ...] = key(
        ("systemctl", "restart", "kiosk-agent.service", "kiosk.service"),
        free_items=True,
        max_length=4096,
        text="a command as a list of strings, program first (run without a shell), such as "
        '["systemctl", "restart", "kiosk-agent.service", "kiosk.service"]',
    )


_AUDIO_DEVICE: dict[str, Any] = {
    "pattern": r"[A-Za-z0-9_.:,=@/+-]{1,200}",
    "text": "an ALSA or PulseAudio device name, such as default, hw:1,0 or plughw:CARD=USB,DEV=0",
}


@frozen_settings()
class CallSettings:
    """The sound of a video call: where the citizen's voice comes from and the advisor's goes."""

    microphone: str = key("tone", choices=("tone", "pulse", "alsa", "none"))
    microphone_device: str = key("default", **_AUDIO_DEVICE)
    speaker: str = key("none", choices=("none", "pulse", "alsa"))
    speaker_device: str = key("default", **_AUDIO_DEVICE)


@frozen_settings()
class SpeechSettings:
    """Speech output (Read aloud): the engine, the voices, where the sound goes, the headset."""

    #: "speechd": Qt's TextToSpeech over speech-dispatcher (espeak-ng voices); "none": no speech,
    #: and Read aloud is not offered.
    engine: str = key("speechd", choices=("speechd", "none"))
    #: How speech-dispatcher plays: straight to an ALSA device, or through PulseAudio.
    audio_output: str = key("alsa", choices=("alsa", "pulse"))
    audio_device: str = key("default", **_AUDIO_DEVICE)
    #: A voice by the engine's name for it; "" = the engine's own voice for the language.
    voice_fi: str = key("", r"[A-Za-z0-9 _.+()-]{0,80}", text='"" or a voice name')
    voice_sv: str = key("", r"[A-Za-z0-9 _.+()-]{0,80}", text='"" or a voice name')
    voice_en: str = key("", r"[A-Za-z0-9 _.+()-]{0,80}", text='"" or a voice name')
    #: Where each citizen starts (each can change it; it is reset after every session).
    rate: float = key(0.0, low=-1.0, high=1.0)
    volume: float = key(0.8, low=0.1, high=1.0)
    #: How the kiosk knows headphones are plugged in: "jack", the sound card's headphone switch
    #: (Linux input events); "simulated", the demo's and technician mode's switch; "none", never.
    headset: str = key("none", choices=("none", "simulated", "jack"))
    #: The jack's input device ("/dev/input/event5"); "" = the first whose name says Headphone.
    headset_device: str = key("", r"(/dev/input/[A-Za-z0-9_.-]+)?", text='"" or /dev/input/...')
    #: Whether speech may come from the kiosk's loudspeaker at all; false: Read aloud needs
    #: headphones.
    loudspeaker: bool = key(True)
    #: The session's idle time and warning are this many times longer in Read aloud.
    read_aloud_time_factor: float = key(2.0, low=1.0, high=4.0)


_KEYS: dict[str, Any] = {
    "max_length": 200,
    "check": is_key_list,
    "text": 'key names separated by commas, such as "Up, Keypad+8" (docs/config.md lists them)',
}


@frozen_settings()
class KeypadSettings:
    """The tactile keypad: which key does what (kiosk.speech.keypad)."""

    up: str = key(DEFAULT_KEYS["up"], **_KEYS)
    down: str = key(DEFAULT_KEYS["down"], **_KEYS)
    left: str = key(DEFAULT_KEYS["left"], **_KEYS)
    right: str = key(DEFAULT_KEYS["right"], **_KEYS)
    ok: str = key(DEFAULT_KEYS["ok"], **_KEYS)
    back: str = key(DEFAULT_KEYS["back"], **_KEYS)
    help: str = key(DEFAULT_KEYS["help"], **_KEYS)
    repeat: str = key(DEFAULT_KEYS["repeat"], **_KEYS)
    silence: str = key(DEFAULT_KEYS["silence"], **_KEYS)
    louder: str = key(DEFAULT_KEYS["louder"], **_KEYS)
    quieter: str = key(DEFAULT_KEYS["quieter"], **_KEYS)
    faster: str = key(DEFAULT_KEYS["faster"], **_KEYS)
    slower: str = key(DEFAULT_KEYS["slower"], **_KEYS)
    read_aloud: str = key(DEFAULT_KEYS["read_aloud"], **_KEYS)
    #: A second press of the same key this soon after the first is taken for a tremor, not a
    #: press (0: every press counts).
    double_strike_ms: int = key(0, low=0, high=2000)

    def keys(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in ACTIONS}


@frozen_settings()
class BrowserSettings:
    """The e-services browser. Plain HTTP is for the tests and the demo's local site: a real
    e-service is on HTTPS, and a kiosk in use refuses anything else."""

    allow_plain_http: bool = key(False)
    #: The largest PDF a page may download into the visit's documents.
    max_download_mb: int = key(20, low=1, high=200)


@frozen_settings()
class DeviceSettings:
    printer: PrinterSettings = field(default_factory=PrinterSettings)
    cardreader: CardReaderSettings = field(default_factory=CardReaderSettings)
    camera: CameraSettings = field(default_factory=CameraSettings)
    payment: PaymentSettings = field(default_factory=PaymentSettings)


@frozen_settings(kw_only=True)
class Config:
    """The whole kiosk configuration, with the folders it names resolved to absolute paths."""

    kiosk: KioskSettings = field(default_factory=KioskSettings)
    session: SessionSettings = field(default_factory=SessionSettings)
    ui: UiSettings = field(default_factory=UiSettings)
    technician: TechnicianSettings = field(default_factory=TechnicianSettings)
    services: ServicesSettings = field(default_factory=ServicesSettings)
    devices: DeviceSettings = field(default_factory=DeviceSettings)
    call: CallSettings = field(default_factory=CallSettings)
    prices: PricesSettings = field(default_factory=PricesSettings)
    payments: PaymentsSettings = field(default_factory=PaymentsSettings)
    agent: AgentSettings = field(default_factory=AgentSettings)
    updates: UpdatesSettings = field(default_factory=UpdatesSettings)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    browser: BrowserSettings = field(default_factory=BrowserSettings)
    speech: SpeechSettings = field(default_factory=SpeechSettings)
    keypad: KeypadSettings = field(default_factory=KeypadSettings)
    #: Fees a citizen can pay at the kiosk, by id: [fees.lost-card] ...
    fees: dict[str, FeeSettings] = field(
        default_factory=dict, metadata={"each": FeeSettings, "id": r"[a-z0-9-]{1,32}"}
    )
    # Below: no metadata, so not keys of the file. `source` is None when no file was read.
    source: Path | None
    data_dir: Path
    session_folder: Path
    #: Where the simulated printer keeps a copy of what it printed; None (the default) keeps
    #: nothing, since a printed document is a citizen's and must not outlive the session.
    printer_output_dir: Path | None

    @property
    def db_path(self) -> Path:
        return self.data_dir / "kiosk.db"

    def device_options(self, device_class: str) -> dict[str, object]:
        """The keys of [devices.<device_class>] that the backend takes, i.e. all but `backend`."""
        known = [f.name for f in fields(DeviceSettings)]
        if device_class not in known:
            raise ValueError(f"no device class {device_class!r} (known: {', '.join(known)})")
        section = getattr(self.devices, device_class)
        options = {f.name: getattr(section, f.name) for f in fields(section)}
        del options["backend"]
        if device_class == "printer":
            options["output_dir"] = self.printer_output_dir
        return options
