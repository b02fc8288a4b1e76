"""Running every configured device's self-test with the kiosk's own device layer (no Qt).

The devices are built from the kiosk.toml provisioning wrote, exactly as the app builds them;
a device class set to "none" is not tested.
"""

from __future__ import annotations

import tempfile
import tomllib
from pathlib import Path

from kiosk.config import ConfigError, load_config
from kiosk.devices.catalog import DeviceClass, backend_names
from kiosk.devices.registry import DeviceSet

TEST_TIMEOUT = 120.0


def run_self_tests(config_path: Path) -> dict[str, str]:
    """{"printer": "ok" | "failed: <steps>", ...} for every device not set to "none".

    Raises ValueError (one line) when the config cannot be used."""
    data = tomllib.loads(config_path.read_text(encoding="utf-8"))
    # The devices need no hub token; the token file may be outside a --root tree.
    kiosk = data.get("kiosk")
    if isinstance(kiosk, dict):
        kiosk.pop("hub_token_file", None)
    with tempfile.TemporaryDirectory(prefix="kiosk-provision-") as folder:
        copy = Path(folder) / "kiosk.toml"
        copy.write_text(_dump(data), encoding="utf-8")
        try:
            config = load_config(copy, backends={c.value: backend_names(c) for c in DeviceClass})
        except ConfigError as exc:
            raise ValueError(str(exc).replace(str(copy), str(config_path))) from None
    sections = {
        c: {"backend": getattr(config.devices, c.value).backend, **config.device_options(c.value)}
        for c in DeviceClass
    }
    devices = DeviceSet.from_config(sections)
    results: dict[str, str] = {}
    devices.start_all()
    try:
        for device_class in DeviceClass:
            if sections[device_class]["backend"] == "none":
                continue
            device = devices.get(device_class)
            try:
                result = device.self_test().result(timeout=TEST_TIMEOUT)
            except Exception as exc:
                results[device_class.value] = f"failed: {exc}"
                continue
            steps = "; ".join(result.steps)
            results[device_class.value] = "ok" if result.passed else f"failed: {steps}"
    finally:
        devices.stop_all()
    return results


def _dump(data: dict[str, object], prefix: str = "") -> str:
    """TOML for the plain tables provisioning writes (strings, numbers, booleans, lists)."""
    import json

    plain = [(k, v) for k, v in data.items() if not isinstance(v, dict)]
    tables = [(k, v) for k, v in data.items() if isinstance(v, dict)]
    lines = [f"{json.dumps(k)} = {json.dumps(v)}" for k, v in plain]
    text = (f"[{prefix}]\n" if prefix and plain else "") + "".join(f"{line}\n" for line in lines)
    for key, table in tables:
        name = f"{prefix}.{json.dumps(key)}" if prefix else json.dumps(key)
        text += _dump(table, name)
    return text


def main(argv: list[str] | None = None) -> int:
    """`python -m provisioning.selftest CONFIG`: the results as JSON on stdout (provisioning
    runs it with the installed kiosk's Python, which has the device backends' libraries)."""
    import json
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m provisioning.selftest CONFIG", file=sys.stderr)
        return 2
    try:
        print(json.dumps(run_self_tests(Path(args[0]))))
    except (ValueError, OSError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
