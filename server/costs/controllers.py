"""HTTP endpoints of costs: parts, stores and stock, the ledger, labour rates, and
the parts, labour, expenses and cost summary of an order."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from server.costs import schemas
from server.costs.catalogue import PartService
from server.costs.expenses import ExpenseService
from server.costs.labour import LabourService
from server.costs.movements import MovementService
from server.costs.stores import StoreService
from server.costs.summary import cost_summary
from server.costs.usage import PartUseService
from server.dependencies import ActorDep, ClockDep
from server.openapi import SECURITY, errors

SearchQuery = Annotated[
    str | None, QueryParameter(max_length=200, description="part of the code or name")
]
ActiveQuery = Annotated[
    bool | None, QueryParameter(description="true: in use; false: retired; default: both")
]
KindQuery = Annotated[schemas.StoreKind | None, QueryParameter(description="only this kind")]
OwnerQuery = Annotated[UUID | None, QueryParameter(description="only this user's stores")]
StoreQuery = Annotated[UUID | None, QueryParameter(description="moved out of or into it")]
PartQuery = Annotated[UUID | None, QueryParameter(description="only this part")]
OrderQuery = Annotated[UUID | None, QueryParameter(description="used on or returned from it")]
LimitQuery = Annotated[int, QueryParameter(ge=1, le=500, description="lines at most")]


def provide_parts(actor: ActorDep, clock: ClockDep) -> PartService:
    return PartService(actor, clock)


def provide_stores(actor: ActorDep, clock: ClockDep) -> StoreService:
    return StoreService(actor, clock)


def provide_movements(actor: ActorDep, clock: ClockDep) -> MovementService:
    return MovementService(actor, clock)


def provide_uses(actor: ActorDep, clock: ClockDep) -> PartUseService:
    return PartUseService(actor, clock)


def provide_labour(actor: ActorDep, clock: ClockDep) -> LabourService:
    return LabourService(actor, clock)


def provide_expenses(actor: ActorDep, clock: ClockDep) -> ExpenseService:
    return ExpenseService(actor, clock)


Parts = NamedDependency[PartService]
Stores = NamedDependency[StoreService]
Movements = NamedDependency[MovementService]
Uses = NamedDependency[PartUseService]
Labour = NamedDependency[LabourService]
Expenses = NamedDependency[ExpenseService]


class PartController(Controller):
    path = "/api/parts"
    tags = ["costs"]
    security = SECURITY
    dependencies = {"parts": Provide(provide_parts, sync_to_thread=False)}

    @get("/", operation_id="ListParts", responses=errors(400, 401, 403))
    async def list_parts(
        self, parts: Parts, q: SearchQuery = None, active: ActiveQuery = None
    ) -> schemas.PartPage:
        """The spare parts catalogue by code (everyone but requesters)."""
        return schemas.PartPage(items=await parts.parts(q, active))

    @post("/", operation_id="CreatePart", responses=errors(400, 401, 403, 409))
    async def create_part(self, data: JSONBody[schemas.PartCreate], parts: Parts) -> schemas.Part:
        """Add a part: a unique code, its unit, unit cost and low-stock threshold
        (admins, managers; 409 ``code_taken``)."""
        return await parts.create(data)

    @get("/{part_id:uuid}", operation_id="GetPart", responses=errors(400, 401, 403, 404))
    async def get_part(self, part_id: FromPath[UUID], parts: Parts) -> schemas.Part:
        """One part."""
        return await parts.get(part_id)

    @patch("/{part_id:uuid}", operation_id="UpdatePart", responses=errors(400, 401, 403, 404))
    async def update_part(
        self, part_id: FromPath[UUID], data: JSONBody[schemas.PartUpdate], parts: Parts
    ) -> schemas.Part:
        """Change a part, or retire it (``active`` false); a new unit cost applies to
        uses from now on, earlier uses keep theirs (admins, managers)."""
        return await parts.update(part_id, data)


class StoreController(Controller):
    path = "/api/stores"
    tags = ["costs"]
    security = SECURITY
    dependencies = {"stores": Provide(provide_stores, sync_to_thread=False)}

    @get("/", operation_id="ListStores", responses=errors(400, 401, 403))
    async def list_stores(
        self, stores: Stores, kind: KindQuery = None, owner_id: OwnerQuery = None
    ) -> schemas.StorePage:
        """Warehouses and vans by name (everyone but requesters)."""
        return schemas.StorePage(items=await stores.stores(kind, owner_id))

    @post("/", operation_id="CreateStore", responses=errors(400, 401, 403, 409, 422))
    async def create_store(
        self, data: JSONBody[schemas.StoreCreate], stores: Stores
    ) -> schemas.Store:
        """Add a warehouse, or a van with its technician as ``owner_id`` (admins,
        managers; 409 ``name_taken``)."""
        return await stores.create(data)

    @get("/{store_id:uuid}", operation_id="GetStore", responses=errors(400, 401, 403, 404))
    async def get_store(self, store_id: FromPath[UUID], stores: Stores) -> schemas.Store:
        """One store."""
        return await stores.get(store_id)

    @patch(
        "/{store_id:uuid}",
        operation_id="UpdateStore",
        responses=errors(400, 401, 403, 404, 409, 422),
    )
    async def update_store(
        self, store_id: FromPath[UUID], data: JSONBody[schemas.StoreUpdate], stores: Stores
    ) -> schemas.Store:
        """Rename a store, hand a van to another technician, or close it (``active``
        false: no more movements) (admins, managers)."""
        return await stores.update(store_id, data)

    @get("/{store_id:uuid}/stock", operation_id="GetStock", responses=errors(400, 401, 403, 404))
    async def stock(self, store_id: FromPath[UUID], stores: Stores) -> schemas.StockPage:
        """What the store holds, by part code: quantity, threshold, whether it is low,
        and its value at today's costs."""
        return await stores.stock(store_id)

    @patch(
        "/{store_id:uuid}/stock/{part_id:uuid}",
        operation_id="SetStockThreshold",
        responses=errors(400, 401, 403, 404),
    )
    async def set_threshold(
        self,
        store_id: FromPath[UUID],
        part_id: FromPath[UUID],
        data: JSONBody[schemas.StockSettings],
        stores: Stores,
    ) -> schemas.StockLevel:
        """The store's own low-stock threshold for the part; null: the part's
        (admins, managers)."""
        return await stores.set_threshold(store_id, part_id, data)


