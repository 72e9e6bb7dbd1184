"""What each demo order is about: subject, site, asset, people, priority and due time."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import timedelta

from server.demo.catalogue import SERVICE_ITEMS, Catalogue
from server.demo.organisation import (
    AFTER_SALES,
    FACILITIES,
    IT_SUPPORT,
    SAFETY,
    Organisation,
    Person,
)
from server.demo.places import ASSET_TYPES, Places
from server.demo.templates import FIRE_INSPECTION, PREVENTIVE, REPAIR
from server.demo.writer import Row

PRIORITIES = ("P1", "P2", "P3", "P4", "P5")
RESOLUTION_HOURS = {"P1": 4, "P2": 8, "P3": 24, "P4": 72, "P5": 168}

PLANNED = [
    ("Weekly water tank inspection", FACILITIES, "plumbing"),
    ("Monthly generator load test", FACILITIES, "electrical"),
    ("Monthly emergency lighting test", FACILITIES, "electrical"),
    ("Quarterly kitchen exhaust cleaning", FACILITIES, "hvac"),
    ("Monthly UPS battery check", IT_SUPPORT, "electrical"),
    ("Quarterly server room air-conditioning check", IT_SUPPORT, "hvac"),
    ("Monthly coffee machine descaling", AFTER_SALES, "electrical"),
]
PROJECTS = {
    FACILITIES: ["Lobby lighting retrofit to LED", "Washroom renovation", "Chiller replacement"],
    IT_SUPPORT: ["Wi-Fi upgrade to Wi-Fi 6", "CCTV expansion", "Office move: network cabling"],
    AFTER_SALES: ["Store opening: equipment installation", "Coffee machine fleet replacement"],
}
PROJECT_TASKS = [
    "site survey",
    "order materials",
    "installation",
    "testing and commissioning",
    "handover to the customer",
    "remove old equipment",
]
LOCATIONS = [
    "B1",
    "B2",
    "lobby",
    "roof",
    "plant room",
    "car park",
    "kitchen",
    "server room",
    *(f"{floor}F" for floor in range(1, 31)),
]
DESCRIPTIONS = [
    "Reported at the front desk.",
    "Tenant asks for a visit before 18:00.",
    "Second time this month.",
    "Please call the site contact on arrival.",
    "Access through the loading bay; security has been informed.",
    "客户来电报修，请尽快处理。",
    "现场联系人：物业前台。",
]


@dataclass
class Plan:
    """What an order is about, before its lifecycle is walked."""

    title: str
    department: str
    priority: str
    due: timedelta
    site: Row | None = None
    asset: Row | None = None
    service_item: uuid.UUID | None = None
    skill: str | None = None
    requester: Person | None = None
    created_by: Person | None = None
    template: str | None = None
    parent: uuid.UUID | None = None
    description: str = ""
    note: str = ""


class Planner:
    """Decides what each order is about: its subject, place, people and urgency."""

    def __init__(
        self, rng: random.Random, org: Organisation, places: Places, catalogue: Catalogue
    ) -> None:
        self.rng = rng
        self.org = org
        self.places = places
        self.catalogue = catalogue
        self.requesters = org.by_role("requester")
        self.items = list(SERVICE_ITEMS)
        self.sites = {site["id"]: site for site in places.sites}
        # recent project orders (id, title, department, site) that tasks hang under
        self.projects: list[tuple[uuid.UUID, str, str, Row | None]] = []

    def plan(self, kind: str, order_id: uuid.UUID) -> Plan:
        plan = self._project() if kind == "project" else self._plan(kind)
        if kind == "project" and plan.parent is None:
            self.projects.append((order_id, plan.title[:150], plan.department, plan.site))
        return plan

    def _plan(self, kind: str) -> Plan:
        rng = self.rng
        if kind in ("customer_request", "service"):
            name = rng.choice(self.items)
            skills, default, department, types, titles = SERVICE_ITEMS[name]
            site = rng.choice(self.places.sites)
            assets = [a for a in self.places.assets_by_site[site["id"]] if a["asset_type"] in types]
            index = min(4, max(0, PRIORITIES.index(default) + rng.choice((-1, 0, 0, 0, 1))))
            requester = (
                rng.choice(self.requesters)
                if kind == "customer_request" or rng.random() < 0.5
                else None
            )
            priority = PRIORITIES[index]
            return Plan(
                title=f"{rng.choice(titles)}, {rng.choice(LOCATIONS)}",
                department=department,
                priority=priority,
                due=timedelta(hours=RESOLUTION_HOURS[priority]),
                site=site,
                asset=rng.choice(assets) if assets and rng.random() < 0.8 else None,
                service_item=self.catalogue.ids[name],
                skill=skills[0],
                requester=requester,
                created_by=requester or self.org.manager_of(department),
                template=REPAIR,
                description=rng.choice(DESCRIPTIONS),
            )
        if kind == "preventive":
            asset = rng.choice(self.places.assets)
            _label, skill, department, interval, _meter, _weight = ASSET_TYPES[asset["asset_type"]]
            return Plan(
                title=f"Preventive maintenance: {asset['name']} ({asset['tag']})",
                department=department,
                priority=rng.choice(("P3", "P3", "P4")),
                due=timedelta(days=min(14, interval // 4 + 1)),
                site=self.sites[asset["site"]],
                asset=asset,
                skill=skill,
                template=PREVENTIVE,
                description=f"Every {interval} days.",
                note="Generated from the maintenance plan",
            )
        if kind == "inspection":
            site = rng.choice(self.places.sites)
            panels = [
                a
                for a in self.places.assets_by_site[site["id"]]
                if a["asset_type"] == "fire_alarm_panel"
            ]
            return Plan(
                title=f"Fire safety patrol: {site['name']}",
                department=SAFETY,
                priority="P3",
                due=timedelta(days=2),
                site=site,
                asset=panels[0] if panels else None,
                skill="fire-safety",
                created_by=self.org.manager_of(SAFETY),
                template=FIRE_INSPECTION,
                description="Monthly round of extinguishers, exits and alarm panels.",
            )
        if kind == "planned":
            title, department, skill = rng.choice(PLANNED)
            site = rng.choice(self.places.sites)
            return Plan(
                title=f"{title}: {site['name']}",
                department=department,
                priority=rng.choice(("P3", "P4")),
                due=timedelta(days=3),
                site=site,
                skill=skill,
                created_by=self.org.manager_of(department),
                description="Recurring order from the maintenance calendar.",
            )
        raise ValueError(f"no plan for {kind!r} orders")

    def _project(self) -> Plan:
        rng = self.rng
        if self.projects and rng.random() < 0.6:
            parent, title, department, site = rng.choice(self.projects[-5:])
            return Plan(
                title=f"{title}: {rng.choice(PROJECT_TASKS)}",
                department=department,
                priority="P3",
                due=timedelta(days=7),
                site=site,
                parent=parent,
                created_by=self.org.manager_of(department),
            )
        department = rng.choice(list(PROJECTS))
        site = rng.choice(self.places.sites)
        return Plan(
            title=f"{rng.choice(PROJECTS[department])}, {site['name']}"[:200],
            department=department,
            priority=rng.choice(("P2", "P3")),
            due=timedelta(days=30),
            site=site,
            created_by=self.org.manager_of(department),
            description="Project order; tasks are child orders.",
        )
