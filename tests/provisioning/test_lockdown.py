"""A keyboard cannot leave the kiosk for a console: cage runs without VT switching, its keymap has
no VT-switching keys, and provisioning writes logind's, the manager's and the kernel's settings
onto the box (docs/lockdown.md)."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shlex
import subprocess
from pathlib import Path

import pytest

from tests.provisioning.conftest import DEADLINE, Hub
from tests.provisioning.test_kiosk_unit_starts import unit_command, unit_environment
from tests.provisioning.test_provision import SIMULATED, enroll_args, lines, provision, snapshot
from tests.provisioning.test_units import settings

#: evdev key codes + 8, as xkbcommon numbers them.
KEY_LEFTCTRL, KEY_LEFTALT = 29 + 8, 56 + 8
KEY_F = {n: code + 8 for n, code in zip(range(1, 13), [*range(59, 69), 87, 88], strict=True)}
XKB_KEY_F1 = 0xFFBE
XKB_KEY_XF86SWITCH_VT_1 = 0x1008FE01


def cage_options() -> list[str]:
    """The options the unit gives cage, before `--` and the app."""
    command = unit_command()
    assert command[0] == "/usr/bin/cage", command
    return command[1 : command.index("--")]


def test_cage_is_started_without_vt_switching() -> None:
    assert "-s" not in cage_options()
    assert not any(option.startswith("-") and "s" in option[1:] for option in cage_options())
    # What -s means to the cage installed here (0.1.4): the reason it must not be given.
    if not Path("/usr/bin/cage").exists():
        pytest.fail("/usr/bin/cage is missing: install the Debian package cage (./dev test does)")
    done = subprocess.run(
        ["/usr/bin/cage", "-h"], capture_output=True, text=True, timeout=DEADLINE, check=False
    )
    assert any(
        line.split()[:1] == ["-s"] and "Allow VT switching" in line
        for line in (done.stdout + done.stderr).splitlines()
    ), done.stdout + done.stderr


def test_the_app_unit_owns_tty1_and_no_login_prompt_runs_there() -> None:
    app = settings("kiosk.service")
    assert app["TTYPath"] == ["/dev/tty1"]
    assert "getty@tty1.service" in shlex.split(" ".join(app["Conflicts"]))


RULE_NAMES = ("rules", "model", "layout", "variant", "options")


class _RuleNames(ctypes.Structure):
    _fields_ = [(field, ctypes.c_char_p) for field in RULE_NAMES]


def _keysym_of_ctrl_alt(function_key: int) -> int:
    """The keysym Ctrl+Alt+F`function_key` gives in the keymap xkbcommon builds from the
    environment (XKB_DEFAULT_*), as cage builds its own."""
    name = ctypes.util.find_library("xkbcommon")
    if name is None:
        pytest.fail("libxkbcommon is missing: it comes with cage (Debian package libxkbcommon0)")
    xkb = ctypes.CDLL(name)
    xkb.xkb_context_new.restype = ctypes.c_void_p
    xkb.xkb_keymap_new_from_names.restype = ctypes.c_void_p
    xkb.xkb_keymap_new_from_names.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
    xkb.xkb_state_new.restype = ctypes.c_void_p
    xkb.xkb_state_new.argtypes = [ctypes.c_void_p]
    xkb.xkb_state_update_key.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int]
    xkb.xkb_state_key_get_one_sym.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
    xkb.xkb_state_key_get_one_sym.restype = ctypes.c_uint32
    for free in ("xkb_state_unref", "xkb_keymap_unref", "xkb_context_unref"):
        getattr(xkb, free).argtypes = [ctypes.c_void_p]
    context = xkb.xkb_context_new(0)
    names = _RuleNames()  # all empty: the environment's, as cage asks
    keymap = xkb.xkb_keymap_new_from_names(context, ctypes.byref(names), 0)
    assert keymap, "xkbcommon made no keymap (is xkb-data installed?)"
    state = xkb.xkb_state_new(keymap)
    try:
        for key in (KEY_LEFTCTRL, KEY_LEFTALT):
            xkb.xkb_state_update_key(state, key, 1)
        return int(xkb.xkb_state_key_get_one_sym(state, KEY_F[function_key]))
    finally:
        xkb.xkb_state_unref(state)
        xkb.xkb_keymap_unref(keymap)
        xkb.xkb_context_unref(context)


def test_the_units_keymap_has_no_vt_switching_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in [key for key in os.environ if key.startswith("XKB_DEFAULT_")]:
        monkeypatch.delenv(variable)
    # Debian's default keymap: Ctrl+Alt+F2 is "switch to VT 2" (what cage -s acts on).
    assert _keysym_of_ctrl_alt(2) == XKB_KEY_XF86SWITCH_VT_1 + 1
    for key, value in unit_environment().items():
        if key.startswith("XKB_DEFAULT_"):
            monkeypatch.setenv(key, value)
    assert unit_environment().get("XKB_DEFAULT_OPTIONS") == "srvrkeys:none"
    # The unit's: Ctrl+Alt+F1..F12 are plain F1..F12 with the modifiers, which the app ignores.
    assert [_keysym_of_ctrl_alt(n) for n in range(1, 13)] == [XKB_KEY_F1 + n for n in range(12)]


def test_provisioning_writes_the_console_lockdown(hub: Hub, tmp_path: Path) -> None:
    root = tmp_path / "root"
    args = (*enroll_args(hub, "lockdown-1"), *SIMULATED)
    status, out = provision(root, *args)
    assert status == 0, out

    logind = (root / "etc/systemd/logind.conf.d/kiosk-lockdown.conf").read_text()
    login = _section(logind, "Login")
    assert login["NAutoVTs"] == "0" and login["ReserveVT"] == "0"
    for key in ("Suspend", "Hibernate", "Reboot"):
        assert login[f"Handle{key}Key"] == "ignore", key
        assert login[f"Handle{key}KeyLongPress"] == "ignore", key
    system_conf = root / "etc/systemd/system.conf.d/kiosk-lockdown.conf"
    manager = _section(system_conf.read_text(), "Manager")
    assert manager["CtrlAltDelBurstAction"] == "none"
    # The kernel's: sorted after every other file in sysctl.d, Debian's /etc/sysctl.conf too.
    sysctl_d = root / "etc/sysctl.d"
    [drop_in] = sysctl_d.iterdir()
    assert drop_in.name > "99-sysctl.conf"
    assert _assignments(drop_in.read_text()) == {"kernel.sysrq": "0"}
    for path in (drop_in, root / "etc/systemd/logind.conf.d/kiosk-lockdown.conf"):
        assert path.stat().st_mode & 0o777 == 0o644
    units = root / "etc/systemd/system"
    for masked in ("autovt@.service", "ctrl-alt-del.target"):
        assert os.readlink(units / masked) == "/dev/null", masked
    # Applied at once on a real box; under --root, left to the technician.
    assert "skipped under --root: run systemctl restart systemd-sysctl.service" in out

    before = snapshot(root)
    status, again = provision(root, *args)
    assert status == 0, again
    assert lines(again, "changed") == [], again
    assert "systemd-sysctl" not in again
    assert snapshot(root) == before


def test_a_dry_run_says_it_would_lock_the_console_down(tmp_path: Path) -> None:
    status, out = provision(tmp_path / "root", "--dry-run")
    assert status == 1, out  # not enrolled: no hub given
    assert "would write /etc/systemd/logind.conf.d/kiosk-lockdown.conf" in out
    assert "would write /etc/sysctl.d/99-zz-kiosk-lockdown.conf" in out
    assert "would link /etc/systemd/system/autovt@.service" in out
    assert not (tmp_path / "root").exists() or snapshot(tmp_path / "root") == {}


def _section(text: str, name: str) -> dict[str, str]:
    found: dict[str, str] = {}
    current = ""
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("["):
            current = line.strip("[]")
        elif current == name and "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            found[key.strip()] = value.strip()
    return found


def _assignments(text: str) -> dict[str, str]:
    pairs = (line.partition("=") for line in text.splitlines() if not line.startswith("#"))
    return {key.strip(): value.strip() for key, sep, value in pairs if sep}
