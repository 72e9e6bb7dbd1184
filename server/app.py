"""The application factory. Nothing happens at import time."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.config.cors import CORSConfig
from litestar.datastructures import State

from geo.controllers import CONTROLLERS as GEO_CONTROLLERS
from geo.geocoding import geocoder
from geo.live import announcer
from inspection.controllers import CONTROLLERS as INSPECTION_CONTROLLERS
from server import live
from server.accounts.controllers import AuthController, UserController
from server.clock import Clock, utc_now
from server.costs.controllers import CONTROLLERS as COST_CONTROLLERS
from server.database import bind, close_pool, create_engine, open_pool
from server.dependencies import DEPENDENCIES
from server.errors import EXCEPTION_HANDLERS
from server.frontend import frontend_routes
from server.health import health
from server.input_guard import refuse_nul
from server.integrations.controllers import CONTROLLERS as INTEGRATION_CONTROLLERS
from server.integrations.outbox import WebhookOutbox
from server.knowledge.controllers import CONTROLLERS as KNOWLEDGE_CONTROLLERS
from server.maintenance.controllers import CONTROLLERS as MAINTENANCE_CONTROLLERS
from server.masterdata.controllers import CONTROLLERS as MASTERDATA_CONTROLLERS
from server.migrations import require_current_schema
from server.notifications.controllers import CONTROLLERS as NOTIFICATION_CONTROLLERS
from server.notifications.delivery import delivery_loops
from server.notifications.preference_controllers import CONTROLLERS as PREFERENCE_CONTROLLERS
from server.notifications.push_controllers import CONTROLLERS as PUSH_CONTROLLERS
from server.notifications.robot_controllers import CONTROLLERS as CHAT_ROBOT_CONTROLLERS
from server.notifications.sms_controllers import CONTROLLERS as SMS_CONTROLLERS
from server.notifications.sms_gateway import load_gateway
from server.notifications.vapid import load_or_create
from server.openapi import openapi_config, swagger_assets_router
from server.plans.controllers import CONTROLLERS as PLAN_CONTROLLERS
from server.reports.controllers import CONTROLLERS as REPORT_CONTROLLERS
from server.request_log import configure_logging, with_request_ids
from server.scheduler.catalogue import JOB_KINDS
from server.scheduler.runner import Scheduler
from server.security_headers import security_headers
from server.settings import Settings, load
from server.sla.controllers import CONTROLLERS as SLA_CONTROLLERS
from server.tables import all_tables
from server.workorders.controllers import CONTROLLERS as WORKORDER_CONTROLLERS
from sync.blob_store import DiskBlobStore
from sync.controllers import CONTROLLERS as SYNC_CONTROLLERS


def create_app(settings: Settings | None = None, clock: Clock = utc_now) -> Litestar:
    settings = settings or load()
    engine = create_engine(settings)
    bind(engine, all_tables())

    @asynccontextmanager
    async def database(app: Litestar) -> AsyncIterator[None]:
        await open_pool(engine, settings.db_pool_size)
        try:
            await require_current_schema(engine)
            yield
        finally:
            await close_pool(engine)

    feed = live.channels(settings)
    vapid = load_or_create(settings)
    gateway = load_gateway(settings)

    @asynccontextmanager
    async def announcing(app: Litestar) -> AsyncIterator[None]:
        with live.announcing(
            feed,
            announcer(clock, live.channel_name(settings.redis_url)),
            shared=bool(settings.redis_url),
        ):
            yield

    @asynccontextmanager
    async def scheduling(app: Litestar) -> AsyncIterator[None]:
        if not settings.run_scheduler:
            yield
            return
        tasks = [
            asyncio.create_task(Scheduler(JOB_KINDS, settings, clock).run_forever()),
            *map(asyncio.create_task, delivery_loops(settings, clock, vapid, gateway)),
            asyncio.create_task(WebhookOutbox(settings, clock).run_forever()),
        ]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app = Litestar(
        route_handlers=[
            *frontend_routes(settings),
            health,
            swagger_assets_router(),
            AuthController,
            UserController,
            *MASTERDATA_CONTROLLERS,
            *WORKORDER_CONTROLLERS,
            *SLA_CONTROLLERS,
            *PLAN_CONTROLLERS,
            *MAINTENANCE_CONTROLLERS,
            *KNOWLEDGE_CONTROLLERS,
            *NOTIFICATION_CONTROLLERS,
            *PUSH_CONTROLLERS,
            *CHAT_ROBOT_CONTROLLERS,
            *PREFERENCE_CONTROLLERS,
            *SMS_CONTROLLERS,
            *SYNC_CONTROLLERS,
            *GEO_CONTROLLERS,
            *INSPECTION_CONTROLLERS,
            *COST_CONTROLLERS,
            *INTEGRATION_CONTROLLERS,
            *REPORT_CONTROLLERS,
        ],
        dependencies=DEPENDENCIES,
        before_request=refuse_nul,
        before_send=[security_headers(settings)],
        cors_config=cors_config(settings),
        exception_handlers=EXCEPTION_HANDLERS,
        # The feed starts before and stops after what publishes on it.
        lifespan=[database, feed, announcing, scheduling],
        openapi_config=openapi_config(),
        request_max_body_size=settings.max_body_bytes,
        # Phones sync over mobile networks: pages of orders with their timelines
        # shrink several times. Level 1: a list page asked for with gzip served 1,363
        # req/s against 1,472 without and 1,043 at level 5. Images are compressed already.
        compression_config=CompressionConfig(
            backend="gzip",
            minimum_size=4096,
            gzip_compress_level=1,
            exclude=["/api/blobs", "/api/map/events"],
        ),
        state=State(
            {
                "settings": settings,
                "clock": clock,
                "engine": engine,
                "blob_store": DiskBlobStore(settings.blob_path),
                "feed": feed,
                "vapid": vapid,
                "sms_gateway": gateway,
                "geocoder": geocoder(settings),
            }
        ),
        debug=False,
    )
    # Outermost, so that every line logged while a request runs carries its id.
    app.asgi_handler = with_request_ids(app.asgi_handler)
    return app


def cors_config(settings: Settings) -> CORSConfig | None:
    """Cross-origin calls from the listed origins only; the API takes bearer tokens,
    never cookies, so no credentials."""
    origins = [origin.strip() for origin in settings.cors_origins.split(",") if origin.strip()]
    return CORSConfig(allow_origins=origins, expose_headers=["X-Request-ID"]) if origins else None


def serving_app() -> Litestar:
    """The app as ``fieldops serve`` runs it, in a process of its own."""
    app = create_app()
    configure_logging()
    # What start-up made lives as long as the process: frozen, it is left out of the
    # collector's full passes, which otherwise walked it every few pushes (about
    # 45 ms each, 5% of a sync push's time).
    app.on_startup.append(gc.freeze)
    return app
