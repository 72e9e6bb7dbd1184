"""The work-order state machine: which action moves which status, and who may take it.

An action that does not start from the current status is a conflict (409, with
the allowed actions); an action the caller's role may not take is forbidden
(403). Assignment is its own operation (see services.assign) because it names
a person; it is listed here so the machine is complete.
"""

from __future__ import annotations

from typing import Literal

from msgspec import Struct

Status = Literal[
    "new",
    "assigned",
    "accepted",
    "en_route",
    "on_site",
    "in_progress",
    "suspended",
    "resolved",
    "closed",
    "cancelled",
]
Action = Literal[
    "accept",
    "start_travel",
    "arrive",
    "start_work",
    "suspend",
    "resume",
    "resolve",
    "close",
    "cancel",
    "reopen",
]

ACTIONS: tuple[Action, ...] = Action.__args__  # type: ignore[attr-defined]
# How people call each status, in the languages of server/types.py Language (texts,
# charts); the app has its own table (pwa/app/i18n/common.js).
STATUS_NAMES: dict[str, dict[str, str]] = {
    "en": {
        "new": "New",
        "assigned": "Assigned",
        "accepted": "Accepted",
        "en_route": "En route",
        "on_site": "On site",
        "in_progress": "In progress",
        "suspended": "Suspended",
        "resolved": "Resolved",
        "closed": "Closed",
        "cancelled": "Cancelled",
    },
    "zh-CN": {
        "new": "新建",
        "assigned": "已派单",
        "accepted": "已接单",
        "en_route": "在途",
        "on_site": "已到场",
        "in_progress": "处理中",
        "suspended": "已挂起",
        "resolved": "已解决",
        "closed": "已关闭",
        "cancelled": "已取消",
    },
}
OPEN: frozenset[str] = frozenset(
    ["new", "assigned", "accepted", "en_route", "on_site", "in_progress", "suspended"]
)
UNRESOLVED = OPEN
FIELD_ROLES = frozenset(["technician", "inspector"])
STAFF = frozenset(["admin", "manager"])


class Rule(Struct, frozen=True):
    sources: frozenset[str]
    # None: decided by `resolve_target` (reopen goes back to assigned or new).
    target: str | None
    # Roles that may take the action on any order in their scope.
    roles: frozenset[str]
    # Roles that may take it only on orders assigned to them / requested by them.
    assignee_roles: frozenset[str] = frozenset()
    requester_may: frozenset[str] = frozenset()
    needs_reason: bool = False


def _from(*statuses: str) -> frozenset[str]:
    return frozenset(statuses)


RULES: dict[str, Rule] = {
    "accept": Rule(_from("assigned"), "accepted", STAFF, FIELD_ROLES),
    "start_travel": Rule(_from("accepted"), "en_route", STAFF, FIELD_ROLES),
    "arrive": Rule(_from("en_route"), "on_site", STAFF, FIELD_ROLES),
    "start_work": Rule(_from("on_site"), "in_progress", STAFF, FIELD_ROLES),
    "suspend": Rule(_from("in_progress"), "suspended", STAFF, FIELD_ROLES, needs_reason=True),
    "resume": Rule(_from("suspended"), "in_progress", STAFF, FIELD_ROLES),
    "resolve": Rule(_from("in_progress"), "resolved", STAFF, FIELD_ROLES),
    "close": Rule(_from("resolved"), "closed", STAFF, requester_may=_from("resolved")),
    "cancel": Rule(
        OPEN, "cancelled", STAFF, requester_may=_from("new", "assigned"), needs_reason=True
    ),
    "reopen": Rule(
        _from("resolved", "closed"),
        None,
        STAFF,
        requester_may=_from("resolved", "closed"),
        needs_reason=True,
    ),
}


class ActionRule(Struct, frozen=True, kw_only=True):
    action: str
    sources: list[str]
    target: str | None  # null: back to assigned when the order has an assignee, else new
    roles: list[str]
    assignee_roles: list[str]
    requester_may: list[str]
    needs_reason: bool


class Machine(Struct, frozen=True, kw_only=True):
    """The machine as data, for clients that decide offline which buttons to show."""

    statuses: list[str]
    open: list[str]
    actions: list[ActionRule]


def machine() -> Machine:
    return Machine(
        statuses=list(Status.__args__),  # type: ignore[attr-defined]
        open=sorted(OPEN),
        actions=[
            ActionRule(
                action=action,
                sources=sorted(rule.sources),
                target=rule.target,
                roles=sorted(rule.roles),
                assignee_roles=sorted(rule.assignee_roles),
                requester_may=sorted(rule.requester_may),
                needs_reason=rule.needs_reason,
            )
            for action, rule in RULES.items()
        ],
    )


def may(action: str, status: str, role: str, is_assignee: bool, is_requester: bool) -> bool:
    """Whether a caller of ``role`` may take ``action`` on an order now in ``status``."""
    rule = RULES[action]
    if status not in rule.sources:
        return False
    if role in rule.roles:
        return True
    if role in FIELD_ROLES and role in rule.assignee_roles:
        return is_assignee
    if role == "requester":
        return is_requester and status in rule.requester_may
    return False


def allowed_actions(status: str, role: str, is_assignee: bool, is_requester: bool) -> list[str]:
    return [a for a in ACTIONS if may(a, status, role, is_assignee, is_requester)]


def resolve_target(action: str, has_assignee: bool) -> str:
    target = RULES[action].target
    if target is not None:
        return target
    return "assigned" if has_assignee else "new"


def may_assign(status: str, role: str, is_assignee: bool) -> bool:
    """Staff assign and transfer open orders; a field worker may hand on their own."""
    if status not in OPEN:
        return False
    return role in STAFF or (role in FIELD_ROLES and is_assignee)
