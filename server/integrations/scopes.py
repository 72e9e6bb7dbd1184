"""What an API key may reach: scopes, named by the operations that accept them.

A handler open to machine clients says which scope it needs with
``opt=needs("orders:read")`` (on the handler or its controller). A key reaches only
those handlers, and only with that scope; everything else answers 403
``scope_missing``. A person's requests carry no scopes and are not limited here:
their role decides, as always. A key never has more rights than its user either,
since it acts as that user.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from server.accounts.actor import Actor
from server.errors import Forbidden

Scope = Literal["orders:read", "orders:write", "reports:read", "webhooks:manage"]
SCOPES: dict[str, str] = {
    "orders:read": "list and read work orders and their timelines",
    "orders:write": "create, edit, move and assign work orders",
    "reports:read": "read reports and statistics",
    "webhooks:manage": "set up webhook subscriptions, read their delivery logs, redeliver",
}
OPT_KEY = "scope"


def needs(scope: Scope) -> dict[str, str]:
    """A handler's ``opt`` opening it to API keys that hold ``scope``."""
    return {OPT_KEY: scope}


def require_scope(actor: Actor, opt: Mapping[str, Any]) -> None:
    """Refuse an API key the operation (its handler's ``opt``) does not accept."""
    if actor.api_key_id is None:
        return
    needed = opt.get(OPT_KEY)
    if needed is None:
        raise Forbidden(
            "API keys cannot use this operation",
            {"needed": None, "granted": list(actor.scopes)},
            code="scope_missing",
        )
    if needed not in actor.scopes:
        raise Forbidden(
            f"the API key lacks the scope {needed}",
            {"needed": needed, "granted": list(actor.scopes)},
            code="scope_missing",
        )
