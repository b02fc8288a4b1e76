"""The reference number a citizen quotes when asking about a sent form."""

from __future__ import annotations

import secrets

#: Letters and digits no one mixes up when reading them aloud or copying (no 0/O, 1/I/L).
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REFERENCE_LENGTH = 8


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
