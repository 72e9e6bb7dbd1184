"""Chromium for the browser tests: how it is launched, phone-sized contexts, screenshots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Page, Playwright, ViewportSize

from tests.servers import ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Chromium reads a Y4M file (tests/pwa/camera.py) as its only camera and grants it.
FAKE_CAMERA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
PHONE: ViewportSize = {"width": 360, "height": 780}
# Kept by CI as artifacts; var/ is not committed.
SCREENSHOTS = ROOT / "var" / "e2e-screenshots"


def require_chromium() -> None:
    if not CHROMIUM.exists():
        pytest.fail(
            f"the browser tests need {CHROMIUM}: run scripts/lib/ensure-chromium "
            "(as root it installs Debian's chromium)"
        )


async def launch(playwright: Playwright, *args: str) -> Browser:
    """Debian's chromium, headless, with ``args`` added (e.g. a fake camera)."""
    require_chromium()
    return await playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=[*ARGS, *args]
    )


async def phone(
    browser: Browser, base_url: str, locale: str = "en-US", **options: Any
) -> BrowserContext:
    """A fresh profile at 360 x 780 whose relative URLs go to ``base_url``; ``locale``
    is the browser's language (``navigator.language``); ``options`` go to Playwright's
    new_context (another viewport, a time zone, a touch screen)."""
    return await browser.new_context(
        **{
            "base_url": base_url,
            "viewport": PHONE,
            "service_workers": "allow",
            "locale": locale,
            **options,
        }
    )


async def screenshot(page: Page, name: str) -> Path:
    """Save what the page shows as var/e2e-screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=path)
    return path
