"""A requester submits a request with a photo and the place, urges it, and rates the
finished work; and the main screens in Chinese."""

from __future__ import annotations

import httpx
from playwright.async_api import Browser, BrowserContext, Page

from tests.pwa.browser import phone, screenshot
from tests.pwa.live import LiveServer
from tests.pwa.session import headers, log_in, synced
from tests.pwa.test_technician import an_order_for, photo

REQUESTER = "requester03"
TECHNICIAN = "tech03"
HERE = {"latitude": 31.2243, "longitude": 121.4692, "accuracy": 15}
STEPS = ("accept", "start_travel", "arrive", "start_work", "resolve")


async def finish(api: httpx.AsyncClient, order_id: str) -> None:
    """The dispatcher assigns the order and it is worked to resolved."""
    admin = await headers(api, "admin")
    tech = (await api.get("/api/users/me", headers=await headers(api, TECHNICIAN))).json()
    assigned = await api.post(
        f"/api/work-orders/{order_id}/assignment", json={"assignee_id": tech["id"]}, headers=admin
    )
    assert assigned.status_code == 200, assigned.text
    for action in STEPS:
        moved = await api.post(
            f"/api/work-orders/{order_id}/transitions", json={"action": action}, headers=admin
        )
        assert moved.status_code == 200, moved.text


async def test_a_requester_submits_urges_and_rates(
    api: httpx.AsyncClient, context: BrowserContext, page: Page
) -> None:
    await context.grant_permissions(["geolocation"])
    await context.set_geolocation(HERE)
    await log_in(page, REQUESTER)
    await page.goto("/#/requests/new")
    await page.fill("#title", "Water leaking from the ceiling")
    await page.fill("#description", "Room 301, above the server rack")
    await page.click("text=Use my position")
    await page.wait_for_selector("[data-testid=request-location]")
    await page.fill("#address", "Building 3, floor 3, room 301")
    await page.set_input_files(
        "#request-photo", files=[{"name": "leak.jpg", "mimeType": "image/jpeg", "buffer": photo()}]
    )
    await page.wait_for_selector("text=Photos (1)")
    await screenshot(page, "requester-new")
    await page.click("text=Send request")
    await page.wait_for_selector("[data-testid=order-detail]")
    order_id = page.url.rsplit("/", 1)[1]
    await synced(page)

    auth = await headers(api, REQUESTER)
    order = (await api.get(f"/api/work-orders/{order_id}", headers=auth)).json()
    assert order["title"] == "Water leaking from the ceiling"
    assert order["location"] == {
        "latitude": HERE["latitude"],
        "longitude": HERE["longitude"],
        "accuracy_m": HERE["accuracy"],
        "address": "Building 3, floor 3, room 301",
    }
    files = (await api.get(f"/api/work-orders/{order_id}/attachments", headers=auth)).json()
    assert [(a["kind"], a["present"]) for a in files["items"]] == [("photo", True)]

    await page.fill("#urge", "Still dripping")
    await page.click("text=Urge (催单)")
    await page.wait_for_selector("text=Urged 1 times")  # queued, shown at once
    await synced(page)
    order = (await api.get(f"/api/work-orders/{order_id}", headers=auth)).json()
    assert order["urge_count"] == 1
    assert [e["note"] for e in order["timeline"] if e["kind"] == "urged"] == ["Still dripping"]

    await finish(api, order_id)
    await page.click("text=Sync now")
    await page.wait_for_selector("[data-testid=status]:has-text('Resolved')")
    await page.click("[aria-label='4 stars']")
    await page.fill("#rating-comment", "Quick and tidy")
    await page.click("text=Send rating")
    await page.wait_for_selector("[data-testid=rating]")
    await synced(page)
    await screenshot(page, "requester-rated")
    order = (await api.get(f"/api/work-orders/{order_id}", headers=auth)).json()
    assert (order["rating"], order["rating_comment"]) == (4, "Quick and tidy")


async def test_the_main_screens_in_chinese(
    api: httpx.AsyncClient, browser: Browser, live_server: LiveServer
) -> None:
    await an_order_for(api, "tech04")  # an open order to show, whatever the demo's dates
    context = await phone(browser, live_server.url, locale="zh-CN")
    try:
        page = await context.new_page()
        await page.goto("/")
        await page.wait_for_selector("text=登录")
        assert await page.evaluate("document.documentElement.lang") == "zh-CN"
        await screenshot(page, "zh-login")
        await log_in(page, "tech04")
        await page.wait_for_selector("text=未解决")
        await screenshot(page, "zh-orders")
        await page.click("[data-testid=order-card]")
        await page.wait_for_selector("text=处理记录")
        await screenshot(page, "zh-order")
        await page.goto("/#/settings")
        await page.select_option("#language", "en")
        await page.wait_for_selector("text=Settings")
    finally:
        await context.close()
