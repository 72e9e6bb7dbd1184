"""Addresses to coordinates through a pluggable geopy geocoder, off by default.

Field-service intranets often cannot reach a public geocoder, so sites are always
entered with coordinates; when ``FIELDOPS_GEOCODER`` names a geopy service (with
its options, e.g. an intranet Nominatim's domain and a user agent) or a
geopy-compatible class, ``GET /api/geocode`` turns an address into candidates.
geopy's geocoders block, so each lookup runs in a worker thread.
"""

from __future__ import annotations

import importlib
from functools import partial
from typing import Any

import anyio
import msgspec
from geopy.exc import GeocoderNotFound, GeopyError
from geopy.geocoders import get_geocoder_for_service

from geo import schemas
from server.errors import Unavailable
from server.settings import Settings, SettingsError, env_name

TIMEOUT_SECONDS = 10


def geocoder(settings: Settings) -> Any | None:
    """The configured geocoder, or None when geocoding is off; SettingsError names
    the variable that is wrong."""
    if not settings.geocoder:
        return None
    name = settings.geocoder
    try:
        options = msgspec.json.decode(settings.geocoder_options, type=dict[str, Any])
    except msgspec.DecodeError as exc:
        raise SettingsError(f"{env_name('geocoder_options')} is not a JSON object: {exc}") from None
    try:
        if ":" in name:
            module, _, attribute = name.partition(":")
            kind = getattr(importlib.import_module(module), attribute)
        else:
            kind = get_geocoder_for_service(name)
        return kind(**options)
    except (ImportError, AttributeError, GeocoderNotFound, TypeError, ValueError) as exc:
        raise SettingsError(f"{env_name('geocoder')}={name!r} is unusable: {exc}") from None


async def lookup(found: Any | None, address: str, limit: int) -> list[schemas.Place]:
    if found is None:
        raise Unavailable(
            "geocoding is off: enter the site's coordinates (or set FIELDOPS_GEOCODER)",
            code="geocoding_off",
        )
    ask = partial(found.geocode, address, exactly_one=False, timeout=TIMEOUT_SECONDS)
    try:
        places = await anyio.to_thread.run_sync(ask) or []
    except GeopyError as exc:
        raise Unavailable(f"the geocoder did not answer: {exc}", code="geocoder_failed") from None
    return [
        schemas.Place(address=place.address, latitude=place.latitude, longitude=place.longitude)
        for place in places[:limit]
    ]
