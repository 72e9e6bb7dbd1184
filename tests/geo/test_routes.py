"""Route planning over real Shanghai places and constructed cases (no database)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise, permutations

import pytest
from geopy.distance import geodesic
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.routes import Point, Route, plan_route

PEOPLES_SQUARE = (31.2304, 121.4737)
LUJIAZUI = (31.2397, 121.4998)
HONGQIAO_STATION = (31.1942, 121.3203)
XUJIAHUI = (31.1950, 121.4376)
WUJIAOCHANG = (31.2990, 121.5140)
SHANGHAI = [PEOPLES_SQUARE, LUJIAZUI, HONGQIAO_STATION, XUJIAHUI, WUJIAOCHANG]
ZIGZAG_KM = (4, -8, 1, -1.5)  # stops north of People's Square, along its meridian


def vincenty_m(here: Point, there: Point) -> float:
    """Vincenty's inverse formula on WGS-84: a reference independent of geopy's (Karney's)."""
    a = 6_378_137.0
    f = 1 / 298.257223563
    b = (1 - f) * a
    u1 = math.atan((1 - f) * math.tan(math.radians(here[0])))
    u2 = math.atan((1 - f) * math.tan(math.radians(there[0])))
    lon = math.radians(there[1] - here[1])
    lam = lon
    for _ in range(200):
        sin_sigma = math.hypot(
            math.cos(u2) * math.sin(lam),
            math.cos(u1) * math.sin(u2) - math.sin(u1) * math.cos(u2) * math.cos(lam),
        )
        if sin_sigma == 0:
            return 0.0
        cos_sigma = math.sin(u1) * math.sin(u2) + math.cos(u1) * math.cos(u2) * math.cos(lam)
        sigma = math.atan2(sin_sigma, cos_sigma)
        sin_alpha = math.cos(u1) * math.cos(u2) * math.sin(lam) / sin_sigma
        cos2_alpha = 1 - sin_alpha**2
        cos_2sm = cos_sigma - 2 * math.sin(u1) * math.sin(u2) / cos2_alpha if cos2_alpha else 0.0
        c = f / 16 * cos2_alpha * (4 + f * (4 - 3 * cos2_alpha))
        previous = lam
        lam = lon + (1 - c) * f * sin_alpha * (
            sigma + c * sin_sigma * (cos_2sm + c * cos_sigma * (-1 + 2 * cos_2sm**2))
        )
        if abs(lam - previous) < 1e-12:
            break
    u_sq = cos2_alpha * (a**2 - b**2) / b**2
    big_a = 1 + u_sq / 16384 * (4096 + u_sq * (-768 + u_sq * (320 - 175 * u_sq)))
    big_b = u_sq / 1024 * (256 + u_sq * (-128 + u_sq * (74 - 47 * u_sq)))
    delta_sigma = (
        big_b
        * sin_sigma
        * (
            cos_2sm
            + big_b
            / 4
            * (
                cos_sigma * (-1 + 2 * cos_2sm**2)
                - big_b / 6 * cos_2sm * (-3 + 4 * sin_sigma**2) * (-3 + 4 * cos_2sm**2)
            )
        )
    )
    return b * big_a * (sigma - delta_sigma)


def north_of(point: Point, km: float) -> Point:
    """A point on the same meridian (a geodesic), so distances along it simply add up."""
    moved = geodesic(kilometers=abs(km)).destination(point, bearing=0 if km >= 0 else 180)
    return (moved.latitude, moved.longitude)


def test_each_leg_is_the_geodesic_distance() -> None:
    start = (31.2222, 121.4581)  # between People's Square and Xujiahui
    route = plan_route(SHANGHAI, start=start)
    places = [start] + [SHANGHAI[i] for i in route.order]
    assert len(route.legs_m) == len(places) - 1
    for leg, (here, there) in zip(route.legs_m, pairwise(places), strict=True):
        assert leg == pytest.approx(vincenty_m(here, there), abs=0.001)


def test_the_route_is_a_shortest_open_path_through_shanghai() -> None:
    route = plan_route(SHANGHAI)

    def length(order: Sequence[int]) -> float:
        return sum(vincenty_m(SHANGHAI[i], SHANGHAI[j]) for i, j in pairwise(order))

    shortest = min(permutations(range(len(SHANGHAI))), key=length)
    assert route.order in ([*shortest], [*reversed(shortest)])
    assert route.order == [2, 3, 0, 1, 4]  # Hongqiao, Xujiahui, People's Square, Lujiazui, ...
    assert sorted(route.order) == list(range(len(SHANGHAI)))
    assert len(route.legs_m) == len(SHANGHAI) - 1
    assert route.total_m == sum(route.legs_m)
    assert route.total_m == pytest.approx(length(route.order), abs=0.01)
    assert route.as_given_m == pytest.approx(length(range(len(SHANGHAI))), abs=0.01)
    assert route.total_m <= route.nearest_neighbour_m < route.as_given_m


def test_two_opt_untangles_a_nearest_neighbour_zigzag() -> None:
    # From the start, nearest neighbour zigzags 1 km north, 1.5 km south, 4 km north, 8 km
    # south (21 km); 2-opt gets the north stops done first, then the south ones (16 km, the
    # shortest; the two north stops may come in either order at that length).
    stops = [north_of(PEOPLES_SQUARE, km) for km in ZIGZAG_KM]
    route = plan_route(stops, start=PEOPLES_SQUARE)
    assert route.nearest_neighbour_m == pytest.approx(21_000, abs=0.01)
    assert route.total_m == pytest.approx(16_000, abs=0.01)
    assert sorted(route.order[:2]) == [0, 2]
    assert route.order[2:] == [3, 1]
    assert route.as_given_m == pytest.approx(4000 + 12_000 + 9000 + 2500, abs=0.01)


def test_the_start_is_fixed() -> None:
    stops = [PEOPLES_SQUARE, LUJIAZUI, XUJIAHUI, WUJIAOCHANG]
    from_the_west = plan_route(stops, start=HONGQIAO_STATION)
    assert from_the_west.order == [2, 0, 1, 3]
    assert from_the_west.legs_m[0] == pytest.approx(
        vincenty_m(HONGQIAO_STATION, XUJIAHUI), abs=0.001
    )
    assert len(from_the_west.legs_m) == len(stops)
    assert from_the_west.total_m == sum(from_the_west.legs_m)
    from_the_north = plan_route(stops, start=north_of(WUJIAOCHANG, 3))
    assert from_the_north.order == [3, 1, 0, 2]
    assert from_the_north.legs_m[0] == pytest.approx(3000, abs=0.01)
    # Without a start the zigzag's stops make one sweep along the meridian, 12 km.
    zigzag = [north_of(PEOPLES_SQUARE, km) for km in ZIGZAG_KM]
    assert plan_route(zigzag).order in ([0, 2, 3, 1], [1, 3, 2, 0])
    assert plan_route(zigzag).total_m == pytest.approx(12_000, abs=0.01)


def test_no_stops_and_a_single_stop() -> None:
    assert plan_route([]) == Route([], [], 0.0, 0.0, 0.0)
    assert plan_route([], start=PEOPLES_SQUARE) == Route([], [], 0.0, 0.0, 0.0)
    assert plan_route([LUJIAZUI]) == Route([0], [], 0.0, 0.0, 0.0)
    alone = plan_route([LUJIAZUI], start=PEOPLES_SQUARE)
    metres = geodesic(PEOPLES_SQUARE, LUJIAZUI).m
    assert alone == Route([0], [metres], metres, metres, metres)


def test_ties_go_to_the_lowest_index() -> None:
    route = plan_route([PEOPLES_SQUARE, LUJIAZUI, PEOPLES_SQUARE, LUJIAZUI])
    assert route.order == [0, 2, 1, 3]
    assert route.legs_m == [0.0, geodesic(PEOPLES_SQUARE, LUJIAZUI).m, 0.0]
    assert plan_route([PEOPLES_SQUARE] * 3, start=LUJIAZUI).order == [0, 1, 2]


shanghai_points = st.tuples(
    st.floats(min_value=31.0, max_value=31.5), st.floats(min_value=121.1, max_value=121.9)
)


@settings(max_examples=50, deadline=None)
@given(stops=st.lists(shanghai_points, max_size=9), start=st.none() | shanghai_points)
def test_planned_routes_are_permutations_no_longer_than_nearest_neighbour(
    stops: list[Point], start: Point | None
) -> None:
    route = plan_route(stops, start)
    assert sorted(route.order) == list(range(len(stops)))
    assert route.total_m <= route.nearest_neighbour_m + 1e-6
    assert route.total_m == sum(route.legs_m)
    path = ([] if start is None else [start]) + [stops[i] for i in route.order]
    assert len(route.legs_m) == max(len(path) - 1, 0)
    # 2-opt ran to the end: no reversal of a segment shortens the path by more than a micrometre.
    metres = [geodesic(here, there).m for here, there in pairwise(path)]
    for i in range(1 if start else 0, len(path)):
        for j in range(i + 1, len(path)):
            before = sum(metres)
            reversed_path = path[:i] + path[i : j + 1][::-1] + path[j + 1 :]
            after = sum(geodesic(here, there).m for here, there in pairwise(reversed_path))
            assert after >= before - 1e-6
