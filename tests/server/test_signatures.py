"""Signed webhook bodies: only the right key, body and time pass; odd headers are
refused, never an error."""

from __future__ import annotations

from server.signatures import TOLERANCE, sign, verify

NOW = 1_800_000_000


def test_only_the_signed_body_at_about_the_time_passes() -> None:
    header = sign("key", b"body", NOW)
    assert verify("key", b"body", header, NOW)
    assert verify("key", b"body", header, NOW + TOLERANCE)
    assert not verify("key", b"body", header, NOW + TOLERANCE + 1)
    assert not verify("other", b"body", header, NOW)
    assert not verify("key", b"body!", header, NOW)


def test_odd_headers_are_refused() -> None:
    digest = sign("key", b"body", NOW).rpartition("=")[2]
    for header in (
        "",
        "t=,v1=",
        f"v1={digest}",
        f"t=²,v1={digest}",  # a digit to str.isdigit, not to int()
        f"t={'9' * 5000},v1={digest}",
        f"t={NOW},v1=é",
        f"t={NOW}",
        "garbage",
    ):
        assert not verify("key", b"body", header, NOW), header
