"""Pegging: which production (line and period) serves which requirement, first in, first out.

Each site's stock and production of an item go to its transfers and shipments in departure
order (a transfer's units join the receiving site's lots on arrival), and the
shipments arriving at a destination to the deliveries there in arrival order (then by
requirement id). An explanation of the plan, not a constraint of it: the dashboard shows it
per requirement, and a late requirement's cause (causes.py) names the lines its units came
from.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from coprod.domain import Programme

__all__ = ["peg_all", "pegging"]

Row = dict[str, Any]


# A lot: [line or "stock", period made, units left, period available at its site, via, site made]
Lot = list[Any]


def _fifo(lots: list[Lot], qty: int) -> list[Lot]:
    """Take `qty` from the front of `lots`; what was taken, as lots of the quantity taken."""
    out = []
    for lot in lots:
        if qty == 0:
            break
        take = min(qty, lot[2])
        if take:
            lot[2] -= take
            qty -= take
            out.append([lot[0], lot[1], take, *lot[3:]])
    return out


def peg_all(
    p: Programme,
    production: Iterable[Row],
    shipments: Iterable[Row],
    deliveries: Iterable[Row],
    items: set[str] | None = None,
    transfers: Iterable[Row] = (),
) -> dict[str, list[Row]]:
    """Requirement id -> its pegging rows (delivered, quantity, from_site, line, made,
    departed, lane, via), for every requirement of `items` (default: all). Finished units
    moved between sites (`transfers`) keep the line and site that made them; `via` names the
    transfer lanes they took ("" when none)."""
    made: dict[tuple[str, str], list[Lot]] = defaultdict(list)
    first = p.calendar.label(0)
    for st in p.stock:
        if items is None or st.item in items:  # on hand at the start
            made[(st.item, st.site)].append(["stock", first, st.quantity, first, "", st.site])
    for row in sorted(production, key=lambda r: r["period"]):
        if items is None or row["item"] in items:
            lot = [row["line"], row["period"], row["quantity"], row["period"], "", row["site"]]
            made[(row["item"], row["site"])].append(lot)
    moved = sorted(
        (
            t
            for t in transfers
            if t["item"] not in p.component_by_id and (items is None or t["item"] in items)
        ),
        key=lambda t: t["ship_period"],
    )
    for t in moved:  # in departure order: a lot must be at a site before it leaves it
        lots = made[(t["item"], t["from_site"])]
        lots.sort(key=lambda lot: lot[3])
        for lot in _fifo(lots, int(t["quantity"])):
            lot[3] = t["arrive_period"]
            lot[4] = f"{lot[4]} > {t['lane']}" if lot[4] else t["lane"]
            made[(t["item"], t["to_site"])].append(lot)
    for lots in made.values():
        lots.sort(key=lambda lot: lot[3])
    ships = sorted(
        (s for s in shipments if items is None or s["item"] in items), key=lambda s: s["depart_period"]
    )
    sources = {id(s): _fifo(made[(s["item"], s["from_site"])], s["quantity"]) for s in ships}
    arriving: dict[tuple[str, str], list[list[Any]]] = defaultdict(list)
    for s in sorted(ships, key=lambda s: s["arrive_period"]):
        arriving[(s["item"], s["to"])].append([s, s["quantity"]])
    out: dict[str, list[Row]] = defaultdict(list)
    wanted = sorted(
        (d for d in deliveries if items is None or d["item"] in items),
        key=lambda d: (d["period"], d["requirement"]),
    )
    for d in wanted:
        need = d["quantity"]
        for cell in arriving[(d["item"], d["destination"])]:
            ship, left = cell
            if need == 0:
                break
            if left == 0 or ship["arrive_period"] > d["period"]:
                continue
            take = min(need, left)
            cell[1] -= take
            need -= take
            for lot in _fifo(sources[id(ship)], take):
                out[d["requirement"]].append(
                    {
                        "delivered": d["period"],
                        "quantity": lot[2],
                        "from_site": lot[5],
                        "line": lot[0],
                        "made": lot[1],
                        "departed": ship["depart_period"],
                        "lane": ship["lane"],
                        "via": lot[4],
                    }
                )
    return out


def pegging(plan: dict[str, Any], p: Programme, rid: str) -> list[Row]:
    """The pegging of one requirement of a plan (as a dict: JSON or Plan.to_dict())."""
    req = next(r for r in p.requirements if r.id == rid)
    pegs = peg_all(
        p, plan["production"], plan["shipments"], plan["deliveries"], {req.item}, plan.get("transfers", ())
    )
    return pegs.get(rid, [])
