"""speech-dispatcher set up for the kiosk: speech straight to the sound card, no sound server.

Qt's TextToSpeech (its speechd backend) talks to speech-dispatcher, which libspeechd starts on
first use ("autospawn", `speech-dispatcher --spawn`) with the kiosk's own environment. Left to
its defaults, the server plays through PulseAudio; where no PulseAudio runs (a kiosk has no
desktop, so none does) the server takes the text, says it is speaking, and then neither speaks,
nor ends, nor reports an error: the engine stays "Speaking" for ever. So before the engine
starts, the kiosk writes the server's configuration for its user, which the server reads
instead of /etc/speech-dispatcher/speechd.conf ($XDG_CONFIG_HOME/speech-dispatcher/speechd.conf,
~/.config when XDG_CONFIG_HOME is not set):

- `AudioOutputMethod "alsa"` with `AudioALSADevice` ([speech] audio_device), with no fallback to
  another method; or `"pulse"` with `AudioPulseDevice` where [speech] audio_output says so (a
  kiosk that runs a PulseAudio server of its own);
- the espeak-ng module alone, as the default module (the server then starts it and no other);
- `LogLevel 2`: the server logs every text it is given at level 5, and the kiosk's logs (the
  server's included) carry no spoken text, which may be personal.

A server already running for the user keeps the configuration it started with; the kiosk user
runs none of its own (no desktop session), and a spawned server ends a few seconds after its
last client. The engine is in kiosk.ui.speech.engine.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from kiosk.config.settings import SpeechSettings

#: The espeak-ng output module as Debian installs it (speech-dispatcher-espeak-ng): name,
#: binary (under /usr/lib/speech-dispatcher-modules), configuration (under
#: /etc/speech-dispatcher/modules).
MODULE = ("espeak-ng", "sd_espeak-ng", "espeak-ng.conf")
#: 0 (nothing) .. 5 (everything, spoken texts included).
LOG_LEVEL = 2
#: What the configuration may quote: the device names [speech] audio_device allows.
_QUOTABLE = re.compile(r"[A-Za-z0-9_.:,=@/+ -]{1,200}")


def config_home() -> Path:
    """Where the user's configuration is ($XDG_CONFIG_HOME, else ~/.config), as the server
    looks for it."""
    configured = os.environ.get("XDG_CONFIG_HOME", "")
    return Path(configured) if configured else Path.home() / ".config"


def config_text(settings: SpeechSettings) -> str:
    """speechd.conf for these settings (the syntax of /etc/speech-dispatcher/speechd.conf)."""
    device = settings.audio_device
    if not _QUOTABLE.fullmatch(device):
        raise ValueError(f"not a device name for speech-dispatcher: {device!r}")
    name, binary, module_config = MODULE
    if settings.audio_output == "pulse":
        audio = f'AudioOutputMethod "pulse"\nAudioPulseDevice "{device}"\n'
    else:
        audio = f'AudioOutputMethod "alsa"\nAudioALSADevice "{device}"\n'
    return (
        "# Written by the kiosk from [speech] in kiosk.toml; it is rewritten at every start.\n"
        f"LogLevel {LOG_LEVEL}\n"
        'LogDir "default"\n'
        f"{audio}"
        f'AddModule "{name}" "{binary}" "{module_config}"\n'
        f'DefaultModule "{name}"\n'
    )


def prepare(settings: SpeechSettings, folder: Path | None = None) -> Path:
    """Write speech-dispatcher's configuration for these settings (into `folder`, else
    speech-dispatcher/ under the user's configuration) and return its path. The server the
    engine spawns reads it."""
    folder = folder if folder is not None else config_home() / "speech-dispatcher"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "speechd.conf"
    text = config_text(settings)
    if not path.exists() or path.read_text() != text:
        partial = path.with_name(path.name + ".new")
        partial.write_text(text)
        partial.replace(path)
    return path
