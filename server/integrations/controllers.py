"""HTTP endpoints of integrations: API keys, webhooks and calendar feeds."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.types import ControllerRouterHandler

from server.dependencies import ActorDep, ClockDep, SettingsDep
from server.errors import NotFound
from server.integrations import schemas
from server.integrations.api_keys import ApiKeyService
from server.integrations.calendar import CalendarFeedService, render_feed
from server.integrations.scopes import needs
from server.integrations.webhooks import WebhookService
from server.openapi import SECURITY, errors

StateQuery = Annotated[
    schemas.DeliveryState | None,
    # "state" names the app's state among handler arguments.
    QueryParameter(name="state", description="only deliveries in this state"),
]
LimitQuery = Annotated[int, QueryParameter(ge=1, le=200, description="at most this many")]


def provide_api_key_service(actor: ActorDep, clock: ClockDep) -> ApiKeyService:
    return ApiKeyService(actor, clock)


def provide_webhook_service(
    actor: ActorDep, clock: ClockDep, settings: SettingsDep
) -> WebhookService:
    return WebhookService(actor, clock, settings)


def provide_calendar_service(
    actor: ActorDep, clock: ClockDep, settings: SettingsDep
) -> CalendarFeedService:
    return CalendarFeedService(actor, clock, settings)


ApiKeyServiceDep = NamedDependency[ApiKeyService]
WebhookServiceDep = NamedDependency[WebhookService]
CalendarServiceDep = NamedDependency[CalendarFeedService]


class ApiKeyController(Controller):
    """No scope opens these to API keys: keys are made and revoked by people."""

    path = "/api/api-keys"
    tags = ["integrations"]
    security = SECURITY
    dependencies = {"keys": Provide(provide_api_key_service, sync_to_thread=False)}

    @get("/", operation_id="ListApiKeys", responses=errors(401, 403))
    async def list_keys(self, keys: ApiKeyServiceDep) -> schemas.ApiKeyList:
        """Every API key, newest first (admins); the secrets are never shown again."""
        return schemas.ApiKeyList(items=await keys.keys())

    @post("/", operation_id="CreateApiKey", responses=errors(400, 401, 403, 422))
    async def create_key(
        self, data: JSONBody[schemas.ApiKeyCreate], keys: ApiKeyServiceDep
    ) -> schemas.ApiKeyCreated:
        """Make a key for a machine client (admins). It acts as the chosen user, limited
        to its scopes. The answer's `key` is the only time the key is shown: only a
        hash of it is kept."""
        return await keys.create(data)

    @get("/{key_id:uuid}", operation_id="GetApiKey", responses=errors(400, 401, 403, 404))
    async def get_key(self, key_id: FromPath[UUID], keys: ApiKeyServiceDep) -> schemas.ApiKey:
        """One API key, with when it was last used."""
        return await keys.get(key_id)

    @post(
        "/{key_id:uuid}/revoke",
        operation_id="RevokeApiKey",
        status_code=200,
        responses=errors(400, 401, 403, 404),
    )
    async def revoke_key(self, key_id: FromPath[UUID], keys: ApiKeyServiceDep) -> schemas.ApiKey:
        """Stop a key at once: its requests answer 401 api_key_revoked."""
        return await keys.revoke(key_id)


class WebhookController(Controller):
    path = "/api/webhooks"
    tags = ["integrations"]
    security = SECURITY
    opt = needs("webhooks:manage")
    dependencies = {"webhooks": Provide(provide_webhook_service, sync_to_thread=False)}

    @get("/", operation_id="ListWebhooks", responses=errors(401, 403))
    async def list_webhooks(self, webhooks: WebhookServiceDep) -> schemas.WebhookList:
        """Every webhook subscription, by name (admins)."""
        return schemas.WebhookList(items=await webhooks.subscriptions())

    @post("/", operation_id="CreateWebhook", responses=errors(400, 401, 403, 422))
    async def create_webhook(
        self, data: JSONBody[schemas.WebhookCreate], webhooks: WebhookServiceDep
    ) -> schemas.WebhookCreated:
        """Send the chosen order events to a URL (FIELDOPS_WEBHOOK_URLS limits which).
        Each delivery is signed with the answer's `secret`, shown this once."""
        return await webhooks.create(data)

    @get("/{webhook_id:uuid}", operation_id="GetWebhook", responses=errors(400, 401, 403, 404))
    async def get_webhook(
        self, webhook_id: FromPath[UUID], webhooks: WebhookServiceDep
    ) -> schemas.Webhook:
        """One webhook subscription."""
        return await webhooks.get(webhook_id)

    @patch(
        "/{webhook_id:uuid}",
        operation_id="UpdateWebhook",
        responses=errors(400, 401, 403, 404, 422),
    )
    async def update_webhook(
        self,
        webhook_id: FromPath[UUID],
        data: JSONBody[schemas.WebhookUpdate],
        webhooks: WebhookServiceDep,
    ) -> schemas.Webhook:
        """Change the given fields; a switched-off subscription gets no new deliveries
        and skips its pending ones."""
        return await webhooks.update(webhook_id, data)

    @delete(
        "/{webhook_id:uuid}", operation_id="DeleteWebhook", responses=errors(400, 401, 403, 404)
    )
    async def delete_webhook(self, webhook_id: FromPath[UUID], webhooks: WebhookServiceDep) -> None:
        """Delete a subscription, its deliveries and their logs."""
        await webhooks.delete(webhook_id)

    @post(
        "/{webhook_id:uuid}/secret",
        operation_id="RotateWebhookSecret",
        status_code=200,
        responses=errors(400, 401, 403, 404),
    )
    async def rotate_secret(
        self, webhook_id: FromPath[UUID], webhooks: WebhookServiceDep
    ) -> schemas.WebhookCreated:
        """Replace the signing secret; the new one is in the answer, this once."""
        return await webhooks.rotate_secret(webhook_id)

    @get(
        "/{webhook_id:uuid}/deliveries",
        operation_id="ListWebhookDeliveries",
        responses=errors(400, 401, 403, 404),
    )
    async def deliveries(
        self,
        webhook_id: FromPath[UUID],
        webhooks: WebhookServiceDep,
        delivery_state: StateQuery = None,
        limit: LimitQuery = 50,
    ) -> schemas.WebhookDeliveryList:
        """The latest deliveries, newest first, each with its payload and every
        attempt's answer (status code, error, time taken)."""
        return schemas.WebhookDeliveryList(
            items=await webhooks.deliveries(webhook_id, delivery_state, limit)
        )

    @get(
        "/{webhook_id:uuid}/deliveries/{delivery_id:uuid}",
        operation_id="GetWebhookDelivery",
        responses=errors(400, 401, 403, 404),
    )
    async def delivery(
        self, webhook_id: FromPath[UUID], delivery_id: FromPath[UUID], webhooks: WebhookServiceDep
    ) -> schemas.WebhookDelivery:
        """One delivery with its log."""
        return await webhooks.delivery(webhook_id, delivery_id)

    @post(
        "/{webhook_id:uuid}/deliveries/{delivery_id:uuid}/redeliver",
        operation_id="RedeliverWebhook",
        status_code=200,
        responses=errors(400, 401, 403, 404, 409),
    )
    async def redeliver(
        self, webhook_id: FromPath[UUID], delivery_id: FromPath[UUID], webhooks: WebhookServiceDep
    ) -> schemas.WebhookDelivery:
        """Send a finished delivery again now: the same payload and event id, newly
        signed, with a fresh run of retries. One still pending answers 409
        delivery_pending."""
        return await webhooks.redeliver(webhook_id, delivery_id)


