"""The inspector's screens in Chromium: a label read by a fake camera opens its asset, an
inspection recorded offline (with a value out of its limits) reaches the server once and
opens a corrective order, and a checkpoint skipped offline is skipped on the server.

Each test makes its own asset type, checklist, assets and round (for INSPECTOR), so the
shared live server's other tests neither see nor change them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import zxingcpp
from playwright.async_api import Browser, BrowserContext, Page, Playwright, Route

from tests.pwa.browser import FAKE_CAMERA, PHONE, launch, phone, screenshot
from tests.pwa.camera import label_image, write_y4m
from tests.pwa.live import LiveServer
from tests.pwa.session import drained, headers, log_in, synced, until

INSPECTOR = "inspector2"
CHECKLIST = [
    {"key": "running", "label": "Pump running", "kind": "pass_fail"},
    {
        "key": "pressure",
        "label": "Outlet pressure",
        "kind": "number",
        "unit": "bar",
        "min": 2,
        "max": 6,
        "severity": "high",
    },
    {
        "key": "noise",
        "label": "Noise",
        "kind": "choice",
        "choices": ["quiet", "loud"],
        "failing_choices": ["loud"],
    },
    {"key": "note", "label": "Note", "kind": "text", "required": False},
]


@dataclass
class Round:
    assets: list[dict[str, Any]]  # in route order
    run_id: str


async def a_round(api: httpx.AsyncClient, name: str, letters: str) -> Round:
    """Assets tagged E2E-xxxxxA, …B, … of an asset type of their own (with CHECKLIST),
    walked by INSPECTOR in the order of ``letters``, in a round whose run started 5
    minutes ago."""
    admin = await headers(api, "admin")
    site = (await api.get("/api/sites", headers=admin)).json()["items"][0]
    # As short as the demo's tags: in camera.py's 640 px frame the narrow bars of long
    # ones blur past reading (zxing-cpp misses about one 19-character tag in five).
    prefix = f"E2E-{uuid4().hex[:5]}".upper()
    kind = f"e2e-pump-{prefix}"
    answer = await api.put(
        "/api/checklists",
        json={"asset_type": kind, "name": "Pump check", "items": CHECKLIST},
        headers=admin,
    )
    assert answer.status_code == 200, answer.text
    by_letter = {}
    for letter in sorted(letters):
        made = await api.post(
            "/api/assets",
            json={
                "tag": f"{prefix}{letter}",
                "name": f"{name} pump {letter}",
                "asset_type": kind,
                "site_id": site["id"],
            },
            headers=admin,
        )
        assert made.status_code == 201, made.text
        by_letter[letter] = made.json()
    assets = [by_letter[letter] for letter in letters]
    inspector = await headers(api, INSPECTOR)
    me = (await api.get("/api/users/me", headers=inspector)).json()
    made = await api.post(
        "/api/rounds",
        json={
            "name": name,
            "assignee_id": me["id"],
            "checkpoints": [asset["id"] for asset in assets],
            "starts_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
        },
        headers=admin,
    )
    assert made.status_code == 201, made.text
    runs = (await api.get("/api/round-runs", headers=inspector)).json()["items"]
    [run] = [run for run in runs if run["round_id"] == made.json()["id"]]
    return Round(assets, run["id"])


async def open_tab(page: Page, path: str) -> None:
    # A click, not page.goto: offline, the page stays as it is and only its hash moves.
    await page.click(f"nav.tabs a[href='#{path}']")


async def type_code(page: Page, code: str) -> None:
    await open_tab(page, "/scan")
    await page.fill("#code", code)
    await page.click("[data-testid=manual-code] button[type=submit]")


async def test_a_label_in_front_of_the_camera_opens_its_asset(
    playwright: Playwright, api: httpx.AsyncClient, live_server: LiveServer, tmp_path: Path
) -> None:
    walk = await a_round(api, "Boiler room", "A")
    [asset] = walk.assets
    label = label_image(asset["tag"])
    assert [found.text for found in zxingcpp.read_barcodes(label)] == [asset["tag"]]
    video = write_y4m(label, tmp_path / "label.y4m")
    browser = await launch(playwright, *FAKE_CAMERA, f"--use-file-for-fake-video-capture={video}")
    elsewhere: list[str] = []
    wasm: list[str] = []
    release = asyncio.Event()

    async def only_our_server(route: Route) -> None:
        url = route.request.url
        if not url.startswith(live_server.url):
            elsewhere.append(url)
            await route.abort()
            return
        if url.endswith(".wasm"):
            # Held until the scan screen's screenshot is taken.
            wasm.append(url)
            await release.wait()
        await route.continue_()

    try:
        # No service worker, so that every request of the page passes the route above.
        context = await browser.new_context(
            base_url=live_server.url, viewport=PHONE, service_workers="block"
        )
        await context.route("**/*", only_our_server)
        page = await context.new_page()
        await log_in(page, INSPECTOR)
        await open_tab(page, "/scan")
        scanner = page.locator("[data-testid=scanner][data-state=scanning]")
        await scanner.wait_for()
        # Headless Linux Chromium has no BarcodeDetector: the ZXing polyfill reads.
        assert await page.evaluate("'BarcodeDetector' in window") is False
        assert await scanner.get_attribute("data-detector") == "polyfill"
        await page.evaluate("window.camera = document.querySelector('video').srcObject")
        await until(page, "document.querySelector('video').videoWidth > 0")
        await screenshot(page, "scan")
        release.set()

        await page.wait_for_selector(f"[data-testid=asset][data-asset='{asset['id']}']")
        assert page.url.endswith(f"#/assets/{asset['id']}")
        assert await page.inner_text("[data-testid=asset-tag]") == asset["tag"]
        proof = page.locator("[data-testid=scan-proof]")
        assert await proof.get_attribute("data-scan-how") == "polyfill"
        assert f"Label read: {asset['tag']}" in await proof.inner_text()
        assert await page.get_attribute("[data-testid=asset-run]", "data-run") == walk.run_id
        # Leaving the scan screen turned the camera off.
        assert await page.evaluate(
            "window.camera.getTracks().every((track) => track.readyState === 'ended')"
        )
        await screenshot(page, "scan-asset")
    finally:
        await browser.close()
    assert elsewhere == []
    assert wasm == [f"{live_server.url}/vendor/zxing_reader.wasm"]


async def test_an_inspection_made_offline_reaches_the_server_once(
    api: httpx.AsyncClient, context: BrowserContext, page: Page
) -> None:
    walk = await a_round(api, "Pump house", "AB")
    asset, second = walk.assets
    await log_in(page, INSPECTOR)
    await page.wait_for_selector(f"[data-run='{walk.run_id}']")
    await until(page, "navigator.serviceWorker.controller !== null")

    await context.set_offline(True)
    typed = f"  {asset['tag'].lower()} "
    await type_code(page, typed)
    await page.wait_for_selector(f"[data-testid=asset][data-asset='{asset['id']}']")
    proof = page.locator("[data-testid=scan-proof]")
    assert await proof.get_attribute("data-scan-how") == "typed"
    assert await page.get_attribute("[data-testid=asset-run]", "data-run") == walk.run_id

    pressure = page.locator("[data-testid=item][data-key=pressure]")
    await page.click("[data-key=running] [data-answer=true]")
    await page.fill("#item-pressure", "6")
    assert await pressure.get_attribute("data-failing") == "false", "the limit itself passes"
    await page.fill("#item-pressure", "7.5")
    assert await pressure.get_attribute("data-failing") == "true"
    assert "Out of limits: above the maximum of 6 bar" in await pressure.inner_text()
    shade = await pressure.evaluate("(item) => getComputedStyle(item).backgroundColor")
    assert shade == "rgb(253, 236, 234)"
    await page.select_option("#item-noise", "quiet")
    noise = page.locator("[data-testid=item][data-key=noise]")
    assert await noise.get_attribute("data-failing") == "false"
    await page.fill("#item-note", "Bearing warm")
    await pressure.evaluate("(item) => item.scrollIntoView({ block: 'center' })")
    await screenshot(page, "asset")
    await page.click("[data-testid=inspection-form] button[type=submit]")
    await page.wait_for_selector("[data-testid=inspection-saved]")
    await page.wait_for_selector("[data-testid=pending-count][data-count='1']")
    await page.wait_for_selector("[data-testid=result][data-passed=false] .badge.pending")
    # The run counts it at once.
    await open_tab(page, "/rounds")
    progress = page.locator(f"[data-run='{walk.run_id}'] [data-testid=progress]")
    assert await progress.get_attribute("data-done") == "1"

    await context.set_offline(False)
    await drained(page)  # by itself, on reconnecting
    await synced(page)
    admin = await headers(api, "admin")
    results = (await api.get(f"/api/inspections?asset_id={asset['id']}", headers=admin)).json()
    [result] = results["items"]
    assert result["code"] == typed.strip()
    assert result["answers"] == {
        "running": True,
        "pressure": 7.5,
        "noise": "quiet",
        "note": "Bearing warm",
    }
    assert result["run_id"] == walk.run_id
    assert [(f["key"], f["why"]) for f in result["failures"]] == [
        ("pressure", "7.5bar is above 6bar")
    ]
    order = (
        await api.get(f"/api/work-orders/{result['corrective_order_id']}", headers=admin)
    ).json()
    assert (order["kind"], order["priority"], order["asset_id"]) == ("service", "P2", asset["id"])
    run = (await api.get(f"/api/round-runs/{walk.run_id}", headers=admin)).json()
    assert [(c["asset_id"], c["state"], c["result_id"]) for c in run["checkpoints"]] == [
        (asset["id"], "done", result["id"]),
        (second["id"], "pending", None),
    ]
    assert (run["status"], run["progress_percent"]) == ("in_progress", 50)


async def test_a_checkpoint_skipped_offline_is_skipped_on_the_server(
    api: httpx.AsyncClient, context: BrowserContext, page: Page
) -> None:
    # Route order is not the tags' order.
    walk = await a_round(api, "Night round", "CAB")
    reason = "Plant room locked; 机房锁门"
    await log_in(page, INSPECTOR)
    card = page.locator(f"[data-testid=run-card][data-run='{walk.run_id}']")
    assert await card.locator("[data-testid=progress]").get_attribute("data-total") == "3"
    await screenshot(page, "rounds")
    await card.click()
    checkpoints = page.locator("[data-testid=checkpoint]")
    await checkpoints.first.wait_for()
    shown = [await c.get_attribute("data-asset") for c in await checkpoints.all()]
    assert shown == [asset["id"] for asset in walk.assets]

    await context.set_offline(True)
    skipped = checkpoints.nth(1)
    await skipped.locator("[data-testid=skip]").click()
    await page.fill("#skip-reason", reason)
    await page.click("[role=dialog] button[type=submit]")
    await page.wait_for_selector("[data-testid=pending-count][data-count='1']")
    # The run screen rereads the outbox on its own, after the sync bar or before it.
    await page.wait_for_selector(
        f"[data-testid=checkpoint][data-asset='{walk.assets[1]['id']}'][data-state=skipped]"
    )
    assert await skipped.get_attribute("data-state") == "skipped"
    assert reason in await skipped.locator("[data-testid=skip-reason]").inner_text()
    assert (
        await page.get_attribute("[data-testid=run] [data-testid=progress]", "data-skipped") == "1"
    )
    await screenshot(page, "run")

    await context.set_offline(False)
    await drained(page)  # by itself, on reconnecting
    await synced(page)
    admin = await headers(api, "admin")
    run = (await api.get(f"/api/round-runs/{walk.run_id}", headers=admin)).json()
    assert [(c["asset_id"], c["state"], c["reason"]) for c in run["checkpoints"]] == [
        (walk.assets[0]["id"], "pending", ""),
        (walk.assets[1]["id"], "skipped", reason),
        (walk.assets[2]["id"], "pending", ""),
    ]
    assert (run["status"], run["progress_percent"]) == ("in_progress", 33)


async def test_the_asset_screen_in_chinese(
    api: httpx.AsyncClient, browser: Browser, live_server: LiveServer
) -> None:
    walk = await a_round(api, "水泵房", "A")
    [asset] = walk.assets
    context = await phone(browser, live_server.url, locale="zh-CN")
    try:
        page = await context.new_page()
        await log_in(page, INSPECTOR)
        await page.wait_for_selector("text=今日巡检")
        await type_code(page, asset["tag"])
        await page.wait_for_selector(f"[data-testid=asset][data-asset='{asset['id']}']")
        await page.click("[data-key=running] [data-answer=false]")
        await page.fill("#item-pressure", "1.5")
        pressure = page.locator("[data-testid=item][data-key=pressure]")
        assert "超出限值：低于下限 2 bar" in await pressure.inner_text()
        assert (
            await page.inner_text("[data-testid=inspection-form] button[type=submit]") == "保存巡检"
        )
        await screenshot(page, "asset-zh-CN")
    finally:
        await context.close()
