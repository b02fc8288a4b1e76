"""The `kiosk-provision` command: set up a fresh Debian 12 box as a kiosk, run as root.

Checks the box, installs what is missing, creates the user kiosk, enrolls with the hub using a
one-time code (over https, the hub's sealing key confirmed by its fingerprint), writes
/etc/kiosk/kiosk.toml and the token file, sets up the CUPS queue, installs and enables the
systemd units, locks the console down against a keyboard, puts kiosk-update's timer and
Debian's security updates in the maintenance window, runs the devices' self-tests and
reports them to the hub, then prints a summary. The software comes from the fleet's signed apt
repository (`--apt-repo URL --apt-key FILE`) or, on a development box, from a checkout
(`--source DIR`). Running it again changes nothing that is
right. `--dry-run` says what it would do; `--root DIR` writes into DIR instead of / and runs no
system commands.
docs/provisioning.md tells the whole procedure.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from provisioning import apt_source, checks, enroll, kiosktoml, lockdown, system, units, upgrades
from provisioning.kiosktoml import CONFIG, TOKEN_FILE, Answers
from provisioning.steps import Box, Outcome, StepResult
from provisioning.summary import render

PROG = "kiosk-provision"
GROUP = system.USER


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="Set up this box as a kiosk and enroll it with the hub."
    )
    parser.add_argument("--root", type=Path, default=Path("/"), help="write into DIR, not /")
    parser.add_argument("--dry-run", action="store_true", help="say what would be done")
    parser.add_argument("--hub-url", help="the hub's address, e.g. https://hub.example.org")
    parser.add_argument("--code", help="the one-time enrollment code an admin made on the hub")
    parser.add_argument(
        "--hub-key-fingerprint",
        metavar="FINGERPRINT",
        help="the hub's sealing key fingerprint the admin was shown with the code "
        "(e.g. '3F2A 9C41 ...'): enroll only if the hub's key has it; without it, it is "
        "shown on a terminal for you to confirm",
    )
    parser.add_argument("--printer", choices=("cups", "simulated", "none"))
    parser.add_argument("--printer-uri", help="the printer's ipp:// address: a CUPS queue for it")
    parser.add_argument("--printer-queue", help="the CUPS queue name (default kiosk)")
    parser.add_argument("--card-reader", choices=("pcsc", "simulated", "none"))
    parser.add_argument("--reader", help="part of the PC/SC reader's name")
    parser.add_argument("--camera", choices=("opencv", "simulated", "none"))
    parser.add_argument("--camera-source", help="e.g. /dev/video0")
    parser.add_argument("--payment", choices=("nexo", "simulated", "none"))
    parser.add_argument("--terminal-url", help="the nexo payment terminal's URL")
    parser.add_argument("--poi-id", help="the payment terminal's POI id")
    parser.add_argument("--pin-hash", help="technician PIN hash, from `kiosk hash-pin`")
    parser.add_argument("--units", type=Path, default=None, help="folder of the unit files")
    parser.add_argument("--source", type=Path, default=None, help="source to install from")
    parser.add_argument(
        "--apt-repo",
        metavar="URL",
        help="install the kiosk package from the fleet's signed apt repository at URL "
        "(instead of --source; needs --apt-key)",
    )
    parser.add_argument(
        "--apt-key", type=Path, metavar="FILE", help="the repository's OpenPGP public key"
    )
    parser.add_argument(
        "--update-window",
        type=upgrades.window_argument,
        metavar="HH:MM-HH:MM",
        help="when updates may be installed, local time (default 02:00-05:00)",
    )
    return parser


def _apt_problem(args: argparse.Namespace) -> str | None:
    """Why --apt-repo, --apt-key and --source cannot go together as given, or None; reads
    the key into args.apt_key_data."""
    args.apt_key_data = None
    if args.apt_repo and args.source is not None:
        return "give --apt-repo (the kiosk package) or --source (a development box), not both"
    if bool(args.apt_repo) != (args.apt_key is not None):
        return "--apt-repo and --apt-key go together: the repository and the key it is signed with"
    if not args.apt_repo:
        return None
    problem = apt_source.url_problem(args.apt_repo)
    if problem is not None:
        return f"--apt-repo: {problem}"
    try:
        args.apt_key_data = apt_source.read_key(args.apt_key)
    except ValueError as exc:
        return f"--apt-key: {exc}"
    return None


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    problem = _apt_problem(args)
    if problem is not None:
        print(f"{PROG}: {problem}", file=sys.stderr)
        return 2
    box = Box(args.root, dry_run=args.dry_run)
    if not box.under_root and os.geteuid() != 0:
        print(f"{PROG}: run as root (or give --root DIR to write into a folder)", file=sys.stderr)
        return 2
    try:
        answers = _answers(args, kiosktoml.read_existing(box.path(CONFIG)))
    except ValueError as exc:
        box.add(StepResult("existing kiosk.toml", Outcome.FAILED, str(exc)))
        answers = _answers(args, Answers())
    code = args.code
    interactive = sys.stdin.isatty() and not args.dry_run
    if interactive:
        answers, code = _ask(box, answers, code)
    problem = enroll.hub_url_problem(answers.hub_url) if answers.hub_url else None
    if problem is not None:
        print(f"{PROG}: --hub-url: {problem}", file=sys.stderr)
        return 2
    confirm = _confirm_fingerprint if interactive else None
    extra_todo = provision(box, answers, code, args, confirm)
    print(render(box.results, dry_run=box.dry_run, extra_todo=extra_todo), end="")
    return 1 if any(r.outcome is Outcome.FAILED for r in box.results) else 0


def provision(
    box: Box,
    answers: Answers,
    code: str | None,
    args: argparse.Namespace,
    confirm: enroll.Confirm | None = None,
) -> list[str]:
    """Every step in order; returns what is left for the technician beyond the steps' own.
    `confirm` asks the technician about the hub's sealing key (None: not on a terminal)."""
    backends = (answers.printer, answers.cardreader)
    # The repository's runtime has the devices' libraries built: nothing to build them with.
    checks.check_packages(box, () if args.apt_repo else backends)
    terminal = answers.terminal_url if answers.payment == "nexo" else None
    found = checks.check_devices(box, terminal)
    system.ensure_user(box)
    if args.apt_repo:
        apt_source.ensure_kiosk_package(box, args.apt_repo, args.apt_key_data)
    else:
        source = args.source or units.source_units().parent
        system.ensure_software(box, source, backends, explicit_source=args.source is not None)
    found = checks.look_again_for_readers(box, found, f"{system.INSTALL}/bin/python")
    answers, token = enroll.ensure_enrolled(
        box, answers, code, expected_fingerprint=args.hub_key_fingerprint, confirm=confirm
    )
    if token is not None:
        content = f"{token}\n".encode()
        box.write_file("token file", TOKEN_FILE, content, mode=0o640, group=GROUP)
    if answers.kiosk_id:
        text = kiosktoml.render(answers)
        box.write_file("kiosk.toml", CONFIG, text, mode=0o640, group=GROUP)
    elif box.dry_run:
        detail = f"would write {CONFIG} with the hub's enrollment answer"
        box.add(StepResult("kiosk.toml", Outcome.WOULD_CHANGE, detail))
    else:
        box.add(StepResult("kiosk.toml", Outcome.FAILED, "not written: the kiosk is not enrolled"))
    if answers.printer == "cups":
        system.ensure_cups_queue(box, answers.printer_queue, args.printer_uri or "")
    changed = units.install_units(box, args.units or units.source_units())
    changed = lockdown.ensure_console_lockdown(box) or changed
    changed = upgrades.ensure_night_updates(box, args.units or units.source_units()) or changed
    units.reload_systemd(box, changed)
    _self_test(box, answers, token)
    return _left_to_do(box, answers, found)


