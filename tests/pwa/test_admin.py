"""The admin screens against the live server, at desktop width: a site placed by a click
on the map (without tiles) is saved at that point, a refused SLA edit shows the
server's message beside the offending cell and changes nothing, a template is made with
custom fields and a checklist, and asset labels print from the server's files. At
phone width, a manager meets the API's 403 and, offline, a plain message.

Everything a test makes has a name of its own (the live server is shared); the SLA
test only tries edits the server refuses."""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, Page

from tests.pwa.browser import phone, screenshot
from tests.pwa.live import LiveServer
from tests.pwa.session import headers, log_in

DESKTOP = {"width": 1280, "height": 800}
TILE = 256  # px: Leaflet's Web Mercator tiles


async def offline_tiles(context: BrowserContext, url: str) -> None:
    """Refuse every request but the live server's (map tiles): there is no internet."""
    await context.route(re.compile(rf"^(?!{re.escape(url)})"), lambda route: route.abort())


@pytest_asyncio.fixture(loop_scope="session")
async def desktop(browser: Browser, live_server: LiveServer) -> AsyncIterator[Page]:
    """The admin, logged in, in a 1280 x 800 window."""
    context = await phone(browser, live_server.url, viewport=DESKTOP, timezone_id="Asia/Shanghai")
    await offline_tiles(context, live_server.url)
    page = await context.new_page()
    await log_in(page, "admin")
    yield page
    await context.close()


async def open_screen(page: Page, path: str) -> None:
    await page.evaluate(f"location.hash = '#{path}'")


def unique(name: str) -> str:
    return f"{name} {uuid.uuid4().hex[:6]}"


def world_pixel(lat: float, lng: float, zoom: int) -> tuple[float, float]:
    """Web Mercator (EPSG:3857) pixel of a point at ``zoom``."""
    size = TILE * 2**zoom
    sin = math.sin(math.radians(lat))
    return (lng + 180) / 360 * size, (0.5 - math.log((1 + sin) / (1 - sin)) / (4 * math.pi)) * size


def world_point(x: float, y: float, zoom: int) -> tuple[float, float]:
    size = TILE * 2**zoom
    return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / size)))), x / size * 360 - 180


async def test_a_site_is_saved_where_the_map_was_clicked(
    api: httpx.AsyncClient, desktop: Page
) -> None:
    page, name = desktop, unique("Pump house")
    await open_screen(page, "/admin/sites")
    await page.click("button:text-is('New')")
    await page.fill("#f-name", name)
    await page.fill("#f-geofence_radius_m", "150")
    area = page.locator("[data-testid=site-map]")
    await page.wait_for_selector("[data-testid=site-map].tiles-failed[data-zoom]")
    # Zoomed in three steps, a pixel is 0.6 m here: the tolerance below is two of them.
    for zoom in (16, 17, 18):
        await page.click(".leaflet-control-zoom-in")
        await page.wait_for_selector(f"[data-testid=site-map][data-zoom='{zoom}']")
    shown = await area.evaluate(
        """(el) => { const box = el.getBoundingClientRect();
          return { lat: +el.dataset.centreLat, lng: +el.dataset.centreLng, zoom: +el.dataset.zoom,
                   x: box.left + el.clientLeft + el.clientWidth / 2,
                   y: box.top + el.clientTop + el.clientHeight / 2 }; }"""
    )
    dx, dy = 180, -60
    await page.mouse.click(shown["x"] + dx, shown["y"] + dy)
    x, y = world_pixel(shown["lat"], shown["lng"], shown["zoom"])
    lat, lng = world_point(x + dx, y + dy, shown["zoom"])
    tolerance = 2 * 360 / (TILE * 2 ** shown["zoom"])
    assert float(await page.input_value("#f-latitude")) == pytest.approx(lat, abs=tolerance)
    assert float(await page.input_value("#f-longitude")) == pytest.approx(lng, abs=tolerance)
    # The point and its geofence are drawn: a dot and a circle of 150 m.
    assert await page.locator(".site-map path.leaflet-interactive").count() >= 2
    await screenshot(page, "admin-site-map")
    await page.click("form[data-testid=record-form] button[type=submit]")
    await page.wait_for_selector(f"text=Saved: {name}")

    admin = await headers(api, "admin")
    [site] = (await api.get("/api/sites", params={"q": name}, headers=admin)).json()["items"]
    assert site["latitude"] == pytest.approx(lat, abs=tolerance)
    assert site["longitude"] == pytest.approx(lng, abs=tolerance)
    assert (site["name"], site["geofence_radius_m"], site["address"]) == (name, 150.0, "")
    await screenshot(page, "admin-sites")


