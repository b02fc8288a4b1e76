"""The console lockdown: a keyboard plugged into the kiosk cannot leave the app for a console.

cage, without `-s`, does not switch virtual terminals, and while it holds tty1 the kernel's own
keyboard handling is off (logind puts the VT in K_OFF mode). What is left is written here:

- logind spawns no login prompt on other VTs (`NAutoVTs=0`) and keeps none in reserve
  (`ReserveVT=0`), and the template it would spawn them from, autovt@.service, is masked;
- the magic SysRq keys are off (`kernel.sysrq = 0`): Alt+SysRq+R would take the keyboard out of
  K_OFF mode, Alt+SysRq+B reboots;
- Ctrl+Alt+Del does nothing while tty1 is in text mode (during a restart of the app, at boot):
  ctrl-alt-del.target is masked and pressing it seven times in two seconds does not force a
  reboot either;
- a keyboard's Sleep, Hibernate and Reboot keys are ignored by logind. Its Power key is left as
  the box's power button: a clean shutdown, as staff use it at closing time.

docs/lockdown.md lists every key combination and which layer stops it.
"""

from __future__ import annotations

from provisioning.steps import Box, Outcome

LOGIND_DROP_IN = "/etc/systemd/logind.conf.d/kiosk-lockdown.conf"
LOGIND = b"""# Written by kiosk-provision: no login prompts on other virtual terminals, and a
# keyboard's sleep and reboot keys do nothing (docs/lockdown.md).
[Login]
NAutoVTs=0
ReserveVT=0
HandleSuspendKey=ignore
HandleSuspendKeyLongPress=ignore
HandleHibernateKey=ignore
HandleHibernateKeyLongPress=ignore
HandleRebootKey=ignore
HandleRebootKeyLongPress=ignore
"""

#: Sorts after Debian's 99-sysctl.conf (/etc/sysctl.conf): a setting there cannot turn it on.
SYSCTL_DROP_IN = "/etc/sysctl.d/99-zz-kiosk-lockdown.conf"
SYSCTL = b"""# Written by kiosk-provision: no magic SysRq keys (docs/lockdown.md).
kernel.sysrq = 0
"""

SYSTEM_DROP_IN = "/etc/systemd/system.conf.d/kiosk-lockdown.conf"
SYSTEM = b"""# Written by kiosk-provision: Ctrl+Alt+Del pressed fast and often does not reboot
# (docs/lockdown.md).
[Manager]
CtrlAltDelBurstAction=none
"""

#: Units masked (a link to /dev/null, as `systemctl mask` makes).
MASKED = ("autovt@.service", "ctrl-alt-del.target")
UNIT_DIR = "/etc/systemd/system"


def ensure_console_lockdown(box: Box) -> bool:
    """Write the drop-ins and the masks; apply the SysRq setting at once (logind's and the
    manager's take effect at the next boot). Returns True when anything changed or would."""
    results = [
        box.write_file("console: logind", LOGIND_DROP_IN, LOGIND, mode=0o644),
        box.write_file("console: ctrl-alt-del", SYSTEM_DROP_IN, SYSTEM, mode=0o644),
    ]
    results += [box.symlink(f"mask {unit}", f"{UNIT_DIR}/{unit}", "/dev/null") for unit in MASKED]
    sysrq = box.write_file("console: SysRq keys", SYSCTL_DROP_IN, SYSCTL, mode=0o644)
    results.append(sysrq)
    if sysrq.outcome is Outcome.CHANGED:
        apply = [["systemctl", "restart", "systemd-sysctl.service"]]
        results.append(box.run("SysRq keys off now", apply, done="kernel.sysrq = 0"))
    return any(r.outcome in (Outcome.CHANGED, Outcome.WOULD_CHANGE) for r in results)
