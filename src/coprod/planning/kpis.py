"""Programme KPIs from plan tables: on-time and fill rates, deliveries per period and item."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from coprod.domain import Programme

__all__ = ["deliveries_by_period", "kpis"]


def kpis(requirements: list[dict[str, Any]], production: list[dict[str, Any]]) -> dict[str, Any]:
    required = sum(r["quantity"] for r in requirements)
    delivered = sum(r["delivered"] for r in requirements)
    on_time = sum(r["on_time"] for r in requirements)
    late_reqs = [r for r in requirements if r["status"] != "on_time"]
    return {
        "required_units": required,
        "delivered_units": delivered,
        "on_time_units": on_time,
        "late_units": delivered - on_time,
        "unmet_units": sum(r["unmet"] for r in requirements),
        "on_time_rate": on_time / required if required else 1.0,
        "fill_rate": delivered / required if required else 1.0,
        "requirements": len(requirements),
        "requirements_late_or_unmet": len(late_reqs),
        "produced_units": sum(x["quantity"] for x in production),
        "weighted_late_periods": sum(r["weighted_late_periods"] for r in requirements),
    }


def deliveries_by_period(
    programme: Programme, requirements: list[dict[str, Any]], deliveries: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Per period and item: units required (by due period), delivered, and delivered on time."""
    table: dict[tuple[str, str], dict[str, int]] = defaultdict(
        lambda: {"required": 0, "delivered": 0, "on_time": 0}
    )
    for r in requirements:
        table[(r["due"], r["item"])]["required"] += r["quantity"]
    for d in deliveries:
        cell = table[(d["period"], d["item"])]
        cell["delivered"] += d["quantity"]
        if d["periods_late"] == 0:
            cell["on_time"] += d["quantity"]
    order = {label: i for i, label in enumerate(programme.calendar.labels)}
    return [
        {"period": period, "item": item, "design": programme.design_of(item).id, **cell}
        for (period, item), cell in sorted(table.items(), key=lambda kv: (order[kv[0][0]], kv[0][1]))
    ]
