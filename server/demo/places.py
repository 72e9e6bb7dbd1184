"""Demo customers, their sites across Shanghai and the assets at them."""

from __future__ import annotations

import random
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from server.demo.organisation import AFTER_SALES, FACILITIES, IT_SUPPORT, SAFETY, new_id
from server.demo.writer import Row

ASSET_COUNT = 500

# district -> (centre latitude, centre longitude, postcode, streets)
DISTRICTS = {
    "Huangpu": (
        31.2317,
        121.4846,
        "200001",
        ("Nanjing East Road", "Middle Xizang Road", "Zhongshan East 1st Road", "Henan Middle Road"),
    ),
    "Jing'an": (
        31.2286,
        121.4480,
        "200040",
        ("Nanjing West Road", "Yan'an Middle Road", "Changde Road", "Wanhangdu Road"),
    ),
    "Xuhui": (
        31.1884,
        121.4365,
        "200030",
        ("Huaihai Middle Road", "Zhaojiabang Road", "Caoxi North Road", "Hongqiao Road"),
    ),
    "Changning": (
        31.2204,
        121.4244,
        "200050",
        ("Yuyuan Road", "Xianxia Road", "Tianshan Road", "Zunyi Road"),
    ),
    "Putuo": (31.2495, 121.3970, "200062", ("Zhenbei Road", "Changshou Road", "Daduhe Road")),
    "Hongkou": (
        31.2646,
        121.5053,
        "200080",
        ("Sichuan North Road", "Quyang Road", "Dalian West Road"),
    ),
    "Yangpu": (31.2596, 121.5260, "200092", ("Siping Road", "Guoding Road", "Huangxing Road")),
    "Pudong (Lujiazui)": (
        31.2397,
        121.4998,
        "200120",
        ("Century Avenue", "Lujiazui Ring Road", "Yincheng Middle Road", "Dongfang Road"),
    ),
    "Pudong (Zhangjiang)": (
        31.2040,
        121.5900,
        "201203",
        ("Zhangjiang Road", "Keyuan Road", "Chenhui Road", "Zuchongzhi Road"),
    ),
    "Minhang": (31.1125, 121.3817, "201100", ("Humin Road", "Xinzhen Road", "Qixin Road")),
}

# group -> customers (name, sites)
CUSTOMERS = {
    "Key accounts": [
        ("Lujiazui Finance Tower Management", 4),
        ("Riverside Grand Mall", 4),
        ("Xuhui Central Hospital", 3),
        ("Shanghai Metro Line Depots", 4),
    ],
    "Property management": [
        ("Jing'an Garden Residences", 3),
        ("Hongqiao Business Park", 4),
        ("Yangpu Innovation Campus", 3),
        ("Putuo Riverside Apartments", 2),
    ],
    "Retail": [
        ("Golden Leaf Tea House", 3),
        ("Orient Electronics Stores", 4),
        ("Blue Sky Fitness", 3),
        ("Harbour Seafood Restaurants", 2),
    ],
    "Internal": [("FieldOps Shanghai (internal)", 4)],
    "Industrial": [("Zhangjiang BioLabs", 4), ("Minhang Precision Machining", 3)],
}
BUILDINGS = (
    "Tower A",
    "Tower B",
    "Main Building",
    "North Wing",
    "South Wing",
    "Block 3",
    "Annex",
    "Plant 2",
    "Store",
    "Clinic Building",
    "Warehouse",
    "Podium",
)

