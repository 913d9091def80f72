"""Explanations in the right unit and with the right cause, on tiny programmes worked by hand.

The base programme (tests/programmes.py): one line L1 at S1 with 100 hours a month, 1 hour
and 10 EUR a unit of X (4 MOTORs at 1 EUR); one lane S1 -> D1 at 1 EUR; R1: 50 units of X
due in January at priority 1 (weight 4).
"""

from __future__ import annotations

from typing import Any

from tests.programmes import plan_data, tiny_data


def _second_site(hours: float, motors_per_period: int) -> dict[str, Any]:
    data = tiny_data()
    data["sites"].append({"id": "S2", "partner": "DA", "country": "UA"})
    data["lines"].append({"id": "L2", "site": "S2", "hours_per_period": hours})
    data["routings"].append({"design": "X", "line": "L2", "hours_per_unit": 1, "cost_per_unit": 20})
    data["lanes"].append({"id": "K2", "from_site": "S2", "to": "D1", "lead_time": 0, "cost_per_unit": 1})
    offer = dict(data["supply_offers"][0], id="O2", ship_to="S2", capacity_per_period=motors_per_period)
    data["supply_offers"].append(offer)
    return data


def test_a_limit_that_only_saves_cost_is_explained_in_money() -> None:
    # L1 (10 EUR a unit) has 30 hours, L2 (20 EUR a unit) 100: 30 units on L1, 20 on L2,
    # nothing late. One more hour on L1 moves one unit from L2 to L1: it saves 20 - 10 =
    # 10 EUR, and no lateness (there is none to cut).
    data = _second_site(100, 100000)
    data["lines"][0]["hours_per_period"] = 30
    result = plan_data(data)
    assert result.kpis["requirements_late_or_unmet"] == 0
    top = result.bottlenecks[0]
    assert (top["constraint"], top["entity"], top["from"]) == ("hours", "L1", "2026-01-01")
    assert "saves EUR 10.00" in top["text"]
    assert "lateness" not in top["text"]
    assert top["service_gain"] == 0


def test_a_line_with_no_hours_is_named_as_the_cause() -> None:
    # L1 has 0 hours: nothing can be built. It used to read "no licensed line with a lane".
    data = tiny_data()
    data["lines"][0]["hours_per_period"] = 0
    cause = plan_data(data).requirement("R1")["cause"]
    assert "line L1 has 0 hours in every period of the horizon" in cause


def test_no_lane_and_no_licence_are_told_apart() -> None:
    data = tiny_data()
    data["lanes"][0]["to"] = "D2"
    data["destinations"].append({"id": "D2", "partner": "MOD", "country": "UA"})
    assert "no lane from S1 (line L1) to D1" in plan_data(data).requirement("R1")["cause"]
    data = tiny_data()
    data["sites"][0]["partner"] = "MFG"
    assert "MFG (line L1) holds no licence for X" in plan_data(data).requirement("R1")["cause"]


def test_the_cause_follows_the_pegging_of_the_late_units() -> None:
    # R1 wants 120 in January. L1 makes 100 (its hours); L2 at S2 could make 100 but S2 gets
    # 40 MOTORs a month (4 a unit): 10 units. 110 on time. L1 has no hours in February, so
    # the 10 late units come from L2 in February. L1's hours are the most valuable limit
    # overall (a unit an hour against a quarter of a unit a MOTOR), but the late units'
    # supply is limited by the MOTOR offer to S2: that is the cause.
    data = _second_site(100, 40)
    data["lines"][0]["exceptions"] = [{"period": "2026-02-01", "hours": 0}]
    data["requirements"][0]["quantity"] = 120
    result = plan_data(data)
    row = result.requirement("R1")
    assert (row["on_time"], row["late"]) == (110, 10)
    assert result.bottlenecks[0]["entity"] == "L1"
    assert "limited by supply O2" in row["cause"]
    assert "its late units come from line L2" in row["cause"]
