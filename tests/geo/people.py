"""Field workers put somewhere, on or off duty, for the dispatch and map tests."""

from __future__ import annotations

from datetime import datetime
from uuid import uuid4

from geo.tables import Duty, Position
from tests.world import World


async def place(
    world: World, name: str, point: tuple[float, float], at: datetime, accuracy_m: float = 10
) -> None:
    """Make ``point`` the worker's last known position, taken at ``at``."""
    await Position.insert(
        Position(
            id=uuid4(),
            user=world.id(name),
            latitude=point[0],
            longitude=point[1],
            accuracy_m=accuracy_m,
            at=at,
            source="ping",
        )
    )


async def stand(
    world: World, name: str, point: tuple[float, float], at: datetime, on_duty: bool = True
) -> None:
    """Place the worker and put them on (or off) duty since ``at``."""
    await place(world, name, point, at)
    await Duty.insert(
        Duty(id=uuid4(), user=world.id(name), on_duty=on_duty, since=at, started_at=at)
    )
