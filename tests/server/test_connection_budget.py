"""The server processes' pools against PostgreSQL's max_connections, checked before
serving: a set that can never fit does not start; one that fits only without what is
connected now starts with a warning. tests/server/test_cli.py runs the refusal."""

from __future__ import annotations

import pytest

from server.connection_budget import Budget, judge
from server.settings import SettingsError

DEFAULTS = Budget(most=100, reserved=3, connected=0)


def test_the_documented_set_fits() -> None:
    """docs/deployment.md: 4 server processes and a worker at 16 each, 80 of 97."""
    assert judge(DEFAULTS, 5, 16) is None
    assert judge(DEFAULTS, 1, 97) is None
    with pytest.raises(SettingsError, match=r"^1 process x FIELDOPS_DB_POOL_SIZE=98 = 98 "):
        judge(DEFAULTS, 1, 98)


def test_a_set_that_fits_only_without_the_open_connections_is_warned_of() -> None:
    busy = Budget(most=100, reserved=3, connected=30)
    warning = judge(busy, 5, 16)
    assert warning is not None
    assert "80 connections" in warning
    assert "67 free of 97" in warning
    assert judge(busy, 4, 16) is None


def test_a_set_that_can_never_fit_is_refused_naming_the_settings() -> None:
    with pytest.raises(SettingsError) as refused:
        judge(DEFAULTS, 7, 16)
    message = str(refused.value)
    assert message.startswith("7 processes x FIELDOPS_DB_POOL_SIZE=16 = 112 connections")
    assert "FIELDOPS_DB_POOL_SIZE=16" in message
    assert "max_connections=100" in message
