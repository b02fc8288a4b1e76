"""Talking to the hub: trading a one-time enrollment code for the kiosk's token, checking that
a stored token still works, and reporting self-test results.

Plain urllib: provisioning runs on a bare box before anything else is set up. A box that is
already enrolled (its token file is there and the hub accepts the token) is not enrolled
again, so a second run uses no code and keeps the token.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from provisioning.kiosktoml import TOKEN_FILE, Answers
from provisioning.steps import Box, Outcome, StepResult

TIMEOUT = 20.0
ASK_FOR_CODE = "an admin makes one on the hub: kiosk-hub kiosk enroll-code KIOSK_ID ..."


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


def ensure_enrolled(box: Box, answers: Answers, code: str | None) -> tuple[Answers, str | None]:
    """Enroll unless the stored token already works. Returns the answers with the hub's
    kiosk id, name, location and public key, and the token (None when there is none)."""
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
