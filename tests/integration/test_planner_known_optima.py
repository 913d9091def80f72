"""Tiny programmes whose optimal plan is known by hand, solved by the real HiGHS."""

from __future__ import annotations

import pytest

from coprod.planning import SolverOptions
from tests.programmes import delivered_by_period, production_by_period, tiny_data
from tests.programmes import plan_cross_checked as plan_data  # every optimum also checked by CBC

M = ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"]


@pytest.mark.parametrize("method", ["simplex", "ipm"])
def test_capacity_limit_forces_lateness(method: str) -> None:
    data = tiny_data()
    data["requirements"][0]["quantity"] = 150  # 100 hours, 1 hour per unit
    result = plan_data(data, solver=SolverOptions(method=method))
    assert delivered_by_period(result, "R1") == {M[0]: 100, M[1]: 50}
    row = result.requirement("R1")
    assert (row["on_time"], row["late"], row["unmet"], row["status"]) == (100, 50, 0, "late")
    assert "L1" in row["cause"]
    assert result.bottlenecks[0]["constraint"] == "hours"
    assert result.bottlenecks[0]["entity"] == "L1"


def test_supplier_lead_time_offsets_arrival() -> None:
    data = tiny_data()
    data["supply_offers"][0]["lead_time"] = 2
    result = plan_data(data)
    assert delivered_by_period(result, "R1") == {M[2]: 50}
    purchases = result.purchases
    assert [(p["order_period"], p["arrival_period"], p["quantity"]) for p in purchases] == [(M[0], M[2], 200)]
    assert "MOTOR reaches S1 at the earliest in 2026-03-01" in result.requirement("R1")["cause"]


def test_bom_explosion_with_yield_over_two_levels() -> None:
    data = tiny_data()
    data["components"] = [
        {"id": "MOTOR"},
        {"id": "ARM"},
        {"id": "FRAME", "bom": [{"item": "ARM", "qty": 4, "yield": 0.5}]},
    ]
    data["designs"][0]["revisions"][0]["bom"] = [
        {"item": "MOTOR", "qty": 4, "yield": 0.8},
        {"item": "FRAME", "qty": 1},
    ]
    data["supply_offers"].append(
        {
            "id": "O2",
            "component": "ARM",
            "supplier": "SUP",
            "ship_to": "S1",
            "lead_time": 0,
            "capacity_per_period": 100000,
            "unit_price": 1,
        }
    )
    data["requirements"][0]["quantity"] = 10
    result = plan_data(data)
    bought = {p["component"]: p["quantity"] for p in result.purchases}
    assert bought == {"MOTOR": 50, "ARM": 80}  # 10 x 4 / 0.8 and 10 x 1 x 4 / 0.5
    assert delivered_by_period(result, "R1") == {M[0]: 10}


def test_licence_start_blocks_early_production() -> None:
    data = tiny_data()
    data["sites"][0]["partner"] = "MFG"  # a licensee, not the design owner
    data["licences"] = [
        {
            "id": "LIC",
            "licensor": "DA",
            "licensee": "MFG",
            "design": "X",
            "valid_from": "2026-03-01",
            "royalty_per_unit": 7,
        }
    ]
    result = plan_data(data)
    assert production_by_period(result) == {M[2]: 50}
    assert delivered_by_period(result, "R1") == {M[2]: 50}
    assert result.costs["royalties"] == pytest.approx(350)
    assert "can first be built on line L1 in 2026-03-01" in result.requirement("R1")["cause"]


def test_licence_cap_limits_each_period() -> None:
    data = tiny_data()
    data["sites"][0]["partner"] = "MFG"
    data["licences"] = [
        {
            "id": "LIC",
            "licensor": "DA",
            "licensee": "MFG",
            "design": "X",
            "valid_from": "2026-01-01",
            "cap_per_period": 20,
        }
    ]
    result = plan_data(data)
    assert production_by_period(result) == {M[0]: 20, M[1]: 20, M[2]: 10}
    assert result.bottlenecks[0]["constraint"] == "licence"


def test_no_licence_means_no_production_and_unmet() -> None:
    data = tiny_data()
    data["sites"][0]["partner"] = "MFG"
    result = plan_data(data)
    row = result.requirement("R1")
    assert (row["delivered"], row["unmet"], row["status"]) == (0, 50, "unmet")
    assert "no licensed line" in row["cause"]


def test_priority_decides_who_waits_under_shortage() -> None:
    data = tiny_data()
    data["requirements"] = [
        {
            "id": "LOW",
            "customer": "MOD",
            "destination": "D1",
            "item": "X",
            "quantity": 100,
            "due": "2026-01-01",
            "priority": 3,
        },
        {
            "id": "HIGH",
            "customer": "MOD",
            "destination": "D1",
            "item": "X",
            "quantity": 100,
            "due": "2026-01-01",
            "priority": 1,
        },
    ]
    result = plan_data(data)
    assert delivered_by_period(result, "HIGH") == {M[0]: 100}
    assert delivered_by_period(result, "LOW") == {M[1]: 100}


