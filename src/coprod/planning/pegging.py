"""Pegging: which production (line and period) serves which requirement, first in, first out.

Each site's stock and production of an item go to its shipments in departure order, and the
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


def _fifo(lots: list[list[Any]], qty: int) -> list[tuple[str, str, int]]:
    """Take `qty` from the front of `lots` ([source, period, left]); what was taken, by lot."""
    out = []
    for lot in lots:
        if qty == 0:
            break
        take = min(qty, lot[2])
        if take:
            lot[2] -= take
            qty -= take
            out.append((lot[0], lot[1], take))
    return out


def peg_all(
    p: Programme,
    production: Iterable[Row],
    shipments: Iterable[Row],
    deliveries: Iterable[Row],
    items: set[str] | None = None,
) -> dict[str, list[Row]]:
    """Requirement id -> its pegging rows (delivered, quantity, from_site, line, made,
    departed, lane), for every requirement of `items` (default: all)."""
    made: dict[tuple[str, str], list[list[Any]]] = defaultdict(list)
    for st in p.stock:
        if items is None or st.item in items:
            made[(st.item, st.site)].append(["stock", p.calendar.label(0), st.quantity])  # on hand at start
    for row in sorted(production, key=lambda r: r["period"]):
        if items is None or row["item"] in items:
            made[(row["item"], row["site"])].append([row["line"], row["period"], row["quantity"]])
    ships = sorted(
        (s for s in shipments if items is None or s["item"] in items), key=lambda s: s["depart_period"]
    )
    sources = {
        id(s): [list(lot) for lot in _fifo(made[(s["item"], s["from_site"])], s["quantity"])] for s in ships
    }
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
            for line, period, qty in _fifo(sources[id(ship)], take):
                out[d["requirement"]].append(
                    {
                        "delivered": d["period"],
                        "quantity": qty,
                        "from_site": ship["from_site"],
                        "line": line,
                        "made": period,
                        "departed": ship["depart_period"],
                        "lane": ship["lane"],
                    }
                )
    return out


def pegging(plan: dict[str, Any], p: Programme, rid: str) -> list[Row]:
    """The pegging of one requirement of a plan (as a dict: JSON or Plan.to_dict())."""
    req = next(r for r in p.requirements if r.id == rid)
    pegs = peg_all(p, plan["production"], plan["shipments"], plan["deliveries"], {req.item})
    return pegs.get(rid, [])
