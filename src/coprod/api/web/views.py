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
    """Per line: hours available and planned, ramp-up rate and units planned, per period."""
    cal = p.calendar
    labels = list(cal.labels)
    index = {label: i for i, label in enumerate(labels)}
    hpu = {(r.design, r.line): r.hours_per_unit for r in p.routings}
    out = []
    for line in p.lines:
        if lines is not None and line.id not in lines:
            continue
        learn = learning_factors(line, cal)
        used = [0.0] * cal.periods
        units = [0.0] * cal.periods
        for row in plan["production"]:
            if row["line"] == line.id:
                t = index[row["period"]]
                used[t] += row["quantity"] * hpu[(p.design_of(row["item"]).id, line.id)] * learn[t]
                units[t] += row["quantity"]
        out.append(
            {
                "line": line.id,
                "site": line.site,
                "periods": labels,
                "hours": line_hours(line, cal),
                "used": [round(u, 1) for u in used],
                "rate": rate_caps(line, cal),
                "units": units,
            }
        )
    return out


def pegging(plan: dict[str, Any], p: Programme, rid: str) -> list[dict[str, Any]]:
    """Which shipments (from which site and departure) serve a requirement: shipments of its
    item to its destination are given out first in, first out, to the requirements there in
    the order their deliveries arrive (an explanation, not a constraint of the plan)."""
    req = next(r for r in p.requirements if r.id == rid)
    arrivals = sorted(
        (s for s in plan["shipments"] if s["item"] == req.item and s["to"] == req.destination),
        key=lambda s: s["arrive_period"],
    )
    pool = [[s, s["quantity"]] for s in arrivals]
    deliveries = sorted(
        (d for d in plan["deliveries"] if d["item"] == req.item and d["destination"] == req.destination),
        key=lambda d: (d["period"], d["requirement"]),
    )
    out = []
    for d in deliveries:
        need = d["quantity"]
        for cell in pool:
            if need == 0:
                break
            ship, left = cell
            if left == 0 or ship["arrive_period"] > d["period"]:
                continue
            take = min(need, left)
            cell[1] -= take
            need -= take
            if d["requirement"] == rid:
                made = [
                    r
                    for r in plan["production"]
                    if r["site"] == ship["from_site"]
                    and r["item"] == req.item
                    and r["period"] <= ship["depart_period"]
                ]
                lines = sorted({r["line"] for r in made})
                out.append(
                    {
                        "delivered": d["period"],
                        "quantity": take,
                        "from_site": ship["from_site"],
                        "lines": ", ".join(lines),
                        "departed": ship["depart_period"],
                        "lane": ship["lane"],
                    }
                )
    return out
