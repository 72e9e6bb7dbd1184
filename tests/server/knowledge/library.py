"""A fixed set of articles, written through the API, for the search and suggestion
tests: the same on both engines, so each expected hit list holds on both."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import httpx

from server.masterdata.tables import ServiceItem
from tests.world import World


async def service_item(name: str) -> UUID:
    row = ServiceItem(id=uuid4(), name=name, required_skills=[])
    await row.save()
    return UUID(str(row.id))


async def write(
    client: httpx.AsyncClient, world: World, author: str = "admin", **fields: Any
) -> dict[str, Any]:
    body = {"language": "en", "body": "Text.", "published": True, **fields}
    answer = await client.post(
        "/api/knowledge/articles", json=body, headers=await world.headers(author)
    )
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


class Library:
    """``ids[key]`` of each article; ``keys(items)`` names the articles of an answer."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}
        self.service_items: dict[str, UUID] = {}

    def keys(self, items: list[dict[str, Any]]) -> list[str]:
        names = {article_id: key for key, article_id in self.ids.items()}
        return [names[item["id"]] for item in items]


# Written in this order, a minute apart: at equal relevance and language the later
# one comes first.
ARTICLES: dict[str, dict[str, Any]] = {
    "ac_leak_zh": {
        "title": "中央空调漏水",
        "body": "室内机滴水，检查**冷凝水管**是否堵塞。",
        "tags": ["空调", "漏水"],
        "language": "zh-CN",
        "public": True,
        "service_items": ["hvac"],
    },
    "ac_leak_en": {
        "title": "Air conditioner leaking water",
        "body": "Water drips from the indoor unit. Clear the condensate drain.\n\n"
        "If the compressor ices up, call a technician.",
        "tags": ["HVAC", "leak"],
        "service_items": ["hvac"],
    },
    "compressor": {
        "title": "Compressor will not start",
        "body": "Check the capacitor and the contactor; measure the R410A pressure.",
        "tags": ["hvac"],
        "asset_types": ["chiller"],
    },
    "lift_zh": {
        "title": "电梯困人应急处理",
        "body": "立即通知维保单位，安抚被困人员。不要强行开门。",
        "tags": ["电梯"],
        "language": "zh-CN",
        "service_items": ["lift"],
    },
    "lift_en": {
        "title": "Lift stuck between floors",
        "body": "Call the lift contractor and talk to the people inside. Never force the doors.",
        "tags": ["lift"],
        "public": True,
        "service_items": ["lift"],
    },
    "ac_cooling_zh": {
        "title": "空调不制冷",
        "body": "检查制冷剂压力（R410A）和室外机风扇。",
        "tags": ["空调"],
        "language": "zh-CN",
        "asset_types": ["chiller"],
    },
    "draft": {
        "title": "Draft: water leak procedure",
        "body": "Not ready.",
        "published": False,
    },
    "cafe": {
        "title": "Replacing the Café espresso machine gasket",
        "body": "Unplug the machine first.",
        "tags": ["kitchen"],
    },
}


async def build(client: httpx.AsyncClient, world: World) -> Library:
    library = Library()
    for name in ("hvac", "lift"):
        library.service_items[name] = await service_item(f"{name} service")
    for key, article in ARTICLES.items():
        fields = dict(article)
        links = fields.pop("service_items", [])
        fields["service_item_ids"] = [str(library.service_items[name]) for name in links]
        world.clock.advance(minutes=1)
        library.ids[key] = (await write(client, world, **fields))["id"]
    return library
