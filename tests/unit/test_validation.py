"""Every rule of a programme gives a problem naming file, record and field, all at once."""

from __future__ import annotations

from typing import Any

import pytest

from coprod.errors import Problem, ProgrammeInvalid
from tests.programmes import load, plan_data, tiny_data


def problems(data: dict[str, Any]) -> list[Problem]:
    with pytest.raises(ProgrammeInvalid) as info:
        load(data)
    return info.value.problems


def one(data: dict[str, Any]) -> Problem:
    found = problems(data)
    assert len(found) == 1, found
    return found[0]


def test_the_tiny_programme_is_valid() -> None:
    assert load(tiny_data()).requirements[0].id == "R1"


def test_unknown_reference_names_record_and_field() -> None:
    data = tiny_data()
    data["requirements"][0]["destination"] = "NOWHERE"
    p = one(data)
    assert (p.file, p.record, p.field) == ("test.yaml", "requirements[0] (R1)", "destination")
    assert "unknown destination 'NOWHERE'" in p.message


def test_negative_and_non_numeric_quantities() -> None:
    data = tiny_data()
    data["requirements"][0]["quantity"] = -5
    data["supply_offers"][0]["unit_price"] = "cheap"
    found = {(p.record, p.field): p.message for p in problems(data)}
    assert found[("requirements[0] (R1)", "quantity")] == "must be at least 1 (got -5)"
    assert found[("supply_offers[0] (O1)", "unit_price")] == "must be a number (got 'cheap')"


def test_bom_cycle_is_found() -> None:
    data = tiny_data()
    data["components"] = [
        {"id": "MOTOR"},
        {"id": "A", "bom": [{"item": "B", "qty": 1}]},
        {"id": "B", "bom": [{"item": "A", "qty": 1}]},
    ]
    p = one(data)
    assert p.field == "bom" and "BOM cycle: A -> B -> A" in p.message


def test_duplicate_ids() -> None:
    data = tiny_data()
    data["lines"].append(dict(data["lines"][0]))
    p = one(data)
    assert (p.record, p.field) == ("lines[1] (L1)", "id") and "duplicate id 'L1'" in p.message


def test_lead_time_beyond_horizon() -> None:
    # 4 periods: an order in the first arrives in period 4, after the last (period 3).
    data = tiny_data()
    data["supply_offers"][0]["lead_time"] = 4
    p = one(data)
    assert p.field == "lead_time"
    assert p.message == (
        "lead time 4 is not shorter than the horizon (4 periods): "
        "nothing ordered from this offer could arrive within it"
    )
    data["supply_offers"][0]["lead_time"] = 3  # arrives in the last period: valid
    load(data)


def test_lead_time_equal_to_a_one_period_horizon_is_worded_plainly() -> None:
    data = tiny_data()
    data["calendar"]["periods"] = 1
    data["lanes"][0]["lead_time"] = 1
    p = one(data)
    assert p.message == (
        "lead time 1 is not shorter than the horizon (1 period): "
        "nothing sent on this lane could arrive within it"
    )


@pytest.mark.parametrize(
    ("path", "value", "field", "message"),
    [
        (("designs", 0, "revisions"), [], "revisions", "needs at least one revision"),
        (
            ("lines", 0, "id"),
            "line one",
            "id",
            "must be an id: letters, digits and _ . - /, starting with a letter or digit (got 'line one')",
        ),
        (("partners", 0, "country"), "", "country", "must have at least 2 characters (got '')"),
        (("calendar", "granularity"), "day", "granularity", "must be one of: week, month (got 'day')"),
        (
            ("requirements", 0, "due"),
            "2026-13-01",
            "due",
            "must be a date such as 2026-01-01 (got '2026-13-01')",
        ),
        (("requirements", 0, "quantity"), 1.5, "quantity", "must be a whole number (got 1.5)"),
        (("sites", 0), "S1", "", "must be a record (a mapping of fields) (got 'S1')"),
    ],
)
def test_field_errors_are_worded_for_a_planner(
    path: tuple[Any, ...], value: Any, field: str, message: str
) -> None:
    data = tiny_data()
    node: Any = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    found = {p.field: p.message for p in problems(data)}
    assert found[field] == message, found


def test_a_design_without_bom_lines_is_a_plain_make_and_hold_product() -> None:
    # X needs no components: 50 units are built on L1 in January with no purchase at all.
    data = tiny_data()
    data["designs"][0]["revisions"][0]["bom"] = []
    data["supply_offers"] = []
    data["components"] = []
    result = plan_data(data)
    assert result.requirement("R1")["status"] == "on_time"
    assert result.purchases == [] and result.costs["production"] == 500


def test_licence_for_missing_design() -> None:
    data = tiny_data()
    data["licences"] = [
        {
            "id": "LIC",
            "licensor": "DA",
            "licensee": "MFG",
            "design": "GHOST",
            "valid_from": "2026-01-01",
        }
    ]
    p = one(data)
    assert (p.record, p.field) == ("licences[0] (LIC)", "design")
    assert "design that does not exist" in p.message


def test_empty_programme() -> None:
    data = tiny_data()
    data["requirements"] = []
    assert "empty programme" in one(data).message


def test_unknown_field_and_missing_field() -> None:
    data = tiny_data()
    data["sites"][0]["colour"] = "red"
    del data["lines"][0]["hours_per_period"]
    found = {(p.record, p.field): p.message for p in problems(data)}
    assert "not a known field" in found[("sites[0] (S1)", "colour")]
    assert found[("lines[0] (L1)", "hours_per_period")] == "is required"


def test_all_problems_are_reported_at_once_without_cascades() -> None:
    data = tiny_data()
    data["lines"][0]["hours_per_period"] = -1  # field error: the line is dropped ...
    data["routings"][0]["design"] = "NOPE"  # ... and this reference error is still found
    found = problems(data)
    fields = sorted((p.record.split(" ")[0], p.field) for p in found)
    assert fields == [("lines[0]", "hours_per_period"), ("routings[0]", "design")]


def test_due_date_outside_horizon_and_overlapping_licences() -> None:
    data = tiny_data()
    data["requirements"][0]["due"] = "2027-01-01"
    data["licences"] = [
        {"id": "A", "licensor": "DA", "licensee": "MFG", "design": "X", "valid_from": "2026-01-01"},
        {"id": "B", "licensor": "DA", "licensee": "MFG", "design": "X", "valid_from": "2026-02-01"},
    ]
    found = {(p.record, p.field): p.message for p in problems(data)}
    assert "outside the horizon" in found[("requirements[0] (R1)", "due")]
    assert "overlaps another licence" in found[("licences[1] (B)", "valid_from")]


def test_licensor_must_own_the_design_and_min_order_fit_capacity() -> None:
    data = tiny_data()
    data["licences"] = [
        {"id": "A", "licensor": "MFG", "licensee": "MFG", "design": "X", "valid_from": "2026-01-01"}
    ]
    data["supply_offers"][0]["min_order"] = 200000
    found = {(p.record, p.field): p.message for p in problems(data)}
    assert "does not own design X" in found[("licences[0] (A)", "licensor")]
    assert "min_order exceeds capacity_per_period" in found[("supply_offers[0] (O1)", "")]
