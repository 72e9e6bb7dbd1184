"""Geocoding through a pluggable geopy geocoder: off by default, configured by name or
import path, its failures answered cleanly."""

from __future__ import annotations

import httpx
import msgspec
import pytest
from asgi_lifespan import LifespanManager

from geo.geocoding import geocoder
from server.app import create_app
from server.settings import Settings, SettingsError
from tests.clock import FakeClock
from tests.probes import assert_error
from tests.world import World


async def geocode(
    client: httpx.AsyncClient, world: World, address: str, caller: str = "admin", **query: object
) -> httpx.Response:
    return await client.get(
        "/api/geocode", params={"address": address, **query}, headers=await world.headers(caller)
    )


async def test_geocoding_is_off_by_default(client: httpx.AsyncClient, world: World) -> None:
    assert_error(await geocode(client, world, "Nanjing Road"), 503, "geocoding_off")


async def test_a_plugged_geocoder_answers_candidates(settings: Settings, clock: FakeClock) -> None:
    plugged = msgspec.structs.replace(
        settings, geocoder="tests.geo.gazetteer:Gazetteer", geocoder_options='{"city": "SH"}'
    )
    app = create_app(plugged, clock)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://fieldops.test") as http:
            world = await World(plugged, clock).build()
            found = await geocode(http, world, " Nanjing Road ")
            assert found.status_code == 200, found.text
            assert found.json()["items"] == [
                {
                    "address": "Nanjing Road East, Huangpu, Shanghai",
                    "latitude": 31.2366,
                    "longitude": 121.4786,
                },
                {
                    "address": "Nanjing Road West, Jing'an, Shanghai",
                    "latitude": 31.2291,
                    "longitude": 121.4555,
                },
            ]
            assert len((await geocode(http, world, "Nanjing Road", limit=1)).json()["items"]) == 1
            assert (await geocode(http, world, "Atlantis")).json()["items"] == []
            assert_error(await geocode(http, world, "boom"), 503, "geocoder_failed")
            assert_error(await geocode(http, world, "x"), 400, "validation_error")
            assert_error(
                await geocode(http, world, "Nanjing Road", caller="north_tech"), 403, "forbidden"
            )


@pytest.mark.parametrize(
    ("name", "options", "variable"),
    [
        ("no-such-service", "{}", "FIELDOPS_GEOCODER"),
        ("tests.geo.nowhere:Gazetteer", "{}", "FIELDOPS_GEOCODER"),
        ("tests.geo.gazetteer:Gazetteer", '{"colour": 1}', "FIELDOPS_GEOCODER"),
        ("nominatim", "[1]", "FIELDOPS_GEOCODER_OPTIONS"),
    ],
)
def test_a_wrong_geocoder_setting_names_its_variable(
    name: str, options: str, variable: str
) -> None:
    with pytest.raises(SettingsError, match=variable):
        geocoder(Settings(geocoder=name, geocoder_options=options))


def test_a_geopy_service_is_built_by_name() -> None:
    found = geocoder(
        Settings(
            geocoder="nominatim",
            geocoder_options='{"user_agent": "fieldops-test", "domain": "nominatim.intranet"}',
        )
    )
    assert type(found).__name__ == "Nominatim"
    assert found.domain == "nominatim.intranet"
