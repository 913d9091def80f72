"""What changed between two plans: KPIs, requirements that moved, and every production line,
purchase order, shipment and transfer that moved, with a churn summary (lines moved, units moved)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from coprod.planning.result import Plan

__all__ = ["churn", "diff_plans"]

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
    return {
        "kpis": kpis,
        "requirements": moved,
        "production": _moved(before.production, after.production, ("line", "period")),
        "purchases": _moved(before.purchases, after.purchases, PURCHASE),
        "shipments": _moved(before.shipments, after.shipments, SHIPMENT),
        "transfers": _moved(before.transfers, after.transfers, TRANSFER),
        "churn": churn(before, after),
        "cost_change": after.costs["total"] - before.costs["total"],
    }


PURCHASE = ("offer", "component", "site", "order_period")
SHIPMENT = ("lane", "item", "depart_period")
TRANSFER = ("lane", "item", "ship_period")
DECISIONS = {
    "production": ("line", "item", "period"),
    "purchases": PURCHASE,
    "shipments": SHIPMENT,
    "transfers": TRANSFER,
}


def _totals(rows: list[dict[str, Any]], keys: tuple[str, ...]) -> dict[tuple[Any, ...], int]:
    out: dict[tuple[Any, ...], int] = defaultdict(int)
    for row in rows:
        out[tuple(row[k] for k in keys)] += row["quantity"]
    return out


def _moved(
    old: list[dict[str, Any]], new: list[dict[str, Any]], keys: tuple[str, ...]
) -> list[dict[str, Any]]:
    """Per key: quantity before and after, where they differ."""
    a, b = _totals(old, keys), _totals(new, keys)
    return [
        {
            **dict(zip(keys, key, strict=True)),
            "before": a.get(key, 0),
            "after": b.get(key, 0),
            "change": b.get(key, 0) - a.get(key, 0),
        }
        for key in sorted(set(a) | set(b))
        if a.get(key, 0) != b.get(key, 0)
    ]


def churn(before: Plan, after: Plan) -> dict[str, dict[str, int]]:
    """Per decision table: its lines before and after, how many moved (appeared, went or
    changed quantity) and the units moved (the sum of |after - before|)."""
    out = {}
    for table, keys in DECISIONS.items():
        a, b = _totals(before.table(table), keys), _totals(after.table(table), keys)
        changes = [abs(b.get(k, 0) - a.get(k, 0)) for k in set(a) | set(b)]
        out[table] = {
            "lines_before": len(a),
            "lines_after": len(b),
            "moved": sum(1 for c in changes if c),
            "units": sum(changes),
        }
    return out
