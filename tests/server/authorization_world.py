"""The victim's side of the authorization matrix: one object of every kind the API
exposes, owned by the north department (its manager, its technician ``north_tech``,
its inspector) or by the requester ``requester``, each carrying a marker text that
no outsider's answer may ever contain."""

from __future__ import annotations

import base64
import hashlib
import io
import os
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import PIL.Image
from PIL.PngImagePlugin import PngInfo

from server.accounts.tables import Session
from server.accounts.tokens import issue_access_token, new_refresh_token
from server.integrations.tables import WebhookDelivery
from server.notifications.tables import Notification
from server.workorders.tables import Template
from tests.inspection.fixtures import GOOD, add_asset, pump_checklist
from tests.server.workorders.orders import put_order
from tests.sync.device import Device
from tests.world import World

# Marker texts: kind -> a string written into that victim object only.
ORDER = "Vxorder chiller"
COMMENT = "Vxcomment gate code"
BLOB = "Vxblob meter photo"
EXPENSE = "Vxexpense taxi"
LABOUR = "Vxlabour overtime"
DRAFT = "Vxdraft unpublished"
INTERNAL = "Vxinternal procedure"
PLAN = "Vxplan weekly"
PM_PLAN = "Vxpm quarterly"
ROUND = "Vxround plant room"
INSPECTION = "Vxinspection remark"
CONFLICT = "Vxconflict description"
PUSH_ENDPOINT = "http://127.0.0.1:9/push/Vxpush"
ROBOT_URL = "http://127.0.0.1:9/robot/Vxrobot"
WEBHOOK_URL = "https://hooks.example/Vxwebhook"
STORE = "Vxstore van"


def photo() -> bytes:
    """A PNG that carries the blob's marker in a text chunk."""
    info = PngInfo()
    info.add_text("Comment", BLOB)
    buffer = io.BytesIO()
    PIL.Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


