"""A Web Push message reaching the phone: the service worker shows it, and a click on it
opens its order. Headless Chromium cannot subscribe (its push service is Google's, not
reachable here), so the message is handed to the worker through the DevTools protocol,
in the form the server's push outbox sends (server/notifications/outbox.py)."""

from __future__ import annotations

import json

import httpx
from playwright.async_api import BrowserContext, Page

from tests.pwa.session import log_in, until
from tests.pwa.test_technician import an_order_for

TECHNICIAN = "tech10"
NOTIFICATIONS = """() => navigator.serviceWorker.getRegistration()
  .then((registration) => registration.getNotifications())
  .then((shown) => shown.map((n) => ({ title: n.title, body: n.body, tag: n.tag })))"""
CLICK = """async () => {
  const [shown] = await self.registration.getNotifications();
  self.dispatchEvent(new NotificationEvent("notificationclick", { notification: shown }));
}"""


async def test_a_push_is_shown_and_opens_its_order(
    api: httpx.AsyncClient, context: BrowserContext, page: Page
) -> None:
    order = await an_order_for(api, TECHNICIAN)
    await context.grant_permissions(["notifications"])
    await log_in(page, TECHNICIAN)
    await until(page, "navigator.serviceWorker.controller !== null")
    devtools = await context.new_cdp_session(page)
    registrations: list[dict[str, str]] = []
    devtools.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    await devtools.send("ServiceWorker.enable")
    for _ in range(50):  # the registration is reported as an event
        if registrations:
            break
        await page.wait_for_timeout(100)
    message = {
        "title": f"{order['number']} assigned to you",
        "body": "Door closer broken",
        "url": f"/#/orders/{order['id']}",
        "order_id": order["id"],
        "kind": "assigned",
    }
    origin = page.url.split("/#", 1)[0].rstrip("/") + "/"
    [registration] = [r for r in registrations if not r["isDeleted"]]
    await devtools.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": origin,
            "registrationId": registration["registrationId"],
            "data": json.dumps(message),
        },
    )
    shown = await page.evaluate(NOTIFICATIONS)
    for _ in range(50):
        if shown:
            break
        await page.wait_for_timeout(100)
        shown = await page.evaluate(NOTIFICATIONS)
    assert shown == [{"title": message["title"], "body": "Door closer broken", "tag": ""}]

    await page.goto("/#/settings")
    [worker] = context.service_workers
    await worker.evaluate(CLICK)
    await page.wait_for_selector("[data-testid=order-detail]")
    assert page.url.endswith(f"#/orders/{order['id']}")
    assert await page.evaluate(NOTIFICATIONS) == [], "the click closed it"
