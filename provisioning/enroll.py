"""Talking to the hub: trading a one-time enrollment code for the kiosk's token, checking that
a stored token still works, and reporting self-test results.

Plain urllib: provisioning runs on a bare box before anything else is set up. A box that is
already enrolled (its token file is there and the hub accepts the token) is not enrolled
again, so a second run uses no code and keeps the token.

The hub is reached over https only (plain http only on this box itself), and the sealing key
it sends is not trusted on its word: its fingerprint is shown for the technician to compare
with the one the admin was shown when making the code, or checked against
--hub-key-fingerprint on an unattended run. Nothing is written unless they agree.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from provisioning.kiosktoml import TOKEN_FILE, Answers
from provisioning.steps import Box, Outcome, StepResult

TIMEOUT = 20.0
ASK_FOR_CODE = "an admin makes one on the hub: kiosk-hub kiosk enroll-code KIOSK_ID ..."


#: Hosts that are this box itself: a hub there may be plain http (a test, a hub on the box).
LOOPBACK_NAMES = ("localhost",)
HUB_URL_RULE = "https://, or http:// to this box itself (localhost, 127.0.0.0/8, [::1])"


def hub_url_problem(url: str) -> str | None:
    """Why `url` may not be the hub's address (None when it may): https, or http to a
    loopback host; no user name or password in it."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        return f"{url!r} is not an address: {exc}"
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        return f"{url!r} is not an https:// address; the hub's address must be {HUB_URL_RULE}"
    if parts.username is not None or parts.password is not None:
        return "the address has a user name or password in it; give the hub's address alone"
    if parts.scheme == "http" and not _is_loopback(host):
        return (
            f"{url!r} is plain http to another machine: the enrollment code, the kiosk's token "
            f"and the hub's sealing key would cross the network unprotected; the hub's address "
            f"must be {HUB_URL_RULE}"
        )
    return None


def _is_loopback(host: str) -> bool:
    if host.casefold() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def key_fingerprint(public_key: str) -> str:
    """The fingerprint of the hub's sealing key (its base64 text, as the hub sends it), as the
    hub's admin is shown it: SHA-256 over the raw key bytes, the first 16 bytes in upper-case
    hex, in 8 groups of 4 separated by spaces. ValueError if it is not base64."""
    try:
        raw = base64.b64decode(public_key, validate=True)
    except binascii.Error:
        raise ValueError("the hub's public key is not base64") from None
    digest = hashlib.sha256(raw).hexdigest()[:32].upper()
    return " ".join(digest[i : i + 4] for i in range(0, 32, 4))


def same_fingerprint(given: str, fingerprint: str) -> bool:
    """Whether a fingerprint typed or pasted by a person (any case, spaces, colons or dashes
    between the groups) is `fingerprint`."""

    def bare(text: str) -> str:
        return "".join(ch for ch in text.upper() if ch not in " :-\t")

    return bare(given) == bare(fingerprint)


#: Asks the technician whether the fingerprint shown is the admin's; True when it is.
Confirm = Callable[[str], bool]


