"""The main screens pass axe-core's WCAG 2 A and AA rules: labels, names, contrast,
landmarks, focusable controls. axe-core is a development dependency of pwa/ (never
served); it is put into the page by the test."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.async_api import Browser, Page

from scripts.pwa_vendor import PWA
from tests.pwa.browser import phone
from tests.pwa.live import LiveServer
from tests.pwa.session import log_in
from tests.pwa.test_technician import an_order_for

AXE = PWA / "node_modules" / "axe-core" / "axe.min.js"
RULES = """async () => {
  const found = await axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21aa"] });
  return found.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
  }));
}"""
SCREENS = {
    "tech05": ["/orders", "/scan", "/settings", "/problems"],
    "requester05": ["/requests", "/requests/new"],
    "inspector1": ["/rounds"],
    "manager3": ["/dispatch", "/map", "/dashboard", "/conflicts", "/schedule"],
    "admin": ["/admin", "/admin/users", "/admin/sites", "/admin/templates", "/admin/sla_rules"],
}


async def violations(page: Page) -> list[dict[str, Any]]:
    await page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = await page.evaluate(RULES)
    return found


async def test_the_main_screens_meet_wcag_aa(
    api: httpx.AsyncClient, browser: Browser, live_server: LiveServer
) -> None:
    assert AXE.is_file(), "run scripts/lib/ensure-pwa (npm ci installs axe-core)"
    await an_order_for(api, "tech05")  # an order page to check
    problems: dict[str, list[dict[str, Any]]] = {}
    for user, paths in SCREENS.items():
        # bypass_csp: axe is injected as an inline script, which the app's policy refuses.
        context = await phone(browser, live_server.url, bypass_csp=True)
        try:
            page = await context.new_page()
            await page.goto("/")
            login = await violations(page)
            if login:
                problems["login"] = login
            await log_in(page, user)
            for path in paths:
                await page.evaluate(f"location.hash = '#{path}'")
                await page.wait_for_selector("main#main > *:not(p)")
                await page.wait_for_timeout(300)
                found = await violations(page)
                if found:
                    problems[f"{user} {path}"] = found
            if "/orders" in paths:
                await page.evaluate("location.hash = '#/orders'")
                await page.click("[data-testid=order-card]")
                await page.wait_for_selector("[data-testid=order-detail]")
                found = await violations(page)
                if found:
                    problems[f"{user} order page"] = found
        finally:
            await context.close()
    assert problems == {}
