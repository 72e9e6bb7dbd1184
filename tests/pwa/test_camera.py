"""The fake camera: its video holds the label, and Chromium reads the code from it with
the vendored BarcodeDetector polyfill and nothing from outside."""

from __future__ import annotations

from pathlib import Path

import zxingcpp
from PIL import Image
from playwright.async_api import Playwright, Route

from tests.pwa.browser import FAKE_CAMERA, launch, phone, screenshot
from tests.pwa.camera import label_image, write_y4m
from tests.pwa.live import LiveServer

CODE = "AST-000042"  # an asset tag as the demo makes them


def test_the_video_shows_the_label(tmp_path: Path) -> None:
    video = write_y4m(label_image(CODE), tmp_path / "label.y4m").read_bytes()
    header, rest = video.split(b"\n", 1)
    assert header == b"YUV4MPEG2 W640 H480 F15:1 Ip A1:1 C420jpeg"
    # Each frame: "FRAME\n", 640 x 480 of luma, two 320 x 240 chroma planes.
    assert len(rest) == 15 * (6 + 640 * 480 + 2 * 320 * 240) == 15 * 460_806
    assert rest.startswith(b"FRAME\n")
    luma = Image.frombytes("L", (640, 480), rest[6 : 6 + 640 * 480])
    (found,) = zxingcpp.read_barcodes(luma)
    assert found.text == CODE
    assert found.format == zxingcpp.BarcodeFormat.Code128


SCAN = """async () => {
  const { BarcodeDetector, setZXingModuleOverrides } =
    await import("/vendor/barcode-detector/ponyfill.js");
  // zxing-wasm would fetch its WebAssembly from a CDN.
  setZXingModuleOverrides({
    locateFile: (path, prefix) =>
      path.endsWith(".wasm") ? "/vendor/zxing_reader.wasm" : prefix + path,
  });
  const video = document.createElement("video");
  video.muted = true;
  video.style.width = "100%";
  video.srcObject = await navigator.mediaDevices.getUserMedia({ video: true });
  document.body.replaceChildren(video);
  await video.play();
  const detector = new BarcodeDetector({ formats: ["code_128"] });
  for (let attempt = 0; attempt < 50; attempt++) {
    const found = await detector.detect(video);
    if (found.length) return found[0].rawValue;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return null;
}"""


async def test_chromium_reads_the_fake_camera_with_the_vendored_polyfill(
    playwright: Playwright, live_server: LiveServer, tmp_path: Path
) -> None:
    video = write_y4m(label_image(CODE), tmp_path / "label.y4m")
    browser = await launch(playwright, *FAKE_CAMERA, f"--use-file-for-fake-video-capture={video}")
    try:
        context = await phone(browser, live_server.url)
        elsewhere: list[str] = []

        async def only_our_server(route: Route) -> None:
            if route.request.url.startswith(live_server.url):
                await route.continue_()
            else:
                elsewhere.append(route.request.url)
                await route.abort()

        await context.route("**/*", only_our_server)
        page = await context.new_page()
        await page.goto("/api/health")
        code = await page.evaluate(SCAN)
        await screenshot(page, "fake-camera")
    finally:
        await browser.close()
    assert code == CODE
    assert elsewhere == []
