"""Plans that explain themselves: each version with its label, note and the inputs changed
since the plan before it; a diff of two plans told in names a planner uses (KPIs with
their names, requirements with their quantities before and after and the input change
behind them, and whatever other tables the plan diff covers)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coprod.access import Principal
from coprod.app.database import Tx
from coprod.app.inputs import InputChange
from coprod.app.plans import PlanVersionView, changes_since_previous, plan_diff, plan_results, plan_versions

__all__ = ["KPI_NAMES", "DiffView", "VersionLine", "diff_view", "plan_history"]

# key -> (name, shown as a percentage, True when higher is better)
KPI_NAMES: dict[str, tuple[str, bool, bool]] = {
    "on_time_rate": ("On-time rate", True, True),
    "fill_rate": ("Fill rate", True, True),
    "on_time_units": ("Units on time", False, True),
    "late_units": ("Units late", False, False),
    "unmet_units": ("Units unmet", False, False),
    "produced_units": ("Units produced", False, True),
}
TABLES = ("requirements", "production")  # the diff's tables shown with their own layout


@dataclass(frozen=True, slots=True)
class VersionLine:
    version: PlanVersionView
    changes: list[InputChange] | None  # since the finished plan before it (None: unknown or first)


def plan_history(tx: Tx, who: Principal, programme: str) -> list[VersionLine]:
    """Every plan version, newest first, with what changed in its inputs (as far as the user
    may read) since the finished plan before it."""
    out = []
    for v in reversed(plan_versions(tx, who, programme)):
        changes = changes_since_previous(tx, who, programme, v.number) if v.done else None
        out.append(VersionLine(v, changes))
    return out


@dataclass(frozen=True, slots=True)
class DiffView:
    a: int
    b: int
    kpis: list[dict[str, Any]]
    inputs: list[dict[str, Any]] | None
    requirements: list[dict[str, Any]]
    production: list[dict[str, Any]]
    others: dict[str, list[dict[str, Any]]]  # further tables of the diff (purchases, shipments)
    cost_change: float | None


def _kpi_rows(kpis: dict[str, dict[str, float]]) -> list[dict[str, Any]]:
    rows = []
    for key, cell in kpis.items():
        name, percent, higher_better = KPI_NAMES.get(
            key, (key.replace("_", " "), key.endswith("_rate"), True)
        )
        change = cell["change"]
        better = change > 0 if higher_better else change < 0
        rows.append(
            {
                "key": key,
                "name": name,
                "percent": percent,
                **cell,
                "verdict": "better" if change and better else "worse" if change else "same",
            }
        )
    return rows


def _requirement_rows(
    moved: list[dict[str, Any]], before: dict[str, Any], after: dict[str, Any], inputs: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    old = {r["id"]: r for r in before["requirements"]}
    new = {r["id"]: r for r in after["requirements"]}
    changed = {c["key"]: c for c in inputs if c["section"] == "requirements"}
    rows = []
    for r in moved:
        o, n = old.get(r["id"], {}), new.get(r["id"], {})
        rows.append(
            {
                **r,
                "quantity_before": o.get("quantity"),
                "quantity_after": n.get("quantity"),
                "late_before": o.get("late", 0),
                "late_after": n.get("late", 0),
                "on_time_before": o.get("on_time", 0),
                "on_time_after": n.get("on_time", 0),
                "unmet_before": o.get("unmet", 0),
                "unmet_after": n.get("unmet", 0),
                "input": changed[r["id"]]["text"] if r["id"] in changed else "",
            }
        )
    return rows


def diff_view(tx: Tx, who: Principal, programme: str, a: int, b: int) -> DiffView:
    delta = plan_diff(tx, who, programme, a, b)
    inputs = delta.get("inputs")
    before, after = plan_results(tx, who, programme, a), plan_results(tx, who, programme, b)
    others = {
        k: v
        for k, v in delta.items()
        if k not in (*TABLES, "kpis", "inputs", "cost_change") and isinstance(v, list)
    }
    return DiffView(
        a=a,
        b=b,
        kpis=_kpi_rows(delta["kpis"]),
        inputs=inputs,
        requirements=_requirement_rows(delta.get("requirements", []), before, after, inputs or []),
        production=delta.get("production", []),
        others=others,
        cost_change=delta.get("cost_change"),
    )
