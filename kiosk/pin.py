"""The technician PIN: stored only as a salted PBKDF2 hash, checked in constant time.

`kiosk hash-pin` makes the hash for [technician] pin_hash in kiosk.toml. Deriving the key takes
a noticeable fraction of a second on purpose, so hashing and checking are `@blocking`: the PIN pad
checks on a worker.
"""

from __future__ import annotations

import binascii
import os

from kiosk.threads import blocking

PIN_SCHEME = "pbkdf2_sha256"
PIN_ITERATIONS = 100_000
# hash_pin("1234", salt=b"kiosk-demo-salt!"): the demo PIN, fixed so the defaults are a literal.
DEMO_PIN_HASH = (
    "pbkdf2_sha256$100000$a2lvc2stZGVtby1zYWx0IQ==$SkcVUd/Nvj7QDfDcO2oP8oxL7HleqXlsgoVFedYxWdA="
)
# Below this a stolen hash falls at once; above it the technician waits seconds at the keypad.
_PIN_ITERATIONS_RANGE = (1_000, 5_000_000)


@blocking
def hash_pin(pin: str, *, iterations: int = PIN_ITERATIONS, salt: bytes | None = None) -> str:
    """The pin_hash for [technician]; `salt` is for reproducible tests, leave it out otherwise."""
    if not (4 <= len(pin) <= 12 and pin.isascii() and pin.isdigit()):
        # The technician keypad has digits only: any other PIN could never be typed in.
        raise ValueError("a technician PIN is 4 to 12 digits")
    salt = os.urandom(16) if salt is None else salt
    low, high = _PIN_ITERATIONS_RANGE
    if not low <= iterations <= high or len(salt) < 8:
        raise ValueError(f"iterations must be {low} to {high} and the salt 8 bytes or more")
    digest = _pbkdf2(pin, salt, iterations)
    encode = binascii.b2a_base64
    return (
        f"{PIN_SCHEME}${iterations}$"
        f"{encode(salt, newline=False).decode()}${encode(digest, newline=False).decode()}"
    )


@blocking
def verify_pin(pin: str, pin_hash: str) -> bool:
    """Whether `pin` matches; False (never an exception) for a malformed hash."""
    import hmac

    parsed = parse_pin_hash(pin_hash)
    if parsed is None:
        return False
    iterations, salt, expected = parsed
    return hmac.compare_digest(_pbkdf2(pin, salt, iterations), expected)


def _pbkdf2(pin: str, salt: bytes, iterations: int) -> bytes:
    # hashlib loads OpenSSL; only the technician gesture needs it, not start-up.
    import hashlib

    return hashlib.pbkdf2_hmac("sha256", pin.encode("utf-8"), salt, iterations)


def parse_pin_hash(pin_hash: str) -> tuple[int, bytes, bytes] | None:
    parts = pin_hash.split("$")
    if len(parts) != 4 or parts[0] != PIN_SCHEME:
        return None
    if not (parts[1].isascii() and parts[1].isdigit()):  # int() would also take " 1_000"
        return None
    iterations = int(parts[1])
    try:
        salt = binascii.a2b_base64(parts[2], strict_mode=True)
        digest = binascii.a2b_base64(parts[3], strict_mode=True)
    except binascii.Error:
        return None
    low, high = _PIN_ITERATIONS_RANGE
    if not low <= iterations <= high or len(salt) < 8 or len(digest) != 32:
        return None
    return iterations, salt, digest
