from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from litestar import Controller, MediaType, Response, get, patch, post, put
from litestar.di import NamedDependency, Provide
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from server.dependencies import ActorDep, ClockDep, SettingsDep
from server.integrations.idempotency import IdempotencyKeyHeader, create_order_once
from server.integrations.scopes import needs
from server.openapi import SECURITY, errors
from server.types import Priority
from server.workorders import schemas
from server.workorders.attachments import AttachmentService
from server.workorders.comments import CommentService
from server.workorders.lifecycle import Machine, Status, machine
from server.workorders.services import WorkOrderService
from server.workorders.templates import TemplateService
from server.workorders.urging import UrgeRules


def provide_order_service(
    actor: ActorDep, clock: ClockDep, settings: SettingsDep
) -> WorkOrderService:
    return WorkOrderService(actor, clock, UrgeRules.of(settings))


def provide_comment_service(actor: ActorDep, clock: ClockDep) -> CommentService:
    return CommentService(actor, clock)


def provide_attachment_service(actor: ActorDep, clock: ClockDep) -> AttachmentService:
    return AttachmentService(actor, clock)


def provide_template_service(actor: ActorDep) -> TemplateService:
    return TemplateService(actor)


OrderServiceDep = NamedDependency[WorkOrderService]
CommentServiceDep = NamedDependency[CommentService]
AttachmentServiceDep = NamedDependency[AttachmentService]
TemplateServiceDep = NamedDependency[TemplateService]
OrderId = FromPath[UUID]


