"""What changed between two plans: KPIs, requirements that moved, production per line."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from coprod.planning.result import Plan

__all__ = ["diff_plans"]

KPIS = ("on_time_rate", "fill_rate", "on_time_units", "late_units", "unmet_units", "produced_units")


def diff_plans(before: Plan, after: Plan) -> dict[str, Any]:
    kpis = {
        k: {
            "before": before.kpis[k],
            "after": after.kpis[k],
            "change": after.kpis[k] - before.kpis[k],
        }
        for k in KPIS
    }
    old = {r["id"]: r for r in before.requirements}
    moved = []
    for r in after.requirements:
        o = old.get(r["id"])
        if o is None or (o["on_time"], o["late"], o["unmet"]) != (
            r["on_time"],
            r["late"],
            r["unmet"],
        ):
            moved.append(
                {
                    "id": r["id"],
                    "item": r["item"],
                    "due": r["due"],
                    "status_before": o["status"] if o else None,
                    "status_after": r["status"],
                    "on_time_change": r["on_time"] - (o["on_time"] if o else 0),
                    "unmet_change": r["unmet"] - (o["unmet"] if o else 0),
                }
            )
    load: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for row in before.production:
        load[(row["line"], row["period"])][0] += row["quantity"]
    for row in after.production:
        load[(row["line"], row["period"])][1] += row["quantity"]
    production = [
        {"line": line, "period": period, "before": a, "after": b, "change": b - a}
        for (line, period), (a, b) in sorted(load.items())
        if a != b
    ]
    return {
        "kpis": kpis,
        "requirements": moved,
        "production": production,
        "cost_change": after.costs["total"] - before.costs["total"],
    }
