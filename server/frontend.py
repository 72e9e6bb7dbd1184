"""The PWA (pwa/app) served at /, with its service worker, manifest and client settings.

The service worker keeps the app shell for offline starts and must change whenever
any deployed file does, or browsers keep the old shell: /sw.js begins with a line
naming the build (a hash over every file under pwa/app) and the shell's files, then
the worker's own code. The hash is taken once per process, so deploying new files
means restarting the server, as deploying new code does.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Annotated, Any

import msgspec
from litestar import Response, get
from litestar.datastructures import CacheControlHeader, State
from litestar.static_files import create_static_files_router
from msgspec import Meta

from server.dependencies import SettingsDep
from server.notifications.vapid import public_key
from server.settings import Settings

APP_DIR = Path(__file__).resolve().parent.parent / "pwa" / "app"
WORKER = "sw.js"
# Not fetched with the shell but cached when first used: the barcode reader's
# WebAssembly (1 MB, only for scanning), Leaflet (137 KB compressed, for the online
# map screens of managers and admins), source maps.
ON_DEMAND_SUFFIXES = (".wasm", ".map")
ON_DEMAND_DIRS = ("vendor/leaflet/",)
# Public: no login needed, as for the files of the app that logs in.
PUBLIC = {"public": True}
# The browser asks again each time; the service worker, not the HTTP cache, keeps the
# files offline, and a stale cached sw.js would delay updates by up to a day.
REVALIDATE = CacheControlHeader(no_cache=True)
# Photos are downscaled on the device before upload (issue 8): the longer side in pixels.
MAX_PHOTO_PX = 1600


class AppBuild(msgspec.Struct, frozen=True):
    version: str
    files: list[str]
    # The files cached when first used, with a hash of each: a cached copy whose hash
    # changed is dropped, or phones would keep an old library's WebAssembly forever.
    on_demand: dict[str, str]
    worker: str


class ManifestIcon(msgspec.Struct):
    src: str
    sizes: str
    type: str
    purpose: str


class Manifest(msgspec.Struct):
    id: str
    name: str
    short_name: str
    description: str
    lang: str
    start_url: str
    scope: str
    display: str
    theme_color: str
    background_color: str
    icons: list[ManifestIcon]


MANIFEST = Manifest(
    id="/",
    name="FieldOps",
    short_name="FieldOps",
    description="Work orders for field service",
    lang="en",
    start_url="/",
    scope="/",
    display="standalone",
    theme_color="#0b5cad",
    background_color="#ffffff",
    icons=[
        ManifestIcon("/icons/icon-192.png", "192x192", "image/png", "any"),
        ManifestIcon("/icons/icon-512.png", "512x512", "image/png", "any"),
        ManifestIcon("/icons/maskable-512.png", "512x512", "image/png", "maskable"),
    ],
)


class ClientConfig(msgspec.Struct):
    version: Annotated[str, Meta(description="the deployed build, as in /sw.js")]
    map_tile_url: Annotated[str, Meta(description="Leaflet tile URL template")]
    map_attribution: str
    vapid_public_key: Annotated[str, Meta(description="applicationServerKey for Web Push")]
    max_photo_px: Annotated[int, Meta(description="longer side of photos after downscaling")]


def read_build(directory: Path) -> AppBuild:
    """The build of the app in ``directory``: its version, the URL paths of the shell's
    files (index.html as "/") and the service worker's code."""
    digest = hashlib.sha256()
    files = []
    on_demand = {}
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        name = path.relative_to(directory).as_posix()
        content = hashlib.sha256(path.read_bytes()).digest()
        digest.update(name.encode() + b"\0" + content)
        if name == WORKER:
            continue
        if name.endswith(ON_DEMAND_SUFFIXES) or name.startswith(ON_DEMAND_DIRS):
            on_demand[f"/{name}"] = content.hex()[:16]
            continue
        files.append("/" if name == "index.html" else f"/{name}")
    return AppBuild(
        version=digest.hexdigest()[:16],
        files=sorted(files),
        on_demand=on_demand,
        worker=(directory / WORKER).read_text(encoding="utf-8"),
    )


def app_dir(settings: Settings) -> Path:
    return Path(settings.pwa_dir) if settings.pwa_dir else APP_DIR


@functools.cache
def served_build(directory: Path) -> AppBuild:
    return read_build(directory)


def app_files_router(directory: Path) -> Any:
    # Routes of the API match first; every other path is a file of the app. The app
    # routes with the URL's fragment (/#/orders/...), so no path needs index.html.
    return create_static_files_router(
        path="/",
        directories=[directory],
        html_mode=True,
        cache_control=REVALIDATE,
        include_in_schema=False,
        opt=PUBLIC,
    )


@get(
    f"/{WORKER}",
    include_in_schema=False,
    opt=PUBLIC,
    media_type="application/javascript",
    cache_control=REVALIDATE,
    sync_to_thread=False,
)
def service_worker(settings: SettingsDep) -> Response[str]:
    build = served_build(app_dir(settings))
    header = msgspec.json.encode(
        {"version": build.version, "files": build.files, "on_demand": build.on_demand}
    ).decode()
    return Response(
        f"self.FIELDOPS_BUILD = {header};\n{build.worker}",
        headers={"Service-Worker-Allowed": "/"},
    )


@get(
    "/manifest.webmanifest",
    include_in_schema=False,
    opt=PUBLIC,
    media_type="application/manifest+json",
    cache_control=REVALIDATE,
    sync_to_thread=False,
)
def manifest() -> Manifest:
    return MANIFEST


@get(
    "/api/client-config",
    operation_id="ClientConfig",
    tags=["system"],
    opt=PUBLIC,
    sync_to_thread=False,
)
def client_config(state: State, settings: SettingsDep) -> ClientConfig:
    """What the app needs before anyone logs in: the deployed build (a different
    version means the app's files changed), the map's tile server, the Web Push key
    and the largest photo side the app uploads. No login needed."""
    return ClientConfig(
        version=served_build(app_dir(settings)).version,
        map_tile_url=settings.map_tile_url,
        map_attribution=settings.map_attribution,
        vapid_public_key=public_key(state.vapid),
        max_photo_px=MAX_PHOTO_PX,
    )


def frontend_routes(settings: Settings) -> list[Any]:
    return [app_files_router(app_dir(settings)), service_worker, manifest, client_config]
