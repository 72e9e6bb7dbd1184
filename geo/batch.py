"""Batch dispatch: collect unassigned orders, then place them on technicians all at once.

The travel model is a star, not a tour: each order's travel is measured from the person's
last known position to the order's site (geodesic metres), as if they went out and back
for every order. A person may take an order only with every skill it requires and while
capacity is left.

`plan_batch` first places as many orders as possible, then minimises the total distance
among those placements (an assignment problem over capacity slots). `plan_greedy` is the
baseline it is compared with: orders in arrival order, each to the nearest eligible person
with capacity left.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
from geopy.distance import geodesic
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

Point = tuple[float, float]  # (latitude, longitude)


class BatchOrder(NamedTuple):
    """An order waiting to be placed."""

    key: Any  # caller's id
    point: Point  # the order's site
    skills: frozenset[str]  # skills the order requires


class BatchPerson(NamedTuple):
    """A person who may take orders in this batch."""

    key: Any
    point: Point  # last known position
    skills: frozenset[str]
    capacity: int  # how many more orders this person may take (>= 0)


class Placement(NamedTuple):
    """One order given to one person, with the travel it costs."""

    order: Any  # BatchOrder.key
    person: Any  # BatchPerson.key
    distance_m: float


class Plan(NamedTuple):
    """The outcome of a batch: who takes what, what is left, and the total travel."""

    placements: list[Placement]  # in the orders' given order
    unplaced: list[Any]  # order keys nobody eligible could take
    total_m: float


def plan_batch(orders: Sequence[BatchOrder], people: Sequence[BatchPerson]) -> Plan:
    """Place as many orders as possible, then with the least total distance.

    Args:
        orders: The orders to place; their order only fixes the order of the result.
        people: The people who may take them, with their remaining capacity.

    Returns:
        The plan; orders no eligible person could take (skills or capacity) are unplaced.
    """
    distances, eligible = _distances(orders, people)
    # One column per unit of capacity; nobody can use more slots than there are orders.
    slots = np.repeat(
        np.arange(len(people), dtype=np.intp),
        [min(_capacity(person), len(orders)) for person in people],
    )
    chosen: dict[int, int] = {}
    if len(orders) and len(slots):
        # Any assignment's real distances sum to at most this, so one ineligible pair
        # always costs more than every distance saving together: the solver first
        # minimises the number of ineligible pairs, which maximises the placed orders.
        forbidden = float(np.where(eligible, distances, 0.0).max(axis=1).sum()) + 1.0
        costs = np.where(eligible, distances, forbidden)[:, slots]
        rows, columns = linear_sum_assignment(costs)
        for row, column in zip(rows.tolist(), columns.tolist(), strict=True):
            person = int(slots[column])
            if eligible[row, person]:
                chosen[row] = person
    return _plan(orders, people, distances, chosen)


def plan_greedy(orders: Sequence[BatchOrder], people: Sequence[BatchPerson]) -> Plan:
    """Place orders in the given (arrival) order, each to the nearest eligible person.

    Ties go to the person listed first. An order goes unplaced when no eligible person
    has capacity left at its turn.
    """
    distances, eligible = _distances(orders, people)
    left = [_capacity(person) for person in people]
    chosen: dict[int, int] = {}
    for row in range(len(orders)):
        best: int | None = None
        for person in range(len(people)):
            if not eligible[row, person] or left[person] <= 0:
                continue
            if best is None or distances[row, person] < distances[row, best]:
                best = person
        if best is not None:
            chosen[row] = best
            left[best] -= 1
    return _plan(orders, people, distances, chosen)


def _capacity(person: BatchPerson) -> int:
    # A caller computing "limit minus open orders" may pass a negative number for someone
    # already over the limit; that person takes nothing more.
    return max(person.capacity, 0)


def _distances(
    orders: Sequence[BatchOrder], people: Sequence[BatchPerson]
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Each (order, person) distance in metres and whether the person may take the order.

    Distances are computed once per eligible pair (geodesic is the slow part) and left at
    zero for ineligible pairs.
    """
    distances = np.zeros((len(orders), len(people)), dtype=np.float64)
    eligible = np.zeros((len(orders), len(people)), dtype=np.bool_)
    for column, person in enumerate(people):
        if _capacity(person) == 0:
            continue
        for row, order in enumerate(orders):
            if order.skills <= person.skills:
                eligible[row, column] = True
                distances[row, column] = geodesic(person.point, order.point).m
    return distances, eligible


def _plan(
    orders: Sequence[BatchOrder],
    people: Sequence[BatchPerson],
    distances: NDArray[np.float64],
    chosen: dict[int, int],
) -> Plan:
    placements: list[Placement] = []
    unplaced: list[Any] = []
    for row, order in enumerate(orders):
        person = chosen.get(row)
        if person is None:
            unplaced.append(order.key)
        else:
            distance = float(distances[row, person])
            placements.append(Placement(order.key, people[person].key, distance))
    return Plan(placements, unplaced, math.fsum(p.distance_m for p in placements))
