"""Property-based: mutated and random programmes never crash the loader; errors are Problems."""

from __future__ import annotations

import copy
from typing import Any

from benchmarks.fuzz import _paths
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coprod.errors import ProgrammeInvalid
from tests.programmes import load, plan_data, tiny_data

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.dates().map(str),
    st.lists(st.integers(), max_size=2),
    st.just({}),
)


def _mutate(data: dict[str, Any], path: tuple[Any, ...], value: Any, delete: bool) -> dict[str, Any]:
    data = copy.deepcopy(data)
    node = data
    for key in path[:-1]:
        node = node[key]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


PATHS = _paths(tiny_data())
JARGON = (
    "Input should",
    "should have at least",
    "String should",
    "Value error",
    "Field required",
    "instance of",
    "after validation",
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PATHS), scalars, st.booleans())
def test_mutated_programme_is_valid_or_reports_problems(
    path: tuple[Any, ...], value: Any, delete: bool
) -> None:
    data = _mutate(tiny_data(), path, value, delete)
    try:
        load(data)
    except ProgrammeInvalid as exc:
        assert exc.problems
        assert all(p.file == "test.yaml" and p.message for p in exc.problems)
        for problem in exc.problems:  # worded for a planner, not in the validation library's terms
            assert not any(phrase in problem.message for phrase in JARGON), problem
    else:
        plan_data(data)  # a valid programme always plans


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(max_size=10), scalars, max_size=6))
def test_random_documents_are_rejected_cleanly(doc: dict[str, Any]) -> None:
    try:
        load(doc)
    except ProgrammeInvalid as exc:
        assert exc.problems


@settings(max_examples=40, deadline=None)
@given(
    st.integers(0, 300),
    st.integers(0, 3),
    st.integers(1, 3),
    st.integers(0, 200),
    st.integers(0, 2),
)
def test_random_tiny_programmes_always_plan_within_limits(
    hours: int, lead: int, priority: int, quantity: int, lane_lead: int
) -> None:
    from tests.plan_checks import check_plan

    data = tiny_data()
    data["lines"][0]["hours_per_period"] = hours
    data["supply_offers"][0]["lead_time"] = lead
    data["lanes"][0]["lead_time"] = lane_lead
    data["requirements"][0].update(priority=priority, quantity=max(1, quantity))
    result = plan_data(data)
    check_plan(load(data), result)
