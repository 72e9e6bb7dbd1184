"""A small fixed set of orders whose report figures are worked out by hand in the tests.

Times are UTC. The report period is Monday 2026-10-19 to Sunday 2026-11-01 (two
weeks); the period before it is 2026-10-05 to 2026-10-18. The clock stands at
Monday 2026-11-02 08:00, which is "now" for the backlog's ages.

    order kind              prio dept  site    customer asset status       assignee created      resolved
    O1    customer_request  P2   north central acme     A1    closed       tech     10-20 08:00  10-20 12:00
    O2    customer_request  P3   north central acme     A1    resolved     tech     10-22 10:00  10-23 11:00
    O3    service           P2   north central acme     A2    resolved     tech     10-25 08:00  10-26 11:30 (reopened once)
    O4    customer_request  P3   north central acme     -     closed       tech     10-10 08:00  10-10 11:00
    O5    planned           P4   north central acme     -     resolved     tech2    10-19 06:00  10-19 09:30
    O6    customer_request  P1   south dock    -        A3    resolved     s.tech   10-28 12:00  10-28 14:00
    O7    customer_request  P1   north central acme     A1    in_progress  tech     11-01 20:00
    O8    preventive        P3   north -       acme     -     new          -        10-30 06:00
    O9    customer_request  P2   north central acme     A2    suspended    tech2    10-24 08:00
    O10   customer_request  P5   south dock    -        -     assigned     s.tech   09-15 08:00
    O11   service           P4   north central -        -     assigned     tech2    10-31 12:00
    O12   customer_request  P2   north central acme     A1    resolved     tech2    10-12 08:00  10-12 14:00
    O13   customer_request  P3   north central acme     A1    cancelled    -        10-21 09:00
    O14   customer_request  P3   south dock    -        -     resolved     s.tech   10-29 08:00  10-29 10:30

(tech = north_tech, tech2 = north_tech2, s.tech = south_tech; acme is in the
customer group Retail.) Each order's status steps are listed in ``build``.

Costs, each at the time it counts at ("now": 11-02 08:00 is after the period):

    order parts (stock ledger, at)            labour (started, else logged)    expenses (logged)
    O1    use 2 x 12.50 10-20 10:00,          135 min 60.00/h 10-20 09:45
          return 1 of it 10-21 08:00
    O2    use 3 x 3.35 10-22 13:00            90 min 60.00/h 10-22 12:30
    O3                                        45 min 60.00/h logged 10-26 12:00 travel 45.80 10-25 12:00
    O4                                        60 min 60.00/h 10-10 10:00       tolls 7.00 10-19 00:00
    O6    use 4 x 3.35 10-28 13:00            30 min 60.00/h 10-28 12:45
    O7    use 2 x 3.35 11-02 07:00            40 min 60.00/h 11-02 06:00
    O8                                                                         tools 15.50 11-01 23:30
    O9                                        50 min 72.00/h 10-18 23:00
                                              (logged 10-19 01:00)
    O10   use 1 x 12.50 10-02 09:00           120 min 60.00/h 09-20 10:00     parking 8.00 10-05 00:00
    O11                                                                        materials 20.15 10-31 13:00
    O12   use 1 x 12.50 10-12 10:30,                                           parking 12.00 10-12 15:00
          return of it 10-20 09:00
    O14                                                                        travel 30.00 10-29 11:00

(The seal's catalogue cost is 4.00 now: the ledger lines keep the 3.35 of their time.)
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from server.costs.tables import Expense, LabourEntry, Part, StockMovement, Store
from server.masterdata.tables import Asset, Site
from server.sla.tables import SlaBreach
from server.workorders.tables import TimelineEvent
from tests.server.workorders.orders import put_order
from tests.world import World

NOW = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
PERIOD = "from=2026-10-19&to=2026-11-01"


def at(text: str) -> datetime:
    """``MM-DD HH:MM`` in 2026, UTC."""
    return datetime.fromisoformat(f"2026-{text}").replace(tzinfo=UTC)


class Dataset:
    def __init__(self, world: World) -> None:
        self.world = world
        self.orders: dict[str, UUID] = {}
        self.assets: dict[str, UUID] = {}
        self.sites = dict(world.sites)
        self.parts: dict[str, dict[str, Any]] = {}
        self.store = uuid4()

    async def order(
        self,
        name: str,
        steps: list[tuple[str, str]],
        *,
        kind: str = "customer_request",
        priority: str,
        department: str = "north",
        site: str | None = "central",
        customer: bool = True,
        asset: str | None = None,
        assignee: str | None = None,
        **fields: Any,
    ) -> None:
        """An order and its status timeline: ``steps`` are (status, time) from creation
        on, written as the work-order service writes them ({"status": [from, to]})."""
        times = [(status, at(when)) for status, when in steps]
        accepted = [moment for status, moment in times if status == "accepted"]
        final, last = times[-1]
        resolved = [moment for status, moment in times if status == "resolved"]
        order_id = await put_order(
            self.world,
            final,
            kind=kind,
            priority=priority,
            department=department,
            assignee=assignee,
            site=self.sites[site] if site else None,
            customer=self.world.customers["acme"] if customer else None,
            asset=self.assets[asset] if asset else None,
            created_at=times[0][1],
            updated_at=last,
            first_response_at=accepted[0] if accepted else None,
            resolved_at=resolved[-1] if final in ("resolved", "closed") else None,
            closed_at=last if final == "closed" else None,
            version=len(times),
            **fields,
        )
        self.orders[name] = order_id
        previous = None
        for version, (status, moment) in enumerate(times, start=1):
            kind_of_step = "created" if previous is None else "status"
            if status == "assigned" and previous == "new":
                kind_of_step = "assigned"
            await TimelineEvent(
                id=uuid4(),
                order=order_id,
                version=version,
                kind=kind_of_step,
                at=moment,
                changes={"status": [previous, status]},
            ).save()
            previous = status

    async def breach(self, order: str, clock: str, due: str, found: str) -> None:
        await SlaBreach(
            id=uuid4(),
            order=self.orders[order],
            clock=clock,
            priority="P2",
            due_at=at(due),
            breached_at=at(found),
        ).save()

    async def labour(
        self,
        order: str,
        technician: str,
        minutes: int,
        started: str | None,
        created: str,
        hourly_cents: int = 6000,
    ) -> None:
        await LabourEntry(
            id=uuid4(),
            order=self.orders[order],
            technician=self.world.id(technician),
            started_at=at(started) if started else None,
            minutes=minutes,
            hourly_cents=hourly_cents,
            rate_source="default",
            cost_cents=minutes * hourly_cents // 60,
            created_by=self.world.id("admin"),
            created_at=at(created),
        ).save()

    async def ledger(
        self,
        kind: str,
        order: str,
        part: str,
        quantity: int,
        when: str,
        returns: UUID | None = None,
    ) -> UUID:
        """A use of a part from the store on an order, or a return of one to it."""
        line = uuid4()
        await StockMovement(
            id=line,
            kind=kind,
            part=self.parts[part]["id"],
            from_store=self.store if kind == "use" else None,
            to_store=self.store if kind == "return" else None,
            quantity=quantity,
            unit_cost_cents=self.parts[part]["cost"],
            order=self.orders[order],
            returns=returns,
            actor=self.world.id("admin"),
            at=at(when),
        ).save()
        return line

    async def expense(self, order: str, category: str, cents: int, created: str) -> None:
        await Expense(
            id=uuid4(),
            order=self.orders[order],
            category=category,
            amount_cents=cents,
            created_by=self.world.id("admin"),
            created_at=at(created),
        ).save()

    async def costs(self) -> None:
        # The catalogue now; each ledger line keeps the cost of its time.
        for code, name, cost, now in (("VLV", "Valve", 1250, 1250), ("SEAL", "Seal", 335, 400)):
            part = Part(
                id=uuid4(),
                code=code,
                name=name,
                unit_cost_cents=now,
                created_at=NOW,
                updated_at=NOW,
            )
            await part.save()
            self.parts[code] = {"id": part.id, "cost": cost}
        await Store(id=self.store, name="Main store", kind="warehouse", created_at=NOW).save()
        valves = await self.ledger("use", "O1", "VLV", 2, "10-20 10:00")
        await self.ledger("return", "O1", "VLV", 1, "10-21 08:00", returns=valves)
        await self.ledger("use", "O2", "SEAL", 3, "10-22 13:00")
        await self.ledger("use", "O6", "SEAL", 4, "10-28 13:00")
        await self.ledger("use", "O7", "SEAL", 2, "11-02 07:00")
        await self.ledger("use", "O10", "VLV", 1, "10-02 09:00")
        valve = await self.ledger("use", "O12", "VLV", 1, "10-12 10:30")
        await self.ledger("return", "O12", "VLV", 1, "10-20 09:00", returns=valve)
        # Labour: the entry without a start counts at its creation time.
        await self.labour("O1", "north_tech", 135, "10-20 09:45", "10-20 12:05")
        await self.labour("O2", "north_tech", 90, "10-22 12:30", "10-22 14:05")
        await self.labour("O3", "north_tech", 45, None, "10-26 12:00")
        await self.labour("O4", "north_tech", 60, "10-10 10:00", "10-10 11:05")
        await self.labour("O6", "south_tech", 30, "10-28 12:45", "10-28 14:05")
        await self.labour("O7", "north_tech", 40, "11-02 06:00", "11-02 07:00")
        await self.labour("O9", "north_tech2", 50, "10-18 23:00", "10-19 01:00", 7200)
        await self.labour("O10", "south_tech", 120, "09-20 10:00", "09-20 12:00")
        await self.expense("O3", "travel", 4580, "10-25 12:00")
        await self.expense("O4", "tolls", 700, "10-19 00:00")
        await self.expense("O8", "tools", 1550, "11-01 23:30")
        await self.expense("O10", "parking", 800, "10-05 00:00")
        await self.expense("O11", "materials", 2015, "10-31 13:00")
        await self.expense("O12", "parking", 1200, "10-12 15:00")
        await self.expense("O14", "travel", 3000, "10-29 11:00")

    async def build(self) -> Dataset:
        dock = Site(id=uuid4(), name="Dock Yard", latitude=31.3, longitude=121.5)
        await dock.save()
        self.sites["dock"] = dock.id
        for key, tag, name, site in (
            ("A1", "A-1", "Boiler", "central"),
            ("A2", "A-2", "Chiller", "central"),
            ("A3", "A-3", "Pump", "dock"),
        ):
            asset = Asset(id=uuid4(), tag=tag, name=name, asset_type="plant", site=self.sites[site])
            await asset.save()
            self.assets[key] = asset.id

        # Response 30 min, travel 45 min, on site 2 h 15 min, resolution 4 h, SLA met.
        await self.order(
            "O1",
            [
                ("new", "10-20 08:00"),
                ("assigned", "10-20 08:10"),
                ("accepted", "10-20 08:30"),
                ("en_route", "10-20 09:00"),
                ("on_site", "10-20 09:45"),
                ("in_progress", "10-20 10:00"),
                ("resolved", "10-20 12:00"),
                ("closed", "10-21 09:00"),
            ],
            priority="P2",
            asset="A1",
            assignee="north_tech",
            response_due_at=at("10-20 09:00"),
            resolution_due_at=at("10-20 16:00"),
            rating=5,
        )
        # Response 1 h, travel 1 h, on site 1 h 30 min + 2 h (suspended in between),
        # resolution 25 h: an hour past its due time, never marked (a late timer).
        await self.order(
            "O2",
            [
                ("new", "10-22 10:00"),
                ("assigned", "10-22 10:30"),
                ("accepted", "10-22 11:00"),
                ("en_route", "10-22 11:30"),
                ("on_site", "10-22 12:30"),
                ("in_progress", "10-22 12:40"),
                ("suspended", "10-22 14:00"),
                ("in_progress", "10-23 09:00"),
                ("resolved", "10-23 11:00"),
            ],
            priority="P3",
            asset="A1",
            assignee="north_tech",
            response_due_at=at("10-22 12:00"),
            resolution_due_at=at("10-23 10:00"),
            rating=3,
        )
        # Response 20 min; two visits: travel 30 + 20 min, on site 1 h + 1 h 10 min;
        # reopened; resolution 27 h 30 min; both targets marked missed.
        await self.order(
            "O3",
            [
                ("new", "10-25 08:00"),
                ("assigned", "10-25 08:05"),
                ("accepted", "10-25 08:20"),
                ("en_route", "10-25 08:30"),
                ("on_site", "10-25 09:00"),
                ("in_progress", "10-25 09:10"),
                ("resolved", "10-25 10:00"),
                ("assigned", "10-26 09:00"),
                ("accepted", "10-26 09:30"),
                ("en_route", "10-26 10:00"),
                ("on_site", "10-26 10:20"),
                ("in_progress", "10-26 10:30"),
                ("resolved", "10-26 11:30"),
            ],
            kind="service",
            priority="P2",
            asset="A2",
            assignee="north_tech",
            response_due_at=at("10-25 08:10"),
            resolution_due_at=at("10-26 08:00"),
            response_breached_at=at("10-25 08:10"),
            resolution_breached_at=at("10-26 08:00"),
        )
        await self.breach("O3", "response", "10-25 08:10", "10-25 08:10")
        await self.breach("O3", "resolution", "10-26 08:00", "10-26 08:00")
        # The period before: response 1 h, travel 30 min, on site 1 h, resolution 3 h,
        # no SLA target.
        await self.order(
            "O4",
            [
                ("new", "10-10 08:00"),
                ("assigned", "10-10 08:30"),
                ("accepted", "10-10 09:00"),
                ("en_route", "10-10 09:30"),
                ("on_site", "10-10 10:00"),
                ("in_progress", "10-10 10:00"),
                ("resolved", "10-10 11:00"),
                ("closed", "10-11 09:00"),
            ],
            priority="P3",
            assignee="north_tech",
            rating=4,
        )
        # Response 1 h, travel 30 min, on site 1 h, resolution 3 h 30 min, no SLA.
        await self.order(
            "O5",
            [
                ("new", "10-19 06:00"),
                ("assigned", "10-19 06:00"),
                ("accepted", "10-19 07:00"),
                ("en_route", "10-19 08:00"),
                ("on_site", "10-19 08:30"),
                ("in_progress", "10-19 08:30"),
                ("resolved", "10-19 09:30"),
            ],
            kind="planned",
            priority="P4",
            assignee="north_tech2",
        )
        # South: response 10 min, travel 30 min, on site 1 h 15 min, resolution 2 h, met.
        await self.order(
            "O6",
            [
                ("new", "10-28 12:00"),
                ("assigned", "10-28 12:05"),
                ("accepted", "10-28 12:10"),
                ("en_route", "10-28 12:15"),
                ("on_site", "10-28 12:45"),
                ("in_progress", "10-28 12:50"),
                ("resolved", "10-28 14:00"),
            ],
            priority="P1",
            department="south",
            site="dock",
            customer=False,
            asset="A3",
            assignee="south_tech",
            response_due_at=at("10-28 12:15"),
            resolution_due_at=at("10-28 16:00"),
            rating=1,
        )
        await self.order(
            "O7",
            [
                ("new", "11-01 20:00"),
                ("assigned", "11-01 20:05"),
                ("accepted", "11-01 20:10"),
                ("en_route", "11-01 20:20"),
                ("on_site", "11-01 21:00"),
                ("in_progress", "11-01 21:10"),
            ],
            priority="P1",
            asset="A1",
            assignee="north_tech",
        )
        await self.order(
            "O8", [("new", "10-30 06:00")], kind="preventive", priority="P3", site=None
        )
        await self.order(
            "O9",
            [
                ("new", "10-24 08:00"),
                ("assigned", "10-24 08:30"),
                ("accepted", "10-24 09:00"),
                ("en_route", "10-24 09:30"),
                ("on_site", "10-24 10:00"),
                ("in_progress", "10-24 10:10"),
                ("suspended", "10-24 11:00"),
            ],
            priority="P2",
            asset="A2",
            assignee="north_tech2",
            resolution_due_at=at("10-27 08:00"),
            resolution_breached_at=at("10-27 08:00"),
        )
        await self.breach("O9", "resolution", "10-27 08:00", "10-27 08:00")
        await self.order(
            "O10",
            [("new", "09-15 08:00"), ("assigned", "09-15 09:00")],
            priority="P5",
            department="south",
            site="dock",
            customer=False,
            assignee="south_tech",
        )
        await self.order(
            "O11",
            [("new", "10-31 12:00"), ("assigned", "10-31 12:30")],
            kind="service",
            priority="P4",
            customer=False,
            assignee="north_tech2",
        )
        # The period before: response 1 h (marked missed), travel 50 min, on site 4 h,
        # resolution 6 h.
        await self.order(
            "O12",
            [
                ("new", "10-12 08:00"),
                ("assigned", "10-12 08:10"),
                ("accepted", "10-12 09:00"),
                ("en_route", "10-12 09:10"),
                ("on_site", "10-12 10:00"),
                ("in_progress", "10-12 10:10"),
                ("resolved", "10-12 14:00"),
            ],
            priority="P2",
            asset="A1",
            assignee="north_tech2",
            response_due_at=at("10-12 08:30"),
            resolution_due_at=at("10-12 16:00"),
            response_breached_at=at("10-12 08:30"),
            rating=2,
        )
        await self.breach("O12", "response", "10-12 08:30", "10-12 08:30")
        await self.order(
            "O13",
            [("new", "10-21 09:00"), ("cancelled", "10-21 09:30")],
            priority="P3",
            asset="A1",
        )
        # South: response 30 min, travel 30 min, on site 1 h, resolution 2 h 30 min, met.
        await self.order(
            "O14",
            [
                ("new", "10-29 08:00"),
                ("assigned", "10-29 08:00"),
                ("accepted", "10-29 08:30"),
                ("en_route", "10-29 09:00"),
                ("on_site", "10-29 09:30"),
                ("in_progress", "10-29 09:30"),
                ("resolved", "10-29 10:30"),
            ],
            priority="P3",
            department="south",
            site="dock",
            customer=False,
            assignee="south_tech",
            response_due_at=at("10-29 10:00"),
            resolution_due_at=at("10-29 20:00"),
        )
        await self.costs()
        return self
