"""A login that ends while work waits offline: the app asks for a login again and the
waiting work then syncs, exactly once."""

from __future__ import annotations

import httpx
from playwright.async_api import BrowserContext, Page

from tests.pwa.live import PASSWORD
from tests.pwa.session import drained, headers, log_in, pending, synced, until
from tests.pwa.test_technician import an_order_for

TECHNICIAN = "tech05"
# The page's own access token, from its IndexedDB session.
SESSION_TOKEN = """async () => {
  const { kvGet } = await import("/lib/db.js");
  return (await kvGet("session")).access_token;
}"""


async def test_work_waits_through_a_new_login(
    api: httpx.AsyncClient, context: BrowserContext, page: Page
) -> None:
    order = await an_order_for(api, TECHNICIAN)
    await log_in(page, TECHNICIAN)
    await page.goto(f"/#/orders/{order['id']}")
    await page.wait_for_selector("[data-testid=order-detail]")

    await context.set_offline(True)
    await page.fill("#comment", "written in the basement")
    await page.click("text=Add comment")
    await page.click("[data-action=accept]")
    await until(page, "document.querySelector('[data-testid=pending-count]').dataset.count === '2'")
    # Meanwhile the session ends on the server (an administrator, a password change).
    token = await page.evaluate(SESSION_TOKEN)
    ended = await api.post("/api/auth/logout", headers={"Authorization": f"Bearer {token}"})
    assert ended.status_code == 204

    await context.set_offline(False)
    await page.wait_for_selector("#password", timeout=30_000)
    assert "Log in again" in await page.inner_text("body")
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_selector("[data-testid=sync-status]")
    await drained(page)
    await synced(page)
    assert await pending(page) == 0

    auth = await headers(api, TECHNICIAN)
    after = (await api.get(f"/api/work-orders/{order['id']}", headers=auth)).json()
    assert after["status"] == "accepted"
    assert [e["note"] for e in after["timeline"] if e["kind"] == "comment"] == [
        "written in the basement"
    ]
