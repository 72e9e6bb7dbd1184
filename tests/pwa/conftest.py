"""The PWA against a real server process, in Chromium.

One ``fieldops serve`` per session (tests/pwa/live.py: its own directory and SQLite
file, the demo data) and one Chromium driven by Playwright's async API
(tests/pwa/browser.py); each test gets a fresh browser context at phone size. Every
async test and fixture of this package runs on the session's event loop, where the
browser's driver lives: async fixtures added here need ``loop_scope="session"``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, Page, Playwright, async_playwright
from pytest_asyncio import is_async_test

from tests.pwa.browser import launch, phone
from tests.pwa.live import LiveServer, serving

HERE = Path(__file__).resolve().parent


# First: pytest-xdist's worker reads the group marks in this same hook, and the order of
# registration would otherwise call it before this one.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    on_session_loop = pytest.mark.asyncio(loop_scope="session")
    # With pytest-xdist (scripts/test), every browser test runs in one worker: one live
    # server and one Chromium, while the other worker runs the rest of the suite.
    one_worker = pytest.mark.xdist_group("browser")
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(one_worker)
            if is_async_test(item):
                item.add_marker(on_session_loop, append=False)


@pytest.fixture(autouse=True)
def in_the_browser_worker(request: pytest.FixtureRequest) -> None:
    # Two Chromiums and two live servers in the two workers overload the machine and the
    # browser tests time out: fail plainly if pytest-xdist has not grouped them.
    if request.config.getvalue("loadgroup") and not request.node.nodeid.endswith("@browser"):
        pytest.fail("pytest-xdist did not keep the browser tests in one worker")


@pytest.fixture
def engine_name() -> str:
    # Not once per engine: the live server has a SQLite database of its own.
    return "sqlite"


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def live_server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LiveServer]:
    async with serving(tmp_path_factory.mktemp("e2e")) as server:
        yield server


@pytest_asyncio.fixture(loop_scope="session")
async def api(live_server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    """Plain HTTP to the live server."""
    async with httpx.AsyncClient(base_url=live_server.url) as http:
        yield http


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def playwright() -> AsyncIterator[Playwright]:
    async with async_playwright() as driver:
        yield driver


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser(playwright: Playwright) -> AsyncIterator[Browser]:
    browser = await launch(playwright)
    yield browser
    await browser.close()


@pytest_asyncio.fixture(loop_scope="session")
async def context(browser: Browser, live_server: LiveServer) -> AsyncIterator[BrowserContext]:
    """A fresh profile (no cookies, storage or service worker) at 360 x 780."""
    context = await phone(browser, live_server.url)
    yield context
    await context.close()


@pytest_asyncio.fixture(loop_scope="session")
async def page(context: BrowserContext) -> Page:
    return await context.new_page()