# asset type -> (label, skill, department, maintenance interval in days, meter unit, weight)
ASSET_TYPES: dict[str, tuple[str, str, str, int, str | None, int]] = {
    "air_handling_unit": ("Air handling unit AHU", "hvac", FACILITIES, 90, "h", 8),
    "chiller": ("Chiller CH", "hvac", FACILITIES, 180, "h", 3),
    "split_ac": ("Split air conditioner AC", "hvac", FACILITIES, 180, None, 12),
    "elevator": ("Elevator L", "elevator", FACILITIES, 30, "trips", 6),
    "escalator": ("Escalator E", "elevator", FACILITIES, 30, None, 2),
    "switchboard": ("Low-voltage switchboard SB", "electrical", FACILITIES, 365, None, 4),
    "generator": ("Diesel generator G", "electrical", FACILITIES, 90, "h", 2),
    "ups": ("UPS", "electrical", IT_SUPPORT, 180, None, 4),
    "lighting_circuit": ("Lighting circuit LC", "electrical", FACILITIES, 365, None, 6),
    "water_pump": ("Water pump P", "plumbing", FACILITIES, 90, "h", 5),
    "water_heater": ("Water heater WH", "plumbing", FACILITIES, 180, None, 3),
    "fire_alarm_panel": ("Fire alarm panel FA", "fire-safety", SAFETY, 30, None, 3),
    "sprinkler_pump": ("Sprinkler pump SP", "fire-safety", SAFETY, 30, "h", 2),
    "fire_extinguisher": ("Fire extinguisher FE", "fire-safety", SAFETY, 365, None, 14),
    "network_switch": ("Network switch SW", "network", IT_SUPPORT, 365, None, 8),
    "wifi_access_point": ("Wi-Fi access point AP", "network", IT_SUPPORT, 365, None, 10),
    "cctv_nvr": ("CCTV recorder NVR", "security-systems", IT_SUPPORT, 180, None, 3),
    "access_control": ("Access control door AC", "security-systems", IT_SUPPORT, 180, None, 4),
    "coffee_machine": ("Commercial coffee machine CM", "electrical", AFTER_SALES, 90, "cups", 2),
}
BRANDS = (
    "Daikin",
    "Gree",
    "Midea",
    "Otis",
    "Mitsubishi",
    "Schneider",
    "Siemens",
    "Huawei",
    "H3C",
    "Hikvision",
    "Grundfos",
    "APC",
    "Cummins",
    "Honeywell",
    "Franke",
)


@dataclass
class Places:
    groups: list[Row] = field(default_factory=list)
    customers: list[Row] = field(default_factory=list)
    sites: list[Row] = field(default_factory=list)
    assets: list[Row] = field(default_factory=list)
    assets_by_site: dict[uuid.UUID, list[Row]] = field(default_factory=dict)


def build_places(rng: random.Random, today: date) -> Places:
    places = Places()
    for group, customers in CUSTOMERS.items():
        group_id = new_id(rng)
        places.groups.append({"id": group_id, "name": group})
        for name, site_count in customers:
            customer_id = new_id(rng)
            places.customers.append(
                {
                    "id": customer_id,
                    "name": name,
                    "group": group_id,
                    "email": f"facilities@{re.sub('[^a-z]', '', name.split()[0].lower())}.example",
                    "phone": f"+86 21 {rng.randrange(10_000_000, 100_000_000)}",
                }
            )
            home = rng.choice(list(DISTRICTS))
            for index, building in enumerate(rng.sample(BUILDINGS, k=site_count)):
                district = home if index == 0 or rng.random() < 0.4 else rng.choice(list(DISTRICTS))
                latitude, longitude, postcode, streets = DISTRICTS[district]
                site: Row = {
                    "id": new_id(rng),
                    "name": f"{name} – {building}",
                    "address": f"{rng.randrange(1, 2000)} {rng.choice(streets)}, {district}, "
                    f"Shanghai {postcode}",
                    "latitude": round(latitude + rng.gauss(0, 0.008), 6),
                    "longitude": round(longitude + rng.gauss(0, 0.009), 6),
                    "geofence_radius_m": float(rng.choice((80, 100, 150, 200, 250))),
                    "customer": customer_id,
                }
                places.sites.append(site)
                places.assets_by_site[site["id"]] = []

    kinds = list(ASSET_TYPES)
    weights = [ASSET_TYPES[kind][5] for kind in kinds]
    numbers: dict[tuple[uuid.UUID, str], int] = {}
    for index in range(1, ASSET_COUNT + 1):
        site = rng.choice(places.sites)
        kind = rng.choices(kinds, weights)[0]
        label, _skill, _department, interval, meter, _weight = ASSET_TYPES[kind]
        numbers[site["id"], kind] = numbers.get((site["id"], kind), 0) + 1
        installed = today - timedelta(days=rng.randrange(60, 3650))
        asset: Row = {
            "id": new_id(rng),
            "tag": f"AST-{index:06d}",
            "name": f"{label}-{numbers[site['id'], kind]:02d}",
            "asset_type": kind,
            "site": site["id"],
            "serial": f"{rng.choice(BRANDS)[:3].upper()}{rng.randrange(10**8):08d}",
            "installed_on": installed,
            "warranty_until": installed + timedelta(days=365 * rng.choice((1, 2, 3, 5))),
            "maintenance_interval_days": interval,
            "meter_unit": meter,
        }
        places.assets.append(asset)
        places.assets_by_site[site["id"]].append(asset)

    return places
