"""Transfers between sites (issue 11): tiny programmes whose plan is worked out by hand.

The base: the design authority's site S1 (UA) buys MOTOR at 1 a unit (lead 0, ample); the
licensee's site S2 (GB) builds X (1 MOTOR, 1 hour, cost 10) on L2 and ships to D1 (lead 0,
cost 1). S1 builds nothing, so S2's motors can only come by the lane T12 (S1 -> S2).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from coprod.access import Principal, Role
from coprod.app.plan_view import scope_plan
from coprod.errors import Problem, ProgrammeInvalid
from coprod.io import load_programme
from coprod.io.csv_format import write_csv_folder
from coprod.planning import Plan, plan
from coprod.planning.diff import diff_plans
from coprod.planning.pegging import peg_all
from tests.programmes import delivered_by_period, load, plan_cross_checked, plan_data, tiny_data

JAN, FEB, MAR, APR = "2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"


def two_sites(lead: int = 1, capacity: int | None = 10, quantity: int = 30, due: str = FEB) -> dict[str, Any]:
    d = tiny_data()
    d["sites"].append({"id": "S2", "partner": "MFG", "country": "GB"})
    d["lines"] = [{"id": "L2", "site": "S2", "hours_per_period": 100}]
    d["routings"] = [{"design": "X", "line": "L2", "hours_per_unit": 1, "cost_per_unit": 10}]
    d["licences"] = [{"id": "LIC", "licensor": "DA", "licensee": "MFG", "design": "X", "valid_from": JAN}]
    d["designs"][0]["revisions"][0]["bom"] = [{"item": "MOTOR", "qty": 1}]
    lane: dict[str, Any] = {"id": "T12", "from_site": "S1", "to": "S2", "lead_time": lead, "cost_per_unit": 2}
    if capacity is not None:
        lane["capacity_per_period"] = capacity
    d["lanes"] = [{"id": "K2", "from_site": "S2", "to": "D1", "lead_time": 0, "cost_per_unit": 1}, lane]
    d["requirements"][0].update(quantity=quantity, due=due)
    return d


def moves(result: Plan) -> list[tuple[str, str, str, str, int]]:
    return [
        (t["item"], t["lane"], t["ship_period"], t["arrive_period"], t["quantity"]) for t in result.transfers
    ]


def test_component_bought_at_one_site_is_transferred_to_the_site_that_builds() -> None:
    # 30 X due in February; 10 motors a period on T12, a period on the way: 10 leave in each
    # of Jan, Feb, Mar, S2 builds 10 in each of Feb, Mar, Apr, delivered at once (lead 0).
    result = plan_cross_checked(two_sites())
    assert moves(result) == [
        ("MOTOR", "T12", JAN, FEB, 10),
        ("MOTOR", "T12", FEB, MAR, 10),
        ("MOTOR", "T12", MAR, APR, 10),
    ]
    assert delivered_by_period(result, "R1") == {FEB: 10, MAR: 10, APR: 10}
    assert {t["from_site"] for t in result.transfers} == {"S1"}
    assert {t["to_site"] for t in result.transfers} == {"S2"}
    assert all(t["cost"] == 20.0 for t in result.transfers)
    assert sum(p["quantity"] for p in result.purchases if p["site"] == "S1") == 30
    # transport = 30 x 2 on the transfer lane + 30 x 1 to the destination
    assert result.costs["transport"] == pytest.approx(90.0)


def test_a_binding_lane_capacity_is_named_as_the_limit() -> None:
    result = plan_data(two_sites())
    lane_rows = [b for b in result.bottlenecks if b["constraint"] == "lane_capacity"]
    assert lane_rows and lane_rows[0]["entity"] == "T12"
    assert lane_rows[0]["subject"].startswith("lane T12 (S1 -> S2) capacity")
    assert result.bottlenecks[0]["constraint"] == "lane_capacity"  # the only limit that binds
    assert "lane T12 (S1 -> S2) capacity" in result.requirement("R1")["cause"]


def test_without_a_lane_limit_everything_moves_in_the_first_period() -> None:
    # one transfer of 30 in January, built and delivered in February: on time
    result = plan_data(two_sites(capacity=None))
    assert moves(result) == [("MOTOR", "T12", JAN, FEB, 30)]
    assert delivered_by_period(result, "R1") == {FEB: 30}
    assert not [b for b in result.bottlenecks if b["constraint"] == "lane_capacity"]


def test_nothing_is_sent_that_would_still_be_in_transit_at_the_horizon() -> None:
    # lead 2 in a four-period horizon: only January and February departures arrive (March,
    # April); 10 each, so of 30 due in March 10 are on time, 10 a period late, 10 unmet.
    result = plan_data(two_sites(lead=2, due=MAR))
    assert moves(result) == [("MOTOR", "T12", JAN, MAR, 10), ("MOTOR", "T12", FEB, APR, 10)]
    row = result.requirement("R1")
    assert (row["on_time"], row["late"], row["unmet"]) == (10, 10, 10)
    # the units on the lane are at neither site: S1 buys just in time, S2 uses on arrival
    assert not [s for s in result.stock if s["item"] == "MOTOR"]


def test_stock_at_the_sending_site_is_used_before_buying() -> None:
    d = two_sites(capacity=None)
    d["stock"] = [{"site": "S1", "item": "MOTOR", "quantity": 20}]
    result = plan_data(d)
    assert moves(result) == [("MOTOR", "T12", JAN, FEB, 30)]
    assert sum(p["quantity"] for p in result.purchases) == 10


def finished_units_by_transfer() -> dict[str, Any]:
    """X is built at the design authority's S1 (owner, no licence), moved to S2 by T12 (lead
    1) and shipped from S2 to D1: S1 has no lane to D1."""
    d = two_sites(capacity=None, quantity=20)
    d["sites"][0]["id"] = "S1"
    d["lines"] = [{"id": "L1", "site": "S1", "hours_per_period": 100}]
    d["routings"] = [{"design": "X", "line": "L1", "hours_per_unit": 1, "cost_per_unit": 10}]
    d["licences"] = []
    return d


def test_finished_units_are_transferred_and_shipped_on() -> None:
    # built in January at S1, on T12 in January, at S2 in February, delivered in February
    result = plan_cross_checked(finished_units_by_transfer())
    assert moves(result) == [("X", "T12", JAN, FEB, 20)]
    assert [(r["site"], r["period"], r["quantity"]) for r in result.production] == [("S1", JAN, 20)]
    assert [(s["from_site"], s["depart_period"], s["quantity"]) for s in result.shipments] == [
        ("S2", FEB, 20)
    ]
    assert result.requirement("R1")["status"] == "on_time"
    # pegging follows the units back through the transfer to the line that made them
    p = load(finished_units_by_transfer())
    pegs = peg_all(p, result.production, result.shipments, result.deliveries, None, result.transfers)
    assert pegs["R1"] == [
        {
            "delivered": FEB,
            "quantity": 20,
            "from_site": "S1",
            "line": "L1",
            "made": JAN,
            "departed": FEB,
            "lane": "K2",
            "via": "T12",
        }
    ]


def test_a_controlled_design_is_never_transferred_to_a_site_not_allowed() -> None:
    d = finished_units_by_transfer()
    d["designs"][0]["export_control"] = {"classification": "ML11", "partners": ["DA"]}
    result = plan_data(d)  # check_plan asserts no controlled flow reaches a partner not allowed
    assert result.transfers == []
    assert result.requirement("R1")["unmet"] == 20


def relay(controlled: bool) -> dict[str, Any]:
    """Motors can reach S3 (UA) from S1 directly (lead 1, cost 5) or through S2 (GB) at no
    cost and no lead time; MOTOR is controlled to UA when `controlled`."""
    d = two_sites(capacity=None, quantity=10, due=JAN)
    d["partners"].append({"id": "UAMFG", "country": "UA", "role": "manufacturer"})
    d["sites"].append({"id": "S3", "partner": "UAMFG", "country": "UA"})
    d["lines"] = [{"id": "L3", "site": "S3", "hours_per_period": 100}]
    d["routings"] = [{"design": "X", "line": "L3", "hours_per_unit": 1, "cost_per_unit": 10}]
    d["licences"][0]["licensee"] = "UAMFG"
    d["lanes"] = [
        {"id": "K3", "from_site": "S3", "to": "D1", "lead_time": 0, "cost_per_unit": 1},
        {"id": "T12", "from_site": "S1", "to": "S2", "lead_time": 0},
        {"id": "T23", "from_site": "S2", "to": "S3", "lead_time": 0},
        {"id": "T13", "from_site": "S1", "to": "S3", "lead_time": 1, "cost_per_unit": 5},
    ]
    if controlled:
        d["components"][0]["export_control"] = {"classification": "5A002", "countries": ["UA"]}
    return d


def test_a_chain_of_lanes_relays_components() -> None:
    result = plan_data(relay(controlled=False))
    assert moves(result) == [("MOTOR", "T12", JAN, JAN, 10), ("MOTOR", "T23", JAN, JAN, 10)]
    assert result.requirement("R1")["status"] == "on_time"


def test_export_control_keeps_a_controlled_component_off_a_relay_site() -> None:
    # S2 (GB) may not receive MOTOR: the direct lane, a period later, is the only way
    result = plan_data(relay(controlled=True))
    assert moves(result) == [("MOTOR", "T13", JAN, FEB, 10)]
    assert delivered_by_period(result, "R1") == {FEB: 10}


def test_lane_items_limit_what_a_lane_carries() -> None:
    d = two_sites(capacity=None)
    d["components"].append({"id": "RADIO"})
    d["lanes"][1]["items"] = ["RADIO"]
    result = plan_data(d)
    assert result.transfers == [] and result.requirement("R1")["unmet"] == 30


def test_a_site_planner_sees_transfers_from_or_to_its_own_sites_only() -> None:
    d = two_sites()
    d["partners"].append({"id": "OTHER", "country": "PL", "role": "manufacturer"})
    d["sites"].append({"id": "S9", "partner": "OTHER", "country": "PL"})
    result = plan_data(d).to_dict()
    p = load(d)
    for partner, count in (("MFG", 3), ("DA", 3), ("OTHER", 0)):
        seen = scope_plan(result, Principal("u", partner, Role.SITE_PLANNER), p)
        assert len(seen["transfers"]) == count, partner
    assert scope_plan(result, Principal("c", "MOD", Role.CUSTOMER), p)["transfers"] == []


def test_plan_diff_names_moved_transfers() -> None:
    before = plan_data(two_sites())
    after = plan_data(two_sites(capacity=None))
    moved = diff_plans(before, after)
    rows = {(r["lane"], r["item"], r["ship_period"]): r["change"] for r in moved["transfers"]}
    assert rows == {("T12", "MOTOR", JAN): 20, ("T12", "MOTOR", FEB): -10, ("T12", "MOTOR", MAR): -10}
    assert moved["churn"]["transfers"]["units"] == 40


def test_a_lane_to_a_site_reads_back_from_csv(tmp_path: Path) -> None:
    d = two_sites()
    d["lanes"][1]["items"] = ["MOTOR"]
    p = load(d)
    write_csv_folder(p, tmp_path / "csv")
    again = load_programme(tmp_path / "csv")
    assert again.lanes == p.lanes
    assert again.lanes[1].items == ("MOTOR",) and again.lanes[1].capacity_per_period == 10


def problems(data: dict[str, Any]) -> dict[tuple[str, str], str]:
    with pytest.raises(ProgrammeInvalid) as info:
        load(data)
    found: list[Problem] = info.value.problems
    return {(x.record, x.field): x.message for x in found}


def test_bad_lanes_name_record_and_field() -> None:
    d = two_sites()
    d["lanes"] += [
        {"id": "BAD1", "from_site": "S1", "to": "S7", "lead_time": 0},
        {"id": "BAD2", "from_site": "S2", "to": "S2", "lead_time": 0},
        {"id": "BAD3", "from_site": "S1", "to": "S2", "lead_time": -1},
        {"id": "BAD4", "from_site": "S1", "to": "S2", "lead_time": 0, "items": ["NOPE"]},
        {"id": "BAD5", "from_site": "S2", "to": "D1", "lead_time": 0, "items": ["MOTOR"]},
        {"id": "BAD6", "from_site": "S1", "to": "S2", "lead_time": 0, "capacity_per_period": -3},
    ]
    found = problems(d)
    assert found[("lanes[2] (BAD1)", "to")] == "unknown site or destination 'S7'"
    assert found[("lanes[3] (BAD2)", "to")] == "a lane from site 'S2' to itself"
    assert "at least 0" in found[("lanes[4] (BAD3)", "lead_time")]
    assert found[("lanes[5] (BAD4)", "items")] == "unknown item 'NOPE'"
    assert "only sites receive components" in found[("lanes[6] (BAD5)", "items")]
    assert "at least 0" in found[("lanes[7] (BAD6)", "capacity_per_period")]


def test_a_frozen_re_plan_holds_the_transfers_already_decided() -> None:
    from coprod.domain.changes import ChangeSet, apply_changes
    from coprod.planning.replan import PlanningSession
    from tests.plan_checks import check_plan

    d = two_sites(capacity=None)
    d["components"][0]["holding_cost"] = 1.0
    d["designs"][0]["holding_cost"] = 1.0
    programme = load(d)
    later = ChangeSet.model_validate(
        {"changes": [{"type": "requirement_due", "requirement": "R1", "due": APR}]}
    )
    # due in April, motors are bought and sent in March (nothing held); with January
    # frozen, January's transfer of 30 stays and S2 holds the motors until it builds
    free = PlanningSession(programme).replan(later)
    assert moves(free) == [("MOTOR", "T12", MAR, APR, 30)]
    held = PlanningSession(programme).replan(later, frozen=1)
    assert moves(held)[0] == ("MOTOR", "T12", JAN, FEB, 30)
    assert held.requirement("R1")["status"] == "on_time"
    check_plan(apply_changes(programme, later), held)


def test_the_example_design_authority_supplies_flight_controllers_by_transfer() -> None:
    from tests.plan_checks import check_plan

    example = Path(__file__).parents[2] / "examples" / "uk-ua-interceptors.yaml"
    programme = load_programme(example)
    result = plan(programme)
    check_plan(programme, result)
    to_licensees = {(t["to_site"], t["item"]) for t in result.transfers}
    # the licensees' flight controllers come from the Kyiv plant: there is no offer to them
    assert ("UK-MIDLANDS", "FC-H7R2") in to_licensees and ("NO-RAUFOSS", "FC-F7") in to_licensees
    assert {t["from_site"] for t in result.transfers} == {"UA-KYIV"}
    assert not [
        o for o in programme.supply_offers if o.component.startswith("FC-") and o.ship_to[:3] != "UA-"
    ]
    # FC-H7 is on the lanes' item lists, but export control keeps it in Ukraine
    assert not [t for t in result.transfers if t["item"] == "FC-H7"]
    assert not [p for p in result.purchases if p["component"] == "FC-H7" and p["site"] == "UK-MIDLANDS"]


def test_a_transfer_the_receivers_own_ample_offer_beats_is_left_out_of_the_lp() -> None:
    # S2 gets its own motor offer, as cheap and as fast as S1's, with room for all it could
    # ever build: a transfer (2 a unit, a period on the way) can never be worth it, so the LP
    # has no transfer column and the plan is the one without the lane
    d = two_sites(capacity=None)
    d["supply_offers"].append(dict(d["supply_offers"][0], id="O2", ship_to="S2"))
    with_lane = plan_data(d)
    assert with_lane.transfers == []
    d["lanes"] = d["lanes"][:1]
    without = plan_data(d)
    assert with_lane.lp == without.lp and with_lane.objective == pytest.approx(without.objective)
    assert delivered_by_period(with_lane, "R1") == {FEB: 30}


def test_the_summary_says_what_moved_between_sites() -> None:
    from coprod.report.summary import summary_markdown

    text = summary_markdown(plan_data(two_sites()))
    assert "## Transfers between sites" in text and "- S1 -> S2: 30 units" in text


def test_a_late_cause_follows_supply_over_two_transfers() -> None:
    # MOTOR is bought at S1 only; X is built at S3, reached by S1 -> S2 -> S3 (a period each):
    # 30 X due in January can come in March at the earliest, and the cause says so
    d = two_sites(lead=1, capacity=None, due=JAN)
    d["sites"].append({"id": "S3", "partner": "MFG", "country": "GB"})
    d["lines"] = [{"id": "L3", "site": "S3", "hours_per_period": 100}]
    d["routings"][0]["line"] = "L3"
    d["lanes"] = [
        {"id": "K3", "from_site": "S3", "to": "D1", "lead_time": 0},
        {"id": "T12", "from_site": "S1", "to": "S2", "lead_time": 1},
        {"id": "T23", "from_site": "S2", "to": "S3", "lead_time": 1},
    ]
    result = plan_data(d)
    assert delivered_by_period(result, "R1") == {MAR: 30}
    cause = result.requirement("R1")["cause"]
    assert "MOTOR reaches S3 at the earliest in 2026-03-01 (lead time 2)" in cause, cause
