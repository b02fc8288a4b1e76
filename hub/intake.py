"""What the hub accepts from outside before a handler sees it.

`intake_middleware` runs after the access check. A request that carries a body other than a
form or sealed bytes (`application/octet-stream`) has it read here, up to its route's limit,
and decoded once with `loads`: bytes that are not UTF-8, text that is not JSON, NaN or
Infinity, a number past 64 bits, a string with a lone surrogate, or nesting deeper than
MAX_DEPTH are answered 400 `{"error", "code": "bad-request"}` before any handler runs.
Handlers take the decoded body with `json_body` (or read it again, from the bytes read here).

Fields are checked by their handlers; `clean_text` is the check for text, and a `Refused` a
handler raises (a field whose value the hub will not take) is answered here 422
`{"error", "code": "refused", "field"}`.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from aiohttp import hdrs, web

from hub.auth import Handler

#: Deeper than any body of the protocol nests (the deepest, an event's payload, is a few levels).
MAX_DEPTH = 32
#: JSON numbers beyond a signed 64-bit integer fit no column and no other client's parser.
NUMBER_LIMIT = 2**63
KIB = 1024
#: Routes that take bodies larger than the app's client_max_size, and how large (each handler
#: may check a smaller limit of its own).
LARGE_BODIES = {
    "/api/kiosk/events": 4096 * KIB,
    "/api/kiosk/usage": 1024 * KIB,
    # A screenshot of up to 8 MiB, in base64.
    "/api/kiosk/actions/{id}/result": 12 * 1024 * KIB,
}
#: Bodies that are not JSON: forms (the login) and sealed submissions.
NOT_JSON = frozenset(
    {"application/x-www-form-urlencoded", "multipart/form-data", "application/octet-stream"}
)
#: C0 and C1 controls, DEL, the line and paragraph separators, and lone surrogates: none of
#: them belongs in a name, a code or a subject, and a mail header refuses several of them.
_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
#: The same, but for tab, line feed and carriage return, which free text may hold.
_FORBIDDEN_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")

_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")

_BODY = web.RequestKey("intake-body", object)


class BadJson(ValueError):
    """A body that is not JSON the hub reads; its text says why, for the 400 answer."""


class Refused(Exception):
    """A field whose value the hub will not take: answered 422 naming the field."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}" if field else problem)
        self.field = field
        self.problem = problem


def _no_constant(name: str) -> Any:
    raise BadJson(f"{name} is not a number JSON allows")


def loads(data: bytes | str) -> Any:
    """`data` decoded as strict JSON; BadJson (a ValueError) says what is wrong with it."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise BadJson("the body is not UTF-8 text") from None
    else:
        text = data
    if not text.strip():
        raise BadJson("the body is empty")
    try:
        found = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise BadJson(f"the JSON is nested deeper than {MAX_DEPTH} levels") from None
    except BadJson:
        raise
    except ValueError as exc:
        raise BadJson(f"the body is not JSON ({exc})") from None
    _check_values(found)
    return found


def _check_values(found: object) -> None:
    """Depth, numbers and strings of a decoded document, without recursion."""
    stack: list[tuple[object, int]] = [(found, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise BadJson(f"the JSON is nested deeper than {MAX_DEPTH} levels")
            if isinstance(value, dict):
                for key, item in value.items():
                    _check_string(key)
                    stack.append((item, depth + 1))
            else:
                stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str):
            _check_string(value)
        elif isinstance(value, float) and not math.isfinite(value):
            raise BadJson("a number is too large")
        elif isinstance(value, int) and not -NUMBER_LIMIT <= value < NUMBER_LIMIT:
            raise BadJson("a whole number is beyond 64 bits")


def _check_string(value: str) -> None:
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise BadJson("a string holds a lone surrogate (\\ud800-\\udfff)") from None


def clean_text(
    value: object, field: str, *, multiline: bool = False, limit: int | None = None
) -> str:
    """`value` if it is text without control characters (tab and line breaks allowed when
    `multiline`), at most `limit` characters; otherwise Refused naming `field`."""
    if not isinstance(value, str):
        raise Refused(field, "must be text")
    pattern = _FORBIDDEN_MULTILINE if multiline else _FORBIDDEN
    bad = pattern.search(value)
    if bad is not None:
        raise Refused(field, f"holds a control character (U+{ord(bad.group()):04X})")
    if limit is not None and len(value) > limit:
        raise Refused(field, f"at most {limit} characters")
    return value


def has_control(value: str, *, multiline: bool = False) -> bool:
    """Whether `value` holds a character `clean_text` refuses."""
    return (_FORBIDDEN_MULTILINE if multiline else _FORBIDDEN).search(value) is not None


def marked_controls(value: str) -> str:
    """Free text with each character `clean_text(multiline=True)` refuses shown as U+FFFD."""
    return _FORBIDDEN_MULTILINE.sub("\ufffd", value)


def without_controls(value: str) -> str:
    """`value` with each control character and line separator replaced by a space (for text
    already stored, shown where such a character breaks something: a mail header)."""
    return _CONTROLS.sub(" ", value)


async def json_body(request: web.Request) -> Any:
    """The request's body as decoded at intake; read and decoded now if it was not (a JSON
    body labelled as something else). Raises BadJson."""
    if _BODY in request:
        return request[_BODY]
    found = loads(await request.read())
    request[_BODY] = found
    return found


def _is_json(request: web.Request) -> bool:
    if hdrs.CONTENT_TYPE not in request.headers:
        return True
    return request.content_type not in NOT_JSON


@web.middleware
async def intake_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    resource = request.match_info.route.resource
    if resource is not None and request.can_read_body and _is_json(request):
        limit = LARGE_BODIES.get(resource.canonical, request.client_max_size)
        request = request.clone(client_max_size=limit)
        body = await request.read()
        if body.strip():
            try:
                request[_BODY] = loads(body)
            except BadJson as exc:
                return web.json_response({"error": str(exc), "code": "bad-request"}, status=400)
    elif resource is not None and resource.canonical in LARGE_BODIES:
        # A body labelled as something else: its handler still reads it up to the route's limit.
        request = request.clone(client_max_size=LARGE_BODIES[resource.canonical])
    try:
        return await handler(request)
    except Refused as exc:
        return web.json_response(
            {"error": str(exc), "code": "refused", "field": exc.field}, status=422
        )
