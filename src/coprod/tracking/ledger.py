"""Look-ups over a programme and its events, and the state they add up to on a day.

`Ledger` indexes a batch once (lots by id, acceptances by lot, receipts by shipment, ...).
`Ledger.state(day)` adds up what happened before `day`: stock per site, lots still in
inspection, shipments in transit, open purchase orders, units delivered per requirement and
each line's cumulative output. The rules (rules.py), the plan as of a date (asof.py), the
tracking report and royalties all read the same figures from here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from coprod.domain import Programme
from coprod.domain.actuals import (
    Acceptance,
    ActualsBatch,
    FirstArticle,
    Lot,
    OrderReceipt,
    PurchaseOrder,
    Receipt,
    Result,
    Shipment,
)
from coprod.domain.bom import explode

__all__ = ["Ledger", "State"]


@dataclass(slots=True)
class State:
    """What is true at the start of a day, from the events before it."""

    day: dt.date
    stock: dict[tuple[str, str], float] = field(default_factory=lambda: defaultdict(float))  # (site, item)
    pending: dict[str, int] = field(default_factory=dict)  # lot -> units awaiting acceptance
    in_transit: list[Shipment] = field(default_factory=list)
    open_orders: dict[str, int] = field(default_factory=dict)  # order -> units still to come
    delivered: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # requirement -> units
    output: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # line -> units built
    consumed: dict[tuple[str, str], float] = field(default_factory=lambda: defaultdict(float))


class Ledger:
    def __init__(self, programme: Programme, batch: ActualsBatch) -> None:
        self.p, self.batch = programme, batch
        self._usage: dict[tuple[str, int], dict[str, float]] = {}

    @cached_property
    def partner_of(self) -> dict[str, str]:
        """Site or destination id -> the partner it belongs to."""
        out = {d.id: d.partner for d in self.p.destinations}
        out.update({s.id: s.partner for s in self.p.sites})
        return out

    @cached_property
    def lots(self) -> dict[str, Lot]:
        return {x.id: x for x in self.batch.lots}

    @cached_property
    def shipments(self) -> dict[str, Shipment]:
        return {x.id: x for x in self.batch.shipments}

    @cached_property
    def orders(self) -> dict[str, PurchaseOrder]:
        return {x.id: x for x in self.batch.purchase_orders}

    @cached_property
    def acceptances_of(self) -> dict[str, list[Acceptance]]:
        out: dict[str, list[Acceptance]] = defaultdict(list)
        for a in self.batch.acceptances:
            out[a.lot].append(a)
        return out

    @cached_property
    def receipts_of(self) -> dict[str, list[Receipt]]:
        out: dict[str, list[Receipt]] = defaultdict(list)
        for r in self.batch.receipts:
            out[r.shipment].append(r)
        return out

    @cached_property
    def order_receipts_of(self) -> dict[str, list[OrderReceipt]]:
        out: dict[str, list[OrderReceipt]] = defaultdict(list)
        for r in self.batch.order_receipts:
            out[r.order].append(r)
        return out

    @cached_property
    def first_articles_of(self) -> dict[tuple[str, str, int], list[FirstArticle]]:
        out: dict[tuple[str, str, int], list[FirstArticle]] = defaultdict(list)
        for f in self.batch.first_articles:
            out[(f.site, f.design, f.revision)].append(f)
        return out

    def first_pass(self, site: str, design: str, revision: int) -> dt.date | None:
        """The day the site's first article of the design revision passed (None: not yet)."""
        passed = [
            f.date
            for f in self.first_articles_of.get((site, design, revision), [])
            if f.result is Result.PASSED
        ]
        return min(passed) if passed else None

    def receiver(self, shipment: Shipment) -> str | None:
        """The site a shipment goes to (None: a customer's destination)."""
        return shipment.to if shipment.to in self.p.site_by_id else None

    def product_of(self, what: str) -> str:
        """The product of a lot id, or the item itself."""
        lot = self.lots.get(what)
        return lot.product if lot is not None else what

    def usage(self, lot: Lot) -> dict[str, float]:
        """Purchased parts one unit of the lot consumed (its revision's BOM, its variant's
        changes, assemblies exploded, yields included)."""
        cache = self._usage
        key = (lot.product, lot.revision)
        if key not in cache:
            design = self.p.design_by_id[lot.design]
            revision = next(r for r in design.revisions if r.revision == lot.revision)
            lines = list(revision.bom)
            if lot.variant:
                _, variant = self.p.variant_by_id[lot.variant]
                swap = {r.from_: r.to for r in variant.replace}
                lines = [b.model_copy(update={"item": swap.get(b.item, b.item)}) for b in lines]
                lines += list(variant.add)
            cache[key] = explode(self.p, lines)
        return cache[key]

    def state(self, day: dt.date) -> State:
        """Stock, inspection, transit, orders, deliveries and output at the start of `day`."""
        st = State(day)
        for s in self.p.stock:
            st.stock[(s.site, s.item)] += s.quantity
        for lot in self.batch.lots:
            if lot.built >= day:
                continue
            st.output[lot.line] += lot.quantity
            decided = sum(
                a.accepted + a.rejected for a in self.acceptances_of.get(lot.id, []) if a.date < day
            )
            if lot.quantity - decided > 0:
                st.pending[lot.id] = lot.quantity - decided
            for part, qty in self.usage(lot).items():
                st.stock[(lot.site, part)] -= qty * lot.quantity
                st.consumed[(lot.site, part)] += qty * lot.quantity
        for a in self.batch.acceptances:
            if a.date < day and a.lot in self.lots:
                lot = self.lots[a.lot]
                st.stock[(lot.site, lot.product)] += a.accepted
        for o in self.batch.purchase_orders:
            if o.ordered >= day:
                continue
            got = 0
            for orc in self.order_receipts_of.get(o.id, []):
                if orc.received < day:
                    got += orc.quantity + orc.refused
                    st.stock[(o.site, o.component)] += orc.quantity
            if o.quantity - got > 0:
                st.open_orders[o.id] = o.quantity - got
        for sh in self.batch.shipments:
            if sh.shipped >= day:
                continue
            for line in sh.lines:
                st.stock[(sh.from_site, self.product_of(line.what))] -= line.quantity
            receipts = [r for r in self.receipts_of.get(sh.id, []) if r.received < day]
            if not receipts:
                st.in_transit.append(sh)
            to_site = self.receiver(sh)
            for r in receipts:
                for rl in r.lines:
                    if to_site is not None:
                        st.stock[(to_site, self.product_of(rl.what))] += rl.received
                for d in r.deliveries:
                    st.delivered[d.requirement] += d.quantity
        return st