def test_ramp_up_limits_early_months() -> None:
    data = tiny_data()
    data["lines"][0]["ramp_up"] = {
        "start": "2026-01-01",
        "pilot_rate": 10,
        "full_rate": 40,
        "ramp_periods": 3,
    }
    data["requirements"][0]["quantity"] = 100
    result = plan_data(data)
    # rate(k) = 10 + 30 * k / 3: 10, 20, 30, 40 -> cumulative 10, 30, 60, 100
    assert production_by_period(result) == {M[0]: 10, M[1]: 20, M[2]: 30, M[3]: 40}
    assert result.requirement("R1")["status"] == "late"
    assert result.bottlenecks[0]["constraint"] == "rate"


def test_learning_curve_raises_hours_during_ramp() -> None:
    data = tiny_data()
    # 10 hours: learning makes the first periods' units cost more than 1 hour each
    data["lines"][0]["hours_per_period"] = 10
    data["lines"][0]["ramp_up"] = {
        "start": "2026-01-01",
        "pilot_rate": 100,
        "full_rate": 100,
        "ramp_periods": 2,
        "learning_rate": 0.8,
    }
    data["requirements"][0]["quantity"] = 40
    result = plan_data(data)
    made = production_by_period(result)
    assert made[M[0]] < 10 and made[M[1]] < 10  # hours per unit above 1 while learning
    assert made.get(M[2], 0) == 10 and made.get(M[3], 0) == 10  # mature: 1 hour per unit


def test_transport_lead_time_delays_delivery() -> None:
    data = tiny_data()
    data["lanes"][0]["lead_time"] = 1
    result = plan_data(data)
    assert delivered_by_period(result, "R1") == {M[1]: 50}
    assert [(s["depart_period"], s["arrive_period"]) for s in result.shipments] == [(M[0], M[1])]
    assert "transport to D1 takes 1 period" in result.requirement("R1")["cause"]


def test_stock_on_hand_serves_before_production() -> None:
    data = tiny_data()
    data["stock"] = [{"site": "S1", "item": "X", "quantity": 30}]
    result = plan_data(data)
    assert production_by_period(result) == {M[0]: 20}
    assert result.requirement("R1")["on_time"] == 50


def test_revision_changes_the_bom_from_its_period() -> None:
    data = tiny_data()
    data["components"].append({"id": "MOTOR2"})
    data["supply_offers"].append(
        {
            "id": "O2",
            "component": "MOTOR2",
            "supplier": "SUP",
            "ship_to": "S1",
            "lead_time": 0,
            "capacity_per_period": 1000,
            "unit_price": 1,
        }
    )
    data["designs"][0]["revisions"].append(
        {"revision": 2, "effective_from": "2026-02-01", "bom": [{"item": "MOTOR2", "qty": 2}]}
    )
    data["designs"][0]["holding_cost"] = 1  # so building just in time is the one optimum
    data["requirements"].append(
        {
            "id": "R2",
            "customer": "MOD",
            "destination": "D1",
            "item": "X",
            "quantity": 10,
            "due": "2026-03-01",
            "priority": 1,
        }
    )
    result = plan_data(data)
    bought = {(p["component"], p["order_period"]): p["quantity"] for p in result.purchases}
    assert bought == {("MOTOR", M[0]): 200, ("MOTOR2", M[2]): 20}


def test_variant_replaces_a_component() -> None:
    data = tiny_data()
    data["components"].append({"id": "RX2"})
    data["components"].append({"id": "RX1"})
    data["designs"][0]["revisions"][0]["bom"].append({"item": "RX1", "qty": 1})
    data["designs"][0]["variants"] = [{"id": "X-B2", "replace": [{"from": "RX1", "to": "RX2"}]}]
    for comp in ("RX1", "RX2"):
        data["supply_offers"].append(
            {
                "id": f"O-{comp}",
                "component": comp,
                "supplier": "SUP",
                "ship_to": "S1",
                "lead_time": 0,
                "capacity_per_period": 1000,
                "unit_price": 1,
            }
        )
    data["requirements"][0]["item"] = "X-B2"
    result = plan_data(data)
    bought = {p["component"]: p["quantity"] for p in result.purchases}
    assert bought == {"MOTOR": 200, "RX2": 50}


def test_minimum_order_is_respected_in_whole_units() -> None:
    data = tiny_data()
    data["supply_offers"][0]["min_order"] = 500
    data["requirements"][0]["quantity"] = 10
    result = plan_data(data)
    assert [p["quantity"] for p in result.purchases] == [500]
    motor_stock = [s for s in result.stock if s["item"] == "MOTOR" and s["period"] == M[0]]
    assert motor_stock[0]["quantity"] == pytest.approx(460)


def test_unreachable_demand_is_unmet_not_an_error() -> None:
    data = tiny_data()
    data["supply_offers"] = []
    result = plan_data(data)
    row = result.requirement("R1")
    assert row["unmet"] == 50 and row["status"] == "unmet"
    assert "no supply offer of MOTOR" in row["cause"]
