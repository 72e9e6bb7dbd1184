from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from litestar import Litestar

from server.app import create_app
from server.settings import Settings
from tests import databases
from tests.clock import FakeClock
from tests.serving import serving
from tests.world import World

ENGINES = ["sqlite", "postgres"]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    databases.run(databases.build_sqlite_template(path))
    return path


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    url = databases.run(databases.create_pg_database())
    yield url
    databases.run(databases.drop_pg_database(url))


@pytest.fixture(params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
async def database_url(
    engine_name: str, request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> str:
    if engine_name == "sqlite":
        return databases.sqlite_copy(sqlite_template, tmp_path / "test.sqlite")
    url: str = request.getfixturevalue("pg_url")
    await databases.reset_pg(url)
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key="test-secret-key-that-is-long-enough-0123456789",
        var_dir=str(tmp_path / "var"),
        db_pool_size=4,
        # Tests run due jobs themselves (tests/scheduling.py), when their clock says.
        run_scheduler=False,
        # The tests' push services and gateways listen on this machine.
        push_endpoints="http://127.0.0.1:*",
        chat_robot_urls=f"{Settings().chat_robot_urls},http://127.0.0.1:*",
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(settings: Settings, clock: FakeClock) -> Litestar:
    return create_app(settings, clock)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan, served in the test's own event loop.

    Litestar's AsyncTestClient runs the lifespan and each request through a
    portal on another loop, which asyncpg's pool cannot cross, and serialises
    requests, which would hide concurrency bugs.
    """
    async with serving(app) as http:
        yield http


@pytest.fixture
async def world(client: httpx.AsyncClient, settings: Settings, clock: FakeClock) -> World:
    return await World(settings, clock).build()