def _answers(args: argparse.Namespace, existing: Answers) -> Answers:
    printer = args.printer or ("cups" if args.printer_uri else None)
    return existing.merged(
        hub_url=args.hub_url,
        printer=printer,
        printer_queue=args.printer_queue,
        cardreader=args.card_reader,
        reader=args.reader,
        camera=args.camera,
        camera_source=args.camera_source,
        payment=args.payment,
        terminal_url=args.terminal_url,
        poi_id=args.poi_id,
        pin_hash=args.pin_hash,
        update_window=args.update_window,
    )


def _ask(box: Box, answers: Answers, code: str | None) -> tuple[Answers, str | None]:
    """Ask on the terminal for what is needed and was not given."""
    if not answers.hub_url:
        answers = answers.merged(hub_url=input("The hub's address (https://...): ").strip())
    if code is None and not box.path(TOKEN_FILE).is_file():
        code = input("The enrollment code from the hub's admin: ").strip() or None
    return answers, code


def _confirm_fingerprint(fingerprint: str) -> bool:
    """Show the hub's sealing key fingerprint and ask whether it is the admin's."""
    print(
        "\nThe hub's sealing key has the fingerprint\n\n"
        f"    {fingerprint}\n\n"
        "The admin who made the enrollment code was shown one too. If they differ, this box is\n"
        "not talking to your hub: answer no."
    )
    answer = input("Is it the same? [y/N] ").strip().casefold()
    return answer in ("y", "yes")


