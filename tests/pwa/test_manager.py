"""The managers' screens against the live server: the map follows a technician's
check-in without a reload, two offline edits of one description end as a conflict
that shows both texts and is resolved, the dispatch board assigns a new order to a
suggested technician, and the dashboard shows the report's figures and charts.

Each test works in a department and with people of its own (the live server is
shared): the map and dispatch in After-sales (manager3, tech18), conflicts in IT
Support (manager2, tech13)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, Page, Route

from tests.pwa.browser import phone, screenshot
from tests.pwa.live import LiveServer
from tests.pwa.session import headers, log_in, pending, synced, until

MAP_MANAGER, MAP_TECHNICIAN = "manager3", "tech18"
CONFLICT_MANAGER, CONFLICT_TECHNICIAN = "manager2", "tech13"
DISPATCHER = "manager3"
LIVE_TIMEOUT_MS = 20_000


async def only_this_server(context: BrowserContext, url: str) -> list[str]:
    """Refuse every request elsewhere (map tiles): the tests use no internet, and the
    map must work without its tiles. Requests to the server are not intercepted at
    all. Answers the addresses refused."""
    elsewhere: list[str] = []

    async def refuse(route: Route) -> None:
        elsewhere.append(route.request.url)
        await route.abort()

    await context.route(lambda address: not address.startswith(url), refuse)
    return elsewhere


@pytest_asyncio.fixture(loop_scope="session")
async def second(browser: Browser, live_server: LiveServer) -> AsyncIterator[BrowserContext]:
    """Another phone, for the second person of a test."""
    context = await phone(browser, live_server.url)
    await only_this_server(context, live_server.url)
    yield context
    await context.close()


async def user(api: httpx.AsyncClient, username: str) -> dict[str, Any]:
    me = await api.get("/api/users/me", headers=await headers(api, username))
    return dict(me.json())


async def new_order(api: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    """An order at the first demo site, made by the admin."""
    admin = await headers(api, "admin")
    site = (await api.get("/api/sites", headers=admin)).json()["items"][0]
    made = await api.post("/api/work-orders", json={"site_id": site["id"], **fields}, headers=admin)
    assert made.status_code == 201, made.text
    return {**made.json(), "site": site}


async def open_screen(page: Page, path: str) -> None:
    await page.evaluate(f"location.hash = '#{path}'")


async def test_the_map_moves_a_technician_after_a_check_in_without_a_reload(
    api: httpx.AsyncClient,
    live_server: LiveServer,
    context: BrowserContext,
    page: Page,
    second: BrowserContext,
) -> None:
    technician = await user(api, MAP_TECHNICIAN)
    order = await new_order(
        api,
        title="Compressor noise",
        assignee_id=technician["id"],
        department_id=technician["department_id"],
    )
    site = order["site"]
    # On the way, 2.2 km north of the site (a position reported on duty).
    auth = await headers(api, MAP_TECHNICIAN)
    for action in ("accept", "start_travel"):
        moved_on = await api.post(
            f"/api/work-orders/{order['id']}/transitions", json={"action": action}, headers=auth
        )
        assert moved_on.status_code == 200, moved_on.text
    assert (await api.put("/api/me/duty", json={"on_duty": True}, headers=auth)).status_code == 200
    before = (site["latitude"] + 0.02, site["longitude"])
    fix = {"latitude": before[0], "longitude": before[1], "accuracy_m": 10}
    reported = await api.post(
        "/api/me/positions",
        json={"fixes": [{"at": datetime.now(UTC).isoformat(), **fix}]},
        headers=auth,
    )
    assert reported.json() == {"kept": 1, "discarded": 0}

    refused = await only_this_server(context, live_server.url)
    await log_in(page, MAP_MANAGER)
    await open_screen(page, "/map")
    row = page.locator(f"[data-testid=map-workers] [data-user='{technician['id']}']")
    await row.wait_for()
    assert float(await row.get_attribute("data-lat") or 0) == pytest.approx(before[0])
    assert float(await row.get_attribute("data-lng") or 0) == pytest.approx(before[1])
    assert await row.get_attribute("data-state") == "en_route"
    marker = page.locator(f".leaflet-marker-pane [data-kind=worker][data-id='{technician['id']}']")
    assert float(await marker.get_attribute("data-lat") or 0) == pytest.approx(before[0])
    await page.wait_for_selector("[data-testid=map-feed][data-state=live]")
    await page.evaluate("window.sameDocument = true")

    # The technician arrives, 20 m north of the site, and checks in through the app.
    after = (site["latitude"] + 0.00018, site["longitude"])
    await second.grant_permissions(["geolocation"])
    await second.set_geolocation({"latitude": after[0], "longitude": after[1], "accuracy": 8})
    phone_page = await second.new_page()
    await log_in(phone_page, MAP_TECHNICIAN)
    await open_screen(phone_page, f"/orders/{order['id']}")
    await phone_page.click("[data-testid=checkin] button")
    await phone_page.locator("[data-testid=checkin-entry]").wait_for()

    moved = f"""() => {{
      const row = document.querySelector("[data-testid=map-workers] [data-user='{technician["id"]}']");
      return row && Math.abs(Number(row.dataset.lat) - {after[0]}) < 1e-6;
    }}"""
    await until(page, moved, LIVE_TIMEOUT_MS)
    # The markers follow the list in an effect, after the next frame.
    marker_moved = f"""() => {{
      const marker = document.querySelector(".leaflet-marker-pane [data-kind=worker][data-id='{technician["id"]}']");
      return marker && Math.abs(Number(marker.dataset.lat) - {after[0]}) < 1e-6;
    }}"""
    await until(page, marker_moved, LIVE_TIMEOUT_MS)
    assert await page.evaluate("window.sameDocument") is True, "the page was not reloaded"
    # Arriving moved the order on site, and the technician's state with it.
    assert await row.get_attribute("data-state") == "on_site"
    assert float(await marker.get_attribute("data-lat") or 0) == pytest.approx(after[0])
    assert float(await marker.get_attribute("data-lng") or 0) == pytest.approx(after[1])
    # The same place the server holds.
    manager = await headers(api, MAP_MANAGER)
    workers = (await api.get("/api/map/technicians", headers=manager)).json()["features"]
    [held] = [w for w in workers if w["id"] == technician["id"]]
    assert held["geometry"]["coordinates"] == pytest.approx([after[1], after[0]])
    # The tiles were refused; the map still drew its markers on the plain background.
    assert await page.locator(".live-map.tiles-failed").count() == 1
    assert refused, "the map asked for tiles"

    await screenshot(page, "manager-map")

    await marker.click()
    chosen = page.locator("[data-testid=map-chosen]")
    assert technician["display_name"] in await chosen.inner_text()
    assert order["number"] in await chosen.inner_text(), "their current order"
    assert "On site" in await chosen.inner_text()


async def edit_description_offline(context: BrowserContext, page: Page, text: str) -> None:
    """On the order page: go offline, change the description, leave it in the outbox."""
    await context.set_offline(True)
    await page.click("button.link:has-text('Edit description')")
    await page.fill("#description", text)
    await page.click("form:has(#description) button[type=submit]")
    await page.wait_for_selector("[data-testid=pending-count][data-count='1']")


async def test_two_offline_edits_of_one_description_are_a_conflict_the_manager_resolves(
    api: httpx.AsyncClient,
    live_server: LiveServer,
    context: BrowserContext,
    page: Page,
    second: BrowserContext,
) -> None:
    technician = await user(api, CONFLICT_TECHNICIAN)
    order = await new_order(
        api,
        title="Printer jams on tray 2",
        description="Jams since Monday.",
        assignee_id=technician["id"],
        department_id=technician["department_id"],
    )
    technician_text = "Roller worn out; ordered a new one.\n滚轮磨损，已订购新件。"
    manager_text = "Customer asks for a loan printer until it is fixed."
    await only_this_server(context, live_server.url)
    # The assignee and the department's manager both have the order on their phones.
    tech_page = page
    manager_page = await second.new_page()
    for who, phone_page in ((CONFLICT_TECHNICIAN, tech_page), (CONFLICT_MANAGER, manager_page)):
        await log_in(phone_page, who)
        await open_screen(phone_page, f"/orders/{order['id']}")
        await phone_page.wait_for_selector("[data-testid=order-detail]")
    await edit_description_offline(context, tech_page, technician_text)
    await edit_description_offline(second, manager_page, manager_text)
    assert await pending(tech_page) == await pending(manager_page) == 1

    # The technician's edit arrives first; the manager's, made on the same version, later.
    await context.set_offline(False)
    await tech_page.wait_for_selector("[data-testid=pending-count][data-count='0']")
    await second.set_offline(False)
    await synced(manager_page)

    manager = await headers(api, CONFLICT_MANAGER)
    listed = await api.get("/api/sync/conflicts", params={"order_id": order["id"]}, headers=manager)
    [conflict] = listed.json()["items"]
    assert (conflict["field"], conflict["kept"], conflict["lost"]) == (
        "description",
        manager_text,
        technician_text,
    )
    held = (await api.get(f"/api/work-orders/{order['id']}", headers=manager)).json()
    assert held["description"] == manager_text

    await open_screen(manager_page, "/conflicts")
    card = manager_page.locator(f"[data-testid=conflict][data-order='{order['id']}']")
    await card.wait_for()
    assert order["number"] in await card.inner_text()
    kept = await card.locator("[data-side=kept] .typed").inner_text()
    lost = await card.locator("[data-side=lost] .typed").inner_text()
    assert (kept, lost) == (manager_text, technician_text), "both texts are shown as typed"
    assert technician["display_name"] in await card.locator("[data-side=lost]").inner_text()
    await screenshot(manager_page, "manager-conflicts")

    note = "Kept the loan request; the roller note is copied into a comment."
    await card.locator("textarea").fill(note)
    await card.locator("button[type=submit]").click()
    await card.wait_for(state="detached")

    still_open = await api.get(
        "/api/sync/conflicts", params={"order_id": order["id"]}, headers=manager
    )
    assert still_open.json()["items"] == []
    every = await api.get(
        "/api/sync/conflicts",
        params={"order_id": order["id"], "open_only": "false"},
        headers=manager,
    )
    [resolved] = every.json()["items"]
    assert resolved["resolution"] == note
    assert resolved["resolved_by_id"] == (await user(api, CONFLICT_MANAGER))["id"]
    assert resolved["lost"] == technician_text, "the lost text stays on record"
    after = (await api.get(f"/api/work-orders/{order['id']}", headers=manager)).json()
    assert after["needs_review"] is False


async def test_the_dispatch_board_assigns_a_new_order_to_a_suggested_technician(
    api: httpx.AsyncClient, live_server: LiveServer, context: BrowserContext, page: Page
) -> None:
    await only_this_server(context, live_server.url)
    await log_in(page, DISPATCHER)
    await open_screen(page, "/dispatch")
    await page.wait_for_selector("h2:has-text('Unassigned orders')")
    dispatcher = await user(api, DISPATCHER)

    # Made while the board is open: the live feed brings it without a reload.
    order = await new_order(
        api,
        title="Chiller alarm",
        priority="P1",
        department_id=dispatcher["department_id"],
    )
    card = page.locator(f"[data-testid=dispatch-order][data-order='{order['id']}']")
    await card.wait_for(timeout=LIVE_TIMEOUT_MS)
    offered = card.locator(".suggestion")
    await offered.first.wait_for()
    manager = await headers(api, DISPATCHER)
    suggested = await api.get(
        f"/api/work-orders/{order['id']}/suggestions", params={"limit": 3}, headers=manager
    )
    expected = [s["user_id"] for s in suggested.json()["items"]]
    assert expected, "the demo has technicians for the order"
    shown = [await offered.nth(i).get_attribute("data-user") for i in range(await offered.count())]
    assert shown == expected, "the server's suggestions, best first"
    await screenshot(page, "manager-dispatch")

    await offered.first.locator("[data-testid=assign]").click()
    await page.wait_for_selector("[data-testid=dispatch-done]")
    await card.wait_for(state="detached")
    held = (await api.get(f"/api/work-orders/{order['id']}", headers=manager)).json()
    assert (held["status"], held["assignee_id"]) == ("assigned", expected[0])
    [top] = [s for s in suggested.json()["items"] if s["user_id"] == expected[0]]
    assert top["name"] in await page.inner_text("[data-testid=dispatch-done]")


async def figures_on(page: Page) -> dict[str, str]:
    tiles = page.locator("[data-testid=headline] > div")
    found = {}
    for i in range(await tiles.count()):
        tile = tiles.nth(i)
        found[await tile.get_attribute("data-figure") or ""] = await tile.locator(
            "dd"
        ).first.inner_text()
    return found


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
async def test_the_dashboard_shows_the_report_figures_and_charts(
    api: httpx.AsyncClient, browser: Browser, live_server: LiveServer, locale: str
) -> None:
    context = await phone(browser, live_server.url, locale=locale)
    try:
        await only_this_server(context, live_server.url)
        page = await context.new_page()
        await log_in(page, MAP_MANAGER)
        await open_screen(page, "/dashboard")
        await page.wait_for_selector("[data-testid=headline]")
        await until(
            page,
            "[...document.querySelectorAll('figure.chart img')].filter(i => i.complete && i.naturalWidth).length === 3",
        )
        timezone = await page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone")
        today = await page.evaluate(
            "(() => { const d = new Date(); return [d.getFullYear(), d.getMonth() + 1, d.getDate()]; })()"
        )
        manager = await headers(api, MAP_MANAGER)
        report = (
            await api.get("/api/reports/dashboard", params={"tz": timezone}, headers=manager)
        ).json()
        shown = await figures_on(page)
        assert shown["open_orders"] == str(report["open_orders"])
        assert shown["created"] == str(report["current"]["created"])
        assert shown["resolved"] == str(report["current"]["resolved"])
        breaches = report["current"]["response_breaches"] + report["current"]["resolution_breaches"]
        assert shown["breaches"] == str(breaches)
        # Each chart's image is the server's SVG, described in the user's language.
        backlog = page.locator("figure[data-chart=backlog_by_status]")
        alt = await backlog.locator("img").get_attribute("alt") or ""
        new_count = report["charts"]["backlog_by_status"]["series"][0]["values"][0]
        word = {"en-US": "New", "zh-CN": "新建"}[locale]
        assert f"{word} {int(new_count)}" in alt
        await screenshot(page, f"manager-dashboard-{locale}")

        # The last 7 days: today and the 6 before, in the phone's zone.
        await page.click(".segmented button >> nth=0")
        first_day = date.fromordinal(date(*today).toordinal() - 6).isoformat()
        await page.wait_for_selector(f"[data-testid=period]:has-text('{first_day}')")
    finally:
        await context.close()