class MovementController(Controller):
    path = "/api/stock-movements"
    tags = ["costs"]
    security = SECURITY
    dependencies = {"movements": Provide(provide_movements, sync_to_thread=False)}

    @get("/", operation_id="ListStockMovements", responses=errors(400, 401, 403))
    async def list_movements(
        self,
        movements: Movements,
        store_id: StoreQuery = None,
        part_id: PartQuery = None,
        order_id: OrderQuery = None,
        limit: LimitQuery = 100,
    ) -> schemas.MovementPage:
        """The stock ledger, newest first: every line for admins and managers, those
        of the stores they draw from for field staff."""
        return schemas.MovementPage(items=await movements.lines(store_id, part_id, order_id, limit))

    @post("/", operation_id="CreateStockMovement", responses=errors(400, 401, 403, 404, 409, 422))
    async def create_movement(
        self, data: JSONBody[schemas.MovementCreate], movements: Movements
    ) -> schemas.StockMovement:
        """Move stock, by ``kind``: ``receive`` into a store, ``transfer`` between
        two, ``adjust`` by a signed ``change`` with a reason (admins, managers), or
        ``return`` unused parts of a use on an order (also the field worker who took
        them). Taking more than a store holds is 409 ``insufficient_stock`` with
        ``available``. Uses are made on their order: POST
        /api/work-orders/{order_id}/parts."""
        return await movements.create(data)


