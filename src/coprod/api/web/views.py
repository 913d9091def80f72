"""What the pages show, computed from a programme and a (scoped) plan; no HTTP here."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from coprod.app.plan_view import pegging as planning_pegging
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
        for row in plan.get("assembly_builds", []):  # sub-assemblies: flat hours, no learning
            if row["line"] == line.id:
                b = index[row["period"]]
                used[b] += row["quantity"] * hpu[(row["item"], line.id)]
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


def pegging(plan: dict[str, Any], p: Programme, rid: str) -> list[dict[str, Any]]:
    """Which production (line and period) serves a requirement (planning/pegging.py)."""
    return planning_pegging(plan, p, rid)
