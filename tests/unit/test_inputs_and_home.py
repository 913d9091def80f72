"""Input changes between two states of a programme, scoped by the record rules; royalties
and how-late figures of the role pages, on data worked out by hand."""

from __future__ import annotations

from pathlib import Path

from coprod.access import Principal, Role
from coprod.app.home import late_rows, royalties
from coprod.app.inputs import compare_inputs, count_changes, visible_changes
from coprod.io import load_programme

EXAMPLE = Path(__file__).parents[2] / "examples" / "uk-ua-interceptors.yaml"
BEFORE = {
    "settings": {"name": "x"},
    "sites": [{"id": "S1", "partner": "P1"}, {"id": "S2", "partner": "P2"}],
    "lines": [
        {"id": "L1", "site": "S1", "hours_per_period": 10.0},
        {"id": "L2", "site": "S2", "hours_per_period": 5.0},
    ],
    "requirements": [
        {"id": "R1", "customer": "C", "quantity": 1440},
        {"id": "R2", "customer": "C", "quantity": 5},
    ],
}


def test_changes_are_named_field_by_field_and_counted() -> None:
    after = {
        **BEFORE,
        "lines": [{"id": "L1", "site": "S1", "hours_per_period": 12.0}, BEFORE["lines"][1]],
        "requirements": [
            {"id": "R1", "customer": "C", "quantity": 2400},
            {"id": "R3", "customer": "C", "quantity": 1},
        ],
    }
    changes = compare_inputs(BEFORE, after)
    assert [c.text for c in changes] == [
        "lines L1: hours_per_period 10 → 12",
        "requirements R1: quantity 1,440 → 2,400",
        "requirements R3 added",
        "requirements R2 removed",
    ]
    assert count_changes(changes) == {
        "lines": {"added": 0, "changed": 1, "removed": 0},
        "requirements": {"added": 1, "changed": 1, "removed": 1},
    }
    assert compare_inputs(BEFORE, BEFORE) == []


def test_each_role_sees_only_the_changes_to_records_it_may_read() -> None:
    after = {
        **BEFORE,
        "lines": [
            {"id": "L1", "site": "S1", "hours_per_period": 12.0},
            {"id": "L2", "site": "S2", "hours_per_period": 6.0},
        ],
        "requirements": [{"id": "R1", "customer": "C", "quantity": 2400}, BEFORE["requirements"][1]],
    }
    changes = compare_inputs(BEFORE, after)
    planner = Principal("p", "P1", Role.SITE_PLANNER)
    customer = Principal("c", "C", Role.CUSTOMER)
    other = Principal("o", "D", Role.CUSTOMER)
    assert [c.key for c in visible_changes(planner, changes)] == ["L1"]  # its own line, not L2
    assert [c.key for c in visible_changes(customer, changes)] == ["R1"]
    assert visible_changes(other, changes) == []
    office = Principal("po", "X", Role.PROGRAMME_OFFICE)
    assert len(visible_changes(office, changes)) == 3


def test_royalties_are_units_under_each_licence_times_its_rate() -> None:
    p = load_programme(EXAMPLE)
    # UK-MIDLANDS (UK-MFG) builds INT-1: 100 units in April 2026 fall under LIC-UK-INT1-B1
    # (to 2026-05-31, GBP 260 a unit), 10 in August under LIC-UK-INT1 (GBP 220); UA-KYIV is
    # the licensor's own site: no royalty.
    production = [
        {"site": "UK-MIDLANDS", "line": "UK-MID-1", "item": "INT-1", "period": "2026-04-01", "quantity": 100},
        {
            "site": "UK-MIDLANDS",
            "line": "UK-MID-1",
            "item": "INT-1-B2",
            "period": "2026-08-01",
            "quantity": 10,
        },
        {"site": "UA-KYIV", "line": "UA-KYIV-1", "item": "INT-1", "period": "2026-04-01", "quantity": 1000},
    ]
    owed = {r["licence"]: (r["units"], r["amount"]) for r in royalties(p, production, "UA-DB")}
    # GBP 260 at 1.15 in April 2026, GBP 220 at 1.14 in August 2026 (the example's rates)
    assert owed == {"LIC-UK-INT1-B1": (100, 29_900.0), "LIC-UK-INT1": (10, 2_508.0)}
    assert royalties(p, production, "NO-MFG") == []


def test_late_rows_say_how_late_and_which_limit() -> None:
    plan = {
        "periods": ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"],
        "bottlenecks": [{"constraint": "hours", "entity": "L1", "subject": "line L1 (S1) hours, 2026-01-01"}],
        "requirements": [
            {
                "id": "A",
                "status": "on_time",
                "due": "2026-01-01",
                "last_delivery": "2026-01-01",
                "unmet": 0,
                "weighted_late_periods": 0.0,
                "cause": "",
            },
            {
                "id": "B",
                "status": "late",
                "due": "2026-01-01",
                "last_delivery": "2026-04-01",
                "unmet": 0,
                "weighted_late_periods": 3.0,
                "cause": "limited by line L1 (S1) hours, 2026-01-01",
            },
            {
                "id": "C",
                "status": "unmet",
                "due": "2026-02-01",
                "last_delivery": None,
                "unmet": 5,
                "weighted_late_periods": 1.0,
                "cause": "something else",
            },
        ],
    }
    rows = late_rows(plan)
    assert [(r["id"], r["periods_late"], r["limit"]) for r in rows] == [
        ("C", 0, None),
        ("B", 3, {"constraint": "hours", "entity": "L1"}),
    ]
