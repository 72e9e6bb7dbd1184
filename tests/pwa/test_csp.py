"""The pages under their Content-Security-Policy: logging in, the orders,
the scanner (with its WebAssembly reader), the managers' map and the Swagger UI report
no violation."""

from __future__ import annotations

import httpx
from playwright.async_api import BrowserContext, ConsoleMessage, Page

from tests.pwa.live import LiveServer
from tests.pwa.session import headers, log_in
from tests.pwa.test_manager import only_this_server, open_screen
from tests.pwa.test_technician import an_order_for

# Violations seen by the page, kept across the app's hash navigations.
LISTEN = """
self.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  self.__violations.push(`${event.effectiveDirective} ${event.blockedURI}`);
});
"""
# The scanner's fallback reader compiles its WebAssembly on the first image it reads.
READ_BLANK_IMAGE = """async () => {
  const { barcodeReader } = await import("/lib/scanner.js");
  const { detector, how } = await barcodeReader();
  const found = await detector.detect(new ImageData(64, 64));
  return { how, found: found.length };
}"""


async def watched(page: Page) -> list[str]:
    """Console messages about the policy, as Chromium reports them."""
    messages: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            messages.append(message.text)

    page.on("console", keep)
    await page.add_init_script(LISTEN)
    return messages


async def test_the_technicians_screens_break_no_rule(
    api: httpx.AsyncClient, page: Page, live_server: LiveServer
) -> None:
    messages = await watched(page)
    admin = await headers(api, "admin")
    asset = (await api.get("/api/assets", params={"limit": 1}, headers=admin)).json()["items"][0]
    await an_order_for(api, "tech01")  # an open order to show, whatever the demo's dates
    await log_in(page, "tech01")
    await page.wait_for_selector("[data-testid=order-card]")
    await page.click("[data-testid=order-card] >> nth=0")
    await page.wait_for_selector("[data-testid=status]")
    await open_screen(page, "/scan")
    await page.fill("#code", asset["tag"])
    await page.click("[data-testid=manual-code] button[type=submit]")
    # The asset, or why this technician may not open it: either way the lookup answered.
    await page.wait_for_selector("[data-testid=asset], [data-testid=scan-message]")
    assert await page.evaluate(READ_BLANK_IMAGE) == {"how": "polyfill", "found": 0}
    assert await page.evaluate("self.__violations") == []
    assert messages == []


async def test_the_managers_map_breaks_no_rule(
    context: BrowserContext, page: Page, live_server: LiveServer
) -> None:
    refused = await only_this_server(context, live_server.url)
    messages = await watched(page)
    await log_in(page, "manager1")
    await open_screen(page, "/map")
    await page.wait_for_selector(".leaflet-container")
    await page.wait_for_selector(".live-map.tiles-failed")
    # The tiles were asked for (the policy let them through) and only then refused.
    assert refused
    assert all(url.startswith("https://tile.openstreetmap.org/") for url in refused)
    assert await page.evaluate("self.__violations") == []
    assert messages == []


async def test_the_swagger_ui_works_under_its_policy(page: Page) -> None:
    messages = await watched(page)
    await page.goto("/schema/swagger")
    # Drawn by the bundle from the page's inline script: both ran. (What it draws is
    # "Unable to render this definition": the bundled Swagger UI predates OpenAPI 3.1,
    # which Litestar writes; the page is the same with the policy bypassed.)
    await page.wait_for_selector("#swagger-container .swagger-ui")
    assert await page.evaluate("self.__violations") == []
    assert messages == []