class Victims:
    """``ids[kind]`` of every victim object; ``secrets`` are values issued once (API
    key, webhook secret, calendar feed) that only their owner ever sees."""

    def __init__(self, client: httpx.AsyncClient, world: World) -> None:
        self.client = client
        self.world = world
        self.ids: dict[str, str] = {}
        self.secrets: dict[str, str] = {}
        self.revoked_token = ""

    async def call(self, who: str, method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
        headers = {**(await self.world.headers(who)), **kwargs.pop("headers", {})}
        answer = await self.client.request(method, path, json=body, headers=headers, **kwargs)
        assert answer.status_code < 300, (method, path, answer.status_code, answer.text)
        return (
            answer.json()
            if answer.content and "json" in answer.headers.get("content-type", "")
            else None
        )

    async def build(self) -> Victims:
        world, ids = self.world, self.ids
        ids["department"] = str(world.departments["north"])
        ids["team"] = str(world.teams["north"])
        ids["site"] = str(world.sites["central"])
        ids["customer"] = str(world.customers["acme"])
        ids["user"] = str(world.id("north_tech"))
        ids["manager"] = str(world.id("north_manager"))
        ids["skill"] = "electrical"
        customer = await self.call("admin", "GET", f"/api/customers/{ids['customer']}")
        ids["group"] = customer["group_id"]
        ids["asset"] = str(await add_asset(world, "VX-0001"))
        ids["tag"] = "VX-0001"
        ids["asset_type"] = "pump"
        await pump_checklist(self.client, world)
        ids["service_item"] = (
            await self.call("admin", "POST", "/api/service-items", {"name": "Chiller care"})
        )["id"]
        template = Template(id=uuid4(), name="Repair", kind="customer_request", fields=[])
        await template.save()
        ids["template"] = str(template.id)

        # The order: raised by the requester, assigned to north_tech in team north.
        order = await put_order(
            world,
            "in_progress",
            assignee="north_tech",
            team="north",
            title=ORDER,
            description=ORDER,
            site=world.sites["central"],
            asset=UUID(ids["asset"]),
            template=template.id,
        )
        ids["order"] = str(order)
        ids["project"] = str(
            await put_order(world, "new", team="north", kind="project", title=f"{ORDER} project")
        )
        ids["task"] = str(
            await put_order(
                world, "new", team="north", title=f"{ORDER} task", parent=UUID(ids["project"])
            )
        )
        ids["comment"] = (
            await self.call(
                "north_tech", "POST", f"/api/work-orders/{order}/comments", {"body": COMMENT}
            )
        )["id"]
        ids["sha256"] = hashlib.sha256(photo()).hexdigest()
        await self.call("north_tech", "PUT", f"/api/blobs/{ids['sha256']}", content=photo())
        ids["attachment"] = (
            await self.call(
                "north_tech",
                "POST",
                f"/api/work-orders/{order}/attachments",
                {"sha256": ids["sha256"]},
            )
        )["id"]
        ids["check_in"] = (
            await self.call(
                "north_tech",
                "POST",
                f"/api/work-orders/{order}/check-ins",
                {"latitude": 31.23, "longitude": 121.47, "accuracy_m": 10},
            )
        )["id"]
        ids["expense"] = (
            await self.call(
                "north_tech",
                "POST",
                f"/api/work-orders/{order}/expenses",
                {"category": "travel", "amount": "12.50", "note": EXPENSE},
            )
        )["id"]
        ids["labour"] = (
            await self.call(
                "north_tech",
                "POST",
                f"/api/work-orders/{order}/labour",
                {"minutes": 30, "note": LABOUR},
            )
        )["id"]
        ids["part"] = (
            await self.call(
                "admin",
                "POST",
                "/api/parts",
                {"code": "VX-P1", "name": "Seal", "unit_cost": "3.00"},
            )
        )["id"]
        ids["store"] = (
            await self.call(
                "admin",
                "POST",
                "/api/stores",
                {
                    "name": STORE,
                    "kind": "van",
                    "owner_id": ids["user"],
                    "department_id": ids["department"],
                },
            )
        )["id"]
        await self.call(
            "admin",
            "POST",
            "/api/stock-movements",
            {"kind": "receive", "part_id": ids["part"], "store_id": ids["store"], "quantity": 5},
        )
        await self.call(
            "north_tech",
            "POST",
            f"/api/work-orders/{order}/parts",
            {"part_id": ids["part"], "store_id": ids["store"], "quantity": 1},
        )
        await self.call("admin", "POST", "/api/labour-rates", {"hourly_rate": "40.00"})

        ids["plan"] = (
            await self.call(
                "north_manager",
                "POST",
                "/api/plans",
                {
                    "name": PLAN,
                    "starts_at": world.clock().isoformat(),
                    "rrule": "FREQ=WEEKLY",
                    "order": {"title": PLAN, "department_id": ids["department"]},
                },
            )
        )["id"]
        ids["pm_plan"] = (
            await self.call(
                "north_manager",
                "POST",
                "/api/maintenance/plans",
                {
                    "name": PM_PLAN,
                    "asset_id": ids["asset"],
                    "trigger": "time",
                    "interval_days": 90,
                    "order": {"title": PM_PLAN, "department_id": ids["department"]},
                },
            )
        )["id"]
        await self.call(
            "north_tech", "POST", f"/api/assets/{ids['asset']}/meter-readings", {"value": 10}
        )
        ids["draft"] = (
            await self.call(
                "north_manager",
                "POST",
                "/api/knowledge/articles",
                {"title": DRAFT, "body": DRAFT, "language": "en"},
            )
        )["id"]
        ids["article"] = (
            await self.call(
                "north_manager",
                "POST",
                "/api/knowledge/articles",
                {"title": INTERNAL, "body": INTERNAL, "language": "en", "published": True},
            )
        )["id"]
        ids["round"] = (
            await self.call(
                "north_manager",
                "POST",
                "/api/rounds",
                {
                    "name": ROUND,
                    "assignee_id": str(world.id("north_inspector")),
                    "department_id": ids["department"],
                    "checkpoints": [ids["asset"]],
                    "starts_at": world.clock().isoformat(),
                },
            )
        )["id"]
        runs = await self.call("north_inspector", "GET", "/api/round-runs")
        ids["run"] = runs["items"][0]["id"]
        ids["inspection"] = (
            await self.call(
                "north_inspector",
                "POST",
                "/api/inspections",
                {"code": ids["tag"], "answers": {**GOOD, "remarks": INSPECTION}},
            )
        )["id"]

        await self._conflict()
        ids["robot"] = (
            await self.call(
                "north_manager",
                "POST",
                "/api/chat-robots",
                {
                    "name": "North robot",
                    "platform": "wecom",
                    "url": ROBOT_URL,
                    "secret": "Vxrobotsecret",
                    "department_id": ids["department"],
                    "kinds": ["assigned"],
                },
            )
        )["id"]
        webhook = await self.call(
            "admin",
            "POST",
            "/api/webhooks",
            {"name": "ERP", "url": WEBHOOK_URL, "events": ["order.created"]},
        )
        ids["webhook"] = webhook["id"]
        self.secrets["webhook"] = webhook["secret"]
        # Unrouted (no department): every manager sees it, so it carries no marker.
        await self.call("requester", "POST", "/api/work-orders", {"title": "Lights out"})
        delivery = await WebhookDelivery.select(WebhookDelivery.id).first()
        assert delivery is not None
        ids["delivery"] = str(delivery["id"])
        # Retried to the end: only a failed delivery is sent again on request.
        await WebhookDelivery.update({WebhookDelivery.state: "failed"}).where(
            WebhookDelivery.id == delivery["id"]
        )
        key = await self.call(
            "admin",
            "POST",
            "/api/api-keys",
            {"name": "north client", "user_id": ids["manager"], "scopes": ["orders:read"]},
        )
        ids["api_key"] = key["id"]
        self.secrets["api_key"] = key["key"]
        await self.call(
            "north_tech",
            "POST",
            "/api/push/subscriptions",
            {"endpoint": PUSH_ENDPOINT, "keys": self.push_keys()},
        )
        feed = await self.call("north_tech", "POST", "/api/me/calendar-token")
        self.secrets["calendar"] = feed["url"].rsplit("/", 1)[1].removesuffix(".ics")
        # The conflict told the department's manager.
        notification = (
            await Notification.select(Notification.id)
            .where(Notification.user == world.id("north_manager"))
            .first()
        )
        assert notification is not None
        ids["notification"] = str(notification["id"])
        await self.call("north_tech", "PUT", "/api/me/duty", {"on_duty": True})
        await self.call(
            "north_tech",
            "POST",
            "/api/me/positions",
            {
                "fixes": [
                    {
                        "latitude": 31.23,
                        "longitude": 121.47,
                        "accuracy_m": 5,
                        "at": world.clock().isoformat(),
                    }
                ]
            },
        )
        await self._spares()
        self.revoked_token = await self._revoked_admin_token()
        return self

    async def _spares(self) -> None:
        """Objects the positive controls may delete or move, and values bodies name."""
        world, ids = self.world, self.ids
        admin = "admin"
        ids["department2"] = (
            await self.call(admin, "POST", "/api/departments", {"name": "Spare ops"})
        )["id"]
        ids["team2"] = (
            await self.call(
                admin,
                "POST",
                "/api/teams",
                {"name": "Spare crew", "department_id": str(world.departments["south"])},
            )
        )["id"]
        ids["skill2"] = (
            await self.call(admin, "POST", "/api/skills", {"code": "spare", "name": "Spare"})
        )["code"]
        for key in ("group2", "group3"):
            ids[key] = (
                await self.call(admin, "POST", "/api/customer-groups", {"name": f"Spare {key}"})
            )["id"]
        ids["customer2"] = (
            await self.call(admin, "POST", "/api/customers", {"name": "Spare customer"})
        )["id"]
        ids["site2"] = (
            await self.call(
                admin,
                "POST",
                "/api/sites",
                {"name": "Spare site", "latitude": 30.0, "longitude": 120.0},
            )
        )["id"]
        ids["asset2"] = str(await add_asset(world, "SPARE-1"))
        ids["service_item2"] = (
            await self.call(admin, "POST", "/api/service-items", {"name": "Spare care"})
        )["id"]
        minutes = {"P1": 10, "P2": 20, "P3": 30, "P4": 40, "P5": 50}
        for key in ("sla_rule", "sla_rule2"):
            ids[key] = (
                await self.call(
                    admin,
                    "POST",
                    "/api/sla/rules",
                    {
                        "response_minutes": minutes,
                        "resolution_minutes": minutes,
                        "customer_group_id": ids["group"] if key == "sla_rule" else ids["group3"],
                    },
                )
            )["id"]
        week = [[["09:00", "17:00"]]] * 5 + [[], []]
        for key in ("group", "group3"):
            await self.call(admin, "PUT", f"/api/sla/calendars/{ids[key]}", {"week": week})
        for key in ("plan2", "plan3"):
            ids[key] = (
                await self.call(
                    "north_manager",
                    "POST",
                    "/api/plans",
                    {
                        "name": f"Spare {key}",
                        "starts_at": world.clock().isoformat(),
                        "rrule": "FREQ=WEEKLY",
                        "order": {"title": "Spare", "department_id": ids["department"]},
                    },
                )
            )["id"]
        ids["pm_plan2"] = (
            await self.call(
                "north_manager",
                "POST",
                "/api/maintenance/plans",
                {
                    "name": "Spare pm",
                    "asset_id": ids["asset"],
                    "trigger": "time",
                    "interval_days": 30,
                    "order": {"title": "Spare pm", "department_id": ids["department"]},
                },
            )
        )["id"]
        ids["article2"] = (
            await self.call(
                "north_manager",
                "POST",
                "/api/knowledge/articles",
                {"title": "Spare", "body": "Spare.", "language": "en"},
            )
        )["id"]
        ids["robot2"] = (
            await self.call(
                "north_manager",
                "POST",
                "/api/chat-robots",
                {
                    "name": "Spare robot",
                    "platform": "wecom",
                    "url": "http://127.0.0.1:9/robot/spare",
                    "department_id": ids["department"],
                    "kinds": ["assigned"],
                },
            )
        )["id"]
        ids["round2"] = (
            await self.call(
                "north_manager",
                "POST",
                "/api/rounds",
                {
                    "name": "Spare round",
                    "assignee_id": str(world.id("north_inspector")),
                    "department_id": ids["department"],
                    "checkpoints": [ids["asset"]],
                    "starts_at": world.clock().isoformat(),
                },
            )
        )["id"]
        runs = await self.call("north_inspector", "GET", "/api/round-runs")
        ids["run2"] = next(r["id"] for r in runs["items"] if r["id"] != ids["run"])
        ids["api_key2"] = (
            await self.call(
                admin,
                "POST",
                "/api/api-keys",
                {"name": "spare", "user_id": ids["manager"], "scopes": ["orders:read"]},
            )
        )["id"]
        for key in ("webhook2", "webhook3"):
            ids[key] = (
                await self.call(
                    admin,
                    "POST",
                    "/api/webhooks",
                    {
                        "name": f"Spare {key}",
                        "url": "https://hooks.example/x",
                        "events": ["order.rated"],
                    },
                )
            )["id"]
        ids["order2"] = str(
            await put_order(
                world, "in_progress", assignee="north_tech", team="north", title="Spare order"
            )
        )
        ids["order_done"] = str(
            await put_order(
                world, "closed", assignee="north_tech", team="north", title=f"{ORDER} closed"
            )
        )
        await self.call(
            "north_tech",
            "POST",
            "/api/push/subscriptions",
            {"endpoint": "http://127.0.0.1:9/push/spare", "keys": self.push_keys()},
        )
        ids["chart"] = "backlog-by-status.svg"
        ids["report"] = "technicians"

    @staticmethod
    def push_keys() -> dict[str, str]:
        return {"p256dh": b64url(os.urandom(65)), "auth": b64url(os.urandom(16))}

    async def _conflict(self) -> None:
        """A sync conflict on the order: north_tech edits offline what the manager changed."""
        phone = Device(self.client, self.world, "north_tech")
        phone.make(
            "edit_order",
            order_id=self.ids["order"],
            base_version=1,
            changes={"description": CONFLICT},
        )
        await self.call(
            "north_manager",
            "PATCH",
            f"/api/work-orders/{self.ids['order']}",
            {"description": f"{ORDER} revised"},
        )
        await phone.push()
        conflicts = await self.call("north_manager", "GET", "/api/sync/conflicts")
        self.ids["conflict"] = conflicts["items"][0]["id"]

    async def _revoked_admin_token(self) -> str:
        """A well-signed, unexpired admin token whose session was revoked."""
        now = self.world.clock()
        session = Session(
            id=uuid4(),
            user=self.world.id("admin"),
            refresh_hash=new_refresh_token()[1],
            created_at=now,
            expires_at=now + timedelta(days=30),
            revoked_at=now,
        )
        await session.save()
        return issue_access_token(
            self.world.settings.secret_key,
            self.world.id("admin"),
            session.id,
            now,
            timedelta(hours=12),
        )
