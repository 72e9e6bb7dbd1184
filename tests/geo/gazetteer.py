"""A geopy geocoder that knows a few Shanghai addresses and needs no network, as a
deployment's own geocoder would be plugged in (``FIELDOPS_GEOCODER=module:Class``)."""

from __future__ import annotations

from typing import Any

from geopy.exc import GeocoderUnavailable
from geopy.geocoders.base import Geocoder
from geopy.location import Location

PLACES = {
    "people's square": [("People's Square, Huangpu, Shanghai", 31.2304, 121.4737)],
    "nanjing road": [
        ("Nanjing Road East, Huangpu, Shanghai", 31.2366, 121.4786),
        ("Nanjing Road West, Jing'an, Shanghai", 31.2291, 121.4555),
    ],
}


class Gazetteer(Geocoder):  # type: ignore[misc]
    def __init__(self, city: str = "Shanghai", **options: Any) -> None:
        super().__init__(**options)
        self.city = city

    def geocode(self, query: str, *, exactly_one: bool = True, timeout: Any = None) -> Any:
        if query == "boom":
            raise GeocoderUnavailable("the gazetteer is down")
        found = [
            Location(address, (lat, lon), {"city": self.city})
            for address, lat, lon in PLACES.get(query.strip().lower(), [])
        ]
        if exactly_one:
            return found[0] if found else None
        return found or None
