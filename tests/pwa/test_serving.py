"""What the live server sends the browser: the app's files, sw.js, the manifest, the
client settings and the vendored libraries."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import httpx
from PIL import Image

from scripts.pwa_vendor import PWA, vendored_files
from server.frontend import read_build
from tests.pwa.live import LOGINS, PASSWORD

BUILD_LINE = re.compile(r"^self\.FIELDOPS_BUILD = (\{.*\});\n")


async def build_of(api: httpx.AsyncClient) -> dict[str, object]:
    worker = await api.get("/sw.js")
    match = BUILD_LINE.match(worker.text)
    assert match, worker.text[:200]
    build: dict[str, object] = json.loads(match.group(1))
    return build


async def test_the_manifest_makes_the_app_installable(api: httpx.AsyncClient) -> None:
    response = await api.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/manifest+json"
    manifest = response.json()
    icons = manifest.pop("icons")
    assert manifest == {
        "id": "/",
        "name": "FieldOps",
        "short_name": "FieldOps",
        "description": "Work orders for field service",
        "lang": "en",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": "#0b5cad",
        "background_color": "#ffffff",
    }
    assert [(icon["sizes"], icon["purpose"]) for icon in icons] == [
        ("192x192", "any"),
        ("512x512", "any"),
        ("512x512", "maskable"),
    ]
    for icon in icons:
        served = await api.get(icon["src"])
        assert served.status_code == 200, icon
        assert served.headers["content-type"] == icon["type"] == "image/png"
        image = Image.open(io.BytesIO(served.content))
        assert image.format == "PNG"
        assert "x".join(map(str, image.size)) == icon["sizes"]
    touch = Image.open(io.BytesIO((await api.get("/icons/apple-touch-icon.png")).content))
    # iOS paints transparent corners black: the touch icon is opaque.
    assert (touch.size, touch.mode) == ((180, 180), "RGB")


async def test_sw_js_names_the_build_and_the_shell(api: httpx.AsyncClient) -> None:
    response = await api.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/javascript")
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["service-worker-allowed"] == "/"
    build = await build_of(api)
    assert re.fullmatch(r"[0-9a-f]{16}", str(build["version"]))
    worker = (PWA / "app" / "sw.js").read_text(encoding="utf-8")
    assert response.text.split("\n", 1)[1] == worker
    files = build["files"]
    assert isinstance(files, list)
    assert files == sorted(files)
    for expected in ("/", "/icons/icon-192.png", "/vendor/preact-htm.js", "/vendor/idb/index.js"):
        assert expected in files
    # Fetched when first used, not with the shell.
    for left_out in (
        "/sw.js",
        "/index.html",
        "/vendor/zxing_reader.wasm",
        "/vendor/leaflet/images/marker-icon.png",
        "/vendor/leaflet/leaflet-src.esm.js",
    ):
        assert left_out not in files
    for path in files:
        served = await api.get(path)
        assert served.status_code == 200, path
        assert served.headers["cache-control"] == "no-cache", path


async def test_the_start_page_is_the_app(api: httpx.AsyncClient) -> None:
    response = await api.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.content == (PWA / "app" / "index.html").read_bytes()
    missing = await api.get("/no-such-file.js")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


async def test_client_config_needs_no_login(api: httpx.AsyncClient) -> None:
    response = await api.get("/api/client-config")
    assert response.status_code == 200
    config = response.json()
    login = await api.post(
        "/api/auth/login", json={"username": LOGINS["technician"], "password": PASSWORD}
    )
    token = login.json()["access_token"]
    push = await api.get("/api/push/key", headers={"authorization": f"Bearer {token}"})
    assert config == {
        "version": (await build_of(api))["version"],
        "map_tile_url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "map_attribution": "© OpenStreetMap contributors",
        "vapid_public_key": push.json()["public_key"],
        "max_photo_px": 1600,
    }
    # base64url of the 65-byte uncompressed P-256 point
    assert len(config["vapid_public_key"]) == 87


async def test_every_vendored_file_is_served(api: httpx.AsyncClient) -> None:
    files = vendored_files()
    assert len(files) == 13
    for path, origin in files.items():
        served = await api.get(f"/{path}")
        assert served.status_code == 200, path
        assert served.content == origin.read_bytes(), path
    types = {
        "vendor/preact-htm.js": "text/javascript",
        "vendor/leaflet/leaflet.css": "text/css",
        # WebAssembly.instantiateStreaming refuses any other type.
        "vendor/zxing_reader.wasm": "application/wasm",
    }
    for path, media_type in types.items():
        assert (await api.get(f"/{path}")).headers["content-type"].startswith(media_type), path


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def test_the_version_follows_every_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "index.html": "<!doctype html>",
            "app.js": "start()",
            "sw.js": "self.addEventListener('install', () => {})",
            "i18n/zh-CN.json": "{}",
            "vendor/zxing_reader.wasm": "\0asm",
            "vendor/leaflet/images/marker-icon.png": "png",
            "vendor/leaflet/leaflet-src.esm.js.map": "{}",
        },
    )
    first = read_build(tmp_path)
    assert first.files == ["/", "/app.js", "/i18n/zh-CN.json"]
    assert sorted(first.on_demand) == [
        "/vendor/leaflet/images/marker-icon.png",
        "/vendor/leaflet/leaflet-src.esm.js.map",
        "/vendor/zxing_reader.wasm",
    ]
    assert first.worker == "self.addEventListener('install', () => {})"
    assert read_build(tmp_path) == first

    versions = {first.version}
    for change in (
        {"app.js": "start(1)"},
        {"vendor/zxing_reader.wasm": "\0asm2"},
        {"sw.js": "self.skipWaiting()"},
    ):
        before = read_build(tmp_path)
        write(tmp_path, change)
        after = read_build(tmp_path)
        versions.add(after.version)
        # An on-demand file's own hash changes with it, and only then.
        wasm = "/vendor/zxing_reader.wasm"
        assert (after.on_demand[wasm] != before.on_demand[wasm]) == (
            "vendor/zxing_reader.wasm" in change
        )
    assert len(versions) == 4
    # The same bytes under another name are another build.
    (tmp_path / "app.js").rename(tmp_path / "main.js")
    moved = read_build(tmp_path)
    assert moved.version not in versions
    assert moved.files == ["/", "/i18n/zh-CN.json", "/main.js"]
