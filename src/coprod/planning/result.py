"""The result of planning: whole units per line, order, lane and requirement, with KPIs.

A Plan is a value: an infeasible requirement shows as late or unmet here, never as an
exception. Tables are lists of flat rows (dicts with fixed keys) so that they go straight
to CSV, JSON, a database or a page.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

__all__ = ["TABLES", "Plan"]

Row = dict[str, Any]

TABLES = (
    "production",
    "assembly_builds",
    "purchases",
    "shipments",
    "transfers",
    "deliveries",
    "requirements",
    "stock",
    "deliveries_by_period",
    "bottlenecks",
)


@dataclass(frozen=True, slots=True)
class Plan:
    programme: str
    currency: str
    periods: tuple[str, ...]
    status: str  # optimal | time_limit | first (the heuristic's plan, no LP behind it)
    method: str
    objective: float  # of the whole-unit plan: costs["total"] + service_term
    lp_objective: float  # of the LP optimum (what an exported MPS solves to)
    lp_service: float  # the lateness-and-unmet part of lp_objective, in W units
    unit_weight: float
    lp: dict[str, int]  # rows, columns, nonzeros
    timings: dict[str, float]
    kpis: dict[str, Any]
    costs: dict[str, float]  # production, royalties, purchases, transport, holding; total
    # the costs per partner and figure, in the programme's currency and the partner's own
    # (planning/partner_costs.py); money, so shown only to those who read costs
    partner_costs: list[Row] = field(default_factory=list)
    production: list[Row] = field(default_factory=list)
    # assemblies built on lines: line, site, item, period (start), available, quantity, cost
    assembly_builds: list[Row] = field(default_factory=list)
    purchases: list[Row] = field(default_factory=list)
    shipments: list[Row] = field(default_factory=list)
    # between sites: lane, item, from_site, to_site, ship_period, arrive_period, quantity, cost
    transfers: list[Row] = field(default_factory=list)
    deliveries: list[Row] = field(default_factory=list)
    requirements: list[Row] = field(default_factory=list)
    stock: list[Row] = field(default_factory=list)
    deliveries_by_period: list[Row] = field(default_factory=list)
    bottlenecks: list[Row] = field(default_factory=list)
    # why each idle or under-used line, licence and offer stays so while requirements it
    # could serve are late: kind, id, period, used, available, reason, code (idle.py). Not
    # in TABLES: scoped plan views (app/plan_view.py) show it only to those who see all.
    idle_reasons: list[Row] = field(default_factory=list)
    # W x priority-weighted unit-periods late (unmet: as if delivered after the horizon)
    service_term: float = 0.0
    # which time resolution was used and why: used (exact | aggregated), reason, refinements,
    # buckets (planning/resolution.py)
    resolution: dict[str, Any] = field(default_factory=dict)
    # set on a re-plan: path (warm | rebuilt), frozen (periods held), why (planning/replan.py)
    replan: dict[str, Any] = field(default_factory=dict)
    # the LP optimum's basis and the LP's layout (planning/warm_state.py), so a later solve of
    # a near-identical LP (an order promise) starts warm; stored with the plan, never shown
    solver_state: dict[str, Any] = field(default_factory=dict, repr=False)
    # anytime planning (planning/first.py): first (the heuristic's plan, nothing better
    # yet), improving (an LP plan not proven optimal: a time limit, or a job still solving),
    # optimal (the LP's optimum behind it); bound: the LP's dual bound on the objective where
    # known; gap: (objective - bound) / |objective|, a certified gap, None when unknown
    state: str = "optimal"
    bound: float | None = None
    gap: float | None = None
    # complete, or pending: the server's worker stores and shows a plan before it has worked
    # out why late requirements are late and idle lines stay idle (causes and idle_reasons
    # empty until then) and kept the solver state; it stores the complete plan moments
    # later (app/plan_jobs.py)
    explanation: str = "complete"

    def table(self, name: str) -> list[Row]:
        rows: list[Row] = getattr(self, name)
        return rows

    def to_dict(self) -> dict[str, Any]:
        """A copy as plain data. Tables are lists of flat rows, so each row is copied on its
        own; dataclasses.asdict deep-copied every value (~300k objects at M, 1 s of CPU)."""
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, list):
                out[name] = [dict(row) if isinstance(row, dict) else copy.deepcopy(row) for row in value]
            elif isinstance(value, dict):
                out[name] = copy.deepcopy(value)
            else:
                out[name] = value
        return out

    def public_dict(self) -> dict[str, Any]:
        """`to_dict` without the solver state: what files and pages show."""
        out = self.to_dict()
        out.pop("solver_state", None)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        """A plan from `to_dict`'s output (as stored); keys it does not know are ignored, so
        plans stored by an older or newer coprod still load."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**{**known, "periods": tuple(known["periods"])})

    def requirement(self, rid: str) -> Row:
        return next(r for r in self.requirements if r["id"] == rid)
