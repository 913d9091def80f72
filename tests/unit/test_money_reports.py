"""Royalties in the licence's currency, the programme's and the licensee's own (issue 11)."""

from __future__ import annotations

import copy
from typing import Any

from coprod.app.home import royalties
from coprod.tracking.royalties import royalty_statements
from tests.actuals import EVENTS, PROGRAMME, batch
from tests.programmes import load

RATES = [
    {"currency": "NOK", "valid_from": "2026-01-01", "rate": 0.08},
    {"currency": "NOK", "valid_from": "2026-02-01", "rate": 0.10},
    {"currency": "GBP", "valid_from": "2026-01-01", "rate": 1.2},
]


def _programme() -> Any:
    data = copy.deepcopy(PROGRAMME)
    data["exchange_rates"] = RATES
    data["licences"][0].update(royalty_per_unit=50, currency="NOK")  # NOK 50 a unit
    data["partners"][1]["currency"] = "GBP"  # the licensee MFG reports in pounds
    return load(data)


def test_statements_convert_at_the_rate_of_the_acceptance_period() -> None:
    # 30 units built at MFG in January: 20 accepted in January (NOK 1000 at 0.08 = EUR 80 =
    # GBP 66.67), 10 in February (NOK 500 at 0.10 = EUR 50 = GBP 41.67).
    events = copy.deepcopy(EVENTS)
    events["lots"].append(
        {
            "id": "B",
            "site": "S2",
            "line": "L2",
            "design": "X",
            "revision": 1,
            "quantity": 30,
            "first_serial": "X-1001",
            "last_serial": "X-1030",
            "built": "2026-01-10",
        }
    )
    events["acceptances"] += [
        {"id": "ACC-B1", "lot": "B", "accepted": 20, "date": "2026-01-20"},
        {"id": "ACC-B2", "lot": "B", "accepted": 10, "date": "2026-02-05"},
    ]
    rows = royalty_statements(_programme(), batch(events))
    got = [
        (
            r["period"],
            r["accepted"],
            r["royalty_per_unit"],
            r["licence_currency"],
            r["amount_in_licence_currency"],
            r["currency"],
            r["amount"],
            r["partner_currency"],
            r["amount_in_partner_currency"],
        )
        for r in rows
    ]
    assert got == [
        ("2026-01-01", 20, 50, "NOK", 1000.0, "EUR", 80.0, "GBP", 66.67),
        ("2026-02-01", 10, 50, "NOK", 500.0, "EUR", 50.0, "GBP", 41.67),
    ]


def test_plan_royalties_for_the_licensor_per_period() -> None:
    # 10 units planned in January, 20 in February at MFG: NOK 500 x 0.08 + NOK 1000 x 0.10.
    p = _programme()
    production = [
        {"line": "L2", "site": "S2", "item": "X", "period": "2026-01-01", "quantity": 10},
        {"line": "L2", "site": "S2", "item": "X", "period": "2026-02-01", "quantity": 20},
    ]
    (row,) = royalties(p, production, "DA")
    assert (row["currency"], row["amount_in_currency"], row["amount"]) == ("NOK", 1500.0, 140.0)
    assert (row["own_currency"], row["amount_own"]) == ("EUR", 140.0)  # DA names no currency


def test_record_forms_label_money_in_the_record_currency() -> None:
    from coprod.app.forms import _fields_of
    from coprod.domain import ExchangeRate, SupplyOffer

    def units(model: Any, data: dict[str, Any]) -> dict[str, str]:
        return {f.name: f.unit for f in _fields_of(model, data, "", "EUR", lambda ref, current: None)}

    assert units(SupplyOffer, {"currency": "NOK"})["unit_price"] == "NOK per unit"
    assert units(SupplyOffer, {})["unit_price"] == "EUR per unit"
    assert units(SupplyOffer, {})["currency"] == "empty: EUR"
    rate = units(ExchangeRate, {"currency": "NOK"})
    assert (rate["rate"], rate["currency"]) == ("EUR per unit of the currency", "")