async def refused(api: httpx.AsyncClient, rule_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """What the server answers to ``body`` sent straight to it (it changes nothing)."""
    answer = await api.patch(
        f"/api/sla/rules/{rule_id}", json=body, headers=await headers(api, "admin")
    )
    assert answer.status_code in (400, 422), answer.text
    return dict(answer.json())


async def test_a_refused_sla_edit_shows_the_message_beside_its_cell(
    api: httpx.AsyncClient, desktop: Page
) -> None:
    page = desktop
    admin = await headers(api, "admin")
    rules = (await api.get("/api/sla/rules", headers=admin)).json()["items"]
    [rule] = [r for r in rules if r["customer_group_id"] is None and r["service_item_id"] is None]
    response = rule["response_minutes"]
    await open_screen(page, "/admin/sla_rules")
    here = page.locator(f"[data-rule='{rule['id']}']")
    await here.wait_for()

    # P3 tighter than P2: the service's own check (422 invalid_targets), which names
    # the list and puts the priority in its message.
    p3 = here.locator("[data-cell='response_minutes.P3'] input")
    typed = str(response["P2"] - 1)
    await p3.fill(typed)
    await page.click("[data-testid=sla-save]")
    beside = here.locator("[data-cell='response_minutes.P3'] .problem")
    await beside.wait_for()
    server = await refused(api, rule["id"], {"response_minutes": {**response, "P3": int(typed)}})
    assert server["code"] == "invalid_targets"
    assert await beside.text_content() == server["details"]["response_minutes"]
    assert await here.locator(".problem").count() == 1
    assert await p3.get_attribute("aria-invalid") == "true"
    assert await p3.input_value() == typed
    await screenshot(page, "admin-sla-rules")

    # Out of range: msgspec's 400, which names the field itself.
    await p3.fill(str(response["P3"]))
    await here.locator("[data-cell='warn_at_percent'] input").fill("100")
    await page.click("[data-testid=sla-save]")
    beside = here.locator("[data-cell='warn_at_percent'] .problem")
    await beside.wait_for()
    server = await refused(api, rule["id"], {"warn_at_percent": 100})
    assert server["details"] == [
        {"message": "Expected `int` <= 99", "key": "warn_at_percent", "source": "body"}
    ]
    assert await beside.text_content() == "Expected `int` <= 99"
    assert await here.locator(".problem").count() == 1
    assert await here.locator("[data-cell='response_minutes.P3'] .problem").count() == 0

    # Nothing changed on the server.
    after = (await api.get(f"/api/sla/rules/{rule['id']}", headers=admin)).json()
    assert after == rule


async def test_a_template_is_made_with_custom_fields_and_a_checklist(
    api: httpx.AsyncClient, desktop: Page
) -> None:
    page, name = desktop, unique("Pump inspection")
    await open_screen(page, "/admin/templates")
    await page.click("button:text-is('New')")
    await page.fill("#f-name", name)
    await page.select_option("#f-kind", "inspection")
    await page.click("[data-add=fields]")
    await page.click("[data-add=fields]")
    await page.click("[data-add=checklist]")
    await page.fill("#f-fields-0-name", "pressure_bar")
    await page.fill("#f-fields-0-label", "Pressure (bar)")
    await page.select_option("#f-fields-0-type", "number")
    await page.check("#f-fields-0-required")
    await page.fill("#f-fields-0-min", "0")
    await page.fill("#f-fields-0-max", "16")
    await page.fill("#f-fields-1-name", "pump_state")
    await page.fill("#f-fields-1-label", "Pump state")
    await page.select_option("#f-fields-1-type", "choice")
    await page.fill("#f-fields-1-options", "running, stopped,  tripped ")
    # The choice goes first.
    await page.click("[data-rows=fields] [data-row='1'] button[aria-label='Move row 2 up']")
    await page.fill("#f-checklist-0-text", "Seals dry, no drips")
    await screenshot(page, "admin-template-form")
    await page.click("form[data-testid=record-form] button[type=submit]")
    await page.wait_for_selector(f"text=Saved: {name}")

    admin = await headers(api, "admin")
    templates = (await api.get("/api/templates", headers=admin)).json()["items"]
    [made] = [t for t in templates if t["name"] == name]
    assert (made["kind"], made["department_id"]) == ("inspection", None)
    assert made["fields"] == [
        {
            "name": "pump_state",
            "label": "Pump state",
            "type": "choice",
            "required": False,
            "min": None,
            "max": None,
            "max_length": None,
            "options": ["running", "stopped", "tripped"],
        },
        {
            "name": "pressure_bar",
            "label": "Pressure (bar)",
            "type": "number",
            "required": True,
            "min": 0.0,
            "max": 16.0,
            "max_length": None,
            "options": None,
        },
    ]
    assert made["checklist"] == [{"text": "Seals dry, no drips", "required": True}]
    await screenshot(page, "admin-templates")


async def test_labels_of_selected_assets_print_from_the_servers_files(
    api: httpx.AsyncClient, desktop: Page
) -> None:
    page = desktop
    admin = await headers(api, "admin")
    first, second = (await api.get("/api/assets", params={"limit": 2}, headers=admin)).json()[
        "items"
    ]
    await open_screen(page, "/admin/assets")
    for asset in (first, second):
        await page.check(f"tr[data-key='{asset['id']}'] input.pick")
    async with page.expect_response(re.compile(r"/label\.png$")) as answered:
        await page.click("button:text-is('Print labels')")
    label = await answered.value
    assert (label.status, label.headers["content-type"]) == (200, "image/png")
    await page.wait_for_selector("text=2 labels sent to the printer.")
    frame = page.frame_locator("[data-testid=label-frame]")
    # The files decoded as images: the labels the printer gets.
    drawn = await frame.locator("img").evaluate_all(
        "(images) => images.map((i) => [i.alt, i.naturalWidth])"
    )
    assert [alt for alt, _ in drawn] == [first["tag"], second["tag"]]
    assert all(width > 100 for _, width in drawn)
    await screenshot(page, "admin-assets")

    # A4 sheets of one site's labels, as a PDF in a new tab.
    await page.select_option("#f-site_id", first["site_id"])
    async with (
        page.expect_response(re.compile(r"/api/labels/sheet\.pdf\?")) as answered,
        page.context.expect_page() as opened,
    ):
        await page.click("button:text-is('Label sheet (PDF)')")
    sheet = await answered.value
    assert (sheet.status, sheet.headers["content-type"]) == (200, "application/pdf")
    assert f"site_id={first['site_id']}" in sheet.url
    tab = await opened.value
    await tab.wait_for_url(re.compile(r"^blob:"))
    start = await tab.evaluate(
        """fetch(location.href).then((r) => r.arrayBuffer())
          .then((b) => new TextDecoder().decode(new Uint8Array(b).slice(0, 5)))"""
    )
    assert start == "%PDF-"


async def test_a_recurring_plan_is_made_from_plain_fields_and_paused(
    api: httpx.AsyncClient, desktop: Page
) -> None:
    page, name = desktop, unique("Generator test run")
    await open_screen(page, "/admin/plans")
    await page.click("button:text-is('New')")
    await page.fill("#f-name", name)
    # The browser's local time (Asia/Shanghai, UTC+8).
    await page.fill("#f-starts_at", "2031-03-03T09:30")
    await page.select_option("#f-recurrence-frequency", "weekly")
    for day in ("Monday", "Thursday"):
        await page.check(f"[data-field='recurrence.weekdays'] label:has-text('{day}') input")
    await page.fill("#f-order-title", "Run the generator for 30 minutes")
    await page.select_option("#f-order-priority", "P4")
    await screenshot(page, "admin-plan-form")
    await page.click("form[data-testid=record-form] button[type=submit]")
    await page.wait_for_selector(f"text=Saved: {name}")

    admin = await headers(api, "admin")
    [plan] = [
        p for p in (await api.get("/api/plans", headers=admin)).json()["items"] if p["name"] == name
    ]
    assert (plan["rrule"], plan["starts_at"], plan["timezone"]) == (
        "FREQ=WEEKLY;BYDAY=MO,TH",
        "2031-03-03T01:30:00Z",
        "Asia/Shanghai",
    )
    assert plan["upcoming"][:3] == [
        "2031-03-03T01:30:00Z",
        "2031-03-06T01:30:00Z",
        "2031-03-10T01:30:00Z",
    ]
    assert (plan["order"]["title"], plan["order"]["priority"], plan["order"]["kind"]) == (
        "Run the generator for 30 minutes",
        "P4",
        "planned",
    )
    assert plan["paused"] is False
    await screenshot(page, "admin-plans")

    await page.click(f"button[aria-label='Edit {name}']")
    await page.click("button:text-is('Pause')")
    await page.wait_for_selector(f"text=Saved: {name}")
    held = (await api.get(f"/api/plans/{plan['id']}", headers=admin)).json()
    # Paused, a plan has no next occurrences; the rest stays as it was.
    assert (held["paused"], held["upcoming"]) == (True, [])
    assert {**held, "paused": False, "upcoming": plan["upcoming"]} == plan


async def test_the_main_admin_screens(desktop: Page) -> None:
    page = desktop
    await open_screen(page, "/admin")
    await page.wait_for_selector("[data-section=plans]")
    await screenshot(page, "admin-menu")
    for section in ("users", "teams", "skills", "catalogue"):
        await open_screen(page, f"/admin/{section}")
        await page.wait_for_selector("section.records-section[aria-busy=false] tr[data-key]")
        await screenshot(page, f"admin-{section}")
    await page.click("button:text-is('New')")
    await page.wait_for_selector("[data-field=required_skills]")
    await screenshot(page, "admin-catalogue-form")


async def test_a_manager_sees_the_servers_refusal_and_offline_a_plain_message(
    api: httpx.AsyncClient, context: BrowserContext, page: Page, live_server: LiveServer
) -> None:
    await offline_tiles(context, live_server.url)
    await log_in(page, "manager1")
    manager = await headers(api, "manager1")
    rules = (await api.get("/api/sla/rules", headers=manager)).json()["items"]
    rule = rules[0]
    await open_screen(page, "/admin/sla_rules")
    here = page.locator(f"[data-rule='{rule['id']}']")
    await here.locator("[data-cell='warn_at_percent'] input").fill("80")
    await page.click("[data-testid=sla-save]")
    refusal = page.locator(f"[data-refusal='{rule['id']}'] [data-testid=refusal]")
    await refusal.wait_for()
    assert "only admins change SLA rules and calendars" in await refusal.inner_text()
    await screenshot(page, "admin-sla-rules-manager-phone")
    after = (await api.get(f"/api/sla/rules/{rule['id']}", headers=manager)).json()
    assert after == rule

    await context.set_offline(True)
    await open_screen(page, "/admin/teams")
    await page.wait_for_selector("[data-testid=failure]")
    assert await page.locator("[data-testid=failure]").inner_text() == (
        "No connection: this screen needs the network."
    )
    await context.set_offline(False)
