"""Strict priority and fair share on tiny programmes whose answers are worked out by hand.

One line builds 10 units a month (10 hours, 1 hour a unit); units can be held at no cost;
priority weights are the defaults 4 / 2 / 1 for priorities 1 / 2 / 3.
"""

from __future__ import annotations

from typing import Any

import pytest

from coprod.errors import InputError
from coprod.planning import PlanOptions
from tests.programmes import delivered_by_period, plan_data, tiny_data


def _line_of_ten(months: int) -> dict[str, Any]:
    data = tiny_data()
    data["calendar"]["periods"] = months
    data["lines"][0]["hours_per_period"] = 10
    data["designs"][0]["revisions"][0]["bom"][0]["qty"] = 1
    return data


def _requirement(data: dict[str, Any], rid: str, qty: int, due: str, priority: int) -> dict[str, Any]:
    return dict(data["requirements"][0], id=rid, quantity=qty, due=due, priority=priority)


def _january_and_may() -> dict[str, Any]:
    # January to June: 10 units a month, 60 in all. A: priority 3, 10 units due in January.
    # B: priority 1, 50 units due in May. Both cannot be on time: Jan-May make 50.
    data = _line_of_ten(6)
    data["requirements"] = [
        _requirement(data, "A", 10, "2026-01-01", 3),
        _requirement(data, "B", 50, "2026-05-01", 1),
    ]
    return data


def test_weighted_priority_serves_the_low_priority_early_order() -> None:
    # Weighted: A on time and 10 of B one month late costs 4 x 10 x 1 = 40 unit-periods;
    # B on time and A in June (5 months late) costs 1 x 10 x 5 = 50. The weights pick the
    # first: the priority-1 order waits.
    result = plan_data(_january_and_may())
    assert delivered_by_period(result, "A") == {"2026-01-01": 10}
    assert delivered_by_period(result, "B") == {"2026-05-01": 40, "2026-06-01": 10}
    assert result.kpis["weighted_late_periods"] == pytest.approx(40)


def test_strict_priority_never_serves_a_lower_class_first() -> None:
    # Strict: B (priority 1) first: all 50 by May from January-May output; A gets June's 10,
    # five months late (1 x 10 x 5 = 50 weighted unit-periods).
    result = plan_data(_january_and_may(), priority="strict")
    assert delivered_by_period(result, "B") == {"2026-05-01": 50}
    assert delivered_by_period(result, "A") == {"2026-06-01": 10}
    assert result.requirement("B")["status"] == "on_time"
    assert result.kpis["weighted_late_periods"] == pytest.approx(50)


def test_strict_priority_still_minimises_cost_below_service() -> None:
    # Two lanes to the destination, 1 and 3 a unit: strict priority keeps service first and
    # then takes the cheap lane for every unit (cost 60 x 1 on transport).
    data = _january_and_may()
    data["lanes"].append(dict(data["lanes"][0], id="K2", cost_per_unit=3))
    result = plan_data(data, priority="strict")
    assert {s["lane"] for s in result.shipments} == {"K1"}
    assert result.costs["transport"] == pytest.approx(60)


def test_one_class_strict_equals_weighted() -> None:
    data = _january_and_may()
    for r in data["requirements"]:
        r["priority"] = 2
    weighted, strict = plan_data(data), plan_data(data, priority="strict")
    assert strict.objective == pytest.approx(weighted.objective)


def _competing() -> dict[str, Any]:
    # January to April, 10 units a month. R1 (30) and R2 (10), both priority 1, due in
    # February: 20 units can be there on time for 40 required.
    data = _line_of_ten(4)
    data["requirements"] = [
        _requirement(data, "R1", 30, "2026-02-01", 1),
        _requirement(data, "R2", 10, "2026-02-01", 1),
    ]
    return data


def test_fair_share_gives_equal_priorities_the_same_fraction_on_time() -> None:
    # Any split of the 20 on-time units costs the same lateness (10 one month late in
    # March, 10 two months late in April: 30 unit-periods). Fair share: 50 % each, so R1
    # gets 15 on time and R2 5.
    fair = plan_data(_competing(), fair_share=True)
    assert fair.requirement("R1")["on_time"] == 15
    assert fair.requirement("R2")["on_time"] == 5
    plain = plan_data(_competing())
    # the same service as without fair share: fairness only chooses among equal plans
    assert fair.kpis["weighted_late_periods"] == pytest.approx(plain.kpis["weighted_late_periods"])
    assert fair.kpis["weighted_late_periods"] == pytest.approx(4 * 30)
    # and the penalty is not a cost of the plan
    assert fair.objective == pytest.approx(fair.costs["total"] + fair.service_term)


def test_fair_share_with_strict_priority() -> None:
    data = _competing()
    data["requirements"].append(_requirement(data, "R3", 10, "2026-02-01", 3))
    # R3 (priority 3) waits for both priority-1 requirements; they split 50 / 50 as above.
    result = plan_data(data, priority="strict", fair_share=True)
    assert result.requirement("R1")["on_time"] == 15
    assert result.requirement("R2")["on_time"] == 5
    assert result.requirement("R3")["on_time"] == 0


def test_an_unknown_priority_mode_names_the_option() -> None:
    with pytest.raises(InputError, match="priority: 'lexical' is not one of weighted, strict"):
        PlanOptions(priority="lexical")  # type: ignore[arg-type]
