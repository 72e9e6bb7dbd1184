"""Which Web Push endpoints the server will call.

A subscription names a URL the server later POSTs to; without a limit, anyone with
an account could make the server call into its own network. Only origins matching
``FIELDOPS_PUSH_ENDPOINTS`` (shell-style patterns such as
``https://*.push.apple.com``) are accepted, when subscribing and again when sending.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from urllib.parse import urlsplit

DEFAULT_PORTS = {"https": 443, "http": 80}


def endpoint_allowed(patterns: str, endpoint: str) -> bool:
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        return False
    if not parts.hostname or parts.username is not None or parts.password is not None:
        return False
    origin = f"{parts.scheme.lower()}://{parts.hostname}"
    if port is not None and port != DEFAULT_PORTS.get(parts.scheme.lower()):
        origin += f":{port}"
    return any(
        fnmatchcase(origin, pattern.strip().lower())
        for pattern in patterns.split(",")
        if pattern.strip()
    )
