"""Sub-assemblies built on lines (issue 11): tiny programmes whose plan is worked out by hand.

The base (tests/programmes.py's tiny programme): design X (4 MOTOR + 1 FC) built on L1 at the
design authority's site S1 (1 hour, 100 hours a period), shipped to D1 at once; MOTOR and
CHIP bought at S1 (lead 0, ample). FC is an assembly: 1 CHIP. Without a routing it is a
phantom (exploded into its CHIP); with the routing FC@LA it is built on line LA (2 hours a
unit, so 10 a period on LA's 20 hours), cost 3, usable `lead` periods after its start.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from coprod.domain.changes import ChangeSet, apply_changes
from coprod.errors import ProgrammeInvalid
from coprod.generate import generate
from coprod.io import load_programme
from coprod.io.csv_format import write_csv_folder
from coprod.planning import Plan, PlanOptions, plan
from coprod.planning.promise import PromiseRequest, quote
from coprod.planning.replan import PlanningSession
from tests.plan_checks import check_plan, check_quote
from tests.programmes import delivered_by_period, load, plan_cross_checked, plan_data, tiny_data

JAN, FEB, MAR, APR = "2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"


def with_fc(routed: bool = True, lead: int = 1, quantity: int = 30, due: str = FEB) -> dict[str, Any]:
    d = tiny_data()
    d["components"] = [{"id": "MOTOR"}, {"id": "CHIP"}, {"id": "FC", "bom": [{"item": "CHIP", "qty": 1}]}]
    d["designs"][0]["revisions"][0]["bom"] = [{"item": "MOTOR", "qty": 4}, {"item": "FC", "qty": 1}]
    d["supply_offers"].append(
        {
            "id": "O2",
            "component": "CHIP",
            "supplier": "SUP",
            "ship_to": "S1",
            "lead_time": 0,
            "capacity_per_period": 100000,
            "unit_price": 5,
        }
    )
    if routed:
        d["lines"].append({"id": "LA", "site": "S1", "hours_per_period": 20})
        d["routings"].append(
            {"design": "FC", "line": "LA", "hours_per_unit": 2, "cost_per_unit": 3, "lead_time": lead}
        )
    d["requirements"][0].update(quantity=quantity, due=due)
    return d


def nested() -> dict[str, Any]:
    """FC of 1 IMU + 1 CHIP; IMU (1 CHIP) built on LB at 5 a period, lead 0; 10 X due in January."""
    d = with_fc(lead=0, quantity=10, due=JAN)
    d["components"].append({"id": "IMU", "bom": [{"item": "CHIP", "qty": 1}]})
    d["components"][2]["bom"] = [{"item": "IMU", "qty": 1}, {"item": "CHIP", "qty": 1}]
    d["lines"].append({"id": "LB", "site": "S1", "hours_per_period": 5})
    d["routings"].append({"design": "IMU", "line": "LB", "hours_per_unit": 1})
    return d


def builds(result: Plan) -> list[tuple[str, str, str, str, int]]:
    return [
        (r["item"], r["line"], r["period"], r["available"], r["quantity"]) for r in result.assembly_builds
    ]


def test_a_phantom_assembly_is_exploded_into_its_parts() -> None:
    # no routing for FC: X needs 4 MOTOR + 1 CHIP, built in February on L1, all on time
    result = plan_cross_checked(with_fc(routed=False))
    assert result.assembly_builds == []
    assert delivered_by_period(result, "R1") == {FEB: 30}
    assert sorted({r["component"] for r in result.purchases}) == ["CHIP", "MOTOR"]


def test_a_built_assembly_waits_for_its_lead_time_and_its_line() -> None:
    # LA makes 10 FC a period, each usable a period after its start: 10 FC by February (for
    # the 30 due then), 10 more in March and April. X follows the FC, one for one.
    result = plan_cross_checked(with_fc(lead=1))
    assert builds(result) == [
        ("FC", "LA", JAN, FEB, 10),
        ("FC", "LA", FEB, MAR, 10),
        ("FC", "LA", MAR, APR, 10),
    ]
    assert delivered_by_period(result, "R1") == {FEB: 10, MAR: 10, APR: 10}
    chips = sum(r["quantity"] for r in result.purchases if r["component"] == "CHIP")
    assert chips == 30  # the parts are bought for the assembly, never for X directly
    assert result.costs["production"] == pytest.approx(30 * 10 + 30 * 3)
    assert all(r["cost"] == 30.0 for r in result.assembly_builds)


def test_an_assembly_with_no_lead_time_is_used_in_the_period_it_is_built() -> None:
    # 10 FC in each of January and February make 20 X on time in February; 10 more in March
    result = plan_cross_checked(with_fc(lead=0))
    assert builds(result) == [
        ("FC", "LA", JAN, JAN, 10),
        ("FC", "LA", FEB, FEB, 10),
        ("FC", "LA", MAR, MAR, 10),
    ]
    assert delivered_by_period(result, "R1") == {FEB: 20, MAR: 10}


def test_a_line_building_both_shares_its_hours() -> None:
    # FC (2 h) and X (1 h) both on L1 with 30 hours: 3 hours per X, so 10 X a period.
    d = with_fc(lead=0, due=JAN)
    d["lines"] = [{"id": "L1", "site": "S1", "hours_per_period": 30}]
    d["routings"][1]["line"] = "L1"
    result = plan_cross_checked(d)
    assert delivered_by_period(result, "R1") == {JAN: 10, FEB: 10, MAR: 10}
    for period in (JAN, FEB, MAR):
        fc = sum(r["quantity"] for r in result.assembly_builds if r["period"] == period)
        x = sum(r["quantity"] for r in result.production if r["period"] == period)
        assert (fc, x) == (10, 10)


def test_an_assembly_built_at_one_site_reaches_another_by_a_transfer() -> None:
    # The design authority builds FC at S1; the licensee's S2 builds X on L2 and receives FC by
    # T12 (a period on the way, 10 a period on LA). FC leaves in Jan, Feb, Mar, X follows.
    d = with_fc(lead=0)
    d["sites"].append({"id": "S2", "partner": "MFG", "country": "GB"})
    d["lines"] = [
        {"id": "L2", "site": "S2", "hours_per_period": 100},
        {"id": "LA", "site": "S1", "hours_per_period": 20},
    ]
    d["routings"][0]["line"] = "L2"
    d["licences"] = [{"id": "LIC", "licensor": "DA", "licensee": "MFG", "design": "X", "valid_from": JAN}]
    d["supply_offers"][0]["ship_to"] = "S2"
    d["lanes"] = [
        {"id": "K2", "from_site": "S2", "to": "D1", "lead_time": 0, "cost_per_unit": 1},
        {"id": "T12", "from_site": "S1", "to": "S2", "lead_time": 1, "cost_per_unit": 2, "items": ["FC"]},
    ]
    result = plan_cross_checked(d)
    assert builds(result) == [
        ("FC", "LA", JAN, JAN, 10),
        ("FC", "LA", FEB, FEB, 10),
        ("FC", "LA", MAR, MAR, 10),
    ]
    moved = [(t["item"], t["ship_period"], t["arrive_period"], t["quantity"]) for t in result.transfers]
    assert moved == [("FC", JAN, FEB, 10), ("FC", FEB, MAR, 10), ("FC", MAR, APR, 10)]
    assert {r["site"] for r in result.production} == {"S2"}
    assert delivered_by_period(result, "R1") == {FEB: 10, MAR: 10, APR: 10}
    # the parts stay where the assembly is built: no CHIP goes to S2
    assert {(r["component"], r["site"]) for r in result.purchases} == {("CHIP", "S1"), ("MOTOR", "S2")}


def test_an_assembly_in_stock_is_used_before_any_is_built() -> None:
    d = with_fc(lead=1, due=JAN)
    d["stock"] = [{"site": "S1", "item": "FC", "quantity": 12}]
    result = plan_data(d)
    assert delivered_by_period(result, "R1") == {JAN: 12, FEB: 10, MAR: 8}
    assert sum(r["quantity"] for r in result.assembly_builds) == 18


def test_fractional_use_of_a_built_assembly_still_gives_whole_units() -> None:
    # 1 FC at a 90 % yield: 1.111 FC per X; every build, order and delivery in whole units
    d = with_fc(lead=0, quantity=25, due=JAN)
    d["designs"][0]["revisions"][0]["bom"][1]["yield"] = 0.9
    result = plan_data(d)  # check_plan: material, hours, whole units, costs
    assert sum(r["delivered"] for r in result.requirements) > 0
    assert all(isinstance(r["quantity"], int) for r in result.assembly_builds)


def test_nested_built_assemblies() -> None:
    # FC (1 IMU + 1 CHIP) built on LA; IMU (1 CHIP) built on LB, 5 a period, lead 0: X is
    # held to 5 a period by LB
    result = plan_data(nested())
    assert delivered_by_period(result, "R1") == {JAN: 5, FEB: 5}
    per_item = {
        i: sum(r["quantity"] for r in result.assembly_builds if r["item"] == i) for i in ("FC", "IMU")
    }
    assert per_item == {"FC": 10, "IMU": 10}
    assert sum(r["quantity"] for r in result.purchases if r["component"] == "CHIP") == 20


def test_routings_keep_their_lead_time_through_a_csv_folder(tmp_path: Any) -> None:
    programme = load(with_fc(lead=2))
    write_csv_folder(programme, tmp_path / "csv")
    again = load_programme(tmp_path / "csv")
    assert {(r.design, r.lead_time) for r in again.routings} == {("X", 0), ("FC", 2)}
    assert again.built_assemblies == frozenset({"FC"})


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"design": "MOTOR"}, "design", "purchased component"),
        ({"design": "NOPE"}, "design", "unknown design or assembly 'NOPE'"),
        ({"lead_time": 4}, "lead_time", "not shorter than the horizon"),
    ],
)
def test_a_bad_assembly_routing_is_named(change: dict[str, Any], field: str, words: str) -> None:
    d = with_fc()
    d["routings"][1].update(change)
    with pytest.raises(ProgrammeInvalid) as err:
        load(d)
    found = [p for p in err.value.problems if "routings" in p.record]
    assert found and found[0].field == field and words in found[0].message, err.value.problems
    assert "FC@LA" in found[0].record or "@LA" in found[0].record, found[0]


def test_a_design_routing_takes_no_lead_time() -> None:
    d = with_fc()
    d["routings"][0]["lead_time"] = 1
    with pytest.raises(ProgrammeInvalid) as err:
        load(d)
    assert any(p.field == "lead_time" and "built assemblies only" in p.message for p in err.value.problems)


def test_only_phantom_assemblies_are_refused_as_stock_offers_and_lane_items() -> None:
    d = with_fc(routed=False)
    d["stock"] = [{"site": "S1", "item": "FC", "quantity": 1}]
    with pytest.raises(ProgrammeInvalid) as err:
        load(d)
    assert any("phantom assembly" in p.message for p in err.value.problems)
    d = with_fc()
    d["stock"] = [{"site": "S1", "item": "FC", "quantity": 1}]
    assert load(d).built_assemblies == {"FC"}


def first_plan(data: dict[str, Any]) -> Plan:
    programme = load(data)
    result = plan(programme, PlanOptions(first_only=True))
    check_plan(programme, result)  # every limit: hours shared, assembly lead time, material
    assert result.state == "first"
    return result


@pytest.mark.parametrize(
    ("lead", "due", "expected"),
    [(1, FEB, {FEB: 10, MAR: 10, APR: 10}), (0, JAN, {JAN: 10, FEB: 10, MAR: 10})],
)
def test_the_first_plan_builds_the_assemblies_its_production_needs(
    lead: int, due: str, expected: dict[str, int]
) -> None:
    # as the LP: 10 FC a period on LA, each X waits for its FC
    result = first_plan(with_fc(lead=lead, due=due))
    assert delivered_by_period(result, "R1") == expected
    assert sum(r["quantity"] for r in result.assembly_builds) == 30


def test_the_first_plan_of_nested_assemblies_keeps_every_limit() -> None:
    result = first_plan(nested())
    assert delivered_by_period(result, "R1") == {JAN: 5, FEB: 5}


@pytest.mark.parametrize(("seed", "periods"), [(0, 12), (1, 26), (2, 20), (3, 26), (5, 16)])
def test_generated_programmes_with_built_assemblies_keep_every_limit(seed: int, periods: int) -> None:
    # the assembly line at S00 feeds every other site by lanes: both plans keep every limit,
    # the first plan is the heuristic's own, and the optimum is never worse than it
    programme = generate("S", seed, periods=periods, built_assemblies=True)
    assert programme.built_assemblies
    quick = plan(programme, PlanOptions(first_only=True))
    check_plan(programme, quick)
    assert quick.state == "first"
    best = plan(programme, PlanOptions(resolution="exact"))
    check_plan(programme, best)
    assert best.assembly_builds, "the assemblies are built on their line"
    assert best.service_term <= quick.service_term + 1e-6 * max(1.0, quick.service_term)
    # what the other sites build with comes from S00 by the assembly lanes
    built = programme.built_assemblies
    moved = {t["item"] for t in best.transfers if t["item"] in built}
    used_away = {r["site"] for r in best.production} - {"S00"}
    assert not used_away or moved


@pytest.mark.parametrize(("seed", "periods", "site_lanes"), [(7, 8, False), (4, 5, True)])
def test_generated_m_programmes_with_built_assemblies_round_to_whole_units(
    seed: int, periods: int, site_lanes: bool
) -> None:
    # Ten sites draw on one assembly line at S00 by transfers. Rounding every build at once
    # left S00 short of the units its transfers carried (a fraction of an assembly rounded
    # down, or a product rounded up elsewhere), and the re-solve with production fixed was
    # infeasible: `coprod plan` exited 2. Rounded level by level (assemblies, then the
    # products against the whole assemblies there), the plan keeps every limit.
    programme = generate("M", seed, periods=periods, site_lanes=site_lanes, built_assemblies=True)
    best = plan(programme)
    check_plan(programme, best)
    assert best.assembly_builds
    assert {t["item"] for t in best.transfers} & programme.built_assemblies
    quick = plan(programme, PlanOptions(first_only=True))
    assert best.service_term <= quick.service_term + 1e-6 * max(1.0, quick.service_term)


def test_built_assemblies_on_coarse_far_buckets_keep_every_limit() -> None:
    # aggregated buckets: an assembly started in a bucket is usable from the first bucket
    # that starts its lead time after the bucket's end, as an order is
    programme = generate("S", 7, periods=80, built_assemblies=True)
    result = plan(programme, PlanOptions(resolution="aggregated"))
    assert result.resolution["used"] == "aggregated"
    check_plan(programme, result)
    assert result.assembly_builds


@pytest.mark.parametrize("fold_supply", [True, False])
def test_a_re_plan_holds_the_assembly_builds_of_the_frozen_periods(fold_supply: bool) -> None:
    # FC and X cost 1 a period to hold, so the optimum builds as late as it can: for 30 X due
    # in February, 10 FC in each of January, February and March. With R1 cut to 10, a free
    # re-plan builds the 10 FC in February; a fence on January keeps its 10 and builds none.
    d = with_fc(lead=0)
    d["components"][2]["holding_cost"] = 1.0
    d["designs"][0]["holding_cost"] = 1.0
    programme = load(d)
    session = PlanningSession(programme, PlanOptions(fold_supply=fold_supply))
    base = session.plan
    assert builds(base) == [
        ("FC", "LA", JAN, JAN, 10),
        ("FC", "LA", FEB, FEB, 10),
        ("FC", "LA", MAR, MAR, 10),
    ]
    cut = ChangeSet.model_validate(
        {"changes": [{"type": "requirement_quantity", "requirement": "R1", "quantity": 10}]}
    )
    free = PlanningSession(programme, PlanOptions(fold_supply=fold_supply)).replan(cut)
    assert builds(free) == [("FC", "LA", FEB, FEB, 10)]
    held = session.replan(cut, frozen=1)
    assert builds(held) == [("FC", "LA", JAN, JAN, 10)]
    assert delivered_by_period(held, "R1") == {FEB: 10}
    check_plan(apply_changes(programme, cut), held)


def test_a_promise_waits_for_the_assembly_line() -> None:
    # LA makes 15 FC a period, usable a period later: R1's 30 due in February gets the 15
    # started in January on time. A new 10 due in February can have FC started in February
    # at the earliest (R1's on-time units are kept), so it is quoted from March on.
    d = with_fc(lead=1)
    d["lines"][1]["hours_per_period"] = 30
    p = load(d)
    base = plan(p)
    assert delivered_by_period(base, "R1")[FEB] == 15
    q = quote(p, base, PromiseRequest(item="X", quantity=10, destination="D1", due=dt.date(2026, 2, 1)))
    check_quote(p, base, q)
    schedule = {s["period"]: s["quantity"] for s in q["quote"]["schedule"]}
    assert sum(schedule.values()) == 10
    assert min(schedule) >= MAR
    assert q["_plan"].assembly_builds


def test_a_controlled_assembly_is_built_and_sent_only_where_allowed() -> None:
    # S1's L1 makes 10 X a period; the licensee's S2 could make more (L2), with FC built on
    # its own line L2F or sent from S1 on T12. Free, S2 helps; with FC for the design
    # authority only, S2 may neither build nor receive FC, so X comes from S1 alone.
    def data(controlled: bool) -> dict[str, Any]:
        d = with_fc(lead=0, due=JAN)
        d["lines"][0]["hours_per_period"] = 10
        if controlled:
            d["components"][2]["export_control"] = {"classification": "ML11", "partners": ["DA"]}
        d["sites"].append({"id": "S2", "partner": "MFG", "country": "GB"})
        d["lines"] += [
            {"id": "L2", "site": "S2", "hours_per_period": 100},
            {"id": "L2F", "site": "S2", "hours_per_period": 100},
        ]
        d["routings"] += [
            {"design": "X", "line": "L2", "hours_per_unit": 1},
            {"design": "FC", "line": "L2F", "hours_per_unit": 1},
        ]
        d["licences"] = [{"id": "LIC", "licensor": "DA", "licensee": "MFG", "design": "X", "valid_from": JAN}]
        for o in list(d["supply_offers"]):
            d["supply_offers"].append({**o, "id": o["id"] + "-S2", "ship_to": "S2"})
        d["lanes"] += [
            {"id": "K2", "from_site": "S2", "to": "D1", "lead_time": 0},
            {"id": "T12", "from_site": "S1", "to": "S2", "lead_time": 0, "items": ["FC"]},
        ]
        return d

    free = plan_data(data(False))
    assert "S2" in {r["site"] for r in free.production}
    assert delivered_by_period(free, "R1") == {JAN: 30}
    held = plan_data(data(True))  # check_plan checks no controlled flow reaches S2
    assert {r["site"] for r in held.assembly_builds} == {"S1"}
    assert {r["site"] for r in held.production} == {"S1"}
    assert all(t["item"] != "FC" for t in held.transfers)
    assert delivered_by_period(held, "R1") == {JAN: 10, FEB: 10, MAR: 10}
