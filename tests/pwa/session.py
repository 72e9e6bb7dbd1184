"""Logging in through the app and through the API, and waiting for the app to sync."""

from __future__ import annotations

import httpx
from playwright.async_api import Page

from tests.pwa.live import PASSWORD

SYNC_TIMEOUT_MS = 30_000


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
    await synced(page)


async def pending(page: Page) -> int:
    count = await page.get_attribute("[data-testid=pending-count]", "data-count")
    return int(count or 0)


async def synced(page: Page) -> None:
    """Wait until the outbox is empty and a sync has succeeded since."""
    await page.wait_for_selector(
        "[data-testid=pending-count][data-count='0']", timeout=SYNC_TIMEOUT_MS
    )
    await page.wait_for_function(
        "document.querySelector('[data-testid=sync-status]')?.dataset.lastSuccess",
        timeout=SYNC_TIMEOUT_MS,
    )
