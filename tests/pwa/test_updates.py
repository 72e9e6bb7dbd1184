"""A new deployment reaches a phone with the app open: the new service worker installs
beside the running one, the app offers the update, and taking it loses nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

from playwright.async_api import Browser

from scripts.pwa_vendor import PWA
from tests.pwa.browser import phone, screenshot
from tests.pwa.live import serving, stop
from tests.pwa.session import log_in, synced, until

TECHNICIAN = "tech01"
OFFERED = "text=A new version of FieldOps is ready."
QUEUE_COMMENT = """async () => {
  const { all } = await import("/lib/db.js");
  const { queue } = await import("/lib/sync.js");
  const [order] = await all("orders");
  await queue("add_comment", { order_id: order.id, id: crypto.randomUUID(), body: "kept" });
  return order.id;
}"""
ACTIVE_BUILD = """async () => {
  const registration = await navigator.serviceWorker.getRegistration();
  return { waiting: registration.waiting !== null, controlled: !!navigator.serviceWorker.controller };
}"""


async def test_a_new_deployment_is_offered_and_loses_nothing(
    browser: Browser, tmp_path: Path
) -> None:
    app = tmp_path / "app"
    shutil.copytree(PWA / "app", app)
    async with serving(tmp_path / "home", scale=30, FIELDOPS_PWA_DIR=str(app)) as live:
        context = await phone(browser, live.url)
        try:
            page = await context.new_page()
            await log_in(page, TECHNICIAN)
            await until(page, "navigator.serviceWorker.controller !== null")
            old = await (await context.request.get(f"{live.url}/sw.js")).text()

            # Offline, a comment waits while the new version is deployed.
            await context.set_offline(True)
            order_id = await page.evaluate(QUEUE_COMMENT)
            await stop(live.process)
            with (app / "styles.css").open("a") as css:
                css.write("\n.deployed { display: none; }\n")
            await live.process.start()
            new = await (await context.request.get(f"{live.url}/sw.js")).text()
            assert new.split("\n", 1)[0] != old.split("\n", 1)[0], "a new build"

            await context.set_offline(False)
            await page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
            await page.wait_for_selector(OFFERED, timeout=20_000)
            await screenshot(page, "update-offered")
            async with page.expect_navigation():
                await page.click("text=Update now")
            await page.wait_for_selector("[data-testid=sync-status]")
            await until(page, "navigator.serviceWorker.controller !== null")
            await synced(page)
            assert not await page.is_visible(OFFERED)
            assert await page.evaluate(ACTIVE_BUILD) == {"waiting": False, "controlled": True}
            css = await page.evaluate("fetch('/styles.css').then((r) => r.text())")
            assert ".deployed" in css, "the new shell is the one served"
            token = await page.evaluate(
                "import('/lib/db.js').then(({ kvGet }) => kvGet('session'))"
            )
            order = await context.request.get(
                f"{live.url}/api/work-orders/{order_id}",
                headers={"Authorization": f"Bearer {token['access_token']}"},
            )
            notes = [e["note"] for e in (await order.json())["timeline"] if e["kind"] == "comment"]
            assert notes.count("kept") == 1
        finally:
            await context.close()
