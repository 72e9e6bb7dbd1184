"""A technician's day offline: the app starts from its service worker with no network,
and everything done meanwhile (check-in, status, comment, photo) reaches the server
exactly once when the connection returns; so does an inspection of the asset, found by
typing its label's code."""

from __future__ import annotations

import io
from typing import Any
from uuid import uuid4

import httpx
import PIL.Image
from playwright.async_api import BrowserContext, Page

from tests.pwa.browser import screenshot
from tests.pwa.session import drained, headers, log_in, pending, synced, until

TECHNICIAN = "tech02"
CHECK = {"key": "closes", "label": "Closes by itself", "kind": "pass_fail"}
COMMENT = "Replaced the door closer arm; 地下室没有信号"


def photo(width: int = 2400, height: int = 1800) -> bytes:
    buffer = io.BytesIO()
    PIL.Image.new("RGB", (width, height), (30, 120, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


async def an_order_for(api: httpx.AsyncClient, technician: str) -> dict[str, Any]:
    """A new order at a demo site, about an asset of its own (with a one-item checklist),
    assigned to ``technician`` by the admin."""
    admin = await headers(api, "admin")
    site = (await api.get("/api/sites", headers=admin)).json()["items"][0]
    tag = f"E2T-{uuid4().hex[:5]}".upper()
    checklist = {"asset_type": f"e2e-door-{tag}", "name": "Door check", "items": [CHECK]}
    assert (await api.put("/api/checklists", json=checklist, headers=admin)).status_code == 200
    asset = await api.post(
        "/api/assets",
        json={
            "tag": tag,
            "name": "Door closer",
            "asset_type": checklist["asset_type"],
            "site_id": site["id"],
        },
        headers=admin,
    )
    assert asset.status_code == 201, asset.text
    me = (await api.get("/api/users/me", headers=await headers(api, technician))).json()
    made = await api.post(
        "/api/work-orders",
        json={
            "title": "Door closer broken",
            "site_id": site["id"],
            "asset_id": asset.json()["id"],
            "assignee_id": me["id"],
        },
        headers=admin,
    )
    assert made.status_code == 201, made.text
    return {**made.json(), "tag": tag}


async def test_a_day_offline_reaches_the_server_exactly_once(
    api: httpx.AsyncClient, context: BrowserContext, page: Page
) -> None:
    auth = await headers(api, TECHNICIAN)
    order = await an_order_for(api, TECHNICIAN)
    site = (await api.get(f"/api/sites/{order['site_id']}", headers=auth)).json()
    before = (await api.get(f"/api/work-orders/{order['id']}", headers=auth)).json()
    await context.grant_permissions(["geolocation"])
    # About 20 m north of the site: inside its geofence.
    await context.set_geolocation(
        {"latitude": site["latitude"] + 0.00018, "longitude": site["longitude"], "accuracy": 8}
    )
    await log_in(page, TECHNICIAN)
    await page.wait_for_selector(f"[data-order='{order['id']}']")
    await screenshot(page, "technician-orders")

    await context.set_offline(True)
    await page.reload()
    await page.wait_for_selector("[data-testid=order-card]")
    await until(page, "navigator.serviceWorker.controller !== null")
    await page.click(f"[data-order='{order['id']}']")
    await page.wait_for_selector("[data-testid=order-detail]")

    await page.click("[data-testid=checkin] button")
    entry = page.locator("[data-testid=checkin-entry]")
    await entry.wait_for()
    assert "inside" in await entry.inner_text()
    await page.click("[data-action=accept]")
    await page.click("[data-action=start_travel]")
    await page.wait_for_selector("[data-testid=status]:has-text('En route')")
    await page.fill("#comment", COMMENT)
    await page.click("text=Add comment")
    await page.set_input_files(
        "#photo", files=[{"name": "meter.jpg", "mimeType": "image/jpeg", "buffer": photo()}]
    )
    # The door itself, inspected by typing its label's code.
    await page.click("nav.tabs a[href='#/scan']")
    await page.fill("#code", order["tag"])
    await page.click("[data-testid=manual-code] button[type=submit]")
    await page.wait_for_selector(f"[data-testid=asset][data-asset='{order['asset_id']}']")
    await page.click("[data-key=closes] [data-answer=true]")
    await page.click("[data-testid=inspection-form] button[type=submit]")
    await page.wait_for_selector("[data-testid=inspection-saved]")
    await until(
        page, "Number(document.querySelector('[data-testid=pending-count]').dataset.count) === 6"
    )
    assert await pending(page) == 6
    await screenshot(page, "technician-order-offline")

    await context.set_offline(False)
    await drained(page)  # by itself, on reconnecting
    await synced(page)
    await screenshot(page, "technician-order-synced")

    after = (await api.get(f"/api/work-orders/{order['id']}", headers=auth)).json()
    assert after["status"] == "en_route"
    new = after["timeline"][len(before["timeline"]) :]
    assert sorted(event["kind"] for event in new) == [
        "attachment",
        "check_in",
        "comment",
        "status",
        "status",
    ]
    assert [e["note"] for e in new if e["kind"] == "comment"] == [COMMENT]
    attachments = (
        await api.get(f"/api/work-orders/{order['id']}/attachments", headers=auth)
    ).json()
    [attached] = attachments["items"]
    assert attached["present"], "the photo was uploaded after its mutation"
    blob = await api.get(f"/api/blobs/{attached['sha256']}", headers=auth)
    image = PIL.Image.open(io.BytesIO(blob.content))
    assert image.format == "JPEG"
    assert max(image.size) == 1600, "downscaled on the phone"

    inspections = await api.get(f"/api/inspections?asset_id={order['asset_id']}", headers=auth)
    [inspection] = inspections.json()["items"]
    assert (inspection["code"], inspection["answers"]) == (order["tag"], {"closes": True})

    # Syncing again sends nothing twice.
    await page.click("text=Sync now")
    await synced(page)
    again = (await api.get(f"/api/work-orders/{order['id']}", headers=auth)).json()
    assert len(again["timeline"]) == len(after["timeline"])


async def test_the_customer_signs_on_the_phone(api: httpx.AsyncClient, page: Page) -> None:
    order = await an_order_for(api, "tech11")
    await log_in(page, "tech11")
    await page.goto(f"/#/orders/{order['id']}")
    await page.click("text=Customer signature")
    pad = page.locator("[data-testid=signature-pad]")
    await pad.wait_for()
    await until(page, "document.querySelector('[data-testid=signature-pad]').width > 0")
    box = await pad.bounding_box()
    assert box is not None
    await page.mouse.move(box["x"] + 20, box["y"] + 90)
    await page.mouse.down()
    for step in range(1, 12):
        await page.mouse.move(box["x"] + 20 + step * 25, box["y"] + 90 + (-1) ** step * 30)
    await page.mouse.up()
    await page.click("[data-testid=signature-pad] ~ .actions >> text=Save")
    await pad.wait_for(state="detached")  # kept and queued
    await synced(page)

    auth = await headers(api, "tech11")
    files = (await api.get(f"/api/work-orders/{order['id']}/attachments", headers=auth)).json()
    [signature] = files["items"]
    assert (signature["kind"], signature["present"]) == ("signature", True)
    image = PIL.Image.open(
        io.BytesIO((await api.get(f"/api/blobs/{signature['sha256']}", headers=auth)).content)
    )
    assert image.format == "PNG"
    inked = image.convert("L").point(lambda value: 255 if value < 128 else 0).getbbox()
    assert inked is not None, "the strokes are in the picture"
    assert inked[2] - inked[0] > 150
