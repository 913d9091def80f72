"""The part of a plan a principal may see: the rows PLAN_VIEW grants per table (access.py),
and money only with READ_COSTS (objective values and weights would let one derive costs)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coprod.access import PLAN_TABLES, Action, Principal, RowScope
from coprod.domain import Programme

__all__ = ["COST_FIELDS", "pegging", "scope_plan", "why_idle", "without_costs"]

# bound: the LP's optimal objective; gap (a ratio) is shown to all, the bound's value is money
COST_FIELDS = (
    "objective",
    "lp_objective",
    "lp_service",
    "unit_weight",
    "costs",
    "partner_costs",
    "service_term",
    "bound",
)
ROW_COST_FIELDS = {"bottlenecks": ("marginal_value",)}
# What every viewer of a plan gets beside the tables granted to them; anything else a plan
# holds (new explanations, diagnostics) is shown only to those who see every table.
COMMON = ("programme", "currency", "periods", "status", "method", "lp", "timings", "kpis", "state", "gap")
SITE_FIELD = {"shipments": "from_site"}  # the site a row belongs to (default: "site")


@dataclass(frozen=True, slots=True)
class _Mine:
    partner: str
    sites: frozenset[str]
    lines: frozenset[str]
    requirements: frozenset[str]
    designs: frozenset[str]


def _mine(who: Principal, p: Programme) -> _Mine:
    sites = frozenset(s.id for s in p.sites if s.partner == who.partner)
    return _Mine(
        partner=who.partner,
        sites=sites,
        lines=frozenset(ln.id for ln in p.lines if ln.site in sites),
        requirements=frozenset(r.id for r in p.requirements if r.customer == who.partner),
        designs=frozenset(d.id for d in p.designs if d.owner == who.partner),
    )


def _keeps(scope: RowScope, table: str, row: dict[str, Any], mine: _Mine, p: Programme) -> bool:
    if scope is RowScope.ALL:
        return True
    if scope is RowScope.OWN_SITES:
        if table == "transfers":  # both ends of a transfer plan around it
            return row.get("from_site") in mine.sites or row.get("to_site") in mine.sites
        return row.get(SITE_FIELD.get(table, "site")) in mine.sites
    if scope is RowScope.OWN_LINES:
        return row.get("entity") in mine.lines
    if scope is RowScope.OWN_ORDERS:
        return row.get("supplier") == mine.partner
    if scope is RowScope.OWN_REQUIREMENTS:
        return row.get("requirement" if table == "deliveries" else "id") in mine.requirements
    if scope is RowScope.OWN_DESIGNS:
        item = row.get("item")
        return item is not None and p.design_of(item).id in mine.designs
    return False


def scope_plan(result: dict[str, Any], who: Principal, p: Programme) -> dict[str, Any]:
    view = who.plan_view()
    result = {k: v for k, v in result.items() if k != "solver_state"}  # the solver's, nobody's
    every_table = all(view.get(t) is RowScope.ALL for t in PLAN_TABLES)
    if every_table:
        out = dict(result)
        for table in PLAN_TABLES:  # a plan stored before a table existed shows it empty
            out.setdefault(table, [])
    else:
        out = {k: v for k, v in result.items() if k in COMMON or k in COST_FIELDS}
        mine = _mine(who, p)
        for table in PLAN_TABLES:
            scope = view.get(table)
            rows = result.get(table, [])
            out[table] = [] if scope is None else [r for r in rows if _keeps(scope, table, r, mine, p)]
    return out if who.may(Action.READ_COSTS) else without_costs(out)


def without_costs(result: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in result.items() if k not in COST_FIELDS}
    for table, fields in ROW_COST_FIELDS.items():
        if table in out:
            out[table] = [{k: v for k, v in row.items() if k not in fields} for row in out[table]]
    if "bottlenecks" in out:  # a limit that only saves money says how much in its text
        out["bottlenecks"] = [
            row if row.get("service_gain", 1) else {**row, "text": f"{row.get('subject', '')}: saves cost"}
            for row in out["bottlenecks"]
        ]
    return out


def pegging(plan: dict[str, Any], p: Programme, rid: str) -> list[dict[str, Any]]:
    """Which production (line and period) serves requirement `rid` (planning/pegging.py)."""
    from coprod.planning.pegging import pegging as peg

    return peg(plan, p, rid)


def why_idle(plan: Any, entity: str, programme: Programme | None = None) -> list[str]:
    """Why line, licence or offer `entity` is idle while requirements are late, one line per
    period (planning/idle.py), for `coprod plan ... --why-idle ENTITY`."""
    from coprod.planning.idle import why_idle as why

    return why(plan, entity, programme)
