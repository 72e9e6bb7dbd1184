"""Spare parts, the stores that hold them, the stock ledger, labour and expenses.

Money is kept as whole cents (BigInt): SQLite has no decimal type (its NUMERIC
affinity stores a double, and piccolo binds a Decimal as a float there), so
amounts are integers in the database, added exactly by either engine, and
Decimal everywhere else (server/costs/money.py).
"""

from piccolo.columns import (
    UUID,
    BigInt,
    Boolean,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from server.accounts.tables import Department, User
from server.workorders.tables import WorkOrder


class Part(Table):
    """A spare part of the catalogue. Never deleted (the ledger names it): retired
    with ``active`` false."""

    id = UUID(primary_key=True)
    code = Varchar(length=64, unique=True)
    name = Varchar(length=200)
    unit = Varchar(length=16, default="pcs")
    unit_cost_cents = BigInt(default=0)
    # Stock at or below this in a store is low, unless the store's stock row says otherwise.
    low_stock_threshold = Integer(default=0)
    active = Boolean(default=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    # Phones keep the catalogue (server/costs/pull.py).
    sync_seq = BigInt(default=0, index=True)


class Store(Table):
    """A warehouse, or a technician's van (its ``owner``)."""

    id = UUID(primary_key=True)
    name = Varchar(length=200, unique=True)
    kind = Varchar(length=16)
    owner = ForeignKey(User, null=True, index=True, on_delete=OnDelete.restrict)
    # Whose managers hear of low stock; field staff of it may draw from a warehouse.
    department = ForeignKey(Department, null=True, on_delete=OnDelete.restrict)
    active = Boolean(default=True)
    created_at = Timestamptz()
    # A change of the store sends its owner's phone the whole stock again (pull.py).
    sync_seq = BigInt(default=0, index=True)


class Stock(Table):
    """What a store holds of a part; one row per (store, part) (a unique index in the
    migrations), changed only together with a ledger line (server/costs/ledger.py)."""

    id = UUID(primary_key=True)
    store = ForeignKey(Store, null=False, on_delete=OnDelete.restrict)
    part = ForeignKey(Part, index=True, null=False, on_delete=OnDelete.restrict)
    # Whole units of the part's unit: compared and subtracted exactly by both engines.
    quantity = Integer(default=0)
    # This store's own low-stock threshold; null: the part's.
    threshold = Integer(null=True, default=None)
    # A low-stock alert went out and the stock has not risen above the threshold since.
    low_alerted = Boolean(default=False)
    updated_at = Timestamptz()
    sync_seq = BigInt(default=0, index=True)


class StockMovement(Table):
    """One line of the append-only stock ledger; never updated or deleted.

    ``quantity`` (> 0) leaves ``from_store`` and/or arrives in ``to_store``: a receipt
    has only a destination, a use on an order only a source, a transfer both.
    """

    id = UUID(primary_key=True)
    kind = Varchar(length=16)
    part = ForeignKey(Part, index=True, null=False, on_delete=OnDelete.restrict)
    from_store = ForeignKey(Store, null=True, index=True, on_delete=OnDelete.restrict)
    to_store = ForeignKey(Store, null=True, index=True, on_delete=OnDelete.restrict)
    quantity = Integer()
    # The part's cost when it moved; a use is charged to its order at this cost.
    unit_cost_cents = BigInt()
    order = ForeignKey(WorkOrder, null=True, index=True, on_delete=OnDelete.restrict)
    # The use a return gives back (credited at that use's cost).
    returns = UUID(null=True, default=None, index=True)
    # A use the stock did not cover, allowed by a manager (the reason says why).
    override = Boolean(default=False)
    reason = Text(default="")
    actor = ForeignKey(User, null=False, on_delete=OnDelete.restrict)
    at = Timestamptz(index=True)
    device_time = Timestamptz(null=True, default=None)


class LabourRate(Table):
    """An hourly rate from ``effective_from`` on: of one user, of a role, or the
    default (neither). A new rate is a new row: entries keep the rate of their time."""

    id = UUID(primary_key=True)
    user = ForeignKey(User, null=True, index=True, on_delete=OnDelete.restrict)
    role = Varchar(length=16, null=True, default=None)
    hourly_cents = BigInt()
    effective_from = Timestamptz()
    created_by = ForeignKey(User, null=False, on_delete=OnDelete.restrict)
    created_at = Timestamptz()


class LabourEntry(Table):
    """Time a technician worked on an order, costed at their rate of the time."""

    id = UUID(primary_key=True)
    order = ForeignKey(WorkOrder, index=True, null=False, on_delete=OnDelete.restrict)
    technician = ForeignKey(User, index=True, null=False, on_delete=OnDelete.restrict)
    started_at = Timestamptz(null=True, default=None)
    ended_at = Timestamptz(null=True, default=None)
    minutes = Integer()
    hourly_cents = BigInt()
    # Where the rate came from: user, role, default, or none (no rate was set).
    rate_source = Varchar(length=8)
    cost_cents = BigInt()
    note = Text(default="")
    created_by = ForeignKey(User, null=False, on_delete=OnDelete.restrict)
    created_at = Timestamptz()
    device_time = Timestamptz(null=True, default=None)


class Expense(Table):
    """Another cost of an order (travel, parking, ...), with an optional receipt photo."""

    id = UUID(primary_key=True)
    order = ForeignKey(WorkOrder, index=True, null=False, on_delete=OnDelete.restrict)
    category = Varchar(length=24)
    amount_cents = BigInt()
    note = Text(default="")
    # The SHA-256 of the receipt's file (PUT /api/blobs/{sha256}, before or after).
    receipt_sha256 = Varchar(length=64, null=True, default=None, index=True)
    created_by = ForeignKey(User, null=False, on_delete=OnDelete.restrict)
    # The reports read a period's expenses by this index (server/reports/dimensions.py).
    created_at = Timestamptz(index=True)
    device_time = Timestamptz(null=True, default=None)
