"""Batch dispatch against greedy assignment in arrival order (no database)."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Sequence

import pytest
from geopy.distance import geodesic
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.batch import BatchOrder, BatchPerson, Plan, Point, plan_batch, plan_greedy

XUJIAHUI = (31.1955, 121.4368)
ORIENTAL_PEARL_TOWER = (31.2397, 121.4998)
XINTIANDI = (31.2193, 121.4753)
SHANGHAI_TOWER = (31.2335, 121.5055)
PEOPLES_SQUARE = (31.2304, 121.4737)
JINGAN_TEMPLE = (31.2235, 121.4453)
SUZHOU_STATION = (31.3317, 120.6100)

NONE: frozenset[str] = frozenset()
ELECTRICAL = frozenset({"electrical"})
SKILLS = ("electrical", "plumbing")

Planner = Callable[[Sequence[BatchOrder], Sequence[BatchPerson]], Plan]


def m(a: Point, b: Point) -> float:
    return float(geodesic(a, b).m)


def assert_feasible(plan: Plan, orders: list[BatchOrder], people: list[BatchPerson]) -> None:
    """Every placement eligible and within capacity; every order placed or unplaced once."""
    by_order = {order.key: order for order in orders}
    by_person = {person.key: person for person in people}
    for placement in plan.placements:
        order, person = by_order[placement.order], by_person[placement.person]
        assert order.skills <= person.skills
        assert placement.distance_m == pytest.approx(m(person.point, order.point))
    for person, taken in Counter(p.person for p in plan.placements).items():
        assert taken <= by_person[person].capacity
    placed = [p.order for p in plan.placements]
    assert sorted(placed + plan.unplaced) == sorted(by_order)
    # Placements and unplaced keys keep the orders' given order.
    keys = [order.key for order in orders]
    assert placed == [k for k in keys if k in placed]
    assert plan.unplaced == [k for k in keys if k in plan.unplaced]
    assert plan.total_m == pytest.approx(sum(p.distance_m for p in plan.placements))


def test_batch_beats_greedy_in_arrival_order() -> None:
    # Xintiandi arrives first and is a little nearer to the Pudong technician, who is
    # the one right next to the Shanghai Tower order that arrives second.
    people = [
        BatchPerson("xujiahui", XUJIAHUI, NONE, 1),
        BatchPerson("pudong", ORIENTAL_PEARL_TOWER, NONE, 1),
    ]
    orders = [
        BatchOrder("xintiandi", XINTIANDI, NONE),
        BatchOrder("shanghai-tower", SHANGHAI_TOWER, NONE),
    ]
    assert m(ORIENTAL_PEARL_TOWER, XINTIANDI) < m(XUJIAHUI, XINTIANDI)

    greedy = plan_greedy(orders, people)
    batch = plan_batch(orders, people)

    assert [(p.order, p.person) for p in greedy.placements] == [
        ("xintiandi", "pudong"),
        ("shanghai-tower", "xujiahui"),
    ]
    assert [(p.order, p.person) for p in batch.placements] == [
        ("xintiandi", "xujiahui"),
        ("shanghai-tower", "pudong"),
    ]
    assert greedy.total_m == pytest.approx(11_035.3, abs=0.1)
    assert batch.total_m == pytest.approx(5_395.3, abs=0.1)
    assert batch.total_m < greedy.total_m
    for plan in (greedy, batch):
        assert plan.unplaced == []
        assert_feasible(plan, orders, people)


def test_skill_less_person_never_gets_a_skill_required_order() -> None:
    # The skill-less technician stands on both sites; the electrician is in Suzhou.
    people = [
        BatchPerson("helper", PEOPLES_SQUARE, NONE, 5),
        BatchPerson("electrician", SUZHOU_STATION, ELECTRICAL, 5),
    ]
    orders = [
        BatchOrder("rewire", PEOPLES_SQUARE, ELECTRICAL),
        BatchOrder("clean", PEOPLES_SQUARE, NONE),
    ]
    for plan in (plan_batch(orders, people), plan_greedy(orders, people)):
        assert [(p.order, p.person) for p in plan.placements] == [
            ("rewire", "electrician"),
            ("clean", "helper"),
        ]
        assert_feasible(plan, orders, people)

    # Without the electrician nobody may take the electrical order.
    alone = people[:1]
    for plan in (plan_batch(orders, alone), plan_greedy(orders, alone)):
        assert [(p.order, p.person) for p in plan.placements] == [("clean", "helper")]
        assert plan.unplaced == ["rewire"]


def test_capacity_is_respected() -> None:
    people = [
        BatchPerson("near", PEOPLES_SQUARE, NONE, 2),
        BatchPerson("off", PEOPLES_SQUARE, NONE, 0),
        BatchPerson("far", XUJIAHUI, NONE, 5),
    ]
    orders = [BatchOrder(n, PEOPLES_SQUARE, NONE) for n in range(3)]
    for plan in (plan_batch(orders, people), plan_greedy(orders, people)):
        taken = Counter(p.person for p in plan.placements)
        assert taken == {"near": 2, "far": 1}
        assert plan.unplaced == []
        assert_feasible(plan, orders, people)


def test_more_placements_beat_a_shorter_total() -> None:
    # The generalist is next to both orders, the electrician far away in Suzhou. Giving the
    # electrical order to the generalist is shortest but leaves the cleaning to nobody.
    cleaning = frozenset({"cleaning"})
    people = [
        BatchPerson("generalist", PEOPLES_SQUARE, ELECTRICAL | cleaning, 1),
        BatchPerson("electrician", SUZHOU_STATION, ELECTRICAL, 1),
    ]
    orders = [
        BatchOrder("rewire", PEOPLES_SQUARE, ELECTRICAL),
        BatchOrder("clean", JINGAN_TEMPLE, cleaning),
    ]

    batch = plan_batch(orders, people)
    greedy = plan_greedy(orders, people)

    assert [(p.order, p.person) for p in greedy.placements] == [("rewire", "generalist")]
    assert greedy.unplaced == ["clean"]
    assert [(p.order, p.person) for p in batch.placements] == [
        ("rewire", "electrician"),
        ("clean", "generalist"),
    ]
    assert batch.unplaced == []
    assert batch.total_m > greedy.total_m  # the longer plan, because it places both
    assert_feasible(batch, orders, people)


@pytest.mark.parametrize("plan", [plan_batch, plan_greedy])
def test_empty_and_impossible_batches(plan: Planner) -> None:
    order = BatchOrder("a", PEOPLES_SQUARE, ELECTRICAL)
    person = BatchPerson("p", PEOPLES_SQUARE, ELECTRICAL, 1)
    assert plan([], [person]) == Plan([], [], 0.0)
    assert plan([order], []) == Plan([], ["a"], 0.0)
    assert plan([order], [person._replace(skills=NONE)]) == Plan([], ["a"], 0.0)
    assert plan([order], [person._replace(capacity=0)]) == Plan([], ["a"], 0.0)
    assert plan([order], [person._replace(capacity=-2)]) == Plan([], ["a"], 0.0)
    assert plan([], []) == Plan([], [], 0.0)


# Small random instances in and around Shanghai.
points = st.tuples(st.floats(31.0, 31.4, allow_nan=False), st.floats(121.2, 121.7, allow_nan=False))
skill_sets = st.frozensets(st.sampled_from(SKILLS))


@st.composite
def instances(
    draw: st.DrawFn, max_orders: int = 6, max_people: int = 4
) -> tuple[list[BatchOrder], list[BatchPerson]]:
    orders = [
        BatchOrder(n, draw(points), draw(skill_sets))
        for n in range(draw(st.integers(0, max_orders)))
    ]
    people = [
        BatchPerson(f"p{n}", draw(points), draw(skill_sets), draw(st.integers(0, 3)))
        for n in range(draw(st.integers(0, max_people)))
    ]
    return orders, people


@settings(max_examples=40, deadline=None)
@given(instances())
def test_batch_is_never_worse_than_greedy(
    instance: tuple[list[BatchOrder], list[BatchPerson]],
) -> None:
    orders, people = instance
    batch = plan_batch(orders, people)
    greedy = plan_greedy(orders, people)
    assert_feasible(batch, orders, people)
    assert_feasible(greedy, orders, people)
    assert len(batch.placements) >= len(greedy.placements)
    if len(batch.placements) == len(greedy.placements):
        assert batch.total_m <= greedy.total_m + 1e-6


@settings(max_examples=40, deadline=None)
@given(instances(max_orders=5, max_people=3))
def test_batch_matches_brute_force(instance: tuple[list[BatchOrder], list[BatchPerson]]) -> None:
    orders, people = instance
    distances = [[m(person.point, order.point) for person in people] for order in orders]
    best = (0, 0.0)  # (placed, total) of the best choice: most placed, then shortest
    # Each order goes to one person or to nobody (None).
    for choice in itertools.product([None, *range(len(people))], repeat=len(orders)):
        taken = Counter(p for p in choice if p is not None)
        if any(taken[p] > people[p].capacity for p in taken):
            continue
        if any(
            p is not None and not order.skills <= people[p].skills
            for order, p in zip(orders, choice, strict=True)
        ):
            continue
        total = sum(distances[o][p] for o, p in enumerate(choice) if p is not None)
        placed = sum(taken.values())
        if placed > best[0] or (placed == best[0] and total < best[1]):
            best = (placed, total)
    batch = plan_batch(orders, people)
    assert len(batch.placements) == best[0]
    assert batch.total_m == pytest.approx(best[1], abs=1e-6)
