"""Money in the partners' currencies (issue 11): tiny programmes whose plan is worked out by hand.

Rates are programme-currency (EUR) units per unit of the currency, each in force until the
next; every price is converted at the rate of the period it is paid in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from coprod.errors import ProgrammeInvalid
from tests.programmes import load, tiny_data, tiny_licence
from tests.programmes import plan_cross_checked as plan_data

M = ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"]
NOK = [
    {"currency": "NOK", "valid_from": "2026-01-01", "rate": 0.08},
    {"currency": "NOK", "valid_from": "2026-03-01", "rate": 0.12},
]


def _monthly_demand(data: dict[str, Any]) -> None:
    """50 units of X due in every month; holding dearer than any saving from buying early."""
    req = data["requirements"][0]
    data["requirements"] = [{**req, "id": f"R{t}", "due": M[t]} for t in range(4)]
    data["components"][0]["holding_cost"] = 0.5
    data["designs"][0]["holding_cost"] = 10


def _nok_offer(data: dict[str, Any]) -> dict[str, Any]:
    """O2: the same as O1 at NOK 10 a unit."""
    return {**data["supply_offers"][0], "id": "O2", "unit_price": 10, "currency": "NOK"}


def test_the_offer_cheaper_in_each_period_is_bought() -> None:
    # O1 costs EUR 1.00; O2 costs NOK 10, i.e. EUR 0.80 in Jan-Feb and EUR 1.20 from March.
    # Buying O2 in February for March would cost 0.80 + 0.50 holding > 1.00: no stockpiling.
    data = tiny_data()
    _monthly_demand(data)
    data["exchange_rates"] = NOK
    data["supply_offers"].append(_nok_offer(data))
    result = plan_data(data)
    bought = {(r["offer"], r["order_period"]): r["quantity"] for r in result.purchases}
    assert bought == {("O2", M[0]): 200, ("O2", M[1]): 200, ("O1", M[2]): 200, ("O1", M[3]): 200}
    nok = [r for r in result.purchases if r["offer"] == "O2"]
    assert {(r["currency"], r["cost_in_currency"], r["cost"]) for r in nok} == {("NOK", 2000.0, 160.0)}
    eur = [r for r in result.purchases if r["offer"] == "O1"]
    assert {(r["currency"], r["cost_in_currency"], r["cost"]) for r in eur} == {("EUR", 200.0, 200.0)}
    assert result.costs["purchases"] == pytest.approx(2 * 160 + 2 * 200)


def test_a_cheaper_foreign_offer_is_not_folded_away() -> None:
    # O2 in NOK is cheaper than O1 only part of the time: neither dominates, both stay in the LP
    # (were O1 folded as "ample", the plan could not buy O2 in January).
    data = tiny_data()
    _monthly_demand(data)
    data["exchange_rates"] = NOK
    data["supply_offers"].append(_nok_offer(data))
    data["supply_offers"][0]["unit_price"] = 0.9  # EUR 0.90: cheaper than O2 only from March
    result = plan_data(data)
    bought = {(r["offer"], r["order_period"]) for r in result.purchases}
    assert bought == {("O2", M[0]), ("O2", M[1]), ("O1", M[2]), ("O1", M[3])}


def test_a_single_rate_offer_that_always_wins_is_folded_at_its_converted_price() -> None:
    # NOK at a single rate 0.05: O2 = EUR 0.50 every month, cheaper than O1 always: folded.
    data = tiny_data()
    data["exchange_rates"] = [{"currency": "NOK", "valid_from": "2025-12-01", "rate": 0.05}]
    data["supply_offers"].append(_nok_offer(data))
    result = plan_data(data)
    assert [(r["offer"], r["quantity"], r["cost"], r["currency"]) for r in result.purchases] == [
        ("O2", 200, 100.0, "NOK")
    ]
    assert result.costs["purchases"] == pytest.approx(100.0)


def test_royalty_in_gbp_and_routing_cost_in_nok_converted_per_period() -> None:
    # The licensee MFG builds 50 a month. Royalty GBP 5 at 1.20 (Jan-Feb) and 1.10 (Mar-Apr):
    # 100 x 6.00 + 100 x 5.50 = 1150. Routing NOK 100 at 0.08 then 0.12: 100 x 8 + 100 x 12.
    data = tiny_data()
    _monthly_demand(data)
    data["sites"][0]["partner"] = "MFG"
    data["exchange_rates"] = [
        *NOK,
        {"currency": "GBP", "valid_from": "2026-01-01", "rate": 1.2},
        {"currency": "GBP", "valid_from": "2026-03-01", "rate": 1.1},
    ]
    data["licences"] = [tiny_licence(royalty_per_unit=5, currency="GBP")]
    data["routings"][0].update(cost_per_unit=100, currency="NOK")
    result = plan_data(data)
    assert {r["period"]: r["quantity"] for r in result.production} == dict.fromkeys(M, 50)
    assert result.costs["royalties"] == pytest.approx(1150)
    assert result.costs["production"] == pytest.approx(2000)


def test_lane_cost_in_a_foreign_currency() -> None:
    data = tiny_data()
    data["exchange_rates"] = [{"currency": "UAH", "valid_from": "2026-01-01", "rate": 0.02}]
    data["lanes"][0].update(cost_per_unit=100, currency="UAH")  # EUR 2 a unit
    result = plan_data(data)
    assert result.costs["transport"] == pytest.approx(50 * 2)


def _problems(data: dict[str, Any]) -> dict[tuple[str, str], str]:
    with pytest.raises(ProgrammeInvalid) as info:
        load(data)
    return {(p.record, p.field): p.message for p in info.value.problems}


def test_a_currency_without_a_rate_names_the_record_and_field() -> None:
    data = tiny_data()
    data["supply_offers"][0]["currency"] = "NOK"
    data["exchange_rates"] = [{"currency": "NOK", "valid_from": "2026-02-01", "rate": 0.08}]
    data["lanes"][0]["currency"] = "GBP"
    data["partners"][1]["currency"] = "GBP"
    found = _problems(data)
    assert found == {
        ("supply_offers[0] (O1)", "currency"): (
            "the first NOK rate is from 2026-02-01, after the horizon start 2026-01-01"
        ),
        ("lanes[0] (K1)", "currency"): "no exchange rate for GBP (exchange_rates)",
        ("partners[1] (MFG)", "currency"): "no exchange rate for GBP (exchange_rates)",
    }


def test_bad_rates_are_errors() -> None:
    data = tiny_data()
    data["exchange_rates"] = [
        {"currency": "NOK", "valid_from": "2026-01-01", "rate": 0.08},
        {"currency": "NOK", "valid_from": "2026-01-01", "rate": 0.09},
        {"currency": "EUR", "valid_from": "2026-01-01", "rate": 1},
    ]
    found = _problems(data)
    assert found[("exchange_rates[1] (NOK@2026-01-01)", "valid_from")] == "a second NOK rate from 2026-01-01"
    assert "programme currency" in found[("exchange_rates[2] (EUR@2026-01-01)", "currency")]
    data["exchange_rates"] = [{"currency": "nok", "valid_from": "2026-01-01", "rate": 0}]
    found = _problems(data)
    assert found == {
        ("exchange_rates[0] (nok@2026-01-01)", "currency"): (
            "must be a currency code of three capital letters, such as NOK (got 'nok')"
        ),
        ("exchange_rates[0] (nok@2026-01-01)", "rate"): "must be more than 0 (got 0)",
    }


def _priced_tiny() -> dict[str, Any]:
    data = tiny_data()
    data["exchange_rates"] = NOK
    data["supply_offers"].append(_nok_offer(data))
    data["partners"][2]["currency"] = "NOK"
    data["lanes"][0]["currency"] = "NOK"
    return data


def test_currencies_survive_yaml_csv_and_workbook(tmp_path: Path) -> None:
    from coprod.io import load_programme, write_programme
    from coprod.io.workbook import programme_from_workbook, programme_workbook

    original = load(_priced_tiny())
    write_programme(original, tmp_path / "csv", "csv")
    assert (tmp_path / "csv" / "exchange_rates.csv").read_text().splitlines() == [
        "currency,valid_from,rate",
        "NOK,2026-01-01,0.08",
        "NOK,2026-03-01,0.12",
    ]
    assert load_programme(tmp_path / "csv") == original
    write_programme(original, tmp_path / "p.yaml", "yaml")
    assert load_programme(tmp_path / "p.yaml") == original
    assert programme_from_workbook(programme_workbook(original)) == original


def test_a_bad_rate_in_csv_names_file_row_and_column(tmp_path: Path) -> None:
    from coprod.io import load_programme, write_programme

    write_programme(load(_priced_tiny()), tmp_path / "csv", "csv")
    rates = tmp_path / "csv" / "exchange_rates.csv"
    rates.write_text("currency,valid_from,rate\nNOK,2026-01-01,0.08\nNOK,2026-03-01,-0.1\n")
    with pytest.raises(ProgrammeInvalid) as info:
        load_programme(tmp_path / "csv")
    [p] = info.value.problems
    assert (p.file, p.record, p.field) == (str(rates), "row 3 (NOK@2026-03-01)", "rate")
    rates.write_text("currency,valid_from,rate\nNOK,2026-02-01,0.08\n")  # none at the start
    with pytest.raises(ProgrammeInvalid) as info:
        load_programme(tmp_path / "csv")
    found = {(Path(p.file).name, p.record, p.field) for p in info.value.problems}
    assert found == {
        ("supply_offers.csv", "row 3 (O2)", "currency"),
        ("partners.csv", "row 4 (SUP)", "currency"),
        ("lanes.csv", "row 2 (K1)", "currency"),
    }


def test_the_schema_describes_currencies_and_rates() -> None:
    import json

    from coprod.app.programmes import file_schema

    text = file_schema()
    assert "exchange_rates" in json.loads(text)["properties"]
    assert "ISO 4217 currency code" in text and "^[A-Z]{3}$" in text


def test_an_aggregated_bucket_pays_at_the_rate_in_force_at_its_start() -> None:
    # 21 weeks planned aggregated: weeks 0-12 single, then buckets of weeks 13-16 and 17-20.
    # Due in week 17: the motors are ordered in the bucket of weeks 13-16 (an order counts as
    # arrived from the first bucket starting after its bucket ends). NOK goes from 0.08 to
    # 0.12 in week 14, inside that bucket: the bucket pays the week-13 rate, 200 x 10 x 0.08.
    data = tiny_data()
    data["calendar"] = {"start": "2026-01-01", "periods": 21, "granularity": "week"}
    data["exchange_rates"] = [
        {"currency": "NOK", "valid_from": "2026-01-01", "rate": 0.08},
        {"currency": "NOK", "valid_from": "2026-04-09", "rate": 0.12},  # week 14
    ]
    data["supply_offers"][0].update(unit_price=10, currency="NOK")
    data["components"][0]["holding_cost"] = 0.5
    data["designs"][0]["holding_cost"] = 10
    data["requirements"][0]["due"] = "2026-04-30"  # week 17
    result = plan_data(data, resolution="aggregated")
    assert result.resolution["used"] == "aggregated"
    assert [(r["order_period"], r["quantity"], r["cost"]) for r in result.purchases] == [
        ("2026-04-02", 200, 160.0)
    ]


def test_a_transfer_lane_in_nok_pays_at_the_departure_rate() -> None:
    # tests/integration/test_transfers.py's two sites: 10 motors a month leave S1 for S2 in
    # Jan, Feb, Mar. The lane costs NOK 25 a unit: EUR 2.00 at 0.08 (Jan, Feb), 3.00 at 0.12.
    from tests.integration.test_transfers import two_sites

    data = two_sites()
    data["exchange_rates"] = NOK
    data["lanes"][1].update(cost_per_unit=25, currency="NOK")
    result = plan_data(data)
    assert [(t["ship_period"], t["quantity"], t["cost"]) for t in result.transfers] == [
        (M[0], 10, 20.0),
        (M[1], 10, 20.0),
        (M[2], 10, 30.0),
    ]
    assert result.costs["transport"] == pytest.approx(20 + 20 + 30 + 30 * 1)  # + EUR 1 a unit to D1


def test_each_partner_sees_its_costs_in_its_own_currency() -> None:
    # tests/integration/test_transfers.py's two sites: DA buys 30 MOTOR at EUR 1 at S1 and
    # sends them to MFG's S2 (EUR 2 a unit); MFG builds 30 X (EUR 10) under a licence with a
    # royalty of EUR 4, ships them for EUR 1. MFG keeps its books in GBP at EUR 1.25.
    from tests.integration.test_transfers import two_sites

    d = two_sites()
    d["partners"][1]["currency"] = "GBP"
    d["exchange_rates"] = [{"currency": "GBP", "valid_from": "2026-01-01", "rate": 1.25}]
    d["licences"][0]["royalty_per_unit"] = 4
    result = plan_data(d)
    got = {
        (r["partner"], r["figure"]): (r["amount"], r["currency"], r["amount_in_currency"])
        for r in result.partner_costs
    }
    assert got == {
        ("DA", "purchases"): (30.0, "EUR", 30.0),
        ("DA", "transport"): (60.0, "EUR", 60.0),
        ("DA", "royalties_received"): (120.0, "EUR", 120.0),
        ("DA", "net"): (-30.0, "EUR", -30.0),
        ("MFG", "production"): (300.0, "GBP", 240.0),
        ("MFG", "royalties_paid"): (120.0, "GBP", 96.0),
        ("MFG", "transport"): (30.0, "GBP", 24.0),
        ("MFG", "net"): (450.0, "GBP", 360.0),
    }
    # the partners' net payments add up to the plan's total less the royalties, which change
    # hands between partners (the plan's total counts them as a cost of the licensees)
    paid = sum(r["amount"] for r in result.partner_costs if r["figure"] == "net")
    assert paid == pytest.approx(result.costs["total"] - result.costs["royalties"])


def test_a_new_exchange_rate_re_plans_warm_on_the_kept_lp() -> None:
    # the server's re-plan after an edit (PlanningSession.replan_to): NOK 10% firmer changes
    # only costs (O2 is EUR 0.88 in Jan-Feb, 1.32 from March: still the cheaper one early),
    # so the kept LP takes them and re-solves from its basis, to the plan a cold plan of the
    # edited programme makes
    from coprod.planning import plan
    from coprod.planning.replan import PlanningSession

    data = tiny_data()
    data["exchange_rates"] = NOK
    data["supply_offers"].append(_nok_offer(data))
    _monthly_demand(data)
    session = PlanningSession(load(data))

    def rates(factor: float) -> dict[str, Any]:
        return {**data, "exchange_rates": [{**r, "rate": r["rate"] * factor} for r in NOK]}

    edited = load(rates(1.1))
    warm = session.replan_to(edited)
    assert warm.replan["path"] == "warm" and "exchange rates" in warm.replan["why"]
    cold = plan(edited)
    assert warm.objective == pytest.approx(cold.objective)
    assert warm.costs == pytest.approx(cold.costs)
    assert {(r["offer"], r["order_period"]) for r in warm.purchases} == {
        ("O2", M[0]),
        ("O2", M[1]),
        ("O1", M[2]),
        ("O1", M[3]),
    }
    # 50% firmer: O1 is then the cheapest in every month, its supply is folded into the
    # build cost and the LP changes shape, so it is planned again
    dearer = load(rates(1.5))
    again = session.replan_to(dearer)
    assert again.replan["path"] == "rebuilt"
    assert again.objective == pytest.approx(plan(dearer).objective)
