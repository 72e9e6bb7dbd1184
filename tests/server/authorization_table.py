"""Who may call each operation of the API, and what an outsider gets.

One row per (method, path) of the OpenAPI document. The outsiders are callers from
outside the victim's reach (tests/server/authorization_world.py: the victim objects
belong to the north department and to the requester ``requester``):

    A admin, M south_manager, T south_tech, I south_inspector, R other_requester

``allowed`` lists the outsiders that get a 2xx (a list then filtered to their scope,
their own settings, master data everyone reads); every other outsider gets
``denied`` (403: the role may not call it; 404: the object is not theirs to know
of), unless ``special`` says otherwise for that role. ``owner`` is the caller that
must succeed, the positive control; ``control`` points its path parameters at spare
objects when its call would destroy or move the victim object. Bodies are valid, so
a refusal is authorization, never validation; ``$name`` stands for ``ids[name]``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from tests.server.authorization_world import photo

ROLES = {
    "A": "admin",
    "M": "south_manager",
    "T": "south_tech",
    "I": "south_inspector",
    "R": "other_requester",
}
EVERYONE = "AMTIR"

# Path parameter -> victim object, unless a row says otherwise.
PARAMS = {
    "order_id": "order",
    "user_id": "user",
    "department_id": "department",
    "team_id": "team",
    "skill_code": "skill",
    "group_id": "group",
    "customer_id": "customer",
    "site_id": "site",
    "asset_id": "asset",
    "tag": "tag",
    "item_id": "service_item",
    "template_id": "template",
    "rule_id": "sla_rule",
    "plan_id": "plan",
    "article_id": "article",
    "notification_id": "notification",
    "robot_id": "robot",
    "conflict_id": "conflict",
    "sha256": "sha256",
    "result_id": "inspection",
    "round_id": "round",
    "run_id": "run",
    "asset_type": "asset_type",
    "part_id": "part",
    "store_id": "store",
    "key_id": "api_key",
    "webhook_id": "webhook",
    "delivery_id": "delivery",
    "code": "tag",
    "file": "chart",
    "report": "report",
}


class Row(NamedTuple):
    method: str
    path: str
    owner: str
    allowed: str = ""
    denied: int = 403
    body: Any = None
    query: dict[str, str] | None = None
    params: dict[str, str] | None = None
    control: dict[str, str] | None = None
    special: dict[str, int] | None = None
    owner_status: int | None = None
    content: bytes | None = None
    control_body: Any = None
    stream: bool = False

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"


def row(method: str, path: str, owner: str, allowed: str = "", denied: int = 403, **kw: Any) -> Row:
    return Row(method, path, owner, allowed, denied, **kw)


G, P, U, H, D = "GET", "POST", "PUT", "PATCH", "DELETE"
W = "/api/work-orders/{order_id}"
ORDER_PEEKERS = "A"  # who besides the north department sees the victim order
MINUTES = {"P1": 10, "P2": 20, "P3": 30, "P4": 40, "P5": 50}

TABLE: list[Row] = [
    # Public and own-session operations.
    row(G, "/api/client-config", "anonymous", EVERYONE),
    row(G, "/api/health", "anonymous", EVERYONE),
    row(
        P,
        "/api/auth/login",
        "anonymous",
        body={"username": "requester", "password": "x"},
        owner_status=401,
    ),
    row(
        P,
        "/api/auth/refresh",
        "anonymous",
        body={"refresh_token": "not-a-real-refresh-token"},
        owner_status=401,
    ),
    row(P, "/api/auth/logout", "north_tech", EVERYONE),
    # The caller's own password, hashed slowly on purpose: the owner's call stands for all.
    row(
        U,
        "/api/users/me/password",
        "north_tech",
        EVERYONE,
        body={"current_password": "$password", "new_password": "$password"},
        control={},
    ),
    row(G, "/api/users/me", "north_tech", EVERYONE),
    # Accounts and organisation.
    row(G, "/api/users", "admin", "AM"),
    row(
        P,
        "/api/users",
        "admin",
        "A",
        body={
            "username": "new.{u}",
            "display_name": "New",
            "role": "requester",
            "password": "long-enough-1",
        },
    ),
    row(G, "/api/users/{user_id}", "north_manager", "AM", 404),
    row(H, "/api/users/{user_id}", "admin", "A", body={"display_name": "North Tech"}),
    row(G, "/api/departments", "admin", EVERYONE),
    row(P, "/api/departments", "admin", "AM", body={"name": "East ops {u}"}),
    row(G, "/api/departments/{department_id}", "north_manager", EVERYONE),
    # A manager changes only the departments they manage, and their teams.
    row(H, "/api/departments/{department_id}", "north_manager", "A", body={"name": "north ops"}),
    row(
        D,
        "/api/departments/{department_id}",
        "admin",
        "A",
        control={"department_id": "department2"},
    ),
    row(G, "/api/teams", "admin", EVERYONE),
    row(
        P,
        "/api/teams",
        "north_manager",
        "A",
        body={"name": "East crew {u}", "department_id": "$department"},
    ),
    row(G, "/api/teams/{team_id}", "north_manager", EVERYONE),
    row(H, "/api/teams/{team_id}", "north_manager", "A", body={"name": "north crew"}),
    row(D, "/api/teams/{team_id}", "admin", "A", control={"team_id": "team2"}),
    row(G, "/api/skills", "admin", EVERYONE),
    row(P, "/api/skills", "admin", "AM", body={"code": "welding-{u}", "name": "Welding"}),
    row(G, "/api/skills/{skill_code}", "north_tech", EVERYONE),
    row(H, "/api/skills/{skill_code}", "admin", "AM", body={"name": "Electrical"}),
    row(D, "/api/skills/{skill_code}", "admin", "AM", control={"skill_code": "skill2"}),
    # Master data.
    row(G, "/api/customer-groups", "admin", EVERYONE),
    row(P, "/api/customer-groups", "admin", "AM", body={"name": "Hotels {u}"}),
    row(G, "/api/customer-groups/{group_id}", "admin", EVERYONE),
    row(H, "/api/customer-groups/{group_id}", "admin", "AM", body={"name": "Retail"}),
    row(D, "/api/customer-groups/{group_id}", "admin", "AM", control={"group_id": "group2"}),
    row(G, "/api/customers", "admin", EVERYONE),
    row(P, "/api/customers", "admin", "AM", body={"name": "Beta Hotels {u}"}),
    row(G, "/api/customers/{customer_id}", "admin", EVERYONE),
    row(H, "/api/customers/{customer_id}", "admin", "AM", body={"name": "Acme Stores"}),
    row(D, "/api/customers/{customer_id}", "admin", "AM", control={"customer_id": "customer2"}),
    row(G, "/api/sites", "admin", EVERYONE),
    row(
        P,
        "/api/sites",
        "admin",
        "AM",
        body={"name": "Depot {u}", "latitude": 31.0, "longitude": 121.0},
    ),
    row(G, "/api/sites/{site_id}", "admin", EVERYONE),
    row(H, "/api/sites/{site_id}", "admin", "AM", body={"name": "Acme Central"}),
    row(D, "/api/sites/{site_id}", "admin", "AM", control={"site_id": "site2"}),
    row(G, "/api/assets", "admin", EVERYONE),
    row(
        P,
        "/api/assets",
        "admin",
        "AM",
        body={"tag": "NEW-{u}", "name": "Fan", "asset_type": "fan", "site_id": "$site"},
    ),
    row(G, "/api/assets/{asset_id}", "admin", EVERYONE),
    row(H, "/api/assets/{asset_id}", "admin", "AM", body={"name": "Pump VX-0001"}),
    row(D, "/api/assets/{asset_id}", "admin", "AM", control={"asset_id": "asset2"}),
    row(G, "/api/assets/by-tag/{tag}", "admin", EVERYONE),
    row(G, "/api/service-items", "admin", EVERYONE),
    row(P, "/api/service-items", "admin", "AM", body={"name": "Lift care {u}"}),
    row(G, "/api/service-items/{item_id}", "admin", EVERYONE),
    row(H, "/api/service-items/{item_id}", "admin", "AM", body={"name": "Chiller care"}),
    row(D, "/api/service-items/{item_id}", "admin", "AM", control={"item_id": "service_item2"}),
    # The victim order and everything hanging off it.
    row(G, f"{W}/attachments", "north_tech", ORDER_PEEKERS, 404),
    row(P, f"{W}/attachments", "north_tech", ORDER_PEEKERS, 404, body={"sha256": "$sha256"}),
    row(G, f"{W}/comments", "requester", ORDER_PEEKERS, 404),
    row(P, f"{W}/comments", "north_tech", ORDER_PEEKERS, 404, body={"body": "Seen."}),
    row(P, f"{W}/assignment", "north_manager", ORDER_PEEKERS, 404, body={"assignee_id": "$user"}),
    row(G, "/api/work-orders", "north_manager", EVERYONE, query={"view": "all"}),
    row(P, "/api/work-orders", "requester", EVERYONE, body={"title": "Door sticks"}),
    row(G, W, "requester", ORDER_PEEKERS, 404),
    row(H, W, "north_manager", ORDER_PEEKERS, 404, body={"priority": "P3"}),
    row(G, "/api/work-orders/lifecycle", "north_tech", EVERYONE),
    row(G, f"{W}/gantt", "north_manager", ORDER_PEEKERS, 404, params={"order_id": "project"}),
    row(
        P,
        f"{W}/rating",
        "requester",
        "",
        404,
        body={"score": 5},
        params={"order_id": "order_done"},
        special={"A": 403},
    ),
    row(
        U,
        f"{W}/dependencies",
        "north_manager",
        ORDER_PEEKERS,
        403,
        body={"depends_on": []},
        params={"order_id": "task"},
        special={"M": 404},
    ),
    row(U, f"{W}/flags", "north_tech", ORDER_PEEKERS, 404, body={"starred": True}),
    row(G, f"{W}/timeline", "requester", ORDER_PEEKERS, 404),
    row(
        P,
        f"{W}/transitions",
        "north_tech",
        ORDER_PEEKERS,
        404,
        body={"action": "suspend", "reason": "waiting for parts"},
        control={"order_id": "order2"},
    ),
    row(
        P,
        f"{W}/urge",
        "requester",
        ORDER_PEEKERS,
        404,
        body={"note": "please"},
        control={"order_id": "order2"},
    ),
    row(G, "/api/work-orders/export", "north_manager", EVERYONE, query={"format": "csv"}),
    row(G, f"{W}/articles", "north_tech", ORDER_PEEKERS, 404),
    row(G, f"{W}/suggestions", "north_manager", ORDER_PEEKERS, 403, special={"M": 404}),
    row(G, f"{W}/check-ins", "north_tech", ORDER_PEEKERS, 404),
    row(
        P,
        f"{W}/check-ins",
        "north_tech",
        "",
        404,
        special={"A": 403},
        body={"latitude": 31.23, "longitude": 121.47, "accuracy_m": 10},
    ),
    row(G, f"{W}/expenses", "north_tech", ORDER_PEEKERS, 404),
    row(
        P,
        f"{W}/expenses",
        "north_tech",
        ORDER_PEEKERS,
        404,
        body={"category": "parking", "amount": "2.00"},
    ),
    row(G, f"{W}/costs", "north_manager", ORDER_PEEKERS, 404),
    row(G, f"{W}/labour", "north_tech", ORDER_PEEKERS, 404),
    row(P, f"{W}/labour", "north_tech", ORDER_PEEKERS, 404, body={"minutes": 5}),
    row(G, f"{W}/parts", "north_tech", ORDER_PEEKERS, 404),
    row(
        P,
        f"{W}/parts",
        "north_tech",
        ORDER_PEEKERS,
        404,
        body={"part_id": "$part", "store_id": "$store", "quantity": 1},
    ),
    # Templates, SLA.
    row(G, "/api/templates", "admin", EVERYONE),
    row(P, "/api/templates", "admin", "AM", body={"name": "Survey {u}", "kind": "service"}),
    row(G, "/api/templates/{template_id}", "admin", EVERYONE),
    row(H, "/api/templates/{template_id}", "admin", "AM", body={"name": "Repair"}),
    row(G, "/api/sla/rules", "admin", "AM"),
    row(
        P,
        "/api/sla/rules",
        "admin",
        "A",
        body={
            "service_item_id": "$service_item",
            "response_minutes": MINUTES,
            "resolution_minutes": MINUTES,
        },
    ),
    row(G, "/api/sla/calendars/{group_id}", "admin", "AM"),
    row(
        U,
        "/api/sla/calendars/{group_id}",
        "admin",
        "A",
        body={"week": [[["09:00", "17:00"]]] * 5 + [[], []]},
    ),
    row(D, "/api/sla/calendars/{group_id}", "admin", "A", control={"group_id": "group3"}),
    row(G, "/api/sla/rules/{rule_id}", "admin", "AM"),
    row(H, "/api/sla/rules/{rule_id}", "admin", "A", body={"response_minutes": MINUTES}),
    row(D, "/api/sla/rules/{rule_id}", "admin", "A", control={"rule_id": "sla_rule2"}),
    row(G, "/api/sla/breaches", "north_manager", "AM"),
    # Plans.
    row(G, "/api/plans", "north_manager", "AM"),
    row(
        P,
        "/api/plans",
        "north_manager",
        "AM",
        body={
            "name": "Daily",
            "starts_at": "$now",
            "rrule": "FREQ=DAILY",
            "order": {"title": "Daily walk"},
        },
    ),
    row(G, "/api/plans/{plan_id}", "north_manager", "A", 403, special={"M": 404}),
    row(
        H,
        "/api/plans/{plan_id}",
        "north_manager",
        "A",
        403,
        body={"name": "Vxplan weekly"},
        special={"M": 404},
    ),
    row(
        D,
        "/api/plans/{plan_id}",
        "north_manager",
        "A",
        403,
        control={"plan_id": "plan2"},
        special={"M": 404},
    ),
    row(
        P,
        "/api/plans/{plan_id}/pause",
        "north_manager",
        "A",
        403,
        control={"plan_id": "plan3"},
        special={"M": 404},
    ),
    row(
        P,
        "/api/plans/{plan_id}/resume",
        "north_manager",
        "A",
        403,
        control={"plan_id": "plan3"},
        special={"M": 404},
    ),
    row(G, "/api/maintenance/plans", "north_manager", "AM"),
    row(
        P,
        "/api/maintenance/plans",
        "north_manager",
        "AM",
        body={
            "name": "Yearly",
            "asset_type": "pump",
            "trigger": "time",
            "interval_days": 365,
            "order": {"title": "Yearly service"},
        },
    ),
    row(
        G,
        "/api/maintenance/plans/{plan_id}",
        "north_manager",
        "A",
        403,
        params={"plan_id": "pm_plan"},
        special={"M": 404},
    ),
    row(
        D,
        "/api/maintenance/plans/{plan_id}",
        "north_manager",
        "A",
        403,
        params={"plan_id": "pm_plan"},
        control={"plan_id": "pm_plan2"},
        special={"M": 404},
    ),
    row(G, "/api/assets/{asset_id}/meter-readings", "north_manager", EVERYONE),
    row(P, "/api/assets/{asset_id}/meter-readings", "north_tech", "AMTI", body={"value": 11}),
    # Knowledge.
    row(G, "/api/knowledge/articles", "north_manager", EVERYONE),
    row(
        P,
        "/api/knowledge/articles",
        "north_manager",
        "AM",
        body={"title": "How to", "body": "Text.", "language": "en"},
    ),
    row(G, "/api/knowledge/articles/{article_id}", "north_tech", "AMTI", 404),
    row(H, "/api/knowledge/articles/{article_id}", "north_manager", "AM", body={"tags": ["hvac"]}),
    row(
        D,
        "/api/knowledge/articles/{article_id}",
        "north_manager",
        "AM",
        control={"article_id": "article2"},
    ),
    row(
        P,
        "/api/knowledge/articles/{article_id}/feedback",
        "north_tech",
        "AMTI",
        404,
        body={"helped": True},
    ),
    row(G, "/api/knowledge/suggestions", "north_tech", EVERYONE, query={"q": "chiller"}),
    # Notifications, push, chat robots.
    row(G, "/api/notifications", "north_tech", EVERYONE),
    row(P, "/api/notifications/read", "north_tech", EVERYONE),
    row(P, "/api/notifications/{notification_id}/read", "north_manager", "", 404),
    row(G, "/api/push/key", "north_tech", EVERYONE),
    row(G, "/api/notifications/{notification_id}/delivery", "north_manager", "A", 404),
    row(G, "/api/push/subscriptions", "north_tech", EVERYONE),
    row(
        P,
        "/api/push/subscriptions",
        "north_tech",
        EVERYONE,
        body={"endpoint": "http://127.0.0.1:9/push/own", "keys": "$push_keys"},
    ),
    row(
        P,
        "/api/push/unsubscribe",
        "north_tech",
        "",
        404,
        body={"endpoint": "http://127.0.0.1:9/push/Vxpush"},
        control_body={"endpoint": "http://127.0.0.1:9/push/spare"},
    ),
    row(G, "/api/chat-robots", "north_manager", "AM"),
    row(
        P,
        "/api/chat-robots",
        "north_manager",
        "A",
        body={
            "name": "Own",
            "platform": "wecom",
            "url": "http://127.0.0.1:9/robot/own",
            "department_id": "$department",
            "kinds": ["assigned"],
        },
    ),
    row(G, "/api/chat-robots/{robot_id}", "north_manager", "A", 403, special={"M": 404}),
    row(
        H,
        "/api/chat-robots/{robot_id}",
        "north_manager",
        "A",
        403,
        body={"active": True},
        special={"M": 404},
    ),
    row(
        D,
        "/api/chat-robots/{robot_id}",
        "north_manager",
        "A",
        403,
        control={"robot_id": "robot2"},
        special={"M": 404},
    ),
    row(P, "/api/chat-robots/{robot_id}/test", "north_manager", "A", 403, special={"M": 404}),
    row(G, "/api/me/notification-preferences", "north_tech", EVERYONE),
    row(U, "/api/me/notification-preferences", "north_tech", EVERYONE, body={}),
    row(G, "/api/users/{user_id}/notification-preferences", "admin", "A", 404),
    row(U, "/api/users/{user_id}/notification-preferences", "admin", "A", 404, body={}),
    row(P, "/api/sms/inbound", "anonymous", owner_status=404),
    # Sync and blobs.
    row(G, "/api/sync/info", "north_tech", EVERYONE),
    row(
        P, "/api/sync/pull", "north_tech", EVERYONE, body={"protocol": 1, "client_id": "$client_id"}
    ),
    row(
        P,
        "/api/sync/push",
        "north_tech",
        EVERYONE,
        body={"protocol": 1, "client_id": "$client_id", "mutations": []},
    ),
    row(G, "/api/sync/conflicts", "north_manager", "AM"),
    row(
        P,
        "/api/sync/conflicts/{conflict_id}/resolve",
        "admin",
        "A",
        403,
        special={"M": 404},
        body={"resolution": "kept the office's text"},
    ),
    row(G, "/api/blobs/missing", "north_tech", EVERYONE),
    row(G, "/api/blobs/{sha256}", "north_tech", "A", 404),
    row(U, "/api/blobs/{sha256}", "north_tech", EVERYONE, content=photo()),
    row(G, "/api/blobs/{sha256}/upload", "north_tech", EVERYONE),
    # Geo.
    row(
        G,
        "/api/geocode",
        "north_manager",
        "",
        query={"address": "Central"},
        special={"A": 503, "M": 503},
        owner_status=503,
    ),
    row(G, "/api/check-ins/flagged", "north_manager", "AM"),
    row(G, "/api/dispatch/auto-assign/{department_id}", "north_manager", "A"),
    row(
        U,
        "/api/dispatch/auto-assign/{department_id}",
        "north_manager",
        "A",
        body={"priorities": []},
    ),
    row(P, "/api/dispatch/batch", "north_manager", "A", body={"department_id": "$department"}),
    row(G, "/api/me/duty", "north_tech", EVERYONE),
    row(U, "/api/me/duty", "north_tech", "TI", body={"on_duty": True}),
    row(
        P,
        "/api/me/positions",
        "north_tech",
        "TI",
        body={"fixes": [{"at": "$now", "latitude": 31.23, "longitude": 121.47, "accuracy_m": 5}]},
    ),
    row(G, "/api/people/{user_id}/route", "north_manager", "A", 404, query={"day": "$today"}),
    row(G, "/api/map/events", "north_manager", "AM", stream=True),
    row(G, "/api/map/orders", "north_manager", "AM"),
    row(G, "/api/map/technicians", "north_manager", "AM"),
    # Inspection.
    row(G, "/api/assets/{asset_id}/label.png", "north_manager", EVERYONE),
    row(G, "/api/assets/{asset_id}/label.svg", "north_manager", EVERYONE),
    row(G, "/api/labels/sheet.pdf", "north_manager", "AM", query={"site_id": "$site"}),
    row(G, "/api/labels/sheet.svg", "north_manager", "AM", query={"site_id": "$site"}),
    row(G, "/api/scan/{code}", "north_tech", "AM", 404),
    row(G, "/api/checklists/{asset_type}", "north_inspector", EVERYONE),
    row(G, "/api/checklists", "north_inspector", EVERYONE),
    row(
        U,
        "/api/checklists",
        "north_manager",
        "AM",
        body={
            "asset_type": "fan",
            "name": "Fan check",
            "items": [{"key": "running", "label": "Running", "kind": "pass_fail"}],
        },
    ),
    row(G, "/api/inspections/{result_id}", "north_inspector", "AM", 404),
    row(G, "/api/inspections", "north_inspector", EVERYONE),
    row(
        P,
        "/api/inspections",
        "north_inspector",
        "AM",
        special={"T": 404, "I": 404},
        body={"code": "$tag", "answers": {"running": True, "pressure": 4.0, "noise": "quiet"}},
    ),
    row(G, "/api/rounds", "north_manager", EVERYONE),
    row(
        P,
        "/api/rounds",
        "north_manager",
        "AM",
        body={"name": "Walk", "team_id": "$team", "checkpoints": ["$asset"], "starts_at": "$now"},
    ),
    row(G, "/api/rounds/{round_id}", "north_manager", "AM", 404),
    row(D, "/api/rounds/{round_id}", "north_manager", "AM", control={"round_id": "round2"}),
    row(G, "/api/round-runs/{run_id}", "north_inspector", "AM", 404),
    row(G, "/api/round-runs", "north_inspector", EVERYONE),
    row(
        P,
        "/api/round-runs/{run_id}/skips",
        "north_inspector",
        "AM",
        404,
        body={"asset_id": "$asset", "reason": "locked"},
        control={"run_id": "run2"},
    ),
    *(
        row(G, f"/api/inspection-reports/{name}", "north_manager", "AM")
        for name in (
            "completion",
            "completion.csv",
            "failures",
            "failures.csv",
            "missed",
            "missed.csv",
        )
    ),
    # Costs.
    row(G, "/api/parts", "north_tech", "AMTI"),
    row(
        P,
        "/api/parts",
        "admin",
        "AM",
        body={"code": "NEW-{u}", "name": "Belt", "unit_cost": "1.00"},
    ),
    row(G, "/api/parts/{part_id}", "north_tech", "AMTI"),
    row(H, "/api/parts/{part_id}", "admin", "AM", body={"name": "Seal"}),
    row(G, "/api/stores", "north_tech", "AMTI"),
    row(P, "/api/stores", "admin", "A", body={"name": "Depot {u}", "kind": "warehouse"}),
    row(G, "/api/stores/{store_id}", "north_tech", "A", 404, special={"R": 403}),
    row(
        H, "/api/stores/{store_id}", "admin", "A", body={"name": "Vxstore van"}, special={"M": 404}
    ),
    row(
        H,
        "/api/stores/{store_id}/stock/{part_id}",
        "north_manager",
        "A",
        body={"threshold": 1},
        special={"M": 404},
    ),
    row(G, "/api/stores/{store_id}/stock", "north_tech", "A", 404, special={"R": 403}),
    row(G, "/api/stock-movements", "north_manager", "AMTI"),
    row(
        P,
        "/api/stock-movements",
        "admin",
        "A",
        body={"kind": "receive", "part_id": "$part", "store_id": "$store", "quantity": 1},
    ),
    row(G, "/api/labour-rates", "admin", "AM"),
    row(P, "/api/labour-rates", "admin", "A", body={"hourly_rate": "45.00", "role": "technician"}),
    # Integrations.
    row(G, "/api/api-keys", "admin", "A"),
    row(
        P,
        "/api/api-keys",
        "admin",
        "A",
        body={"name": "Another", "user_id": "$manager", "scopes": ["orders:read"]},
    ),
    row(G, "/api/api-keys/{key_id}", "admin", "A"),
    row(P, "/api/api-keys/{key_id}/revoke", "admin", "A", control={"key_id": "api_key2"}),
    row(G, "/api/webhooks", "admin", "A"),
    row(
        P,
        "/api/webhooks",
        "admin",
        "A",
        body={"name": "CRM", "url": "https://hooks.example/crm", "events": ["order.rated"]},
    ),
    row(G, "/api/webhooks/{webhook_id}", "admin", "A"),
    row(H, "/api/webhooks/{webhook_id}", "admin", "A", body={"name": "ERP"}),
    row(D, "/api/webhooks/{webhook_id}", "admin", "A", control={"webhook_id": "webhook2"}),
    row(G, "/api/webhooks/{webhook_id}/deliveries", "admin", "A"),
    row(G, "/api/webhooks/{webhook_id}/deliveries/{delivery_id}", "admin", "A"),
    row(P, "/api/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver", "admin", "A"),
    row(P, "/api/webhooks/{webhook_id}/secret", "admin", "A", control={"webhook_id": "webhook3"}),
    row(P, "/api/me/calendar-token", "north_tech", EVERYONE),
    row(D, "/api/me/calendar-token", "north_tech", EVERYONE),
    # Reports.
    row(G, "/api/reports/assets", "north_manager", "AM"),
    row(G, "/api/reports/charts/{file}", "north_manager", "AM"),
    row(G, "/api/reports/customer-groups", "north_manager", "AM"),
    row(G, "/api/reports/dashboard", "north_manager", "AM"),
    row(G, "/api/reports/departments", "north_manager", "AM"),
    row(G, "/api/reports/{report}/export", "north_manager", "AM", query={"format": "csv"}),
    row(G, "/api/reports/sites", "north_manager", "AM"),
    row(G, "/api/reports/technicians", "north_manager", "AM"),
]
