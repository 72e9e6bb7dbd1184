"""The demo service catalogue: what customers ask for, who handles it, typical problems."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field

from server.demo.organisation import AFTER_SALES, FACILITIES, IT_SUPPORT, SAFETY, new_id
from server.demo.writer import Row

# name -> (required skills, default priority, department, asset types it concerns, titles)
SERVICE_ITEMS: dict[str, tuple[tuple[str, ...], str, str, tuple[str, ...], tuple[str, ...]]] = {
    "Air-conditioning fault": (
        ("hvac",),
        "P3",
        FACILITIES,
        ("air_handling_unit", "chiller", "split_ac"),
        (
            "Air conditioning not cooling",
            "AC unit dripping water",
            "Meeting room too hot",
            "Strange noise from the AC unit",
        ),
    ),
    "Elevator entrapment": (
        ("elevator",),
        "P1",
        FACILITIES,
        ("elevator",),
        ("Passenger trapped in elevator", "Elevator stopped between floors"),
    ),
    "Elevator or escalator fault": (
        ("elevator",),
        "P2",
        FACILITIES,
        ("elevator", "escalator"),
        (
            "Elevator door does not close",
            "Escalator stopped",
            "Elevator levelling off by several centimetres",
        ),
    ),
    "Water leak": (
        ("plumbing",),
        "P2",
        FACILITIES,
        ("water_pump", "water_heater"),
        (
            "Water leaking from the ceiling",
            "Burst pipe in the washroom",
            "Toilet keeps running",
            "No hot water",
        ),
    ),
    "Power failure": (
        ("electrical",),
        "P1",
        FACILITIES,
        ("switchboard", "generator"),
        (
            "Power outage on the floor",
            "Breaker keeps tripping",
            "Generator failed to start during test",
        ),
    ),
    "Lighting repair": (
        ("electrical",),
        "P4",
        FACILITIES,
        ("lighting_circuit",),
        ("Corridor lights out", "Flickering lights in the lobby", "Emergency exit sign not lit"),
    ),
    "Door and lock repair": (
        ("carpentry",),
        "P4",
        FACILITIES,
        (),
        ("Door closer broken", "Lock jammed on the storeroom door", "Window will not close"),
    ),
    "Network outage": (
        ("network",),
        "P2",
        IT_SUPPORT,
        ("network_switch", "ups"),
        ("Whole floor lost network", "Switch port flapping", "Internet very slow for all users"),
    ),
    "Computer or printer fault": (
        ("it-hardware",),
        "P3",
        IT_SUPPORT,
        (),
        (
            "Laptop will not boot",
            "Printer paper jam every page",
            "Monitor has no signal",
            "New starter needs a PC set up",
        ),
    ),
    "Wi-Fi coverage problem": (
        ("network",),
        "P4",
        IT_SUPPORT,
        ("wifi_access_point",),
        ("Weak Wi-Fi in the meeting room", "Access point offline", "Guests cannot join the Wi-Fi"),
    ),
    "CCTV or access control fault": (
        ("security-systems",),
        "P3",
        IT_SUPPORT,
        ("cctv_nvr", "access_control"),
        ("Camera feed missing", "Badge reader rejects valid cards", "NVR disk full"),
    ),
    "Equipment installation": (
        ("electrical",),
        "P3",
        AFTER_SALES,
        ("coffee_machine", "split_ac"),
        (
            "Install newly delivered unit",
            "Relocate unit to the new store",
            "Commission the replacement unit",
        ),
    ),
    "Warranty repair": (
        ("hvac", "electrical"),
        "P3",
        AFTER_SALES,
        ("coffee_machine", "split_ac"),
        (
            "Unit under warranty shows error E4",
            "Warranty claim: compressor noise",
            "Display board failure",
        ),
    ),
    "Fire alarm fault": (
        ("fire-safety",),
        "P1",
        SAFETY,
        ("fire_alarm_panel", "sprinkler_pump"),
        ("Fire alarm panel shows a fault", "False alarm on level 5", "Sprinkler pump pressure low"),
    ),
    "Fire extinguisher replacement": (
        ("fire-safety",),
        "P4",
        SAFETY,
        ("fire_extinguisher",),
        ("Extinguisher pressure below green zone", "Extinguisher missing from its bracket"),
    ),
}


@dataclass
class Catalogue:
    items: list[Row] = field(default_factory=list)
    ids: dict[str, uuid.UUID] = field(default_factory=dict)


def build_catalogue(rng: random.Random, department_ids: dict[str, uuid.UUID]) -> Catalogue:
    catalogue = Catalogue()
    for name, (skills, priority, department, _types, _titles) in SERVICE_ITEMS.items():
        catalogue.ids[name] = new_id(rng)
        catalogue.items.append(
            {
                "id": catalogue.ids[name],
                "name": name,
                "required_skills": list(skills),
                "default_priority": priority,
                "department": department_ids[department],
            }
        )
    return catalogue