class HubError(Exception):
    """The hub could not be asked, or said no; str() is one line for the technician."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]


def post(url: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> Answer:
    """POST JSON; any HTTP status is an answer, a network failure is HubError."""
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode("utf-8"),
        headers={"Content-Type": "application/json", **(headers or {})},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return Answer(response.status, _json(response.read()))
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, _json(exc.read()))
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise HubError(f"cannot reach the hub at {url}: {reason}") from None


def _json(raw: bytes) -> dict[str, Any]:
    try:
        found = json.loads(raw)
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def kiosk_headers(kiosk_id: str, token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "X-Kiosk-Id": kiosk_id}


def token_works(hub_url: str, kiosk_id: str, token: str) -> bool:
    """True if the hub knows this kiosk by this token; HubError if it cannot be asked."""
    answer = post(f"{hub_url.rstrip('/')}/api/kiosk/hello", {}, kiosk_headers(kiosk_id, token))
    if answer.status in (401, 403):
        return False
    if answer.status != 200:
        raise HubError(f"the hub answered {answer.status} to /api/kiosk/hello")
    return True


def redeem(hub_url: str, code: str) -> dict[str, str]:
    """Trade the code for {"kiosk_id", "token", "hub_public_key", "name", "location"}."""
    answer = post(f"{hub_url.rstrip('/')}/api/enroll", {"code": code})
    if answer.status != 200:
        said = answer.body.get("error") or f"the hub answered {answer.status}"
        raise HubError(f"enrollment refused: {said}")
    wanted = ("kiosk_id", "token", "hub_public_key", "name", "location")
    if not all(isinstance(answer.body.get(key), str) for key in wanted):
        raise HubError("the hub's enrollment answer lacks kiosk_id, token or the public key")
    return {key: answer.body[key] for key in wanted}


def ensure_enrolled(
    box: Box,
    answers: Answers,
    code: str | None,
    *,
    expected_fingerprint: str | None = None,
    confirm: Confirm | None = None,
) -> tuple[Answers, str | None]:
    """Enroll unless the stored token already works. Returns the answers with the hub's
    kiosk id, name, location and public key, and the token (None when there is none).

    A new enrollment's sealing key must match `expected_fingerprint` when given, else be
    confirmed by the technician (`confirm`); with neither, it is refused."""
    name = "enrollment"
    token_path = box.path(TOKEN_FILE)
    stored = token_path.read_text(encoding="utf-8").strip() if token_path.is_file() else ""
    if not answers.hub_url:
        box.add(StepResult(name, Outcome.FAILED, "no hub URL: give --hub-url", ("--hub-url",)))
        return answers, None
    if stored and answers.kiosk_id:
        try:
            works = token_works(answers.hub_url, answers.kiosk_id, stored)
        except HubError as exc:
            box.add(StepResult(name, Outcome.FAILED, str(exc), ("check the hub's address",)))
            return answers, stored
        if works:
            unused = "; --code was not needed and not sent" if code else ""
            detail = f"enrolled as {answers.kiosk_id}; the hub accepts its token{unused}"
            box.add(StepResult(name, Outcome.OK, detail))
            return answers, stored
        if not code:
            todo = f"get a new enrollment code ({ASK_FOR_CODE}) and run again with --code"
            detail = "the hub refuses the stored token"
            box.add(StepResult(name, Outcome.FAILED, detail, (todo,)))
            return answers, None
    if not code:
        todo = f"get an enrollment code ({ASK_FOR_CODE}) and run again with --code"
        box.add(StepResult(name, Outcome.FAILED, "not enrolled and no --code given", (todo,)))
        return answers, None
    if box.dry_run:
        box.add(StepResult(name, Outcome.WOULD_CHANGE, "would enroll with the code"))
        return answers, None
    try:
        enrolled = redeem(answers.hub_url, code)
    except HubError as exc:
        box.add(StepResult(name, Outcome.FAILED, str(exc), ("ask an admin for a new code",)))
        return answers, None
    refused = _key_refused(enrolled["hub_public_key"], expected_fingerprint, confirm)
    if refused is not None:
        said, steps = refused
        box.add(StepResult(name, Outcome.FAILED, said, steps))
        return answers, None
    answers = answers.merged(
        kiosk_id=enrolled["kiosk_id"],
        name=enrolled["name"],
        location=enrolled["location"],
        hub_public_key=enrolled["hub_public_key"],
    )
    box.add(StepResult(name, Outcome.CHANGED, f"enrolled as {enrolled['kiosk_id']}"))
    if not enrolled["hub_public_key"]:
        box.add(
            StepResult(
                "hub public key",
                Outcome.FAILED,
                "the hub has no sealing key: the Forms and e-mail services stay off",
                ("on the hub: kiosk-hub keys generate, then run this again",),
            )
        )
    return answers, enrolled["token"]


def _key_refused(
    public_key: str, expected: str | None, confirm: Confirm | None
) -> tuple[str, tuple[str, ...]] | None:
    """Why the hub's sealing key is not trusted (what to say, what to do), or None if it is."""
    if not public_key:
        return None  # no key to trust: the Forms and e-mail services stay off (said below)
    again = "ask an admin for a new code (this one is used), then run this again"
    try:
        fingerprint = key_fingerprint(public_key)
    except ValueError as exc:
        return f"not enrolled: {exc}", (again,)
    if expected is not None:
        if same_fingerprint(expected, fingerprint):
            return None
        detail = (
            f"not enrolled: the hub's sealing key has the fingerprint {fingerprint}, "
            f"not {expected.strip()} (--hub-key-fingerprint); nothing was written"
        )
        return detail, ("check the hub's address and the fingerprint with the admin", again)
    if confirm is None:
        detail = (
            f"not enrolled: the hub's sealing key ({fingerprint}) was not confirmed; give "
            "--hub-key-fingerprint, or run this on a terminal to compare it"
        )
        todo = f"compare {fingerprint} with the fingerprint the admin was shown"
        return detail, (todo, again)
    if confirm(fingerprint):
        return None
    detail = f"not enrolled: the hub's sealing key ({fingerprint}) was not confirmed"
    return detail, ("check the hub's address and the fingerprint with the admin", again)


def report_self_test(
    hub_url: str, kiosk_id: str, token: str, at: str, results: dict[str, str]
) -> str:
    """Tell the hub the self-test results; returns what happened, in words."""
    try:
        answer = post(
            f"{hub_url.rstrip('/')}/api/kiosk/self-test",
            {"at": at, "results": results},
            kiosk_headers(kiosk_id, token),
        )
    except HubError as exc:
        return f"not reported: {exc}"
    if answer.status == 200:
        return "reported to the hub"
    return f"not reported: hub answered {answer.status}"
