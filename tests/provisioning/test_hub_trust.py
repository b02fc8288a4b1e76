"""Provisioning trusts only an https hub (plain http only on the box itself), and a hub's sealing
key only when its fingerprint is the one the admin was shown: confirmed on a terminal, or given
with --hub-key-fingerprint on an unattended run. Against a real hub process."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from provisioning.enroll import hub_url_problem, key_fingerprint, same_fingerprint
from provisioning.kiosktoml import CONFIG, TOKEN_FILE
from tests.provisioning.conftest import DEADLINE, ROOT, Hub
from tests.provisioning.test_provision import PROVISION, hello, provision

FINGERPRINT = re.compile(r"\b[0-9A-F]{4}(?: [0-9A-F]{4}){7}\b")


@pytest.mark.parametrize(
    "url",
    [
        "https://hub.example.org",
        "https://hub.example.org:8443/",
        "https://10.0.0.7",
        "http://127.0.0.1:8080",
        "http://127.1.2.3",
        "http://localhost:8080",
        "http://LOCALHOST",
        "http://[::1]:8080",
    ],
)
def test_an_https_hub_or_one_on_this_box_is_accepted(url: str) -> None:
    assert hub_url_problem(url) is None


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("http://hub.example.org", "plain http to another machine"),
        ("http://10.0.0.7:8080", "plain http to another machine"),
        ("http://[2001:db8::1]", "plain http to another machine"),
        ("http://localhost.example.org", "plain http to another machine"),
        ("http://127.0.0.1.example.org", "plain http to another machine"),
        ("ftp://hub.example.org", "is not an https:// address"),
        ("hub.example.org", "is not an https:// address"),
        ("https://", "is not an https:// address"),
        ("https://admin:secret@hub.example.org", "user name or password"),
        ("https://hub.example.org:port", "is not an address"),
    ],
)
def test_any_other_hub_address_is_refused_with_what_is_allowed(url: str, said: str) -> None:
    problem = hub_url_problem(url)
    assert problem is not None and said in problem
    if said != "is not an address":
        assert url not in problem or "@" not in url  # a password is not repeated
    if "https://" in said or "plain" in said:
        assert "http:// to this box itself (localhost, 127.0.0.0/8, [::1])" in problem


def test_plain_http_to_another_machine_stops_provisioning_before_anything(
    hub: Hub, tmp_path: Path
) -> None:
    code = hub.enroll_code("trust-1")
    plain = ("--hub-url", "http://hub.example.org", "--code", code)
    status, out = provision(tmp_path / "root", *plain)
    assert status == 2, out
    assert "--hub-url: 'http://hub.example.org' is plain http to another machine" in out
    assert "must be https://, or http:// to this box itself" in out
    assert "summary" not in out  # stopped before the first step
    assert not (tmp_path / "root").exists()
    # The code was not sent anywhere: it still enrolls.
    args = ("--hub-url", hub.url, "--code", code, "--hub-key-fingerprint", hub.fingerprint)
    assert provision(tmp_path / "root", *args)[0] == 0


def test_a_stored_plain_http_hub_address_is_refused_too(tmp_path: Path) -> None:
    config = tmp_path / CONFIG.lstrip("/")
    config.parent.mkdir(parents=True)
    config.write_text('[kiosk]\nid = "old-box"\nhub_url = "http://hub.example.org"\n')
    status, out = provision(tmp_path)
    assert status == 2, out
    assert "'http://hub.example.org' is plain http to another machine" in out


def test_an_https_hub_is_accepted(tmp_path: Path) -> None:
    """A dry run sends nothing, so no TLS hub is needed to see the address accepted."""
    status, out = provision(
        tmp_path / "root", "--dry-run", "--hub-url", "https://hub.example.org", "--code", "X"
    )
    assert status == 0, out
    assert re.search(r"would change +enrollment +would enroll with the code", out), out


def test_the_fingerprint_is_the_hubs_format() -> None:
    # SHA-256 of 32 zero bytes is 66687aad f862bd77 6c8fc18b 8e9f8e20 ...
    assert key_fingerprint("A" * 43 + "=") == "6668 7AAD F862 BD77 6C8F C18B 8E9F 8E20"
    fingerprint = "6668 7AAD F862 BD77 6C8F C18B 8E9F 8E20"
    assert same_fingerprint("66687aad:f862bd77:6c8fc18b:8e9f8e20", fingerprint)
    assert same_fingerprint(" 6668-7AAD-F862-BD77-6C8F-C18B-8E9F-8E20 ", fingerprint)
    assert not same_fingerprint("6668 7AAD F862 BD77 6C8F C18B 8E9F 8E21", fingerprint)
    assert not same_fingerprint("6668 7AAD", fingerprint)


def test_a_wrong_fingerprint_is_refused_and_nothing_is_written(hub: Hub, tmp_path: Path) -> None:
    wrong = "0000 1111 2222 3333 4444 5555 6666 7777"
    root = tmp_path / "root"
    code = hub.enroll_code("trust-2")
    args = ("--hub-url", hub.url, "--code", code, "--hub-key-fingerprint", wrong)
    status, out = provision(root, *args)
    assert status == 1, out
    said = (
        f"not enrolled: the hub's sealing key has the fingerprint {hub.fingerprint}, "
        f"not {wrong} (--hub-key-fingerprint); nothing was written"
    )
    assert said in out
    assert "check the hub's address and the fingerprint with the admin" in out
    assert not (root / TOKEN_FILE.lstrip("/")).exists()
    assert not (root / CONFIG.lstrip("/")).exists()


def test_an_unattended_run_without_the_fingerprint_is_refused(hub: Hub, tmp_path: Path) -> None:
    root = tmp_path / "root"
    status, out = provision(root, "--hub-url", hub.url, "--code", hub.enroll_code("trust-3"))
    assert status == 1, out
    assert f"the hub's sealing key ({hub.fingerprint}) was not confirmed" in out
    assert "give --hub-key-fingerprint, or run this on a terminal to compare it" in out
    assert not (root / TOKEN_FILE.lstrip("/")).exists()


def on_a_terminal(root: Path, answer: str, *args: str) -> tuple[int, str]:
    """kiosk-provision with a terminal for its input (the technician's `answer` typed ahead)."""
    main, terminal = os.openpty()
    try:
        os.write(main, answer.encode() + b"\n")
        done = subprocess.run(
            [str(PROVISION), "--root", str(root), *args],
            stdin=terminal,
            capture_output=True,
            text=True,
            timeout=DEADLINE * 4,
            cwd=ROOT,
        )
    finally:
        os.close(terminal)
        os.close(main)
    return done.returncode, done.stdout + done.stderr


def test_on_a_terminal_the_fingerprint_is_shown_and_must_be_confirmed(
    hub: Hub, tmp_path: Path
) -> None:
    made = hub.cli(
        "kiosk", "enroll-code", "trust-4", "--name", "Kiosk trust-4", "--location", "Branch"
    )
    shown_to_admin = FINGERPRINT.findall(made.stderr)
    args = ("--hub-url", hub.url, "--code", made.stdout.strip())
    status, out = on_a_terminal(tmp_path / "no", "n", *args)
    assert status == 1, out
    assert f"The hub's sealing key has the fingerprint\n\n    {hub.fingerprint}\n" in out
    assert "Is it the same? [y/N]" in out
    assert f"not enrolled: the hub's sealing key ({hub.fingerprint}) was not confirmed" in out
    assert not (tmp_path / "no" / TOKEN_FILE.lstrip("/")).exists()
    # Where the hub's CLI shows the admin a fingerprint with the code, it is the same one.
    assert shown_to_admin in ([], [hub.fingerprint]), made.stderr

    status, out = on_a_terminal(
        tmp_path / "yes", "yes", "--hub-url", hub.url, "--code", hub.enroll_code("trust-5")
    )
    assert status == 0, out
    assert f"    {hub.fingerprint}\n" in out
    assert re.search(r"changed +enrollment +enrolled as trust-5", out), out
    token = (tmp_path / "yes" / TOKEN_FILE.lstrip("/")).read_text().strip()
    assert hello(hub, "trust-5", token) == 200
