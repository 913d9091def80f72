"""Royalty statements: what each licensee owes for the units accepted, per period.

A unit is owed for when it is accepted (lot acceptance), at the royalty of the licence
under which it was built (the licensee's licence for the design valid on the built date).
A statement row per licensee, period, licence and design: units accepted, royalty per
unit, amount, and the licence's cap used in that period (units built under the licence
over its cap per period). The design authority's own sites owe nothing.

Money (docs/tracking.md): `royalty_per_unit` and `amount_in_licence_currency` are in the
licence's currency; `amount` is in the programme's (`currency`), at the rate in force at the
start of the period the units were accepted in; `amount_in_partner_currency` is the same in
the licensee's own currency (`partner_currency`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from coprod.domain import Licence, Programme
from coprod.domain.actuals import ActualsBatch, Lot
from coprod.domain.money import Rates, currency_of, own_currency
from coprod.tracking.ledger import Ledger

__all__ = ["licence_of", "royalty_statements"]


def licence_of(p: Programme, lot: Lot) -> Licence | None:
    """The licence a lot was built under (None: the design's owner built it, or no licence)."""
    site = p.site_by_id.get(lot.site)
    design = p.design_by_id.get(lot.design)
    if site is None or design is None or site.partner == design.owner:
        return None
    return next(
        (
            lic
            for lic in p.licences
            if lic.licensee == site.partner
            and lic.design == lot.design
            and lic.valid_from <= lot.built
            and (lic.valid_to is None or lot.built <= lic.valid_to)
        ),
        None,
    )


def royalty_statements(
    p: Programme, batch: ActualsBatch, period: dt.date | None = None
) -> list[dict[str, Any]]:
    """Statement rows, by licensee and period; only the period containing `period` if given."""
    cal = p.calendar
    led = Ledger(p, batch)
    accepted: dict[tuple[str, int], int] = defaultdict(int)  # (licence, period) -> units
    built: dict[tuple[str, int], int] = defaultdict(int)
    by_id: dict[str, Licence] = {}
    for lot in batch.lots:
        lic = licence_of(p, lot)
        if lic is not None:
            by_id[lic.id] = lic
            built[(lic.id, cal.index_of(lot.built))] += lot.quantity
    for a in batch.acceptances:
        of = led.lots.get(a.lot)
        lic = licence_of(p, of) if of is not None else None
        if lic is not None and a.accepted:
            accepted[(lic.id, cal.index_of(a.date))] += a.accepted
    only = cal.index_of(period) if period is not None else None
    rates = Rates(p)
    base = p.settings.currency
    rows = []
    for (lic_id, t), units in accepted.items():
        if only is not None and t != only:
            continue
        lic = by_id[lic_id]
        made = built.get((lic_id, t), 0)
        day = cal.starts[min(max(t, 0), cal.periods)]  # before the horizon: its start
        cur, own = currency_of(p, lic), own_currency(p, lic.licensee)
        native = units * lic.royalty_per_unit
        rows.append(
            {
                "licensee": lic.licensee,
                "licensor": lic.licensor,
                "period": cal.label(t),
                "licence": lic.id,
                "design": lic.design,
                "accepted": units,
                "royalty_per_unit": lic.royalty_per_unit,
                "licence_currency": cur,
                "amount_in_licence_currency": round(native, 2),
                "rate": rates.rate_on(cur, day),
                "amount": round(rates.convert(native, cur, base, day), 2),
                "currency": base,
                "partner_currency": own,
                "amount_in_partner_currency": round(rates.convert(native, cur, own, day), 2),
                "built": made,
                "cap_per_period": lic.cap_per_period,
                "cap_used": round(made / lic.cap_per_period, 4) if lic.cap_per_period else None,
            }
        )
    rows.sort(key=lambda r: (r["licensee"], r["period"], r["licence"]))
    return rows
