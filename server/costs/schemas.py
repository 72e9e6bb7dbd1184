"""Request and response bodies of costs: parts, stores, stock, the ledger, labour,
expenses and the cost summary of an order. Amounts are Decimal (server/costs/money.py)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, UnsetType

from server.costs.money import Money, check_amount
from server.types import Name, Role, Timestamp
from server.workorders.schemas import Note, Sha256

StoreKind = Literal["warehouse", "van"]
MovementKind = Literal["receive", "transfer", "use", "return", "adjust"]
ExpenseCategory = Literal[
    "travel", "parking", "tolls", "meals", "lodging", "tools", "materials", "subcontractor", "other"
]
RateSource = Literal["user", "role", "default", "none"]
PartCode = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$",
        description="letters, digits, '.', '_', '/' and '-'",
        examples=["FLT-0042"],
    ),
]
PartUnit = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=16,
        description="what one unit is: pcs, or the smallest length or volume used (cm, ml)",
        examples=["pcs"],
    ),
]
Quantity = Annotated[
    int, Meta(ge=1, le=1_000_000, description="whole units of the part's unit", examples=[2])
]
Threshold = Annotated[
    int, Meta(ge=0, le=1_000_000, description="stock at or below it is low", examples=[5])
]
Reason = Annotated[str, Meta(min_length=1, max_length=500, examples=["stocktake 2026-11"])]
Minutes = Annotated[int, Meta(ge=1, le=1_440, description="minutes worked", examples=[45])]
ClientId = Annotated[
    UUID | None,
    Meta(description="made by the device so a retry cannot count twice; default: the server's"),
]


def _check(value: Decimal | UnsetType, field: str, positive: bool) -> None:
    if value is not UNSET:
        check_amount(value, field, positive=positive)


# Parts


class PartCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    code: PartCode
    name: Name
    unit: PartUnit = "pcs"
    unit_cost: Money = Decimal("0.00")
    low_stock_threshold: Threshold = 0

    def __post_init__(self) -> None:
        _check(self.unit_cost, "unit_cost", positive=False)


class PartUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name | UnsetType = UNSET
    unit: PartUnit | UnsetType = UNSET
    unit_cost: Money | UnsetType = UNSET
    low_stock_threshold: Threshold | UnsetType = UNSET
    active: bool | UnsetType = UNSET

    def __post_init__(self) -> None:
        _check(self.unit_cost, "unit_cost", positive=False)


class Part(msgspec.Struct, kw_only=True):
    id: UUID
    code: str
    name: str
    unit: str
    unit_cost: Decimal
    low_stock_threshold: int
    active: bool
    updated_at: datetime


class PartPage(msgspec.Struct):
    items: list[Part]


# Stores and stock


class StoreCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name
    kind: StoreKind
    owner_id: Annotated[UUID | None, Meta(description="the van's technician")] = None
    department_id: Annotated[
        UUID | None,
        Meta(description="its managers hear of low stock; its field staff draw from a warehouse"),
    ] = None


class StoreUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name | UnsetType = UNSET
    owner_id: UUID | UnsetType | None = UNSET
    department_id: UUID | UnsetType | None = UNSET
    active: bool | UnsetType = UNSET


class Store(msgspec.Struct, kw_only=True):
    id: UUID
    name: str
    kind: StoreKind
    owner_id: UUID | None
    department_id: UUID | None
    active: bool


class StorePage(msgspec.Struct):
    items: list[Store]


class StockLevel(msgspec.Struct, kw_only=True):
    store_id: UUID
    part_id: UUID
    code: str
    name: str
    unit: str
    quantity: Annotated[int, Meta(description="below 0 only after a manager's override")]
    threshold: Annotated[int, Meta(description="the store's own, else the part's")]
    store_threshold: Annotated[int | None, Meta(description="null: the part's applies")]
    low: bool
    unit_cost: Decimal
    value: Annotated[Decimal, Meta(description="quantity × the part's current unit cost")]


class StockPage(msgspec.Struct, kw_only=True):
    items: list[StockLevel]
    value: Decimal


class StockSettings(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    threshold: Annotated[Threshold | None, Meta(description="null: the part's threshold")]


# The ledger


class Receive(msgspec.Struct, tag="receive", tag_field="kind", forbid_unknown_fields=True):
    """Parts arriving in a store (bought, delivered)."""

    part_id: UUID
    store_id: UUID
    quantity: Quantity
    reason: Note = ""
    id: ClientId = None


class Transfer(msgspec.Struct, tag="transfer", tag_field="kind", forbid_unknown_fields=True):
    """Parts moving from one store to another (a van restocked from the warehouse)."""

    part_id: UUID
    from_store_id: UUID
    to_store_id: UUID
    quantity: Quantity
    reason: Note = ""
    id: ClientId = None


class Adjust(msgspec.Struct, tag="adjust", tag_field="kind", forbid_unknown_fields=True):
    """A correction (stocktake, damage, loss), always with a reason."""

    part_id: UUID
    store_id: UUID
    change: Annotated[
        int,
        Meta(ge=-1_000_000, le=1_000_000, description="units added (> 0) or removed (< 0)"),
    ]
    reason: Reason
    id: ClientId = None


class Return(msgspec.Struct, tag="return", tag_field="kind", forbid_unknown_fields=True):
    """Parts taken for an order and not used, back into a store and off the order."""

    use_id: Annotated[UUID, Meta(description="the use on the order they were taken by")]
    quantity: Quantity
    store_id: Annotated[UUID | None, Meta(description="default: the store they came from")] = None
    reason: Note = ""
    id: ClientId = None


MovementCreate = Receive | Transfer | Adjust | Return


class StockMovement(msgspec.Struct, kw_only=True):
    id: UUID
    kind: MovementKind
    part_id: UUID
    part_code: str
    from_store_id: UUID | None
    to_store_id: UUID | None
    quantity: int
    unit_cost: Decimal
    order_id: UUID | None
    returns_id: UUID | None
    override: bool
    reason: str
    actor_id: UUID
    at: datetime
    device_time: datetime | None


class MovementPage(msgspec.Struct):
    items: list[StockMovement]


# Costs of an order


class PartUse(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    id: ClientId = None
    part_id: UUID
    store_id: Annotated[UUID, Meta(description="the store taken from: field staff, their van")]
    quantity: Quantity
    override: Annotated[
        bool,
        Meta(description="managers: take it even if the stock does not cover it (give a reason)"),
    ] = False
    reason: Note = ""
    device_time: Timestamp | None = None


class OrderPart(msgspec.Struct, kw_only=True):
    """A use of a part on an order, less what was returned of it."""

    id: UUID
    part_id: UUID
    code: str
    name: str
    unit: str
    store_id: UUID
    quantity: int
    returned: int
    unit_cost: Annotated[Decimal, Meta(description="the part's cost when it was used")]
    cost: Annotated[Decimal, Meta(description="(quantity - returned) × unit_cost")]
    override: bool
    reason: str
    actor_id: UUID
    at: datetime


class OrderPartPage(msgspec.Struct):
    items: list[OrderPart]


class LabourCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    id: ClientId = None
    technician_id: Annotated[
        UUID | None, Meta(description="managers may log for field staff; default: the caller")
    ] = None
    minutes: Annotated[Minutes | None, Meta(description="or started_at and ended_at")] = None
    started_at: Timestamp | None = None
    ended_at: Timestamp | None = None
    note: Note = ""
    device_time: Timestamp | None = None


class LabourEntry(msgspec.Struct, kw_only=True):
    id: UUID
    order_id: UUID
    technician_id: UUID
    started_at: datetime | None
    ended_at: datetime | None
    minutes: int
    hourly_rate: Annotated[Decimal, Meta(description="the technician's rate at the time")]
    rate_source: RateSource
    cost: Decimal
    note: str
    created_at: datetime


class LabourPage(msgspec.Struct):
    items: list[LabourEntry]


class RateCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One user's rate, a role's, or (neither given) the default."""

    user_id: UUID | None = None
    role: Role | None = None
    hourly_rate: Money
    effective_from: Annotated[Timestamp | None, Meta(description="default: now")] = None

    def __post_init__(self) -> None:
        _check(self.hourly_rate, "hourly_rate", positive=False)


class LabourRate(msgspec.Struct, kw_only=True):
    id: UUID
    user_id: UUID | None
    role: Role | None
    hourly_rate: Decimal
    effective_from: datetime
    created_at: datetime


class RatePage(msgspec.Struct):
    items: list[LabourRate]


class ExpenseCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    id: ClientId = None
    category: ExpenseCategory
    amount: Money
    note: Note = ""
    receipt_sha256: Annotated[
        Sha256 | None, Meta(description="the receipt's photo (PUT /api/blobs/{sha256})")
    ] = None
    device_time: Timestamp | None = None

    def __post_init__(self) -> None:
        _check(self.amount, "amount", positive=True)


class Expense(msgspec.Struct, kw_only=True):
    id: UUID
    order_id: UUID
    category: ExpenseCategory
    amount: Decimal
    note: str
    receipt_sha256: str | None
    created_by_id: UUID
    created_at: datetime


class ExpensePage(msgspec.Struct):
    items: list[Expense]


class CostSummary(msgspec.Struct, kw_only=True):
    order_id: UUID
    parts: Annotated[Decimal, Meta(description="parts used, less returns, at their cost then")]
    labour: Decimal
    expenses: Decimal
    total: Decimal
    labour_minutes: int
