"""Which notifications also go out as texts, e-mails and chat-group posts.

A unit of work runs this as it flushes: the notifications it is about to write are
matched against their users' channel choices (notification preferences) and
against the chat robots of their orders' departments, and each match becomes a
message row in the same transaction, for the message outbox to send. One event
told to several people posts to a chat group once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from server.database import fetch, is_sqlite, json_column, one_of_ids
from server.ids import new_id
from server.notifications.tables import Message, Notification

if TYPE_CHECKING:
    from server.workorders.unit import OrderUnit

CHANNELS_SQL = (
    "SELECT u.id, u.phone, u.email, u.language, p.sms, p.email AS emailed FROM app_user u "
    'JOIN notification_preference p ON p."user" = u.id WHERE u.active = {} AND '
)
ROBOTS_SQL = "SELECT id, department, kinds, language FROM chat_robot WHERE active = {} AND "


async def fan_out(unit: OrderUnit) -> None:
    notices = unit.pending(Notification)
    if not notices:
        return
    engine = unit.engine
    sqlite = is_sqlite(engine)
    users = list({notice["user"] for notice in notices})
    condition, bound = one_of_ids(sqlite, "u.id", users)
    people = {
        UUID(str(row["id"])): row
        for row in await fetch(engine, CHANNELS_SQL + condition, [True, bound])
    }
    now = unit.clock()

    def message(channel: str, target: str, notice: dict[str, Any], language: str) -> None:
        unit.insert(
            Message,
            {
                "id": new_id(),
                "channel": channel,
                "target": target,
                "notification": notice["id"],
                "kind": notice["kind"],
                "params": "{}",
                "language": language,
                "next_at": now,
                "created_at": now,
            },
        )

    for notice in notices:
        person = people.get(notice["user"])
        if person is None:
            continue
        if person["phone"] and notice["kind"] in json_column(person["sms"]):
            message("sms", person["phone"], notice, person["language"])
        if person["email"] and notice["kind"] in json_column(person["emailed"]):
            message("email", person["email"], notice, person["language"])

    # One post per event: the first notification of each kind about each order.
    events: dict[tuple[str, UUID], dict[str, Any]] = {}
    for notice in notices:
        if notice["order"] is not None:
            events.setdefault((notice["kind"], notice["order"]), notice)
    if not events:
        return
    departments = {(await unit.order(o, scoped=False))["department"] for _, o in events}
    condition, bound = one_of_ids(sqlite, "department", [d for d in departments if d])
    robots = await fetch(engine, f"{ROBOTS_SQL}(department IS NULL OR {condition})", [True, bound])
    for (kind, order_id), notice in events.items():
        department = (await unit.order(order_id, scoped=False))["department"]
        for robot in robots:
            mine = robot["department"] is None or UUID(str(robot["department"])) == department
            if mine and kind in json_column(robot["kinds"]):
                message("chat", str(robot["id"]), notice, robot["language"])
