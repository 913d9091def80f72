"""Rules on the flow of goods: what ships must be on hand, what is received must have shipped.

Stock at a site is followed day by day: acceptances and receipts of a day come before its
shipments (a lot accepted in the morning may leave in the afternoon). Parts consumed by
builds are derived from BOMs, not recorded, so they are not held against a shipment of
parts; everything else is: initial stock, accepted lots, receipts of orders and transfers.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from coprod.domain import Programme
from coprod.domain.checks import Finding
from coprod.tracking.ledger import Ledger

__all__ = ["check_receipts", "check_shipments"]


def _known_item(p: Programme, item: str) -> bool:
    return item in p.component_by_id or item in set(p.products)


def _timeline(led: Ledger) -> list[tuple[dt.date, int, str, int, Any]]:
    out: list[tuple[dt.date, int, str, int, Any]] = []
    out += [(a.date, 0, "acceptances", i, a) for i, a in enumerate(led.batch.acceptances)]
    out += [(r.received, 1, "receipts", i, r) for i, r in enumerate(led.batch.receipts)]
    out += [(r.received, 1, "order_receipts", i, r) for i, r in enumerate(led.batch.order_receipts)]
    out += [(s.shipped, 2, "shipments", i, s) for i, s in enumerate(led.batch.shipments)]
    out.sort(key=lambda e: (e[0], e[1], e[3]))
    return out


def check_shipments(p: Programme, led: Ledger, today: dt.date) -> Iterator[Finding]:
    destinations = {d.id for d in p.destinations}
    for i, sh in enumerate(led.batch.shipments):
        if sh.from_site not in p.site_by_id:
            yield Finding("shipments", i, sh.id, "from_site", f"unknown site '{sh.from_site}'")
        if sh.to not in p.site_by_id and sh.to not in destinations:
            yield Finding("shipments", i, sh.id, "to", f"unknown site or destination '{sh.to}'")
        for j, line in enumerate(sh.lines):
            if line.lot is not None and line.lot not in led.lots:
                yield Finding("shipments", i, sh.id, f"lines[{j}].lot", f"unknown lot '{line.lot}'")
            if line.item is not None and not _known_item(p, line.item):
                yield Finding("shipments", i, sh.id, f"lines[{j}].item", f"unknown item '{line.item}'")
    yield from _stock_sweep(p, led)


def _stock_sweep(p: Programme, led: Ledger) -> Iterator[Finding]:
    lots: dict[tuple[str, str], int] = defaultdict(int)  # (lot, site) -> units on hand
    items: dict[tuple[str, str], float] = defaultdict(float)  # (site, item) -> units on hand
    for s in p.stock:
        items[(s.site, s.item)] += s.quantity
    accepted_by: dict[str, dt.date] = {}
    for day, _, kind, i, ev in _timeline(led):
        if kind == "acceptances" and ev.lot in led.lots:
            lot = led.lots[ev.lot]
            lots[(lot.id, lot.site)] += ev.accepted
            items[(lot.site, lot.product)] += ev.accepted
            if ev.accepted:
                accepted_by.setdefault(lot.id, day)
        elif kind == "order_receipts" and ev.order in led.orders:
            po = led.orders[ev.order]
            items[(po.site, po.component)] += ev.quantity
        elif kind == "receipts" and ev.shipment in led.shipments:
            to_site = led.receiver(led.shipments[ev.shipment])
            if to_site is None:
                continue  # delivered to a customer: no longer anyone's stock
            for rl in ev.lines:
                if rl.lot is not None:
                    lots[(rl.lot, to_site)] += rl.received
                items[(to_site, led.product_of(rl.what))] += rl.received
        elif kind == "shipments":
            yield from _ship(led, i, ev, lots, items, accepted_by)


def _ship(
    led: Ledger,
    i: int,
    sh: Any,
    lots: dict[tuple[str, str], int],
    items: dict[tuple[str, str], float],
    accepted_by: dict[str, dt.date],
) -> Iterator[Finding]:
    for j, line in enumerate(sh.lines):
        site = sh.from_site
        if line.lot is not None:
            lot = led.lots.get(line.lot)
            if lot is None:
                continue
            have = lots[(lot.id, site)]
            if have < line.quantity:
                if lot.site == site and lot.id not in accepted_by:
                    why = f"lot {lot.id} is not accepted by {sh.shipped}: a lot ships only once accepted"
                else:
                    why = (
                        f"{line.quantity} units of lot {lot.id} exceed the {have} accepted and on hand "
                        f"at {site} on {sh.shipped}"
                    )
                yield Finding("shipments", i, sh.id, f"lines[{j}].quantity", why)
            lots[(lot.id, site)] -= min(have, line.quantity)
            items[(site, lot.product)] -= line.quantity
        elif line.item is not None:
            have_f = items[(site, line.item)]
            if have_f + 1e-9 < line.quantity:
                yield Finding(
                    "shipments",
                    i,
                    sh.id,
                    f"lines[{j}].quantity",
                    f"{line.quantity} of {line.item} exceed the {max(0, int(have_f))} on hand "
                    f"at {site} on {sh.shipped}",
                )
            items[(site, line.item)] -= min(have_f, line.quantity)


def check_receipts(p: Programme, led: Ledger, today: dt.date) -> Iterator[Finding]:
    requirements = {r.id: r for r in p.requirements}
    taken: dict[tuple[str, str], int] = defaultdict(int)  # (shipment, lot or item) -> received + refused
    served: dict[str, int] = defaultdict(int)  # requirement -> units delivered so far
    for i, rc in enumerate(led.batch.receipts):
        sh = led.shipments.get(rc.shipment)
        if sh is None:
            yield Finding("receipts", i, rc.id, "shipment", f"unknown shipment '{rc.shipment}'")
            continue
        if rc.received < sh.shipped:
            yield Finding(
                "receipts",
                i,
                rc.id,
                "received",
                f"{rc.received} is before shipment {sh.id} left ({sh.shipped})",
            )
        shipped: dict[str, int] = defaultdict(int)
        for line in sh.lines:
            shipped[line.what] += line.quantity
        got: dict[str, int] = defaultdict(int)  # product -> units received in this receipt
        for j, rl in enumerate(rc.lines):
            if rl.what not in shipped:
                yield Finding("receipts", i, rc.id, f"lines[{j}]", f"{rl.what} is not on shipment {sh.id}")
                continue
            taken[(sh.id, rl.what)] += rl.received + rl.refused
            if taken[(sh.id, rl.what)] > shipped[rl.what]:
                yield Finding(
                    "receipts",
                    i,
                    rc.id,
                    f"lines[{j}].received",
                    f"{taken[(sh.id, rl.what)]} of {rl.what} received or refused, "
                    f"but {shipped[rl.what]} were shipped",
                )
            got[led.product_of(rl.what)] += rl.received
        yield from _deliveries(i, rc, sh, got, requirements, served, led)


def _deliveries(
    i: int,
    rc: Any,
    sh: Any,
    got: dict[str, int],
    requirements: dict[str, Any],
    served: dict[str, int],
    led: Ledger,
) -> Iterator[Finding]:
    if led.receiver(sh) is not None:
        if rc.deliveries:
            yield Finding(
                "receipts", i, rc.id, "deliveries", f"shipment {sh.id} goes to a site: nothing is delivered"
            )
        return
    assigned: dict[str, int] = defaultdict(int)
    for j, d in enumerate(rc.deliveries):
        rq = requirements.get(d.requirement)
        where = f"deliveries[{j}].requirement"
        if rq is None:
            yield Finding("receipts", i, rc.id, where, f"unknown requirement '{d.requirement}'")
            continue
        if rq.destination != sh.to:
            yield Finding("receipts", i, rc.id, where, f"{rq.id} is for {rq.destination}, not {sh.to}")
            continue
        if got.get(rq.item, 0) == 0:
            yield Finding(
                "receipts", i, rc.id, where, f"{rq.id} is for {rq.item}, which this receipt does not hold"
            )
            continue
        assigned[rq.item] += d.quantity
        served[rq.id] += d.quantity
        if served[rq.id] > rq.quantity:
            yield Finding(
                "receipts",
                i,
                rc.id,
                f"deliveries[{j}].quantity",
                f"{rq.id} asks for {rq.quantity}; {served[rq.id]} delivered against it so far",
            )
    for product, units in got.items():
        if units and assigned.get(product, 0) != units:
            yield Finding(
                "receipts",
                i,
                rc.id,
                "deliveries",
                f"{units} of {product} received at {sh.to}, {assigned.get(product, 0)} assigned to "
                "requirements: name the requirements every unit received serves",
            )
