"""The outbox never stalls: a mutation the server cannot read is set aside and shown,
and what was queued behind it still applies."""

from __future__ import annotations

import httpx
from playwright.async_api import Page

from tests.pwa.session import headers, log_in, synced
from tests.pwa.test_technician import an_order_for

TECHNICIAN = "tech07"
QUEUE = """async ([orderId]) => {
  const { queue } = await import("/lib/sync.js");
  await queue("rename_everything", { order_id: orderId });
  await queue("add_comment", { order_id: orderId, id: crypto.randomUUID(), body: "behind it" });
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
    assert [e["note"] for e in after["timeline"] if e["kind"] == "comment"] == ["behind it"]
