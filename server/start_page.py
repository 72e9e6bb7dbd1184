"""The page at / until the PWA replaces it."""

from pathlib import Path

from litestar import MediaType, get

PWA_DIR = Path(__file__).resolve().parent.parent / "pwa"


@get("/", include_in_schema=False, media_type=MediaType.HTML, sync_to_thread=False)
def start_page() -> str:
    return (PWA_DIR / "index.html").read_text(encoding="utf-8")
