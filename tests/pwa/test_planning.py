"""The scheduling board and the project Gantt chart against the live server.

Orders are dragged with the mouse and with touch (Chromium's own touch input, which
reaches the page as Pointer Events of type "touch"), placed with the keyboard, and read
back through the API. The phone runs in Shanghai time while the server keeps UTC, so a
drop "at 10:00" must mean 10:00 on the phone's clock.

Data of these tests alone: orders created here in Facilities (manager1), planned for
tech08 and tech09 (the Elevator Crew, which no other browser test uses) and tech07.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, CDPSession, Locator, Page

from tests.pwa.browser import phone, screenshot
from tests.pwa.live import LiveServer
from tests.pwa.session import headers, log_in

MANAGER = "manager1"
SHANGHAI = ZoneInfo("Asia/Shanghai")
DESKTOP = {"width": 1280, "height": 800}
# The day view runs 07:00-20:00: 13 equal hour columns.
FIRST_HOUR, HOURS = 7, 13
SAVED_MS = 15_000


@pytest_asyncio.fixture(loop_scope="session")
async def shanghai(browser: Browser, live_server: LiveServer) -> AsyncIterator[BrowserContext]:
    """A phone with a touch screen whose clock is Shanghai's."""
    context = await phone(browser, live_server.url, timezone_id="Asia/Shanghai", has_touch=True)
    yield context
    await context.close()


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), SHANGHAI)


async def person(api: httpx.AsyncClient, auth: dict[str, str], username: str) -> dict[str, Any]:
    users = (await api.get("/api/users", params={"role": "technician"}, headers=auth)).json()
    return dict(next(u for u in users["items"] if u["username"] == username))


async def new_order(api: httpx.AsyncClient, auth: dict[str, str], **fields: Any) -> dict[str, Any]:
    answer = await api.post("/api/work-orders", json={"kind": "service", **fields}, headers=auth)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


async def order(api: httpx.AsyncClient, auth: dict[str, str], order_id: str) -> dict[str, Any]:
    return dict((await api.get(f"/api/work-orders/{order_id}", headers=auth)).json())


async def open_board(page: Page, token: str) -> date:
    """The board of today, its list narrowed to this test's orders; returns the day."""
    await page.goto("/#/schedule")
    await page.wait_for_selector("[data-testid=schedule-board]")
    await page.fill("#sched-find", token)
    # The list at the top of the screen, the first people's rows under it.
    await page.locator("#sched-find").evaluate(
        "(find) => scrollTo(0, find.getBoundingClientRect().top + scrollY - 60)"
    )
    return date.fromisoformat(await page.input_value("#sched-date"))


def row(page: Page, user: dict[str, Any]) -> Locator:
    return page.locator(f"[data-testid=schedule-row][data-person='{user['id']}']")


async def show_from(page: Page, hour: int) -> None:
    """Scroll the board sideways so that ``hour`` is its first visible column."""
    await page.locator("[data-testid=schedule-board]").evaluate(
        "(board, hours) => { board.scrollLeft = board.querySelector('.sched-axis').offsetWidth * hours; }",
        (hour - FIRST_HOUR) / HOURS,
    )


async def x_of(track: Locator, hour: float) -> float:
    box = await track.bounding_box()
    assert box
    return float(box["x"] + box["width"] * (hour - FIRST_HOUR) / HOURS)


async def centre(locator: Locator) -> tuple[float, float]:
    box = await locator.bounding_box()
    assert box
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


async def middle_y(locator: Locator) -> float:
    return (await centre(locator))[1]


def on_screen(page: Page, x: float, y: float) -> None:
    viewport = page.viewport_size
    assert viewport
    # Above the bottom tabs.
    assert 0 < x < viewport["width"], x
    assert 0 < y < viewport["height"] - 56, y


async def mouse_drag(page: Page, start: tuple[float, float], end: tuple[float, float]) -> None:
    on_screen(page, *start)
    on_screen(page, *end)
    await page.mouse.move(*start)
    await page.mouse.down()
    for step in range(1, 13):
        await page.mouse.move(
            start[0] + (end[0] - start[0]) * step / 12, start[1] + (end[1] - start[1]) * step / 12
        )
    await page.mouse.up()