class OrderCostController(Controller):
    path = "/api/work-orders/{order_id:uuid}"
    tags = ["costs"]
    security = SECURITY
    dependencies = {
        "uses": Provide(provide_uses, sync_to_thread=False),
        "labour": Provide(provide_labour, sync_to_thread=False),
        "expenses": Provide(provide_expenses, sync_to_thread=False),
    }

    @get("/parts", operation_id="ListOrderParts", responses=errors(400, 401, 403, 404))
    async def list_parts(self, order_id: FromPath[UUID], uses: Uses) -> schemas.OrderPartPage:
        """The parts used on the order, at their cost when used, less returns."""
        return schemas.OrderPartPage(items=await uses.parts(order_id))

    @post("/parts", operation_id="UseParts", responses=errors(400, 401, 403, 404, 409, 422))
    async def use_parts(
        self, order_id: FromPath[UUID], data: JSONBody[schemas.PartUse], uses: Uses
    ) -> schemas.OrderPart:
        """Use parts from a store on the order: field staff from their van (or their
        department's warehouse) on orders assigned to them. The store's stock goes
        down; it never goes below zero: 409 ``insufficient_stock`` with ``available``,
        unless a manager sends ``override`` with a ``reason``."""
        return await uses.use(order_id, data)

    @get("/labour", operation_id="ListLabour", responses=errors(400, 401, 403, 404))
    async def list_labour(self, order_id: FromPath[UUID], labour: Labour) -> schemas.LabourPage:
        """The time logged on the order, each entry at its rate of the time."""
        return schemas.LabourPage(items=await labour.entries(order_id))

    @post("/labour", operation_id="LogLabour", responses=errors(400, 401, 403, 404, 409, 422))
    async def log_labour(
        self, order_id: FromPath[UUID], data: JSONBody[schemas.LabourCreate], labour: Labour
    ) -> schemas.LabourEntry:
        """Log time worked: ``minutes``, or ``started_at`` and ``ended_at`` (422
        ``labour_time`` otherwise). Field staff log their own; managers may name a
        ``technician_id``. Costed at the technician's rate then: their own, their
        role's, or the default."""
        return await labour.log(order_id, data)

    @get("/expenses", operation_id="ListExpenses", responses=errors(400, 401, 403, 404))
    async def list_expenses(
        self, order_id: FromPath[UUID], expenses: Expenses
    ) -> schemas.ExpensePage:
        """The order's other costs."""
        return schemas.ExpensePage(items=await expenses.expenses(order_id))

    @post("/expenses", operation_id="AddExpense", responses=errors(400, 401, 403, 404, 409, 422))
    async def add_expense(
        self, order_id: FromPath[UUID], data: JSONBody[schemas.ExpenseCreate], expenses: Expenses
    ) -> schemas.Expense:
        """Add a cost: an amount in a category, a note and optionally a receipt photo
        (upload it with PUT /api/blobs/{sha256})."""
        return await expenses.add(order_id, data)

    @get("/costs", operation_id="GetOrderCosts", responses=errors(400, 401, 403, 404))
    async def costs(self, order_id: FromPath[UUID], actor: ActorDep) -> schemas.CostSummary:
        """What the order cost: parts (less returns), labour, expenses and the total,
        exact to the cent (everyone who sees the order but requesters)."""
        return await cost_summary(actor, order_id)


class LabourRateController(Controller):
    path = "/api/labour-rates"
    tags = ["costs"]
    security = SECURITY
    dependencies = {"labour": Provide(provide_labour, sync_to_thread=False)}

    @get("/", operation_id="ListLabourRates", responses=errors(401, 403))
    async def list_rates(self, labour: Labour) -> schemas.RatePage:
        """Every hourly rate, newest first (admins, managers)."""
        return schemas.RatePage(items=await labour.rates())

    @post("/", operation_id="CreateLabourRate", responses=errors(400, 401, 403, 422))
    async def create_rate(
        self, data: JSONBody[schemas.RateCreate], labour: Labour
    ) -> schemas.LabourRate:
        """An hourly rate from ``effective_from`` (default now) on: of a user, of a role,
        or (neither) the default. Labour is costed at the newest rate in force when
        the work was done, a user's before their role's before the default."""
        return await labour.add_rate(data)


CONTROLLERS = [
    PartController,
    StoreController,
    MovementController,
    OrderCostController,
    LabourRateController,
]
