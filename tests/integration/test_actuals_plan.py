"""Actuals feed the plan: the programme as of a date, planned with the real solver, on the
tiny tracked programme (tests/actuals.py) where each answer can be worked out by hand."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from coprod.domain.actuals import ActualsBatch
from coprod.domain.capacity import rate_caps
from coprod.planning import plan
from coprod.tracking.asof import programme_as_of
from tests.actuals import EVENTS, PROGRAMME, batch, programme
from tests.programmes import load

FEB, APR = dt.date(2026, 2, 1), dt.date(2026, 4, 1)


def _tables(result: Any) -> dict[str, Any]:
    return {
        t: result.table(t) for t in ("production", "purchases", "shipments", "deliveries", "requirements")
    }


def test_as_of_the_start_with_no_events_is_todays_plan() -> None:
    p = programme()
    as_of = programme_as_of(p, ActualsBatch(), p.calendar.start)
    assert as_of.programme == p
    assert _tables(plan(as_of.programme)) == _tables(plan(p))


def test_a_short_receipt_leaves_the_requirement_partly_open() -> None:
    data = copy.deepcopy(EVENTS)
    data["receipts"][0]["lines"][0]["received"] = 40
    data["receipts"][0]["deliveries"][0]["quantity"] = 40
    data["receipts"][0]["note"] = "10 short"
    p = programme_as_of(programme(), batch(data), FEB).programme
    r1 = next(r for r in p.requirements if r.id == "R1")
    assert (r1.quantity, r1.due) == (10, FEB)  # 50 asked, 40 received: 10 open, due at once
    result = plan(p)
    row = result.requirement("R1")
    assert (row["quantity"], row["delivered"], row["status"]) == (10, 10, "on_time")
    # with the full receipt, R1 is served and gone from the next plan
    full = programme_as_of(programme(), batch(), FEB).programme
    assert [r.id for r in full.requirements] == ["R2"]


def test_a_lot_in_transit_arrives_in_the_plan_as_scheduled() -> None:
    """S1 cannot build (no hours); 20 units accepted at S2 are on their way to S1, due in
    March: the plan ships them on from S1 in March, not before, and no more than 20."""
    data: dict[str, Any] = {
        "first_articles": [
            {
                "id": "FA2",
                "site": "S2",
                "design": "X",
                "revision": 1,
                "result": "passed",
                "date": "2026-01-05",
                "inspector": "DA resident",
            }
        ],
        "lots": [
            {
                "id": "C",
                "site": "S2",
                "line": "L2",
                "design": "X",
                "revision": 1,
                "quantity": 20,
                "first_serial": "C-01",
                "last_serial": "C-20",
                "built": "2026-01-10",
            }
        ],
        "acceptances": [{"id": "ACC-C", "lot": "C", "accepted": 20, "date": "2026-01-12"}],
        "shipments": [
            {
                "id": "SH2",
                "from_site": "S2",
                "to": "S1",
                "lines": [{"lot": "C", "quantity": 20}],
                "shipped": "2026-01-25",
                "expected": "2026-03-05",
            }
        ],
    }
    lines = copy.deepcopy(PROGRAMME["lines"])
    lines[0]["hours_per_period"] = 0
    p = programme_as_of(programme(lines=lines), batch(data), FEB).programme
    assert [(s.site, s.item, s.quantity, s.arrives) for s in p.scheduled_receipts] == [
        ("S1", "X", 20, dt.date(2026, 3, 5))
    ]
    result = plan(p)
    from_s1 = [s for s in result.shipments if s["lane"] == "K1"]
    assert sum(s["quantity"] for s in from_s1) == 20
    assert min(s["depart_period"] for s in from_s1) == "2026-03-01"


def test_a_lot_in_transit_to_a_destination_counts_against_its_requirements() -> None:
    data = copy.deepcopy(EVENTS)
    data["receipts"] = []  # SH1 (50 units to D1) has not arrived by February
    p = programme_as_of(programme(), batch(data), FEB).programme
    assert [r.id for r in p.requirements] == ["R2"]  # R1's 50 are on their way


@pytest.mark.parametrize(("built", "rate"), [(0, 10.0), (120, 10 + 90 * (3 + 22.5 / 77.5) / 4)])
def test_the_ramp_follows_what_the_line_built_not_the_calendar(built: int, rate: float) -> None:
    """L2 ramps 10 -> 100 over 4 periods from January. By April the calendar says 77.5, but a
    line that built nothing is still at its pilot rate; one that built 120 (planned ramp:
    10, 32.5, 55, 77.5 per period, 97.5 by April) is 22.5/77.5 into its fourth period."""
    data: dict[str, Any] = {"lots": [], "first_articles": []}
    if built:
        data["lots"] = [
            {
                "id": "G",
                "site": "S2",
                "line": "L2",
                "design": "X",
                "revision": 1,
                "quantity": built,
                "first_serial": "G-0001",
                "last_serial": f"G-{built:04d}",
                "built": "2026-02-10",
            }
        ]
    p = programme_as_of(programme(), batch(data), APR).programme
    line = p.line_by_id["L2"]
    caps = rate_caps(line, p.calendar)
    assert caps is not None and caps[0] == pytest.approx(rate)
    original = rate_caps(programme().line_by_id["L2"], programme().calendar)
    assert original is not None and original[3] == pytest.approx(77.5)
    # the plan builds no more than that on L2 in April, and the big demand makes it use all of it
    big = copy.deepcopy(PROGRAMME)
    big["requirements"][1]["quantity"] = 5000
    p2 = programme_as_of(load(big), batch(data), APR).programme
    april = sum(
        r["quantity"] for r in plan(p2).production if r["line"] == "L2" and r["period"] == "2026-04-01"
    )
    assert april == int(rate)


def test_learning_follows_cumulative_units() -> None:
    """With a learning curve, the hours per unit at the as-of date are those of the units the
    line has built (Wright's law on units): the factor is folded into the period's hours."""
    lines = copy.deepcopy(PROGRAMME["lines"])
    lines[1]["ramp_up"]["learning_rate"] = 0.8
    base = programme(lines=lines)
    p = programme_as_of(base, ActualsBatch(), APR).programme  # nothing built: at the first unit's hours
    ex = {e.period: e.hours for e in p.line_by_id["L2"].exceptions}
    total = 10 + 32.5 + 55 + 77.5  # units along the whole ramp
    factor = (5 / total) ** -0.32192809488736235  # mid-period of the first period: 5 units
    assert ex[APR] == pytest.approx(1000 / factor)
