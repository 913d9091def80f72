"""Compare scenarios side by side: KPIs, deliveries per period, what binds."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from coprod.domain import Programme
from coprod.planning import Plan, PlanOptions, plan

__all__ = ["KPI_ROWS", "Comparison", "compare"]

# (key, label, True when a higher value is better)
KPI_ROWS = (
    ("on_time_rate", "on-time rate", True),
    ("fill_rate", "fill rate", True),
    ("on_time_units", "units on time", True),
    ("late_units", "units late", False),
    ("unmet_units", "units unmet", False),
    ("requirements_late_or_unmet", "requirements late or unmet", False),
    ("cost", "total cost", False),
)


@dataclass(frozen=True, slots=True)
class Comparison:
    names: list[str]  # the base first
    plans: list[Plan]

    def kpis(self) -> list[dict[str, Any]]:
        rows = []
        for name, p in zip(self.names, self.plans, strict=True):
            row: dict[str, Any] = {"scenario": name, **{k: p.kpis[k] for k, _, _ in KPI_ROWS if k in p.kpis}}
            row["cost"] = p.costs["total"]
            row["top_bottleneck"] = p.bottlenecks[0]["subject"] if p.bottlenecks else ""
            rows.append(row)
        return rows

    def monthly(self) -> list[dict[str, Any]]:
        """Per period: required and delivered in each scenario."""
        table: dict[str, dict[str, int]] = defaultdict(dict)
        for name, p in zip(self.names, self.plans, strict=True):
            for row in p.deliveries_by_period:
                cell = table[row["period"]]
                cell[f"{name}: required"] = cell.get(f"{name}: required", 0) + row["required"]
                cell[f"{name}: delivered"] = cell.get(f"{name}: delivered", 0) + row["delivered"]
                cell[f"{name}: on time"] = cell.get(f"{name}: on time", 0) + row["on_time"]
        # Scenarios may bucket far periods differently (their lead times differ): list every
        # period any of them uses, in calendar order (ISO dates sort as dates).
        periods = sorted({label for plan in self.plans for label in plan.periods})
        out = []
        for period in periods:
            cells = table.get(period, {})
            line: dict[str, Any] = {"period": period}
            for name in self.names:
                for what in ("required", "delivered", "on time"):
                    line[f"{name}: {what}"] = cells.get(f"{name}: {what}", 0)
            out.append(line)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenarios": self.names,
            "kpis": self.kpis(),
            "monthly": self.monthly(),
            "bottlenecks": {n: p.bottlenecks[:5] for n, p in zip(self.names, self.plans, strict=True)},
        }


def compare(
    base: Programme,
    scenarios: list[tuple[str, Programme]],
    options: PlanOptions | None = None,
    base_name: str = "base",
) -> Comparison:
    names = [base_name] + [name for name, _ in scenarios]
    plans = [plan(base, options)] + [plan(p, options) for _, p in scenarios]
    return Comparison(names, plans)
