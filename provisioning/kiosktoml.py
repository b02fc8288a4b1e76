"""/etc/kiosk/kiosk.toml as provisioning writes it: from the technician's answers, the hub's
enrollment answer, and (on a second run) the file already there.

The text is rendered the same way from the same answers, so an unchanged box gives a
byte-identical file. Keys not named here keep the kiosk's defaults (docs/config.md).
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

CONFIG = "/etc/kiosk/kiosk.toml"
TOKEN_FILE = "/etc/kiosk/hub-token"
#: The kiosk's database and the forms catalogue (StateDirectory=kiosk of both units).
DATA_DIR = "/var/lib/kiosk"
#: Citizens' session files: on the tmpfs /run (RuntimeDirectory=kiosk of kiosk.service), so a
#: power cut cannot leave them on disk.
SESSION_FOLDER = "/run/kiosk/sessions"


@dataclass(frozen=True)
class Answers:
    """What goes into kiosk.toml; "" means "not given"."""

    hub_url: str = ""
    kiosk_id: str = ""
    name: str = ""
    location: str = ""
    hub_public_key: str = ""
    printer: str = "none"
    printer_queue: str = "kiosk"
    cardreader: str = "none"
    reader: str = ""
    camera: str = "none"
    camera_source: str = ""
    payment: str = "none"
    terminal_url: str = ""
    poi_id: str = ""
    pin_hash: str = ""
    #: [updates] window, "HH:MM-HH:MM"; "" = the kiosk's default.
    update_window: str = ""

    def merged(self, **given: str | None) -> Answers:
        """These answers with every given (not None) value replacing the one here."""
        return replace(self, **{k: v for k, v in given.items() if v is not None})


def read_existing(path: Path) -> Answers:
    """The answers an earlier run wrote to `path`; the defaults when there is no such file.
    Raises ValueError when the file is there but not TOML."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Answers()
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{path} cannot be read: {exc}") from None
    kiosk, devices = _table(data, "kiosk"), _table(data, "devices")
    printer, reader = _table(devices, "printer"), _table(devices, "cardreader")
    camera, payment = _table(devices, "camera"), _table(devices, "payment")
    found = {
        "hub_url": kiosk.get("hub_url"),
        "kiosk_id": kiosk.get("id"),
        "name": kiosk.get("name"),
        "location": kiosk.get("location"),
        "hub_public_key": kiosk.get("hub_public_key"),
        "printer": printer.get("backend"),
        "printer_queue": printer.get("queue"),
        "cardreader": reader.get("backend"),
        "reader": reader.get("reader"),
        "camera": camera.get("backend"),
        "camera_source": camera.get("source"),
        "payment": payment.get("backend"),
        "terminal_url": payment.get("terminal_url"),
        "poi_id": payment.get("poi_id"),
        "pin_hash": _table(data, "technician").get("pin_hash"),
        "update_window": _table(data, "updates").get("window"),
    }
    known = {f.name for f in fields(Answers)}
    return Answers(**{k: v for k, v in found.items() if k in known and isinstance(v, str)})


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _string(value: str) -> str:
    # A JSON string is a TOML basic string (JSON's escapes are a subset of TOML's).
    return json.dumps(value, ensure_ascii=False)


def render(answers: Answers) -> bytes:
    """The kiosk.toml text for `answers`."""
    lines = [
        "# Written by kiosk-provision; running it again rewrites this file from its answers.",
        "# Every key: docs/config.md.",
        "",
        "[kiosk]",
        f"id = {_string(answers.kiosk_id)}",
        f"name = {_string(answers.name)}",
        f"location = {_string(answers.location)}",
        f"hub_url = {_string(answers.hub_url)}",
        f"hub_token_file = {_string(TOKEN_FILE)}",
        f"hub_public_key = {_string(answers.hub_public_key)}",
        f"data_dir = {_string(DATA_DIR)}",
        "",
        "[session]",
        f"folder = {_string(SESSION_FOLDER)}",
    ]
    if answers.pin_hash:
        lines += ["", "[technician]", f"pin_hash = {_string(answers.pin_hash)}"]
    lines += ["", "[devices.printer]", f"backend = {_string(answers.printer)}"]
    if answers.printer == "cups":
        lines.append(f"queue = {_string(answers.printer_queue)}")
    lines += ["", "[devices.cardreader]", f"backend = {_string(answers.cardreader)}"]
    if answers.cardreader == "pcsc" and answers.reader:
        lines.append(f"reader = {_string(answers.reader)}")
    lines += ["", "[devices.camera]", f"backend = {_string(answers.camera)}"]
    if answers.camera == "opencv" and answers.camera_source:
        lines.append(f"source = {_string(answers.camera_source)}")
    lines += ["", "[devices.payment]", f"backend = {_string(answers.payment)}"]
    if answers.payment == "nexo":
        if answers.terminal_url:
            lines.append(f"terminal_url = {_string(answers.terminal_url)}")
        if answers.poi_id:
            lines.append(f"poi_id = {_string(answers.poi_id)}")
    if answers.update_window:
        lines += ["", "[updates]", f"window = {_string(answers.update_window)}"]
    return ("\n".join(lines) + "\n").encode("utf-8")