async def touch_drag(cdp: CDPSession, start: tuple[float, float], end: tuple[float, float]) -> None:
    """A finger pulls the card down out of the list first (the list itself scrolls
    sideways under a finger), then along the person's row."""

    async def touch(kind: str, x: float, y: float) -> None:
        points = [] if kind == "touchEnd" else [{"x": x, "y": y}]
        await cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    await touch("touchStart", *start)
    for step in range(1, 9):
        await touch("touchMove", start[0], start[1] + (end[1] - start[1]) * step / 8)
    for step in range(1, 9):
        await touch("touchMove", start[0] + (end[0] - start[0]) * step / 8, end[1])
    await touch("touchEnd", *end)


async def saved_in(page: Page, user: dict[str, Any], item: dict[str, Any]) -> None:
    """The order's card stands in the person's row with nothing left to save."""
    await (
        row(page, user)
        .locator(f"[data-order='{item['id']}']:not([aria-busy])")
        .wait_for(timeout=SAVED_MS)
    )


async def test_orders_dragged_by_mouse_and_touch_are_assigned_and_planned(
    api: httpx.AsyncClient, shanghai: BrowserContext
) -> None:
    auth = await headers(api, MANAGER)
    me = (await api.get("/api/users/me", headers=auth)).json()
    hu_jun, sun_li = await person(api, auth, "tech09"), await person(api, auth, "tech08")
    token = f"board-{uuid.uuid4().hex[:6]}"
    department = {"department_id": me["department_id"]}
    by_mouse = await new_order(api, auth, title=f"Lift pit lamp {token}", **department)
    by_touch = await new_order(api, auth, title=f"Lift door sensor {token}", **department)
    today = datetime.now(SHANGHAI).date()
    placed = await new_order(
        api,
        auth,
        title=f"Escalator handrail {token}",
        assignee_id=sun_li["id"],
        planned_start_at=iso(at(today, 8)),
        planned_end_at=iso(at(today, 9, 30)),
        **department,
    )
    page = await shanghai.new_page()
    await page.add_init_script(
        "window.pointerKinds = []; addEventListener('pointerdown', (e) => pointerKinds.push(e.pointerType), true);"
    )
    await log_in(page, MANAGER)
    day = await open_board(page, token)
    assert day == today
    strip = page.locator("[data-testid=schedule-to-plan]")
    await strip.locator(f"[data-order='{by_touch['id']}']").wait_for()
    assert await strip.locator("[data-testid=schedule-order]").count() == 2
    await show_from(page, 9)

    # The mouse: the card onto Hu Jun at a quarter past ten, which the half-hour grid
    # reads as the 10:00 cell.
    card = strip.locator(f"[data-order='{by_mouse['id']}']")
    target = row(page, hu_jun)
    await mouse_drag(page, await centre(card), (await x_of(target, 10.25), await middle_y(target)))
    await saved_in(page, hu_jun, by_mouse)

    # A finger: the other card onto Sun Li at 10:00.
    card = strip.locator(f"[data-order='{by_touch['id']}']")
    target = row(page, sun_li)
    start = await centre(card)
    end = (await x_of(target, 10.1), await middle_y(target))
    on_screen(page, *end)
    await touch_drag(await shanghai.new_cdp_session(page), start, end)
    await saved_in(page, sun_li, by_touch)
    assert "touch" in await page.evaluate("pointerKinds")
    assert "mouse" in await page.evaluate("pointerKinds")
    await screenshot(page, "schedule-phone")

    for dropped, user in ((by_mouse, hu_jun), (by_touch, sun_li)):
        held = await order(api, auth, dropped["id"])
        assert held["assignee_id"] == user["id"]
        assert held["status"] == "assigned"
        # 10:00 in Shanghai is 02:00 UTC; a new placement lasts an hour.
        assert parse(held["planned_start_at"]) == at(day, 10)
        assert parse(held["planned_end_at"]) == at(day, 11)

    # On a desktop, a planned order moves to another person and time and keeps its 1 h 30.
    await page.set_viewport_size(DESKTOP)
    await page.evaluate("scrollTo(0, 0)")
    await show_from(page, FIRST_HOUR)
    card = row(page, sun_li).locator(f"[data-order='{placed['id']}']")
    box = await card.bounding_box()
    assert box
    grip = (box["x"] + 6, box["y"] + box["height"] / 2)
    target = row(page, hu_jun)
    # Let go where the card's left edge would stand at 13:00 (6 px: well under 15 min).
    await mouse_drag(page, grip, (await x_of(target, 13) + 6, await middle_y(target)))
    await saved_in(page, hu_jun, placed)
    await screenshot(page, "schedule-desktop")
    moved = await order(api, auth, placed["id"])
    assert moved["assignee_id"] == hu_jun["id"]
    assert parse(moved["planned_start_at"]) == at(day, 13)
    assert parse(moved["planned_end_at"]) == at(day, 14, 30)
    timeline = (await api.get(f"/api/work-orders/{placed['id']}/timeline", headers=auth)).json()
    transfer = [e for e in timeline["items"] if e["kind"] == "transferred"]
    assert [e["note"] for e in transfer] == ["Moved on the scheduling board"]