class CalendarFeedController(Controller):
    path = "/api/me/calendar-token"
    tags = ["integrations"]
    security = SECURITY
    dependencies = {"calendars": Provide(provide_calendar_service, sync_to_thread=False)}

    @post("/", operation_id="IssueCalendarFeed", status_code=201, responses=errors(401, 403))
    async def issue(self, calendars: CalendarServiceDep) -> schemas.CalendarFeed:
        """A new private address of the caller's calendar of planned orders, for a
        calendar app to subscribe to; the previous address stops working."""
        return await calendars.issue()

    @delete("/", operation_id="StopCalendarFeed", responses=errors(401, 403, 404))
    async def stop(self, calendars: CalendarServiceDep) -> None:
        """Stop the caller's calendar feed: its address answers 404."""
        await calendars.stop()


# A capability URL for calendar apps, which cannot log in: outside the bearer-token
# API and its OpenAPI document (docs/integrations.md describes it).
@get("/api/calendar/{feed:str}", include_in_schema=False, media_type="text/calendar")
async def calendar_feed(
    feed: FromPath[str], settings: SettingsDep, clock: ClockDep
) -> Response[bytes]:
    token = feed.removesuffix(".ics")
    if token == feed:
        raise NotFound("no such calendar feed")
    body = await render_feed(token, settings, clock)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, max-age=300"},
    )


CONTROLLERS: list[ControllerRouterHandler] = [
    ApiKeyController,
    WebhookController,
    CalendarFeedController,
    calendar_feed,
]