class WorkOrderController(Controller):
    path = "/api/work-orders"
    tags = ["work orders"]
    security = SECURITY
    dependencies = {
        "orders": Provide(provide_order_service, sync_to_thread=False),
        "comments": Provide(provide_comment_service, sync_to_thread=False),
        "attachments": Provide(provide_attachment_service, sync_to_thread=False),
    }

    @get(
        "/lifecycle",
        operation_id="GetLifecycle",
        responses=errors(401),
        sync_to_thread=False,
    )
    def lifecycle(self, actor: ActorDep) -> Machine:
        """The state machine's statuses and actions, and who may take each one."""
        return machine()

    @get(
        "/",
        operation_id="ListWorkOrders",
        opt=needs("orders:read"),
        # The page is written from the database's JSON documents (see list_orders).
        responses={
            200: ResponseSpec(schemas.WorkOrderPage, description="One page of orders"),
            **errors(400, 401, 403, 422),
        },
    )
    async def list_orders(
        self,
        orders: OrderServiceDep,
        view: FromQuery[schemas.View] = "all",
        status: FromQuery[list[Status] | None] = None,
        priority: FromQuery[list[Priority] | None] = None,
        kind: FromQuery[list[schemas.Kind] | None] = None,
        site_id: FromQuery[UUID | None] = None,
        asset_id: FromQuery[UUID | None] = None,
        assignee_id: FromQuery[UUID | None] = None,
        customer_id: FromQuery[UUID | None] = None,
        department_id: FromQuery[UUID | None] = None,
        parent_id: FromQuery[UUID | None] = None,
        q: Annotated[str | None, QueryParameter(max_length=200)] = None,
        created_from: FromQuery[datetime | None] = None,
        created_to: FromQuery[datetime | None] = None,
        due_from: FromQuery[datetime | None] = None,
        due_to: FromQuery[datetime | None] = None,
        sort: FromQuery[schemas.Sort] = "-created_at",
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        cursor: FromQuery[str | None] = None,
    ) -> Response[bytes]:
        """The caller's orders, one keyset page at a time.

        Views: all, unresolved, awaiting_response (no first response yet), starred,
        important (the caller's own marks) and mine (assigned to, requested or created
        by the caller). Repeat status, priority or kind to match any of several. Pass
        the answer's next_cursor as cursor for the next page, with the same filters.
        """
        page = await orders.list_orders(
            schemas.ListQuery(
                view=view,
                status=status,
                priority=priority,
                kind=kind,
                site_id=site_id,
                asset_id=asset_id,
                assignee_id=assignee_id,
                customer_id=customer_id,
                department_id=department_id,
                parent_id=parent_id,
                q=q,
                created_from=created_from,
                created_to=created_to,
                due_from=due_from,
                due_to=due_to,
                sort=sort,
                limit=limit,
                cursor=cursor,
            )
        )
        return Response(page, media_type=MediaType.JSON)

    @post(
        "/",
        operation_id="CreateWorkOrder",
        opt=needs("orders:write"),
        responses=errors(400, 401, 403, 409, 422),
    )
    async def create_order(
        self,
        data: JSONBody[schemas.WorkOrderCreate],
        orders: OrderServiceDep,
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> Response[schemas.WorkOrder]:
        """Record a new order; an offline client may choose its id (a UUID).

        It starts as new, or assigned when an assignee is given. Priority and
        department default from the service item; custom fields are checked
        against the template. With an Idempotency-Key header, a repeat within 24
        hours answers the first answer again (Idempotent-Replayed: true) and
        creates nothing; the same key with another body answers 422
        idempotency_key_reused.
        """
        if idempotency_key is not None:
            return await create_order_once(orders, idempotency_key, data)
        return Response(await orders.create(data), status_code=201)

    @get(
        "/{order_id:uuid}",
        operation_id="GetWorkOrder",
        opt=needs("orders:read"),
        responses=errors(400, 401, 403, 404),
    )
    async def get_order(
        self, order_id: OrderId, orders: OrderServiceDep
    ) -> schemas.WorkOrderDetail:
        """One order with its full timeline and the actions the caller may take now."""
        return await orders.get(order_id)

    @patch(
        "/{order_id:uuid}",
        operation_id="UpdateWorkOrder",
        opt=needs("orders:write"),
        responses=errors(400, 401, 403, 404, 409, 422),
    )
    async def update_order(
        self, order_id: OrderId, data: JSONBody[schemas.WorkOrderUpdate], orders: OrderServiceDep
    ) -> schemas.WorkOrder:
        """Change fields; send the version you saw to refuse the edit if it moved on (409)."""
        return await orders.update(order_id, data)

    @post(
        "/{order_id:uuid}/transitions",
        operation_id="TransitionWorkOrder",
        opt=needs("orders:write"),
        status_code=200,
        responses=errors(400, 401, 403, 404, 409, 422),
    )
    async def transition_order(
        self, order_id: OrderId, data: JSONBody[schemas.TransitionRequest], orders: OrderServiceDep
    ) -> schemas.WorkOrder:
        """Move the order through its lifecycle.

        An action that does not apply to the current status answers 409
        illegal_transition with the status and the allowed actions; one the
        caller's role may not take answers 403 transition_forbidden.
        """
        return await orders.transition(order_id, data)

    @post(
        "/{order_id:uuid}/assignment",
        operation_id="AssignWorkOrder",
        opt=needs("orders:write"),
        status_code=200,
        responses=errors(400, 401, 403, 404, 409, 422),
    )
    async def assign_order(
        self, order_id: OrderId, data: JSONBody[schemas.AssignRequest], orders: OrderServiceDep
    ) -> schemas.WorkOrder:
        """Assign the order, or transfer it to another person (with a reason)."""
        return await orders.assign(order_id, data)

    @post(
        "/{order_id:uuid}/urge",
        operation_id="UrgeWorkOrder",
        status_code=200,
        responses=errors(400, 401, 403, 404, 409, 429),
    )
    async def urge_order(
        self, order_id: OrderId, data: JSONBody[schemas.UrgeRequest], orders: OrderServiceDep
    ) -> schemas.WorkOrder:
        """Urge (催单) an open order: its requester, or a manager for them. Once per
        configured interval (FIELDOPS_URGE_INTERVAL_MINUTES): sooner answers 429
        urge_too_soon with Retry-After and the time of the next allowed urge. The
        assignee and the dispatchers are told."""
        return await orders.urge(order_id, data)

    @post(
        "/{order_id:uuid}/rating",
        operation_id="RateWorkOrder",
        status_code=200,
        responses=errors(400, 401, 403, 404, 409),
    )
    async def rate_order(
        self, order_id: OrderId, data: JSONBody[schemas.RatingRequest], orders: OrderServiceDep
    ) -> schemas.WorkOrder:
        """Rate a resolved or closed order 1-5 with a comment: its requester, once
        (409 already_rated). A rating of 1 or 2 flags the order for review and tells
        the dispatchers."""
        return await orders.rate(order_id, data)

    @get("/{order_id:uuid}/gantt", operation_id="GetProjectGantt", responses=errors(400, 401, 404))
    async def project_gantt(self, order_id: OrderId, orders: OrderServiceDep) -> schemas.Gantt:
        """A project's tasks for a Gantt chart: dates (planned, or creation to due),
        progress from each status, dependencies, and the project's rolled-up progress."""
        return await orders.gantt(order_id)

    @put(
        "/{order_id:uuid}/dependencies",
        operation_id="SetTaskDependencies",
        responses=errors(400, 401, 403, 404, 422),
    )
    async def set_dependencies(
        self,
        order_id: OrderId,
        data: JSONBody[schemas.DependenciesUpdate],
        orders: OrderServiceDep,
    ) -> schemas.Gantt:
        """Set the tasks of the same project this task waits for (admins and managers);
        a circle of waiting tasks is refused (422 dependency_cycle). Answers the
        project's chart."""
        return await orders.set_dependencies(order_id, data)

    @get(
        "/{order_id:uuid}/timeline",
        operation_id="GetWorkOrderTimeline",
        opt=needs("orders:read"),
        responses=errors(400, 401, 403, 404),
    )
    async def timeline(self, order_id: OrderId, orders: OrderServiceDep) -> schemas.Timeline:
        """Every step of the order's history, oldest first."""
        return schemas.Timeline(items=await orders.timeline(order_id))

    @put(
        "/{order_id:uuid}/flags", operation_id="SetWorkOrderFlags", responses=errors(400, 401, 404)
    )
    async def set_flags(
        self, order_id: OrderId, data: JSONBody[schemas.FlagsUpdate], orders: OrderServiceDep
    ) -> schemas.Flags:
        """Star or mark important for the caller only."""
        return await orders.set_flags(order_id, data)

    @get(
        "/{order_id:uuid}/comments",
        operation_id="ListWorkOrderComments",
        responses=errors(400, 401, 404),
    )
    async def list_comments(
        self, order_id: OrderId, comments: CommentServiceDep
    ) -> schemas.CommentList:
        """The order's comments, oldest first."""
        return schemas.CommentList(items=await comments.list_comments(order_id))

    @post(
        "/{order_id:uuid}/comments",
        operation_id="AddWorkOrderComment",
        responses=errors(400, 401, 404, 409),
    )
    async def add_comment(
        self, order_id: OrderId, data: JSONBody[schemas.CommentCreate], comments: CommentServiceDep
    ) -> schemas.Comment:
        """Comment on the order (an offline client may choose the comment's id)."""
        return await comments.add(order_id, data)

    @get(
        "/{order_id:uuid}/attachments",
        operation_id="ListWorkOrderAttachments",
        responses=errors(400, 401, 404),
    )
    async def list_attachments(
        self, order_id: OrderId, attachments: AttachmentServiceDep
    ) -> schemas.AttachmentList:
        """The order's photos and signatures, oldest first; ``present`` tells whether
        the file has arrived (GET /api/blobs/{sha256})."""
        return schemas.AttachmentList(items=await attachments.list_attachments(order_id))

    @post(
        "/{order_id:uuid}/attachments",
        operation_id="AddWorkOrderAttachment",
        responses=errors(400, 401, 404, 409),
    )
    async def add_attachment(
        self,
        order_id: OrderId,
        data: JSONBody[schemas.AttachmentCreate],
        attachments: AttachmentServiceDep,
    ) -> schemas.Attachment:
        """Attach a photo or signature by its SHA-256; the file may be uploaded before
        or after."""
        return await attachments.add(order_id, data)


class TemplateController(Controller):
    path = "/api/templates"
    tags = ["templates"]
    security = SECURITY
    dependencies = {"templates": Provide(provide_template_service, sync_to_thread=False)}

    @get("/", operation_id="ListTemplates", responses=errors(401))
    async def list_templates(self, templates: TemplateServiceDep) -> schemas.TemplateList:
        """Every order template."""
        return schemas.TemplateList(items=await templates.list_templates())

    @post("/", operation_id="CreateTemplate", responses=errors(400, 401, 403, 409, 422))
    async def create_template(
        self, data: JSONBody[schemas.TemplateCreate], templates: TemplateServiceDep
    ) -> schemas.Template:
        """Define a template: custom fields with types and limits, and a checklist."""
        return await templates.create(data)

    @get("/{template_id:uuid}", operation_id="GetTemplate", responses=errors(400, 401, 404))
    async def get_template(
        self, template_id: FromPath[UUID], templates: TemplateServiceDep
    ) -> schemas.Template:
        """One template."""
        return await templates.get(template_id)

    @patch(
        "/{template_id:uuid}",
        operation_id="UpdateTemplate",
        responses=errors(400, 401, 403, 404, 409, 422),
    )
    async def update_template(
        self,
        template_id: FromPath[UUID],
        data: JSONBody[schemas.TemplateUpdate],
        templates: TemplateServiceDep,
    ) -> schemas.Template:
        """Change a template; orders already made keep their values."""
        return await templates.update(template_id, data)


CONTROLLERS: list[type[Controller]] = [WorkOrderController, TemplateController]
