"""Demo order templates (custom fields) and the values a finished order records in them."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from typing import Any

from server.demo.organisation import SAFETY, new_id
from server.demo.writer import Row

REPAIR = "Repair report"
PREVENTIVE = "Preventive maintenance"
FIRE_INSPECTION = "Fire safety inspection"

FAULT_CATEGORIES = ["wear", "misuse", "installation", "power supply", "unknown"]
ROOT_CAUSES = [
    "Worn contactor replaced",
    "Blocked condensate drain cleared",
    "Loose terminal tightened",
    "Failed capacitor replaced",
    "Firmware updated and unit restarted",
    "Seal perished; replaced with a new gasket",
    "User error; explained correct operation",
    "Faulty power adapter swapped",
    "Filter clogged; cleaned and refitted",
]
PARTS = [
    "",
    "",
    "1x capacitor 35uF",
    "2x fuse 10A",
    "1x door closer",
    "1x gasket set",
    "1x LED panel 600x600",
    "1x patch cable 2 m",
    "1x toner cartridge",
]

# One field per dict: name, label, type, required, and min/max/max_length/options when they apply.
TEMPLATE_FIELDS: dict[str, tuple[str, str | None, list[dict[str, Any]]]] = {
    REPAIR: (
        "customer_request",
        None,
        [
            {
                "name": "fault_category",
                "label": "Fault category",
                "type": "choice",
                "required": True,
                "options": FAULT_CATEGORIES,
            },
            {
                "name": "root_cause",
                "label": "Root cause and fix",
                "type": "text",
                "required": True,
                "max_length": 500,
            },
            {
                "name": "labour_hours",
                "label": "Labour hours",
                "type": "number",
                "required": True,
                "min": 0,
                "max": 24,
            },
            {
                "name": "parts_used",
                "label": "Parts used",
                "type": "text",
                "required": False,
                "max_length": 500,
            },
            {
                "name": "after_photo",
                "label": "Photo after repair",
                "type": "photo",
                "required": False,
            },
            {
                "name": "customer_signature",
                "label": "Customer signature",
                "type": "signature",
                "required": False,
            },
        ],
    ),
    PREVENTIVE: (
        "preventive",
        None,
        [
            {
                "name": "meter_reading",
                "label": "Meter reading",
                "type": "number",
                "required": False,
                "min": 0,
                "max": 1_000_000,
            },
            {
                "name": "filters_replaced",
                "label": "Filters replaced",
                "type": "boolean",
                "required": True,
            },
            {
                "name": "belt_condition",
                "label": "Belt condition",
                "type": "choice",
                "required": True,
                "options": ["good", "worn", "replaced", "n/a"],
            },
            {
                "name": "next_service",
                "label": "Next service due",
                "type": "date",
                "required": False,
            },
            {
                "name": "notes",
                "label": "Notes",
                "type": "text",
                "required": False,
                "max_length": 1000,
            },
        ],
    ),
    FIRE_INSPECTION: (
        "inspection",
        SAFETY,
        [
            {
                "name": "exits_clear",
                "label": "Escape routes clear",
                "type": "boolean",
                "required": True,
            },
            {
                "name": "extinguisher_pressure_mpa",
                "label": "Extinguisher pressure (MPa)",
                "type": "number",
                "required": True,
                "min": 0.7,
                "max": 1.4,
            },
            {
                "name": "alarm_panel_status",
                "label": "Alarm panel status",
                "type": "choice",
                "required": True,
                "options": ["normal", "fault", "isolated"],
            },
            {
                "name": "defects",
                "label": "Defects found",
                "type": "text",
                "required": False,
                "max_length": 1000,
            },
            {
                "name": "inspector_signature",
                "label": "Inspector signature",
                "type": "signature",
                "required": False,
            },
        ],
    ),
}


CHECKLISTS: dict[str, list[str]] = {
    REPAIR: [
        "Isolate power before opening the unit",
        "Confirm the fault with the requester",
        "Test the repair with the requester present",
        "Clean up the work area",
    ],
    PREVENTIVE: [
        "Read and record the meter",
        "Inspect and clean filters",
        "Check belts, bearings and fixings",
        "Check for leaks and unusual noise",
        "Attach the service label with the next due date",
    ],
    FIRE_INSPECTION: [
        "Extinguishers in place, sealed, gauge in the green",
        "Escape routes and fire doors unobstructed",
        "Exit signs lit",
        "Alarm panel shows no faults",
        "Sprinkler valves open and secured",
    ],
}


def build_templates(rng: random.Random, department_ids: dict[str, uuid.UUID]) -> dict[str, Row]:
    return {
        name: {
            "id": new_id(rng),
            "name": name,
            "kind": kind,
            "department": department_ids[department] if department else None,
            "fields": fields,
            "checklist": [{"text": text, "required": True} for text in CHECKLISTS[name]],
        }
        for name, (kind, department, fields) in TEMPLATE_FIELDS.items()
    }


def filled_fields(rng: random.Random, template: str, finished_at: datetime) -> dict[str, Any]:
    """What the technician entered when finishing an order made from ``template``."""
    if template == REPAIR:
        return {
            "fault_category": rng.choice(FAULT_CATEGORIES),
            "root_cause": rng.choice(ROOT_CAUSES),
            "labour_hours": round(rng.uniform(0.5, 6), 1),
            "parts_used": rng.choice(PARTS),
        }
    if template == PREVENTIVE:
        return {
            "meter_reading": rng.randrange(100, 60_000),
            "filters_replaced": rng.random() < 0.7,
            "belt_condition": rng.choice(["good", "good", "worn", "replaced", "n/a"]),
            "next_service": (finished_at + timedelta(days=90)).date().isoformat(),
            "notes": "",
        }
    defects = rng.random() < 0.15
    return {
        "exits_clear": not defects or rng.random() < 0.5,
        "extinguisher_pressure_mpa": round(rng.uniform(0.75 if defects else 0.9, 1.3), 2),
        "alarm_panel_status": "fault" if defects and rng.random() < 0.4 else "normal",
        "defects": "Fire door wedged open on level 2" if defects else "",
    }