def _self_test(box: Box, answers: Answers, token: str | None) -> None:
    name = "device self-tests"
    if box.dry_run:
        box.add(StepResult(name, Outcome.WOULD_CHANGE, "would run them and report to the hub"))
        return
    config = box.path(CONFIG)
    if token is None or not config.is_file():
        box.add(StepResult(name, Outcome.SKIPPED, "not run: the kiosk is not enrolled"))
        return
    try:
        results = _run_self_tests(box, config)
    except ValueError as exc:
        box.add(StepResult(name, Outcome.FAILED, f"not run: {exc}"))
        return
    at = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    reported = enroll.report_self_test(answers.hub_url, answers.kiosk_id, token, at, results)
    shown = ", ".join(f"{device} {result}" for device, result in results.items())
    detail = f"{shown or 'no devices configured'}; {reported}"
    failed = [device for device, result in results.items() if result != "ok"]
    if failed:
        todo = f"fix the device(s) {', '.join(failed)}, then run this again"
        box.add(StepResult(name, Outcome.FAILED, detail, (todo,)))
    else:
        box.add(StepResult(name, Outcome.OK, detail))


def _run_self_tests(box: Box, config: Path) -> dict[str, str]:
    """In the installed kiosk's Python when there is one (it has the backends' libraries),
    else in this one; ValueError says why they could not run."""
    python = box.path(f"{system.INSTALL}/bin/python")
    if box.under_root or not python.is_file() or Path(sys.prefix) == python.parent.parent:
        from provisioning.selftest import run_self_tests

        return run_self_tests(config)
    import json
    import subprocess

    done = subprocess.run(
        [str(python), "-m", "provisioning.selftest", str(config)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        raise ValueError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "")
    results: dict[str, str] = json.loads(done.stdout)
    return results


def _left_to_do(box: Box, answers: Answers, found: checks.Found) -> list[str]:
    todo: list[str] = []
    if not answers.pin_hash:
        todo.append("set a technician PIN: `kiosk hash-pin`, then run this again with --pin-hash")
    unused = {
        "printer": answers.printer == "none" and (found.cups_queues or found.ipp_printers),
        "card reader": answers.cardreader == "none" and found.readers,
        "camera": answers.camera == "none" and found.cameras,
    }
    for device, seen in unused.items():
        if seen:
            todo.append(f"a {device} was found but is set to none: give its option to use it")
    if any(r.outcome is Outcome.CHANGED for r in box.results) and not box.under_root:
        todo.append("reboot (or: systemctl start kiosk-agent.service kiosk.service)")
    return todo


if __name__ == "__main__":
    sys.exit(main())
