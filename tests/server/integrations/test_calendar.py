"""The private iCalendar feed: a technician's planned orders as events that a calendar
app reads without logging in, stable per order; a new address stops the old one."""

from __future__ import annotations

from datetime import timedelta

import httpx
from icalendar import Calendar

from server.accounts.tables import User
from server.settings import Settings
from tests.clock import FakeClock
from tests.probes import assert_error
from tests.server.workorders.orders import put_order
from tests.world import World


async def feed_url(client: httpx.AsyncClient, world: World, user: str) -> str:
    answer = await client.post("/api/me/calendar-token", headers=await world.headers(user))
    assert answer.status_code == 201, answer.text
    url: str = answer.json()["url"]
    return url


def path_of(url: str, settings: Settings) -> str:
    assert url.startswith(settings.base_url + "/api/calendar/")
    assert url.endswith(".ics")
    return url.removeprefix(settings.base_url)


async def read_feed(client: httpx.AsyncClient, path: str) -> Calendar:
    answer = await client.get(path)  # no login: the address is the credential
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/calendar")
    return Calendar.from_ical(answer.content)


async def test_the_feed_holds_the_technicians_planned_orders(
    client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    start = clock.now + timedelta(days=1)
    planned = await put_order(
        world,
        "assigned",
        assignee="north_tech",
        title="Replace filter",
        number=42,
        site=world.sites["central"],
        planned_start_at=start,
        planned_end_at=start + timedelta(hours=2),
    )
    start_only = await put_order(
        world, "accepted", assignee="north_tech", number=43, planned_start_at=start
    )
    await put_order(world, "assigned", assignee="north_tech")  # not planned
    await put_order(world, "cancelled", assignee="north_tech", planned_start_at=start)
    await put_order(world, "assigned", assignee="north_tech2", planned_start_at=start)
    await put_order(
        world, "closed", assignee="north_tech", planned_start_at=clock.now - timedelta(days=40)
    )
    path = path_of(await feed_url(client, world, "north_tech"), settings)
    calendar = await read_feed(client, path)
    events = {str(event["uid"]): event for event in calendar.walk("VEVENT")}
    assert set(events) == {f"{planned}@fieldops", f"{start_only}@fieldops"}
    event = events[f"{planned}@fieldops"]
    assert str(event["summary"]) == "WO-000042 Replace filter"
    assert str(event["location"]) == "Acme Central"
    assert str(event["url"]) == f"{settings.base_url}/#/orders/{planned}"
    assert event.decoded("dtstart") == start
    assert event.decoded("dtend") == start + timedelta(hours=2)
    short = events[f"{start_only}@fieldops"]
    assert short.decoded("dtend") - short.decoded("dtstart") == timedelta(hours=1)
    assert "location" not in short


async def test_an_event_keeps_its_uid_as_the_order_changes(
    client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    start = clock.now + timedelta(hours=3)
    order = await put_order(world, "new", department="north", planned_start_at=start)
    assigned = await client.post(
        f"/api/work-orders/{order}/assignment",
        json={"assignee_id": str(world.id("north_tech"))},
        headers=await world.headers("north_manager"),
    )
    assert assigned.status_code == 200, assigned.text
    path = path_of(await feed_url(client, world, "north_tech"), settings)
    (before,) = (await read_feed(client, path)).walk("VEVENT")
    moved = await client.patch(
        f"/api/work-orders/{order}",
        json={"planned_start_at": (start + timedelta(hours=1)).isoformat()},
        headers=await world.headers("north_manager"),
    )
    assert moved.status_code == 200, moved.text
    (after,) = (await read_feed(client, path)).walk("VEVENT")
    assert str(after["uid"]) == str(before["uid"]) == f"{order}@fieldops"
    assert after.decoded("dtstart") == start + timedelta(hours=1)
    assert int(after["sequence"]) > int(before["sequence"])


async def test_a_new_address_stops_the_old_one(
    client: httpx.AsyncClient, world: World, settings: Settings
) -> None:
    old = path_of(await feed_url(client, world, "north_tech"), settings)
    await read_feed(client, old)
    new = path_of(await feed_url(client, world, "north_tech"), settings)
    assert new != old
    assert_error(await client.get(old), 404, "not_found")
    await read_feed(client, new)
    stopped = await client.delete(
        "/api/me/calendar-token", headers=await world.headers("north_tech")
    )
    assert stopped.status_code == 204
    assert_error(await client.get(new), 404, "not_found")
    again = await client.delete("/api/me/calendar-token", headers=await world.headers("north_tech"))
    assert_error(again, 404, "not_found")


async def test_unknown_addresses_and_disabled_users_answer_404(
    client: httpx.AsyncClient, world: World, settings: Settings
) -> None:
    path = path_of(await feed_url(client, world, "north_tech"), settings)
    assert_error(await client.get(path.removesuffix(".ics")), 404, "not_found")
    assert_error(await client.get("/api/calendar/not-a-token.ics"), 404, "not_found")
    await client.patch(
        f"/api/users/{world.id('north_tech')}",
        json={"active": False},
        headers=await world.headers("admin"),
    )
    assert_error(await client.get(path), 404, "not_found")


async def test_each_user_has_their_own_feed(
    client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    start = clock.now + timedelta(days=2)
    mine = await put_order(world, "assigned", assignee="north_tech", planned_start_at=start)
    theirs = await put_order(world, "assigned", assignee="south_tech", planned_start_at=start)
    for user, order in (("north_tech", mine), ("south_tech", theirs)):
        path = path_of(await feed_url(client, world, user), settings)
        (event,) = (await read_feed(client, path)).walk("VEVENT")
        assert str(event["uid"]) == f"{order}@fieldops"


async def test_a_name_with_line_breaks_cannot_break_the_feed(
    client: httpx.AsyncClient, world: World, settings: Settings
) -> None:
    await User.update({User.display_name: "Bob\r\nX-INJECTED:1"}).where(
        User.id == world.id("north_tech")
    )
    url = await feed_url(client, world, "north_tech")
    answer = await client.get(path_of(url, settings))
    assert answer.status_code == 200, answer.text
    assert b"\r\nX-INJECTED" not in answer.content
    assert Calendar.from_ical(answer.content)["X-WR-CALNAME"] == "FieldOps: Bob X-INJECTED:1"
