"""A plan's money per partner, in the programme's currency and in the partner's own.

Each cost row of the plan's tables is charged to the partner who pays it: production,
sub-assemblies and holding to the partner of the site, purchases to the partner of the site
they are shipped to, transport to the partner of the sending site; a royalty is paid by
the licensee and received by the licensor. An amount is priced as the plan prices it (the
rate in force on the first day of the row's period, planning/money.py) and converted into
the partner's own currency (partners[].currency, the programme's if none) at the same day's
rate, so a partner's figures are what its own books would show for the plan.

Rows: partner, currency (its own), figure (production, royalties_paid, royalties_received,
purchases, transport, holding, net), amount (programme currency), amount_in_currency.
`net` is what the partner pays less the royalties it receives.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from coprod.domain import Programme
from coprod.domain.money import Rates, currency_of, own_currency

__all__ = ["FIGURES", "partner_costs"]

FIGURES = ("production", "royalties_paid", "royalties_received", "purchases", "transport", "holding")
Row = dict[str, Any]


def _licence_of(p: Programme, partner: str, design: str, day: dt.date) -> Any:
    for lic in p.licences:
        inside = lic.valid_from <= day and (lic.valid_to is None or day <= lic.valid_to)
        if lic.licensee == partner and lic.design == design and inside:
            return lic
    return None


def partner_costs(p: Programme, tables: dict[str, list[Row]], lengths: dict[str, int]) -> list[Row]:
    """The plan's costs per partner and figure (module doc). `lengths`: periods per bucket
    label (holding is charged per period held)."""
    rates = Rates(p)
    base = p.settings.currency
    site_partner = {s.id: s.partner for s in p.sites}
    routing = {(r.design, r.line): r for r in p.routings}
    lanes = {ln.id: ln for ln in p.lanes}
    hold = {c.id: c.holding_cost for c in p.components} | {d.id: d.holding_cost for d in p.designs}
    # (partner, figure, period label) -> programme-currency amount
    charged: dict[tuple[str, str, str], float] = defaultdict(float)

    def price(amount: float, currency: str, label: str) -> float:
        return amount * rates.rate_on(currency, dt.date.fromisoformat(label))

    for row in tables.get("production", []):
        design = p.design_of(row["item"])
        rt = routing[(design.id, row["line"])]
        partner, label, q = site_partner[row["site"]], row["period"], row["quantity"]
        charged[(partner, "production", label)] += price(q * rt.cost_per_unit, currency_of(p, rt), label)
        if design.owner != partner:
            lic = _licence_of(p, partner, design.id, dt.date.fromisoformat(label))
            if lic is not None and lic.royalty_per_unit:
                fee = price(q * lic.royalty_per_unit, currency_of(p, lic), label)
                charged[(partner, "royalties_paid", label)] += fee
                charged[(lic.licensor, "royalties_received", label)] += fee
    for row in tables.get("assembly_builds", []):
        charged[(site_partner[row["site"]], "production", row["period"])] += row["cost"]
    for row in tables.get("purchases", []):
        charged[(site_partner[row["site"]], "purchases", row["order_period"])] += row["cost"]
    for row in [*tables.get("shipments", []), *tables.get("transfers", [])]:
        lane = lanes[row["lane"]]
        label = row.get("depart_period") or row["ship_period"]
        cost = price(row["quantity"] * lane.cost_per_unit, currency_of(p, lane), label)
        charged[(site_partner[lane.from_site], "transport", label)] += cost
    for row in tables.get("stock", []):
        held = row["quantity"] * hold.get(row["item"], 0.0) * lengths.get(row["period"], 1)
        charged[(site_partner[row["site"]], "holding", row["period"])] += held

    totals: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for (partner, figure, label), amount in charged.items():
        own = own_currency(p, partner)
        pair = totals[(partner, figure)]
        pair[0] += amount
        pair[1] += rates.convert(amount, base, own, dt.date.fromisoformat(label))
    out: list[Row] = []
    for partner in sorted({k[0] for k in totals}):
        own = own_currency(p, partner)
        net = [0.0, 0.0]
        for figure in FIGURES:
            amount, mine = totals.get((partner, figure), (0.0, 0.0))
            sign = -1.0 if figure == "royalties_received" else 1.0
            net[0] += sign * amount
            net[1] += sign * mine
            if amount:
                out.append(_row(partner, own, figure, amount, mine))
        out.append(_row(partner, own, "net", net[0], net[1]))
    return out


def _row(partner: str, currency: str, figure: str, amount: float, mine: float) -> Row:
    return {
        "partner": partner,
        "currency": currency,
        "figure": figure,
        "amount": round(amount, 2),
        "amount_in_currency": round(mine, 2),
    }
