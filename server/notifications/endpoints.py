"""Which outside URLs the server will call: Web Push endpoints, chat robot webhooks.

A push subscription or a chat robot names a URL the server later POSTs to; without a
limit, an account could make the server call into its own network. Only origins
matching the setting's shell-style patterns (``FIELDOPS_PUSH_ENDPOINTS``,
``FIELDOPS_CHAT_ROBOT_URLS``; e.g. ``https://*.push.apple.com``) are accepted, when
the URL is given and again when sending.
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
