"""Minimum orders are met per need, and every figure a plan reports adds up.

The tiny programme: one line with 10 hours a month (1 hour a unit), so it builds 10 units a
month; requirements of 10 units due in January, February and March; one MOTOR a unit,
bought at 5 with a minimum order of 500; holding a MOTOR costs 0.01 a month. plan_data
runs tests/plan_checks.py on every plan (limits, and each cost recomputed from the tables).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from coprod.planning import PlanOptions, plan
from tests.plan_checks import check_figures, check_plan
from tests.programmes import load, plan_data, tiny_data

M = ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"]


def _monthly(minimum: int, stock: int | None) -> dict[str, Any]:
    data = tiny_data()
    data["lines"][0]["hours_per_period"] = 10
    data["designs"][0]["revisions"][0]["bom"][0]["qty"] = 1
    data["components"][0]["holding_cost"] = 0.01
    data["supply_offers"][0].update(min_order=minimum, unit_price=5)
    if stock is not None:  # stock at the site keeps the pair out of folding (reduce.py)
        data["stock"] = [{"site": "S1", "item": "MOTOR", "quantity": stock}]
    base = data["requirements"][0]
    data["requirements"] = [dict(base, id=f"R{i}", quantity=10, due=M[i]) for i in range(3)]
    return data


def _stock(result: Any, item: str) -> list[float]:
    by_period = {r["period"]: r["quantity"] for r in result.stock if r["item"] == item}
    return [by_period.get(t, 0.0) for t in M]


def test_one_minimum_order_covers_later_needs() -> None:
    # 1 MOTOR in stock, 29 more needed over three months: one order of 500 in January, not
    # three (7,500). Stock 1 + 500 - 10 = 491, then 481, 471, 471 at the end of April.
    result = plan_data(_monthly(500, stock=1))
    assert [(r["order_period"], r["quantity"]) for r in result.purchases] == [(M[0], 500)]
    assert _stock(result, "MOTOR") == pytest.approx([491, 481, 471, 471])
    # purchases 2,500; holding (491 + 481 + 471 + 471) x 0.01 = 19.14; 30 units at 10 and 1
    assert result.costs["purchases"] == pytest.approx(2500)
    assert result.costs["holding"] == pytest.approx(19.14)
    assert result.costs["total"] == pytest.approx(300 + 30 + 2500 + 19.14)
    assert result.service_term == 0
    assert result.objective == pytest.approx(result.costs["total"])


def test_folded_supply_costs_the_surplus_a_minimum_forces() -> None:
    # No stock: the offer is ample and folded into the build cost. One order of 500 for the
    # 30 needed; stock 490, 480, 470, 470; holding 19.10. The objective is what the plan
    # costs (it used to report 480, the just-in-time material only, against 2,830 spent).
    result = plan_data(_monthly(500, stock=None))
    assert result.lp["rows"] < plan_data(_monthly(500, stock=1)).lp["rows"]  # it was folded
    assert [(r["order_period"], r["quantity"]) for r in result.purchases] == [(M[0], 500)]
    assert _stock(result, "MOTOR") == pytest.approx([490, 480, 470, 470])
    assert result.costs["holding"] == pytest.approx(19.10)
    assert result.objective == pytest.approx(300 + 30 + 2500 + 19.10)


def test_a_small_minimum_is_raised_once_and_its_surplus_used() -> None:
    # Minimum 15, 1 in stock. January needs 9 more: 15 ordered, 6 left. February needs 10:
    # 6 are there, 4 more are needed, raised to 15, 11 left. March needs 10: covered by the
    # 11, no order. 30 bought for 29 needed; 1 left at the end.
    result = plan_data(_monthly(15, stock=1))
    assert [(r["order_period"], r["quantity"]) for r in result.purchases] == [(M[0], 15), (M[1], 15)]
    assert _stock(result, "MOTOR") == pytest.approx([6, 11, 1, 1])


def test_the_figure_check_catches_a_plan_that_does_not_add_up() -> None:
    programme = load(_monthly(500, stock=1))
    result = plan(programme, PlanOptions())
    check_plan(programme, result)
    with pytest.raises(AssertionError):
        check_figures(programme, dataclasses.replace(result, objective=result.objective - 100))
    cheaper = dict(result.costs, purchases=result.costs["purchases"] - 100)
    with pytest.raises(AssertionError):
        check_figures(programme, dataclasses.replace(result, costs=cheaper))
    late = [dict(d, period=M[1]) if d["requirement"] == "R0" else d for d in result.deliveries]
    with pytest.raises(AssertionError):  # a late delivery reported as on time
        check_plan(programme, dataclasses.replace(result, deliveries=late))
