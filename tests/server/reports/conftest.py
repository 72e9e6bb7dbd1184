from __future__ import annotations

import pytest

from tests.server.reports.dataset import Dataset
from tests.world import World


@pytest.fixture
async def data(world: World) -> Dataset:
    """The fixed data set every report figure is worked out from (dataset.py)."""
    return await Dataset(world).build()