async def test_the_keyboard_places_an_order_on_a_day_of_the_week(
    api: httpx.AsyncClient, shanghai: BrowserContext
) -> None:
    auth = await headers(api, MANAGER)
    me = (await api.get("/api/users/me", headers=auth)).json()
    hu_jun = await person(api, auth, "tech09")
    token = f"keys-{uuid.uuid4().hex[:6]}"
    item = await new_order(
        api, auth, title=f"Lift cab light {token}", department_id=me["department_id"]
    )
    page = await shanghai.new_page()
    await log_in(page, MANAGER)
    day = await open_board(page, token)
    await page.click("button:text-is('Week')")
    card = page.locator(f"[data-testid=schedule-to-plan] [data-order='{item['id']}']")
    await card.focus()
    await page.keyboard.press("Enter")
    assert await card.get_attribute("aria-pressed") == "true"
    await page.wait_for_selector(".sched-placing")
    # The board moves the focus in an effect, after the next frame.
    await page.wait_for_selector("[data-testid=schedule-board] [data-cell]:focus")
    # Focus is on the first cell: the first person's Monday.
    people = await page.locator("[data-testid=schedule-row]").evaluate_all(
        "(rows) => rows.map((row) => row.dataset.person)"
    )
    first = await page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert first.endswith(f"Mon, {(day - timedelta(days=day.weekday())):%-m/%-d}")
    for key in ["ArrowDown"] * people.index(hu_jun["id"]) + ["ArrowRight", "ArrowRight"]:
        await page.keyboard.press(key)
    label = await page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert label.startswith(hu_jun["display_name"])
    assert "Wed" in label
    await page.keyboard.press("Enter")
    await saved_in(page, hu_jun, item)
    held = await order(api, auth, item["id"])
    wednesday = day - timedelta(days=day.weekday()) + timedelta(days=2)
    assert held["assignee_id"] == hu_jun["id"]
    # A new placement in the week view starts the chosen day at 08:00 and lasts an hour.
    assert parse(held["planned_start_at"]) == at(wednesday, 8)
    assert parse(held["planned_end_at"]) == at(wednesday, 9)

    # Dragged two columns on, it moves by two whole days and keeps its hours.
    await page.set_viewport_size(DESKTOP)
    await page.evaluate("scrollTo(0, 0)")
    card = row(page, hu_jun).locator(f"[data-order='{item['id']}']")
    start = await centre(card)
    column = (await row(page, hu_jun).bounding_box() or {"width": 0})["width"] / 7
    await mouse_drag(page, start, (start[0] + 2 * column, start[1]))
    friday = wednesday + timedelta(days=2)
    await (
        card.and_(page.locator(":not([aria-busy])"))
        .filter(has_text=f"Fri, {friday:%-m/%-d}")
        .wait_for(timeout=SAVED_MS)
    )
    moved = await order(api, auth, item["id"])
    assert parse(moved["planned_start_at"]) == at(friday, 8)
    assert parse(moved["planned_end_at"]) == at(friday, 9)


