"""Logging in through the app and through the API, and waiting for the app to sync."""

from __future__ import annotations

import asyncio
import time

import httpx
from playwright.async_api import Page

from tests.pwa.live import PASSWORD

SYNC_TIMEOUT_MS = 30_000
# One sync started by the test, waiting its turn behind one the app is running.
SYNC_NOW = """async () => {
  const { sync } = await import("/lib/sync.js");
  for (let tries = 0; tries < 300; tries++) {
    const result = await sync();
    if (result.reason !== "busy") return result;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { ok: false, reason: "busy for 30 s" };
}"""


async def headers(api: httpx.AsyncClient, username: str) -> dict[str, str]:
    answer = await api.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


async def log_in(page: Page, username: str) -> None:
    """Log in through the form and wait for the first sync to finish."""
    await page.goto("/")
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_selector("[data-testid=sync-status]", timeout=SYNC_TIMEOUT_MS)
    await synced(page)


async def pending(page: Page) -> int:
    count = await page.get_attribute("[data-testid=pending-count]", "data-count")
    return int(count or 0)


async def synced(page: Page) -> None:
    """Run a sync of the app's own that starts now, after whatever the test did (one
    already running may have missed it), and check it left nothing behind."""
    result = await page.evaluate(SYNC_NOW)
    assert result["ok"], result
    await page.wait_for_selector("[data-testid=pending-count][data-count='0']")


async def drained(page: Page) -> None:
    """Wait until the app has synced its outbox by itself (reconnecting, say)."""
    await page.wait_for_selector(
        "[data-testid=pending-count][data-count='0']", timeout=SYNC_TIMEOUT_MS
    )


async def until(page: Page, expression: str, within_ms: float = SYNC_TIMEOUT_MS) -> None:
    """``page.wait_for_function`` for a page under the app's Content-Security-Policy:
    Playwright polls that one with the page's own eval(), which the policy refuses,
    while ``page.evaluate`` goes through the debugging protocol, which it does not."""
    deadline = time.monotonic() + within_ms / 1000
    while not await page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {within_ms} ms: {expression}"
        await asyncio.sleep(0.05)
