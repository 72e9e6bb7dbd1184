"""The protocol version check every sync request passes first."""

from __future__ import annotations

from server.errors import DomainError
from sync.schemas import PROTOCOL_VERSION


def check_protocol(version: int) -> None:
    if version != PROTOCOL_VERSION:
        raise DomainError(
            "this app speaks another sync protocol: update it (queued changes are kept)",
            {"client_protocol": version, "server_protocol": PROTOCOL_VERSION},
            code="client_outdated",
        )