async def test_a_refused_drop_shows_the_reason_beside_the_card_and_puts_it_back(
    api: httpx.AsyncClient, shanghai: BrowserContext
) -> None:
    auth = await headers(api, MANAGER)
    me = (await api.get("/api/users/me", headers=auth)).json()
    hu_jun = await person(api, auth, "tech09")
    token = f"stale-{uuid.uuid4().hex[:6]}"
    item = await new_order(
        api, auth, title=f"Lift alarm bell {token}", department_id=me["department_id"]
    )
    page = await shanghai.new_page()
    await log_in(page, MANAGER)
    await open_board(page, token)
    await show_from(page, 9)
    # Someone else edits the order after the board was read.
    edited = await api.patch(
        f"/api/work-orders/{item['id']}", json={"priority": "P2"}, headers=auth
    )
    assert edited.status_code == 200
    strip = page.locator("[data-testid=schedule-to-plan]")
    card = strip.locator(f"[data-order='{item['id']}']")
    target = row(page, hu_jun)
    await mouse_drag(page, await centre(card), (await x_of(target, 11), await middle_y(target)))
    error = strip.locator("[data-testid=schedule-error]")
    await error.wait_for(timeout=SAVED_MS)
    assert "someone changed this order meanwhile" in await error.inner_text()
    # Back in the list, as the server has it (the board read it again: now P2).
    await strip.locator(f"[data-order='{item['id']}'] .badge.P2").wait_for()
    assert await target.locator(f"[data-order='{item['id']}']").count() == 0
    await screenshot(page, "schedule-refused")
    held = await order(api, auth, item["id"])
    assert (held["assignee_id"], held["planned_start_at"], held["planned_end_at"]) == (
        None,
        None,
        None,
    )

    await shanghai.set_offline(True)
    await page.click("text=Refresh")
    offline = page.locator("[data-testid=schedule-offline]")
    await offline.wait_for()
    assert "works online only" in await offline.inner_text()
    await shanghai.set_offline(False)


async def bars_stand_on_their_dates(page: Page, chart: dict[str, Any]) -> None:
    """Each task's bar starts and ends where the API's dates fall on the chart's axis,
    which runs over whole days of the phone's calendar around every bar."""
    axis = page.locator("[data-testid=gantt-chart]")
    first = parse(str(await axis.get_attribute("data-from")))
    last = parse(str(await axis.get_attribute("data-to")))
    spans = [(parse(t["start"]), parse(t["end"])) for t in [chart["project"], *chart["tasks"]]]
    earliest, latest = min(s for s, _ in spans), max(e for _, e in spans)
    assert first <= earliest < first + timedelta(days=1)
    assert latest <= last < latest + timedelta(days=1)
    assert first.astimezone(SHANGHAI).time() == last.astimezone(SHANGHAI).time() == time(0)
    seconds = (last - first).total_seconds()
    for task in chart["tasks"]:
        bar = page.locator(f"[data-testid=gantt-bar][data-task='{task['id']}']")
        box, track = await bar.bounding_box(), await bar.locator("xpath=..").bounding_box()
        assert box
        assert track
        start, end = parse(task["start"]), parse(task["end"])
        left = (start - first).total_seconds() / seconds * track["width"]
        width = (end - start).total_seconds() / seconds * track["width"]
        assert abs(box["x"] - track["x"] - left) < 1.5, task["number"]
        assert abs(box["width"] - max(width, 4)) < 1.5, task["number"]
        link = page.locator(f"[data-testid=gantt-task] a[href='#/orders/{task['id']}']")
        assert await link.inner_text() == f"{task['number']} {task['title']}"


async def test_a_demo_projects_gantt_chart_draws_a_bar_per_task_on_its_dates(
    api: httpx.AsyncClient, shanghai: BrowserContext
) -> None:
    admin = await headers(api, "admin")
    listed = await api.get(
        "/api/work-orders", params={"kind": "project", "limit": 200}, headers=admin
    )
    tasks_of = Counter(p["parent_id"] for p in listed.json()["items"] if p["parent_id"])
    project_id, count = tasks_of.most_common(1)[0]
    assert count >= 3, "the demo has projects with tasks"
    chart = (await api.get(f"/api/work-orders/{project_id}/gantt", headers=admin)).json()
    assert len(chart["tasks"]) == count
    page = await shanghai.new_page()
    await log_in(page, "admin")
    await page.goto(f"/#/projects/{project_id}")
    await page.wait_for_selector("[data-testid=gantt-chart]")
    assert await page.locator("[data-testid=gantt-bar]").count() == count
    await bars_stand_on_their_dates(page, chart)
    progress = page.locator("[data-testid=gantt-progress]")
    assert await progress.get_attribute("aria-valuenow") == str(chart["project"]["progress"])
    await screenshot(page, "gantt-demo-phone")


