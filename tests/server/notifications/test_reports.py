"""The summary report e-mails: when they fall due, for whom, with which figures, and
what the mail that reaches the SMTP server says."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import msgspec

from server.accounts.tables import User
from server.database import json_column
from server.masterdata.tables import Site
from server.notifications.mail import MailSender
from server.notifications.messages import MessageOutbox
from server.notifications.reports import NAME
from server.notifications.tables import Message, NotificationPreference
from server.scheduler.tables import Job
from server.settings import Settings
from server.sla.tables import SlaBreach
from tests.clock import FakeClock
from tests.scheduling import run_periodic
from tests.server.notifications.mailbox import Mailbox, mailbox
from tests.server.workorders.orders import put_order
from tests.world import World

SHANGHAI = ZoneInfo("Asia/Shanghai")
LONDON = ZoneInfo("Europe/London")


def at(text: str, zone: ZoneInfo = SHANGHAI) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone).astimezone(UTC)


async def subscribe(
    world: World,
    name: str,
    report: str,
    *,
    language: str = "en",
    zone: str = "Asia/Shanghai",
    address: bool = True,
) -> None:
    user = world.id(name)
    await User.update(
        {User.email: f"{name}@example.com" if address else None, User.language: language}
    ).where(User.id == user)
    await NotificationPreference(id=uuid4(), user=user, report=report, timezone=zone).save()


async def build(world: World) -> None:
    """Readers and orders around Sunday 2026-11-29 (times in Shanghai unless said)."""
    await subscribe(world, "north_manager", "daily")
    await subscribe(world, "south_manager", "daily", language="zh-CN", zone="Europe/London")
    await subscribe(world, "admin", "weekly", language="zh-CN")
    # None of these gets a report: it is off, there is no address, or no authority.
    await world.add_user("east_manager", "manager", manages=["north"])
    await subscribe(world, "east_manager", "off")
    await world.add_user("west_manager", "manager", manages=["north"])
    await subscribe(world, "west_manager", "daily", address=False)
    await subscribe(world, "north_tech", "daily")

    sites = {"central": world.sites["central"]}
    for key, name in [
        ("bay", "Bay Depot"),
        ("cedar", "Cedar Plant"),
        ("dock", "Dock Yard"),
        ("east", "East Gate"),
        ("fir", "Fir Store"),
    ]:
        site = Site(id=uuid4(), name=name, latitude=31.2, longitude=121.4)
        await site.save()
        sites[key] = site.id

    async def order(
        status: str,
        priority: str,
        site: str,
        created: str,
        resolved: str | None = None,
        **more: Any,
    ) -> Any:
        return await put_order(
            world,
            status,
            priority=priority,
            site=sites[site],
            created_at=at(created),
            resolved_at=at(resolved) if resolved else None,
            **more,
        )

    n1 = await order("new", "P1", "central", "2026-11-29 10:00")
    await order("assigned", "P2", "bay", "2026-11-29 23:59")
    await order("new", "P3", "central", "2026-11-30 00:30")
    await order("resolved", "P2", "cedar", "2026-11-28 09:00", "2026-11-29 15:00")
    n5 = await order("closed", "P3", "central", "2026-11-20 10:00", "2026-11-28 12:00")
    await order("cancelled", "P1", "central", "2026-11-29 00:00")
    n7 = await order("in_progress", "P4", "dock", "2026-11-28 23:59:59")
    await order("cancelled", "P3", "fir", "2026-11-26 10:00")
    s1 = await order("in_progress", "P1", "central", "2026-11-29 12:00", department="south")
    await order("suspended", "P5", "bay", "2026-11-25 10:00", department="south")
    # Monday in Shanghai, still Sunday in London.
    await order("new", "P2", "east", "2026-11-30 02:00", department="south")
    await order("new", "P3", "east", "2026-11-29 09:00", department=None)

    breaches = [
        (n1, "response", "2026-11-29 14:00"),
        (n1, "resolution", "2026-11-29 20:00"),
        (n7, "resolution", "2026-11-28 20:00"),
        (s1, "response", "2026-11-29 18:00"),
        (n5, "resolution", "2026-11-21 10:00"),
    ]
    await SlaBreach.insert(
        *(
            SlaBreach(
                id=uuid4(),
                order=order_id,
                clock=clock,
                priority="P1",
                due_at=at(when),
                breached_at=at(when),
            )
            for order_id, clock, when in breaches
        )
    )


def backlog(*counts: int) -> list[dict[str, Any]]:
    return [{"priority": f"P{i}", "orders": n} for i, n in enumerate(counts, 1)]


def sites(*found: tuple[str, int]) -> list[dict[str, Any]]:
    return [{"name": name, "orders": n} for name, n in found]


# Counted by hand from build(): north's Sunday and Saturday in Shanghai, south's
# Sunday and Saturday in London, every order over the admin's Shanghai weeks.
NORTH = {
    "frequency": "daily",
    "period": "2026-11-29",
    "period_start": "2026-11-29",
    "period_end": "2026-11-29",
    "created": 3,
    "resolved": 1,
    "breached": 1,
    "previous_created": 2,
    "previous_resolved": 1,
    "previous_breached": 1,
    "backlog": backlog(1, 1, 1, 1, 0),
    "open": 4,
    "sites": sites(("Acme Central", 2), ("Bay Depot", 1)),
}
SOUTH = {
    "frequency": "daily",
    "period": "2026-11-29",
    "period_start": "2026-11-29",
    "period_end": "2026-11-29",
    "created": 2,
    "resolved": 0,
    "breached": 1,
    "previous_created": 0,
    "previous_resolved": 0,
    "previous_breached": 0,
    "backlog": backlog(1, 1, 0, 0, 1),
    "open": 3,
    "sites": sites(("Acme Central", 1), ("East Gate", 1)),
}
ADMIN = {
    "frequency": "weekly",
    "period": "2026-11-23 – 2026-11-29",
    "period_start": "2026-11-23",
    "period_end": "2026-11-29",
    "created": 9,
    "resolved": 2,
    "breached": 3,
    "previous_created": 1,
    "previous_resolved": 0,
    "previous_breached": 1,
    "backlog": backlog(2, 2, 2, 1, 1),
    "open": 8,
    "sites": sites(
        ("Acme Central", 3),
        ("Bay Depot", 2),
        ("Cedar Plant", 1),
        ("Dock Yard", 1),
        ("East Gate", 1),
    ),
}


async def reports() -> dict[str, dict[str, Any]]:
    """The report messages made so far by key, with what they carry."""
    rows = await Message.select().where(Message.kind == "report").order_by(Message.key)
    return {
        row["key"]: {
            "channel": row["channel"],
            "target": row["target"],
            "language": row["language"],
            "params": json_column(row["params"]),
        }
        for row in rows
    }


def key(world: World, name: str, frequency: str, first_day: str) -> str:
    return f"report:{world.id(name)}:{frequency}:{first_day}"


async def run_at(settings: Settings, clock: FakeClock, when: datetime) -> dict[str, Any]:
    clock.now = when
    await run_periodic(settings, clock)
    # A failing run would be retried later and make nothing meanwhile: none may fail.
    assert await Job.count().where(Job.kind == NAME, Job.last_error != "") == 0
    return await reports()


async def test_reports_fall_due_at_eight_local_once_with_the_readers_figures(
    world: World, settings: Settings, clock: FakeClock
) -> None:
    await build(world)
    assert await run_at(settings, clock, at("2026-11-30 07:59")) == {}

    made = await run_at(settings, clock, at("2026-11-30 08:00"))
    north = key(world, "north_manager", "daily", "2026-11-29")
    admin = key(world, "admin", "weekly", "2026-11-23")
    assert made == {
        north: {
            "channel": "email",
            "target": "north_manager@example.com",
            "language": "en",
            "params": NORTH,
        },
        admin: {
            "channel": "email",
            "target": "admin@example.com",
            "language": "zh-CN",
            "params": ADMIN,
        },
    }
    # Again, by a process that never saw that run (its job forgotten): nothing twice.
    await Job.delete().where(Job.kind == NAME)
    assert await run_at(settings, clock, at("2026-11-30 08:30")) == made
    assert await run_at(settings, clock, at("2026-11-30 09:00")) == made

    # South's manager reads in London, where Sunday ended eight hours later.
    assert await run_at(settings, clock, at("2026-11-30 07:59", LONDON)) == made
    made = await run_at(settings, clock, at("2026-11-30 08:00", LONDON))
    south = key(world, "south_manager", "daily", "2026-11-29")
    assert made.keys() == {north, admin, south}
    assert made[south]["params"] == SOUTH
    assert made[south]["language"] == "zh-CN"


async def test_hourly_runs_make_one_report_a_day_and_the_weekly_one_on_monday(
    world: World, settings: Settings, clock: FakeClock
) -> None:
    await build(world)
    first: dict[str, datetime] = {}
    clock.now = at("2026-11-28 06:00")
    while clock.now <= at("2026-12-01 12:00"):
        for made in await run_at(settings, clock, clock.now):
            first.setdefault(made, clock.now)
        clock.advance(hours=1)
    assert first == {
        key(world, "north_manager", "daily", "2026-11-27"): at("2026-11-28 08:00"),
        key(world, "north_manager", "daily", "2026-11-28"): at("2026-11-29 08:00"),
        key(world, "north_manager", "daily", "2026-11-29"): at("2026-11-30 08:00"),
        key(world, "north_manager", "daily", "2026-11-30"): at("2026-12-01 08:00"),
        key(world, "south_manager", "daily", "2026-11-27"): at("2026-11-28 08:00", LONDON),
        key(world, "south_manager", "daily", "2026-11-28"): at("2026-11-29 08:00", LONDON),
        key(world, "south_manager", "daily", "2026-11-29"): at("2026-11-30 08:00", LONDON),
        key(world, "admin", "weekly", "2026-11-23"): at("2026-11-30 08:00"),
    }


async def test_a_report_missed_while_down_is_sent_on_return_for_the_latest_period_only(
    world: World, settings: Settings, clock: FakeClock
) -> None:
    await build(world)
    assert await run_at(settings, clock, at("2026-11-29 22:00")) == {}
    # Down from Sunday night to Tuesday morning: Monday's reports fell due meanwhile.
    made = await run_at(settings, clock, at("2026-12-01 10:00"))
    assert made.keys() == {
        key(world, "north_manager", "daily", "2026-11-30"),
        key(world, "south_manager", "daily", "2026-11-29"),
        key(world, "admin", "weekly", "2026-11-23"),
    }
    assert made[key(world, "admin", "weekly", "2026-11-23")]["params"] == ADMIN


def mails(box: Mailbox) -> dict[str, dict[str, Any]]:
    """The received mails by recipient, with the line ends SMTP gave them as newlines."""
    found = {}
    for index in range(len(box.mails)):
        mail = box.parts(index)
        found[mail["to"]] = {
            **mail,
            "text": mail["text"].replace("\r\n", "\n"),
            "html": mail["html"].replace("\r\n", "\n"),
        }
    return found


async def test_reports_are_mailed_with_their_figures_in_the_readers_language(
    world: World, settings: Settings, clock: FakeClock
) -> None:
    await build(world)
    await run_at(settings, clock, at("2026-11-30 08:00"))
    await run_at(settings, clock, at("2026-11-30 08:00", LONDON))
    async with mailbox() as box:
        mailing = msgspec.structs.replace(
            settings, smtp_host="127.0.0.1", smtp_port=box.port, smtp_security="none"
        )
        outbox = MessageOutbox(mailing, clock, {"email": MailSender(mailing)})
        assert await outbox.run_due() == 3
    assert await Message.count().where(Message.state == "sent") == 3
    received = mails(box)

    north = received["north_manager@example.com"]
    assert north["subject"] == "FieldOps summary 2026-11-29: 3 new, 1 overdue"
    text, html = north["text"], north["html"]
    assert "Daily summary 2026-11-29" in text
    assert "New orders: 3 (Period before: 2)" in text
    assert "Overdue (SLA): 1 (Period before: 1)" in text
    assert "  P4: 1\n  P5: 0\n  Total: 4" in text
    assert "  Acme Central: 2\n  Bay Depot: 1\n" in text
    assert f"{settings.base_url}/" in text
    assert "Open now by priority" in html
    assert ">Bay Depot</td>" in html
    assert f'href="{settings.base_url}/"' in html

    admin = received["admin@example.com"]
    assert admin["subject"] == "FieldOps 工单汇总 2026-11-23 – 2026-11-29：新建 9，超时 3"
    text, html = admin["text"], admin["html"]
    assert "每周汇总 2026-11-23 – 2026-11-29" in text
    assert "新建工单: 9 (上期: 1)" in text
    assert "已解决: 2 (上期: 0)" in text
    assert "  East Gate: 1\n" in text
    assert "Fir Store" not in text
    assert "合计: 8" in text
    assert "当前未完成（按优先级）" in html
    assert ">Dock Yard</td>" in html

    south = received["south_manager@example.com"]
    assert south["subject"] == "FieldOps 工单汇总 2026-11-29：新建 2，超时 1"
    text, html = south["text"], south["html"]
    assert "每日汇总 2026-11-29" in text
    assert "超时（SLA）: 1 (上期: 0)" in text
    assert '<html lang="zh-CN">' in html
