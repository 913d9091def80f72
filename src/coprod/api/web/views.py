"""What the pages show, computed from a programme and a (scoped) plan; no HTTP here."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from coprod.domain import Programme
from coprod.domain.capacity import learning_factors, line_hours, rate_caps

__all__ = ["line_loads", "pegging", "production_by_period"]


def production_by_period(plan: dict[str, Any], p: Programme, design: str | None) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for row in plan["production"]:
        if design is None or p.design_of(row["item"]).id == design:
            out[row["period"]] += row["quantity"]
    return out


def line_loads(plan: dict[str, Any], p: Programme, lines: set[str] | None) -> list[dict[str, Any]]:
    """Per line and plan bucket: hours available and planned, ramp-up rate and units planned
    (a bucket of several periods sums its periods' hours and rates)."""
    cal = p.calendar
    labels = list(plan["periods"])
    starts = [cal.labels.index(label) for label in labels] + [cal.periods]
    index = {label: i for i, label in enumerate(labels)}
    hpu = {(r.design, r.line): r.hours_per_unit for r in p.routings}
    out = []
    for line in p.lines:
        if lines is not None and line.id not in lines:
            continue
        learn = learning_factors(line, cal)
        hours = line_hours(line, cal)
        rates = rate_caps(line, cal)
        used = [0.0] * len(labels)
        units = [0.0] * len(labels)
        for row in plan["production"]:
            if row["line"] == line.id:
                b = index[row["period"]]
                t = starts[b]
                used[b] += row["quantity"] * hpu[(p.design_of(row["item"]).id, line.id)] * learn[t]
                units[b] += row["quantity"]

        def per_bucket(values: list[float]) -> list[float]:
            return [round(sum(values[starts[b] : starts[b + 1]]), 1) for b in range(len(labels))]

        out.append(
            {
                "line": line.id,
                "site": line.site,
                "periods": labels,
                "hours": per_bucket(hours),
                "used": [round(u, 1) for u in used],
                "rate": per_bucket(rates) if rates else None,
                "units": units,
            }
        )
    return out


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


def pegging(plan: dict[str, Any], p: Programme, rid: str) -> list[dict[str, Any]]:
    """Which production (line and period) serves a requirement, first in, first out: each
    site's stock and production of the item go to its shipments in departure order, and the
    shipments arriving at the destination to the deliveries there in arrival order. An
    explanation of the plan, not a constraint of it."""
    req = next(r for r in p.requirements if r.id == rid)
    made: dict[str, list[list[Any]]] = defaultdict(list)
    for st in p.stock:
        if st.item == req.item:
            made[st.site].append(["stock", p.calendar.label(0), st.quantity])  # on hand at the start
    for row in sorted(plan["production"], key=lambda r: r["period"]):
        if row["item"] == req.item:
            made[row["site"]].append([row["line"], row["period"], row["quantity"]])
    ships = sorted((s for s in plan["shipments"] if s["item"] == req.item), key=lambda s: s["depart_period"])
    sources = {id(s): [list(lot) for lot in _fifo(made[s["from_site"]], s["quantity"])] for s in ships}
    arriving = [
        [s, s["quantity"]]
        for s in sorted(ships, key=lambda s: s["arrive_period"])
        if s["to"] == req.destination
    ]
    deliveries = sorted(
        (d for d in plan["deliveries"] if d["item"] == req.item and d["destination"] == req.destination),
        key=lambda d: (d["period"], d["requirement"]),
    )
    out = []
    for d in deliveries:
        need = d["quantity"]
        for cell in arriving:
            ship, left = cell
            if need == 0:
                break
            if left == 0 or ship["arrive_period"] > d["period"]:
                continue
            take = min(need, left)
            cell[1] -= take
            need -= take
            for line, period, qty in _fifo(sources[id(ship)], take):
                if d["requirement"] == rid:
                    out.append(
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