async def test_a_gantt_chart_shows_dependencies_unplanned_tasks_and_rolled_up_progress(
    api: httpx.AsyncClient, shanghai: BrowserContext
) -> None:
    auth = await headers(api, MANAGER)
    me = (await api.get("/api/users/me", headers=auth)).json()
    xu_ming = await person(api, auth, "tech07")
    day = datetime.now(SHANGHAI).date() + timedelta(days=20)
    fields = {"kind": "project", "department_id": me["department_id"]}
    project = await new_order(
        api,
        auth,
        title="Boiler room refit",
        planned_start_at=iso(at(day, 0)),
        planned_end_at=iso(at(day + timedelta(days=20), 0)),
        **fields,
    )
    task = {"parent_id": project["id"], "assignee_id": xu_ming["id"], **fields}
    survey = await new_order(
        api,
        auth,
        title="Survey the boiler room",
        planned_start_at=iso(at(day, 0)),
        planned_end_at=iso(at(day + timedelta(days=2), 0)),
        **task,
    )
    burners = await new_order(
        api,
        auth,
        title="Order the burners",
        planned_start_at=iso(at(day + timedelta(days=2), 0)),
        planned_end_at=iso(at(day + timedelta(days=10), 0)),
        **task,
    )
    # No planned dates: drawn from its creation to its due time.
    commission = await new_order(
        api,
        auth,
        title="Commission the boilers",
        due_at=iso(at(day + timedelta(days=15), 0)),
        **task,
    )
    for waiting, before in ((burners, [survey]), (commission, [survey, burners])):
        answer = await api.put(
            f"/api/work-orders/{waiting['id']}/dependencies",
            json={"depends_on": [b["id"] for b in before]},
            headers=auth,
        )
        assert answer.status_code == 200, answer.text
    for action in ("accept", "start_travel", "arrive", "start_work"):
        answer = await api.post(
            f"/api/work-orders/{survey['id']}/transitions", json={"action": action}, headers=auth
        )
        assert answer.status_code == 200, answer.text
    answer = await api.post(
        f"/api/work-orders/{commission['id']}/transitions",
        json={"action": "cancel", "reason": "done by the supplier"},
        headers=auth,
    )
    assert answer.status_code == 200, answer.text
    chart = (await api.get(f"/api/work-orders/{project['id']}/gantt", headers=auth)).json()
    # Weighted by planned length, cancelled tasks left out: (2 d x 50 % + 8 d x 0 %) / 10 d.
    assert chart["project"]["progress"] == 10

    page = await shanghai.new_page()
    await log_in(page, MANAGER)
    await page.goto(f"/#/projects/{project['id']}")
    await page.wait_for_selector("[data-testid=gantt-chart]")
    assert await page.locator("[data-testid=gantt-bar]").count() == 3
    await bars_stand_on_their_dates(page, chart)
    progress = page.locator("[data-testid=gantt-progress]")
    assert await progress.get_attribute("aria-valuenow") == "10"
    assert "Progress 10%" in await page.inner_text("[data-testid=gantt]")
    unplanned = page.locator(f"[data-testid=gantt-bar][data-task='{commission['id']}']")
    assert "unplanned" in str(await unplanned.get_attribute("class"))
    assert "Cancelled" in await unplanned.inner_text()
    after = [await e.inner_text() for e in await page.locator("[data-testid=gantt-after]").all()]
    # The API lists what a task waits for by id.
    both = ", ".join(o["number"] for o in sorted((survey, burners), key=lambda o: str(o["id"])))
    assert after == [f"After {survey['number']}", f"After {both}"]
    assert await page.locator("[data-testid=gantt-links] path").count() == 3
    await screenshot(page, "gantt-phone")
    await page.set_viewport_size(DESKTOP)
    await screenshot(page, "gantt-desktop")
