"""Frozen periods hold on the warm and the rebuilt re-plan path; stability keeps plans still.

The tiny programme (tests/programmes.py) with a holding cost: one line of 100 hours a month
at 1 hour a unit, R1 = 50 due January, R2 = 150 due March. Holding finished units costs, so
the optimum builds as late as it can: January 50, February 50, March 100.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from coprod.domain.changes import ChangeSet, apply_changes
from coprod.errors import InputError
from coprod.io import load_programme
from coprod.io.changes_file import load_change_set
from coprod.planning import Plan, PlanOptions, plan
from coprod.planning.diff import diff_plans
from coprod.planning.replan import PlanningSession
from tests.plan_checks import check_plan
from tests.programmes import load, production_by_period, tiny_data

EXAMPLES = Path(__file__).parents[2] / "examples"
JAN, FEB, MAR = "2026-01-01", "2026-02-01", "2026-03-01"


def _two_requirements() -> dict[str, Any]:
    data = tiny_data()
    data["designs"][0]["holding_cost"] = 1.0
    data["requirements"].append(dict(data["requirements"][0], id="R2", quantity=150, due=MAR))
    return data


def _changes(*changes: dict[str, Any]) -> ChangeSet:
    return ChangeSet.model_validate({"changes": list(changes)})


def test_the_tiny_programme_builds_as_late_as_it_can() -> None:
    result = plan(load(_two_requirements()))
    assert production_by_period(result) == {JAN: 50, FEB: 50, MAR: 100}


def test_frozen_periods_hold_when_the_lp_is_rebuilt() -> None:
    programme = load(_two_requirements())
    shift = _changes({"type": "add_shift", "line": "L1", "hours": 100, "from_date": FEB})
    # Without a fence the second shift lets March build all of R2.
    free = PlanningSession(programme).replan(shift)
    assert free.replan["path"] == "rebuilt" and "add_shift" in free.replan["why"]
    assert production_by_period(free) == {JAN: 50, MAR: 150}
    held = PlanningSession(programme).replan(shift, frozen=2)
    assert held.replan == {"path": "rebuilt", "frozen": 2, "stability": 0.0, "why": held.replan["why"]}
    assert production_by_period(held) == {JAN: 50, FEB: 50, MAR: 100}
    motors = {r["order_period"]: r["quantity"] for r in held.purchases}
    assert motors[JAN] == 200 and motors[FEB] == 200  # 4 a unit, bought just in time (lead 0)
    check_plan(apply_changes(programme, shift), held)


def test_frozen_periods_hold_on_the_warm_path() -> None:
    programme = load(_two_requirements())
    live = PlanningSession(programme, PlanOptions(fold_supply=False))  # orders are columns: warm
    less = _changes({"type": "requirement_quantity", "requirement": "R2", "quantity": 120})
    held = live.replan(less, frozen=2)
    assert held.replan["path"] == "warm"
    assert production_by_period(held) == {JAN: 50, FEB: 50, MAR: 70}
    # the same change without a fence: February makes only what March cannot
    free = PlanningSession(programme, PlanOptions(fold_supply=False)).replan(less)
    assert free.replan["path"] == "warm" and production_by_period(free) == {JAN: 50, FEB: 20, MAR: 100}
    # a second re-plan on the same session lifts the fence it no longer asks for
    again = live.replan(_changes({"type": "requirement_quantity", "requirement": "R2", "quantity": 120}))
    assert again.replan["path"] == "warm" and production_by_period(again) == production_by_period(free)


def test_a_fence_that_cannot_hold_is_refused() -> None:
    programme = load(_two_requirements())
    # R1 moves to March: January's 50 units, shipped in January, could not be received.
    later = _changes({"type": "requirement_due", "requirement": "R1", "due": MAR})
    with pytest.raises(InputError, match="frozen period"):
        PlanningSession(programme).replan(later, frozen=1)
    assert production_by_period(PlanningSession(programme).replan(later)) == {FEB: 100, MAR: 100}
    with pytest.raises(InputError, match="frozen: -1"):
        PlanningSession(programme).replan(later, frozen=-1)


def test_dropping_a_site_with_frozen_production_names_what_cannot_hold() -> None:
    data = _two_requirements()
    data["sites"].append({"id": "S2", "partner": "DA", "country": "UA"})
    data["lines"].append({"id": "L2", "site": "S2", "hours_per_period": 100})
    data["routings"].append({"design": "X", "line": "L2", "hours_per_unit": 1, "cost_per_unit": 5})
    data["supply_offers"].append(dict(data["supply_offers"][0], id="O2", ship_to="S2"))
    data["lanes"].append({"id": "K2", "from_site": "S2", "to": "D1", "lead_time": 0, "cost_per_unit": 1})
    programme = load(data)
    live = PlanningSession(programme)
    assert production_by_period(live.plan, "L2")[JAN] > 0  # the cheaper line builds in January
    with pytest.raises(InputError, match=r"production L2 / X of .* cannot be held"):
        live.replan(_changes({"type": "drop_site", "site": "S2"}), frozen=1)


def _frozen_tables(result: Plan, frozen: set[str]) -> dict[str, dict[tuple[str, ...], int]]:
    return {
        "production": {
            (r["line"], r["item"], r["period"]): r["quantity"]
            for r in result.production
            if r["period"] in frozen
        },
        "purchases": {
            (r["offer"], r["order_period"]): r["quantity"]
            for r in result.purchases
            if r["order_period"] in frozen
        },
        "shipments": {
            (r["lane"], r["item"], r["depart_period"]): r["quantity"]
            for r in result.shipments
            if r["depart_period"] in frozen
        },
    }


def test_the_bundled_change_set_keeps_the_frozen_months() -> None:
    programme = load_programme(EXAMPLES / "uk-ua-interceptors.yaml")
    changes = load_change_set(EXAMPLES / "changes" / "replan-demand-and-delay.yaml")
    live = PlanningSession(programme)
    before = live.plan
    frozen = set(programme.calendar.labels[:2])
    after = live.replan(changes, frozen=2)
    assert after.replan["path"] == "rebuilt" and after.replan["frozen"] == 2
    kept, now = _frozen_tables(before, frozen), _frozen_tables(after, frozen)
    assert kept["production"] and kept == now
    check_plan(apply_changes(programme, changes), after)
    # the next re-plan on the session is warm and still holds the fence
    again = live.replan(changes, frozen=2)
    assert again.replan["path"] == "warm" and _frozen_tables(again, frozen) == kept


def test_stability_keeps_lines_that_a_small_change_would_move() -> None:
    programme = load(_two_requirements())
    shift = _changes({"type": "add_shift", "line": "L1", "hours": 100, "from_date": FEB})
    # Moving February's 50 units to March saves 50 unit-periods of holding (cost 50); at
    # stability 1 each moved unit costs W (above any unit cost) twice over: nothing moves.
    still = PlanningSession(programme).replan(shift, stability=1.0)
    assert still.replan["path"] == "rebuilt" and still.replan["stability"] == 1.0
    assert production_by_period(still) == {JAN: 50, FEB: 50, MAR: 100}
    assert still.objective == pytest.approx(
        plan(apply_changes(programme, shift), PlanOptions()).objective + 50
    )
    check_plan(apply_changes(programme, shift), still)
    # it never holds a line at the expense of service: more demand is still met on time
    more = _changes({"type": "requirement_quantity", "requirement": "R2", "quantity": 250})
    served = PlanningSession(programme).replan(more, stability=1.0)
    assert served.requirement("R2")["on_time"] == 250


def test_diff_covers_purchases_and_shipments() -> None:
    programme = load(_two_requirements())
    live = PlanningSession(programme)
    before = live.plan
    # R2 150 -> 120: February builds 20 instead of 50 (and buys 80 motors instead of 200);
    # the March shipment to the customer carries 120 instead of 150
    after = live.replan(_changes({"type": "requirement_quantity", "requirement": "R2", "quantity": 120}))
    delta = diff_plans(before, after)
    assert {"kpis", "requirements", "production", "cost_change"} <= set(delta)
    assert [(r["line"], r["period"], r["change"]) for r in delta["production"]] == [("L1", FEB, -30)]
    assert [(r["order_period"], r["before"], r["after"]) for r in delta["purchases"]] == [(FEB, 200, 80)]
    assert [(r["depart_period"], r["before"], r["after"]) for r in delta["shipments"]] == [(MAR, 150, 120)]
    assert delta["churn"]["purchases"] == {"lines_before": 3, "lines_after": 3, "moved": 1, "units": 120}
    assert delta["churn"]["production"] == {"lines_before": 3, "lines_after": 3, "moved": 1, "units": 30}
