"""Whether a GPS fix is at a site: geodesic distance (geopy, WGS-84) against the
site's geofence radius plus an allowance for the fix's stated accuracy.

The allowance is the accuracy, at most the radius itself: a poor fix may double
the fence, never make it meaningless.
"""

from __future__ import annotations

from typing import NamedTuple

from geopy.distance import geodesic


class Verdict(NamedTuple):
    distance_m: float
    inside: bool


def verdict(
    site: tuple[float, float], radius_m: float, point: tuple[float, float], accuracy_m: float
) -> Verdict:
    distance = geodesic(site, point).m
    return Verdict(distance, distance <= radius_m + min(accuracy_m, radius_m))
