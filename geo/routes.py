"""A technician's day route or an inspection round: an open path over the stops (no return),
built by nearest neighbour and shortened by 2-opt, over geodesic distances (geopy, WGS-84).

With a start (the technician's last known position) the path begins there. Without one,
nearest neighbour runs from every stop and the shortest tour is kept, because an open path's
best first stop is unknown and one run from stops[0] is often poor. Ties go to the lowest
index, so the same stops always give the same route.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise
from typing import NamedTuple

from geopy.distance import geodesic

Point = tuple[float, float]  # (latitude, longitude)

# A move must gain more than this, or rounding could swap two equally long paths forever.
EPSILON_M = 1e-9
MEAN_RADIUS_M = 6_371_008.8
# WGS-84's radii of curvature stay within 0.56 % of the mean radius, so this share of the
# great-circle distance never exceeds the geodesic distance.
LOWER_BOUND_SHARE = 0.99


class Route(NamedTuple):
    order: list[int]  # indexes into the given stops, in visiting order
    legs_m: list[float]  # start->first stop (only when a start is given), then stop->stop
    total_m: float  # sum of legs_m
    nearest_neighbour_m: float  # total of the nearest-neighbour tour before 2-opt
    as_given_m: float  # total when visiting the stops in the order given


def plan_route(stops: Sequence[Point], start: Point | None = None) -> Route:
    """Plan the visiting order of the stops as an open path.

    Args:
        stops: Each stop's (latitude, longitude) in degrees.
        start: Where the path must begin (not itself a stop), if anywhere.

    Returns:
        The route; its totals include the leg from the start when one is given.
    """
    count = len(stops)
    points = [*stops] if start is None else [*stops, start]
    distances = _Distances(points, count)
    if start is None:
        tours = [_nearest_neighbour(distances, first) for first in range(count)]
        path = min(tours, key=distances.length, default=[])
        as_given = list(range(count))
    else:
        path = _nearest_neighbour(distances, count)
        as_given = [count, *range(count)]
    nearest_neighbour_m = distances.length(path)
    legs = _two_opt(distances, path, fixed_first=start is not None)
    order = path if start is None else path[1:]
    return Route(order, legs, sum(legs), nearest_neighbour_m, distances.length(as_given))


class _Distances:
    """Geodesic distances between points, each computed at most once and only when needed.

    One geodesic takes tens of microseconds, so all pairs of 200 stops would take over a
    second; the search asks for far fewer once a great-circle lower bound rules most
    candidates out.
    """

    def __init__(self, points: list[Point], stop_count: int) -> None:
        self._points = points
        self._metres = [[-1.0] * len(points) for _ in points]
        self.bounds = [[0.0] * len(points) for _ in points]
        radians = [(math.radians(lat), math.radians(lon)) for lat, lon in points]
        cosines = [math.cos(lat) for lat, _ in radians]
        for i, (lat_i, lon_i) in enumerate(radians):
            for j in range(i + 1, len(points)):
                lat_j, lon_j = radians[j]
                haversine = (
                    math.sin((lat_j - lat_i) / 2) ** 2
                    + cosines[i] * cosines[j] * math.sin((lon_j - lon_i) / 2) ** 2
                )
                bound = LOWER_BOUND_SHARE * MEAN_RADIUS_M * 2 * math.asin(min(1.0, haversine**0.5))
                self.bounds[i][j] = self.bounds[j][i] = bound
        self.stop_count = stop_count
        # The stops (never the start) around each point, nearest bound first, a tie by index.
        self.by_bound = [sorted(range(stop_count), key=row.__getitem__) for row in self.bounds]

    def __len__(self) -> int:
        return len(self._points)

    def __call__(self, i: int, j: int) -> float:
        metres = self._metres[i][j]
        if metres < 0:
            # Measured in one direction only, so the table stays exactly symmetric.
            low, high = min(i, j), max(i, j)
            here, there = self._points[low], self._points[high]
            # Several orders at one site are common, and all such pairs tie at nothing.
            metres = 0.0 if here == there else geodesic(here, there).m
            self._metres[i][j] = self._metres[j][i] = metres
        return metres

    def length(self, path: list[int]) -> float:
        return sum(self(a, b) for a, b in pairwise(path))


def _nearest_neighbour(distances: _Distances, first: int) -> list[int]:
    """The path from ``first`` that always goes on to the nearest stop not yet visited."""
    path = [first]
    visited = [False] * len(distances)
    visited[first] = True
    current = first
    for _ in range(distances.stop_count - (first < distances.stop_count)):
        nearest, nearest_m = -1, math.inf
        bounds = distances.bounds[current]
        for stop in distances.by_bound[current]:
            if visited[stop]:
                continue
            if bounds[stop] > nearest_m or (bounds[stop] == nearest_m and stop > nearest):
                break  # the stops left are no nearer, and a tie would go to the lower index
            metres = distances(current, stop)
            if metres < nearest_m or (metres == nearest_m and stop < nearest):
                nearest, nearest_m = stop, metres
        visited[nearest] = True
        path.append(nearest)
        current = nearest
    return path


def _two_opt(distances: _Distances, path: list[int], fixed_first: bool) -> list[float]:
    """Reverse segments of ``path`` in place while that shortens it; return its legs."""
    legs = [distances(a, b) for a, b in pairwise(path)]
    last = len(path) - 1
    no_bounds = [0.0] * len(distances)
    improved = True
    while improved:
        improved = False
        for i in range(1 if fixed_first else 0, last):
            # Reversing path[i..j] swaps legs a-b and c-d for a-c and b-d; on an open path a
            # segment that reaches an end has no a (or no d), hence no leg there to swap.
            a = path[i - 1] if i else -1
            bounds_a = distances.bounds[a] if i else no_bounds
            b = path[i]
            bounds_b = distances.bounds[b]
            before = legs[i - 1] if i else 0.0
            for j in range(i + 1, last + 1):
                c = path[j]
                d = path[j + 1] if j < last else -1
                if d < 0 and a < 0:
                    continue  # reversing the whole path changes nothing
                removed = before + (legs[j] if d >= 0 else 0.0)
                if removed - bounds_a[c] - (bounds_b[d] if d >= 0 else 0.0) <= EPSILON_M:
                    continue
                a_c = distances(a, c) if a >= 0 else 0.0
                b_d = distances(b, d) if d >= 0 else 0.0
                if removed - a_c - b_d <= EPSILON_M:
                    continue
                path[i : j + 1] = reversed(path[i : j + 1])
                legs[i:j] = reversed(legs[i:j])
                if a >= 0:
                    legs[i - 1] = a_c
                if d >= 0:
                    legs[j] = b_d
                b, before = c, a_c
                bounds_b = distances.bounds[b]
                improved = True
    return legs
