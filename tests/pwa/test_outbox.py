"""The outbox never stalls and never drops work: a mutation the server cannot read is
set aside and shown, and what was queued behind it still applies; a server newer than
the app keeps the queue waiting for the update."""

from __future__ import annotations

import httpx
from playwright.async_api import Page, Route

from tests.pwa.session import headers, log_in, pending, synced
from tests.pwa.test_technician import an_order_for

TECHNICIAN = "tech07"
COMMENT = """async ([orderId]) => {
  const { queue } = await import("/lib/sync.js");
  await queue("add_comment", { order_id: orderId, id: crypto.randomUUID(), body: "kept for later" });
}"""
QUEUE = """async ([orderId]) => {
  const { queue } = await import("/lib/sync.js");
  const comment = (body) => ({ order_id: orderId, id: crypto.randomUUID(), body });
  await queue("add_comment", comment("before it"));
  await queue("rename_everything", { order_id: orderId });
  await queue("add_comment", comment("behind it"));
}"""


async def test_an_unreadable_mutation_does_not_hold_the_queue(
    api: httpx.AsyncClient, page: Page
) -> None:
    order = await an_order_for(api, TECHNICIAN)
    await log_in(page, TECHNICIAN)
    await page.evaluate(QUEUE, [order["id"]])
    await synced(page)
    await page.wait_for_selector("text=1 not accepted")
    await page.click("text=1 not accepted")
    problem = await page.inner_text("[data-testid=problems]")
    assert "rename_everything" in problem
    assert "unknown_mutation" in problem

    auth = await headers(api, TECHNICIAN)
    after = (await api.get(f"/api/work-orders/{order['id']}", headers=auth)).json()
    notes = [e["note"] for e in after["timeline"] if e["kind"] == "comment"]
    assert notes == ["before it", "behind it"]


async def test_an_outdated_app_keeps_its_outbox(api: httpx.AsyncClient, page: Page) -> None:
    """A server that speaks a newer protocol answers client_outdated: the app says an
    update is needed and keeps the queue for the new version to push."""
    order = await an_order_for(api, TECHNICIAN)
    await log_in(page, TECHNICIAN)

    async def newer_server(route: Route) -> None:
        body = {"code": "client_outdated", "message": "update the app", "details": None}
        await route.fulfill(status=400, json=body)

    await page.route("**/api/sync/push", newer_server)
    await page.evaluate(COMMENT, [order["id"]])
    await page.wait_for_selector("text=A new version is needed to sync")
    assert await pending(page) == 1

    await page.unroute("**/api/sync/push")
    await synced(page)
    assert await pending(page) == 0
    await page.wait_for_selector("text=A new version is needed to sync", state="detached")
    auth = await headers(api, TECHNICIAN)
    after = (await api.get(f"/api/work-orders/{order['id']}", headers=auth)).json()
    assert [e["note"] for e in after["timeline"] if e["kind"] == "comment"] == ["kept for later"]


async def test_work_stays_on_screen_between_its_push_and_the_next_pull(
    api: httpx.AsyncClient, page: Page
) -> None:
    """Pushed but not pulled back yet (the pull failed): the comment is still shown, so
    nobody types it again."""
    order = await an_order_for(api, TECHNICIAN)
    await log_in(page, TECHNICIAN)
    await page.goto(f"/#/orders/{order['id']}")
    await page.wait_for_selector("[data-testid=order-detail]")

    async def pull_fails(route: Route) -> None:
        await route.fulfill(status=503, body="busy")

    await page.route("**/api/sync/pull", pull_fails)
    await page.evaluate(COMMENT, [order["id"]])
    await page.wait_for_selector("[data-testid=sync-status][data-error=http_503]")
    assert await pending(page) == 0, "the push was answered"
    # The sync bar and the order screen redraw each on its own read of the outbox.
    await page.wait_for_selector("[data-testid=timeline] >> text=kept for later")
    timeline = page.locator("[data-testid=timeline]")
    assert "kept for later" in await timeline.inner_text()

    await page.unroute("**/api/sync/pull")
    await synced(page)
    # The screen redraws on the pull's change event, a moment after sync() returns.
    await page.wait_for_selector("[data-testid=timeline] .badge.pending", state="detached")
    shown = await timeline.inner_text()
    assert shown.count("kept for later") == 1
    assert "waiting to sync" not in shown
