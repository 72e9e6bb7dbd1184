"""Signed webhook bodies: HMAC-SHA256 over the timestamp and the body.

The header reads ``t=<unix seconds>,v1=<hex digest of "<t>." + body>``; a receiver
checks the digest and refuses a timestamp further than ``TOLERANCE`` from its clock,
so a captured request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac

HEADER = "X-FieldOps-Signature"
TOLERANCE = 300  # seconds


def sign(secret: str, body: bytes, at: int) -> str:
    digest = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={at},v1={digest}"


def verify(secret: str, body: bytes, header: str, now: int) -> bool:
    parts = dict(part.partition("=")[::2] for part in header.split(",") if "=" in part)
    stamp, digest = parts.get("t", ""), parts.get("v1", "")
    # Plain ASCII digits of a sane length only ("²" is a digit to str.isdigit).
    if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= 12):
        return False
    if abs(now - int(stamp)) > TOLERANCE:
        return False
    expected = sign(secret, body, int(stamp)).rpartition("=")[2]
    return hmac.compare_digest(expected.encode(), digest.encode(errors="replace"))
