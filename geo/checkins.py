"""Check-ins and check-outs on orders, through the API and as sync mutations.

A check-in is accepted whatever it says, and flagged when doubtful: outside the
site's geofence, or with a device clock more than a day ahead or earlier than the
order (then the server's receive time orders it). Checking in moves an order that
is en_route to on_site; the fix becomes the technician's last known position.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from geo import schemas
from geo.fence import verdict
from geo.positions import MAX_AHEAD, remember
from geo.tables import CheckIn
from server.database import json_column
from server.errors import Conflict, Forbidden
from server.ids import new_id
from server.masterdata.tables import Site
from server.workorders.lifecycle import OPEN
from server.workorders.unit import OrderUnit


async def check_in(unit: OrderUnit, order_id: UUID, data: schemas.CheckInCreate) -> UUID:
    order = await unit.order(order_id)
    if order["assignee"] != unit.actor.user_id:
        raise Forbidden("only the order's assignee checks in", code="not_assignee")
    if order["status"] not in OPEN:
        raise Conflict(
            f"an order that is {order['status']} takes no check-ins",
            {"status": order["status"]},
            code="not_open",
        )
    check_in_id = data.id or new_id()
    if await unit.taken(CheckIn, check_in_id):
        raise Conflict(
            "a check-in with this id exists", {"id": str(check_in_id)}, code="already_exists"
        )
    received = unit.clock()
    flags: list[str] = []
    at = received
    if data.device_time is not None:
        if data.device_time > received + MAX_AHEAD or data.device_time < order["created_at"]:
            flags.append("clock_skew")
        else:
            at = data.device_time
    distance = inside = None
    site = await unit.row(Site, order["site"]) if order["site"] is not None else None
    if site is not None:
        found = verdict(
            (site["latitude"], site["longitude"]),
            site["geofence_radius_m"],
            (data.latitude, data.longitude),
            data.accuracy_m,
        )
        distance, inside = round(found.distance_m, 1), found.inside
        if not inside:
            flags.insert(0, "outside_geofence")
    unit.insert(
        CheckIn,
        {
            "id": check_in_id,
            "order": order_id,
            "user": unit.actor.user_id,
            "kind": data.kind,
            "latitude": data.latitude,
            "longitude": data.longitude,
            "accuracy_m": data.accuracy_m,
            "device_time": data.device_time,
            "received_at": received,
            "at": at,
            "distance_m": distance,
            "inside": inside,
            "flags": msgspec.json.encode(flags).decode(),
            "flagged": bool(flags),
        },
    )
    values: dict[str, Any] = {}
    changes: dict[str, Any] = {
        "check_in_id": str(check_in_id),
        "distance_m": distance,
        "inside": inside,
        "flags": flags,
    }
    if data.kind == "check_in" and order["status"] == "en_route":
        values["status"] = "on_site"
        changes["status"] = ["en_route", "on_site"]
    unit.change(order_id, values, data.kind, changes, at)
    remember(unit, unit.actor.user_id, {**msgspec.structs.asdict(data), "at": at}, data.kind)
    return check_in_id


def to_check_in(row: dict[str, Any]) -> schemas.CheckIn:
    return msgspec.convert(
        {
            **row,
            "order_id": row["order"],
            "user_id": row["user"],
            "flags": json_column(row["flags"]),
        },
        schemas.CheckIn,
        strict=False,
    )


def on_site_seconds(items: list[schemas.CheckIn]) -> int | None:
    """Time between each check-in and the check-out after it, summed."""
    total, since, paired = 0.0, None, False
    for item in sorted(items, key=lambda c: c.at):
        if item.kind == "check_in":
            since = since or item.at
        elif since is not None:
            total += (item.at - since).total_seconds()
            since, paired = None, True
    return round(total) if paired else None


def travel_seconds(events: list[dict[str, Any]]) -> int | None:
    """Time from each move to en_route to the next arrival on site, summed, by the
    events' device time where they have one (``changes`` decoded)."""
    total, since, found = 0.0, None, False
    for event in events:
        status = event["changes"].get("status")
        when: datetime = event["device_time"] or event["at"]
        if not status:
            continue
        if status[1] == "en_route":
            since = when
        elif status[1] == "on_site" and since is not None:
            total += max((when - since).total_seconds(), 0.0)
            since, found = None, True
    return round(total) if found else None
