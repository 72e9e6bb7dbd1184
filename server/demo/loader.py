"""The demo data set: a Shanghai facility-services company, its customers and their orders.

``fieldops demo`` loads it into an empty, migrated database. Every demo login
(:func:`demo_logins`) has the password :data:`DEMO_PASSWORD`. A seed fixes every
row, keys included; ``now`` anchors the 180 days of order history.

Rows are written with multi-row INSERTs, one transaction per batch of orders,
so a million orders load in minutes rather than hours.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from piccolo.table import Table
from tqdm import tqdm

from server.accounts.passwords import hash_password_sync
from server.accounts.tables import Department, ManagedDepartment, Skill, Team, User
from server.database import is_sqlite
from server.demo.catalogue import build_catalogue
from server.demo.orders import OrderFactory
from server.demo.organisation import build_organisation
from server.demo.places import build_places
from server.demo.sla import DemoSla
from server.demo.templates import build_templates
from server.demo.writer import Row, bulk_transaction, insert_rows
from server.masterdata.tables import Asset, Customer, CustomerGroup, ServiceItem, Site
from server.scheduler.tables import Job
from server.sla.tables import BusinessCalendar, SlaBreach, SlaRule
from server.workorders.tables import Comment, Counter, OrderFlag, Template, TimelineEvent, WorkOrder

DEMO_PASSWORD = "fieldops-demo"
DEFAULT_SCALE = 2_000
DEFAULT_SEED = 42
ORDERS_PER_TRANSACTION = 2_000

Batch = list[tuple[type[Table], list[Row]]]


class DatabaseNotEmpty(Exception):
    """The demo only loads into a database without users or orders."""


@dataclass
class DemoSummary:
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def rows_per_second(self) -> float:
        return self.total_rows / self.seconds if self.seconds else 0.0


def demo_logins() -> list[tuple[str, str]]:
    """(username, role) of every demo user, in the order they are created."""
    org = build_organisation(random.Random(0), "", datetime.now(UTC))
    return [(person.username, person.role) for person in org.people.values()]


def plan_demo(
    *,
    scale: int,
    seed: int,
    now: datetime,
    password_hash: str,
    orders_per_batch: int = ORDERS_PER_TRANSACTION,
) -> Iterator[Batch]:
    """The demo rows in insertion order, batch by batch; the first batch is master data."""
    rng = random.Random(seed)
    org = build_organisation(rng, password_hash, now)
    places = build_places(rng, now.date())
    catalogue = build_catalogue(rng, org.department_ids)
    templates = build_templates(rng, org.department_ids)
    sla = DemoSla(rng, places, now)
    yield [
        (Skill, org.skills),
        (Department, org.departments),
        (Team, org.teams),
        (User, org.users),
        (ManagedDepartment, org.managed),
        (CustomerGroup, places.groups),
        (Customer, places.customers),
        (Site, places.sites),
        (Asset, places.assets),
        (ServiceItem, catalogue.items),
        (Template, list(templates.values())),
        (SlaRule, sla.rules),
        (BusinessCalendar, sla.calendars),
    ]
    factory = OrderFactory(rng, org, places, catalogue, templates, sla, now, scale)
    for first in range(1, scale + 1, orders_per_batch):
        rows = factory.chunk(first, min(orders_per_batch, scale + 1 - first))
        yield [
            (WorkOrder, rows.orders),
            (TimelineEvent, rows.events),
            (Comment, rows.comments),
            (OrderFlag, rows.flags),
            (SlaBreach, rows.breaches),
            (Job, rows.jobs),
        ]


async def _ahead(batches: Iterator[Batch]) -> AsyncIterator[Batch]:
    """Yield each batch while the next one is generated in a thread, so generating
    rows overlaps with the database writing them."""
    upcoming = asyncio.ensure_future(asyncio.to_thread(next, batches, None))
    try:
        while (batch := await upcoming) is not None:
            upcoming = asyncio.ensure_future(asyncio.to_thread(next, batches, None))
            yield batch
    finally:
        await asyncio.gather(upcoming, return_exceptions=True)


async def is_empty() -> bool:
    return not (await User.exists() or await WorkOrder.exists())


async def load_demo(
    *,
    scale: int = DEFAULT_SCALE,
    seed: int = DEFAULT_SEED,
    now: datetime | None = None,
    progress: bool = False,
) -> DemoSummary:
    """Load the demo into the bound, migrated and empty database.

    The order counter ends at the highest order number, so orders created
    afterwards continue the sequence.

    Raises:
        DatabaseNotEmpty: users or orders exist already.
    """
    if not await is_empty():
        raise DatabaseNotEmpty(
            "the database already has users or orders; the demo needs an empty database"
        )
    now = now or datetime.now(UTC).replace(second=0, microsecond=0)
    engine = WorkOrder._meta.db
    summary = DemoSummary()
    started = time.perf_counter()
    # argon2 costs ~100 ms a hash: hash once and share it between the demo users.
    password_hash = hash_password_sync(DEMO_PASSWORD)
    batches = plan_demo(scale=scale, seed=seed, now=now, password_hash=password_hash)
    with tqdm(total=scale, unit="order", disable=not progress, dynamic_ncols=True) as bar:
        async for batch in _ahead(batches):
            async with bulk_transaction(engine):
                for table, rows in batch:
                    name = table._meta.tablename
                    summary.rows[name] = summary.rows.get(name, 0) + await insert_rows(table, rows)
            bar.update(sum(len(rows) for table, rows in batch if table is WorkOrder))
            bar.set_postfix(rows=summary.total_rows, refresh=False)
    updated = (
        await Counter.update({Counter.value: scale})
        .where(Counter.name == "work_order")
        .returning(Counter.name)
    )
    if not updated:
        await Counter.insert(Counter(name="work_order", value=scale))
    # Fresh statistics, or PostgreSQL plans the list pages for an empty table until
    # autovacuum comes by (a technician's page took 35 ms instead of 3). VACUUM marks
    # the pages all-visible as autovacuum would, or index-only scans read the heap too.
    await engine.run_ddl("ANALYZE" if is_sqlite(engine) else "VACUUM ANALYZE")
    summary.seconds = time.perf_counter() - started
    return summary
