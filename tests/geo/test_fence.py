"""Distances and geofence verdicts against reference values (no database)."""

from __future__ import annotations

import pytest
from geopy.distance import geodesic

from geo.fence import verdict

# WGS-84 reference arcs: a degree of longitude on the equator (2·π·6,378,137 m / 360)
# and the meridian arc from the equator to 1° north.
EQUATOR_DEGREE_M = 111_319.4908
MERIDIAN_FIRST_DEGREE_M = 110_574.3886
PEOPLES_SQUARE = (31.2304, 121.4737)


def test_distances_match_the_reference_arcs() -> None:
    assert verdict((0, 0), 100, (0, 1), 1).distance_m == pytest.approx(EQUATOR_DEGREE_M, abs=0.01)
    assert verdict((0, 0), 100, (1, 0), 1).distance_m == pytest.approx(
        MERIDIAN_FIRST_DEGREE_M, abs=0.01
    )


def test_across_the_antimeridian_and_at_a_pole() -> None:
    near = verdict((0, 179.9995), 150, (0, -179.9995), 5)
    assert near.distance_m == pytest.approx(EQUATOR_DEGREE_M / 1000, abs=0.01)
    assert near.inside
    assert verdict((90, 0), 10, (90, 120), 1).distance_m == pytest.approx(0, abs=1e-6)


@pytest.mark.parametrize(
    ("offset_m", "accuracy_m", "inside"),
    [
        (149.9, 0.01, True),
        (150.1, 0.01, False),
        (154.9, 5, True),  # within the accuracy allowance
        (155.1, 5, False),
        (299.9, 1000, True),  # a poor fix widens the fence, at most to twice the radius
        (300.1, 1000, False),
    ],
)
def test_the_fence_edge(offset_m: float, accuracy_m: float, inside: bool) -> None:
    point = geodesic(meters=offset_m).destination(PEOPLES_SQUARE, bearing=37)
    found = verdict(PEOPLES_SQUARE, 150, (point.latitude, point.longitude), accuracy_m)
    assert found.distance_m == pytest.approx(offset_m, abs=0.001)
    assert found.inside is inside
