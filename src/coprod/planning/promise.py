"""Order promising (capable-to-promise): when can a new requirement be delivered, keeping
every existing requirement's planned on-time deliveries?

The programme gains the new requirement; the LP is built as for a plan, and each existing
requirement's on-time delivery column (delivery in its due bucket) gets the stored plan's
on-time units as a floor (`hold` rows, each with a shortfall column priced far above any
lateness, so a floor that a stale plan cannot hold is reported, never infeasible). The new
requirement's lateness weighs `LEAD` times the programme's top priority, so the quote is its
earliest schedule; everything else is planned as usual behind it. The solve is warm where it
can be: the alternatives re-solve the same kept HiGHS instance from the quote's basis.

Alternatives: the full quantity at the quote's last delivery (later date), the units on time
(partial by the due date), each other variant of the same design, and what the new one costs
the others if it took top priority (floors off: which requirements lose how many on-time
units).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from pydantic import ValidationError

from coprod.domain import Programme
from coprod.domain.entities import Requirement
from coprod.errors import InputError, SolverError
from coprod.planning.analyse import analyse
from coprod.planning.highs import HighsSession, SolveOutcome
from coprod.planning.lp import Family, LinearProgram
from coprod.planning.model import PlanningModel, build_model
from coprod.planning.options import Method, PlanOptions
from coprod.planning.receipts import add_scheduled_receipts
from coprod.planning.repair import repair_to_units
from coprod.planning.resolution import Choice, choose_resolution
from coprod.planning.result import Plan
from coprod.planning.solve import assemble_plan
from coprod.planning.sparse import Csr
from coprod.planning.warm_state import restore_statuses

__all__ = ["LEAD", "PromiseRequest", "check_request", "new_requirement", "quote"]

LEAD = 100.0  # the new requirement's lateness weight, in multiples of the top priority's
SHORT = 1e4  # a floor's shortfall, per unit, in multiples of the largest lateness cost


@dataclass(frozen=True, slots=True, kw_only=True)
class PromiseRequest:
    item: str
    quantity: int
    destination: str
    due: dt.date | None = None  # None: as soon as possible (the first period)
    priority: int = 2
    id: str = ""  # the requirement id it gets on commit (default: PROMISE-n)
    customer: str = ""  # default: the destination's partner


def check_request(p: Programme, req: PromiseRequest) -> None:
    """InputError naming the field unless the request can be quoted on `p`."""
    if req.item not in p.products:
        known = ", ".join(p.products[:8]) + (", ..." if len(p.products) > 8 else "")
        raise InputError(f"item: '{req.item}' is not a design or variant of the programme ({known})")
    dests = {d.id for d in p.destinations}
    if req.destination not in dests:
        raise InputError(f"destination: '{req.destination}' is not a destination of the programme")
    if not isinstance(req.quantity, int) or req.quantity <= 0:
        raise InputError(f"quantity: {req.quantity} must be a whole number of at least 1")
    cal = p.calendar
    if req.due is not None and not 0 <= cal.index_of(req.due) < cal.periods:
        raise InputError(
            f"due: {req.due.isoformat()} is outside the horizon ({cal.labels[0]} to {cal.end.isoformat()}, "
            "end excluded)"
        )
    if req.priority not in p.settings.priority_weights:
        raise InputError(
            f"priority: {req.priority} has no weight in the programme "
            f"(one of {', '.join(map(str, sorted(p.settings.priority_weights)))})"
        )
    if req.id and req.id in {r.id for r in p.requirements}:
        raise InputError(f"id: requirement '{req.id}' exists already")


def new_requirement(p: Programme, req: PromiseRequest, quantity: int | None = None) -> Requirement:
    ids = {r.id for r in p.requirements}
    rid = req.id or next(f"PROMISE-{n}" for n in range(1, len(ids) + 2) if f"PROMISE-{n}" not in ids)
    customer = req.customer or next(d.partner for d in p.destinations if d.id == req.destination)
    try:
        return Requirement(
            id=rid,
            customer=customer,
            destination=req.destination,
            item=req.item,
            quantity=quantity or req.quantity,
            due=req.due or p.calendar.starts[0],
            priority=req.priority,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputError(f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from None


@dataclass(slots=True)
class _Run:
    """The model with the new requirement, the floors, and the live solver."""

    model: PlanningModel
    session: HighsSession
    new: int  # index of the new requirement
    floor_rows: np.ndarray  # row index of each floor in the LP
    floors: np.ndarray  # units each floor holds
    floor_ids: list[str]
    choice: Choice
    timings: dict[str, float] = field(default_factory=dict)
    warm: bool = False  # the first solve starts from the stored plan's basis
    start: str = ""  # warm, or cold and why


def _warm_start(session: HighsSession, lp: LinearProgram, base: Plan) -> str:
    """Hand the stored plan's basis to the solver; '' when it took, else why not."""
    statuses = restore_statuses(base.solver_state, lp)
    if isinstance(statuses, str):
        return statuses
    return "" if session.start_from_statuses(*statuses) else "HiGHS refused the plan's basis"


def _with_floors(m: PlanningModel, floors: dict[int, float]) -> tuple[PlanningModel, np.ndarray]:
    """`m` plus, for each requirement r in `floors`: deliver[r, due] + short[r] >= floor."""
    lp = m.lp
    fam = lp.columns["deliver"]
    reqs = list(floors)
    first = {}
    keys_r = fam.keys["requirement"]
    for i in np.flatnonzero(np.r_[True, keys_r[1:] != keys_r[:-1]]):  # first column: the due bucket
        first[int(keys_r[i])] = fam.start + int(i)
    n, (n_rows, n_cols) = len(reqs), lp.shape
    cols = np.asarray([first[r] for r in reqs], dtype=np.int64)
    entries = sp.csr_matrix(
        (np.ones(2 * n), (np.tile(np.arange(n), 2), np.concatenate([cols, n_cols + np.arange(n)]))),
        shape=(n, n_cols + n),
    )
    short_cost = SHORT * max(float(np.max(lp.cost, initial=0.0)), m.unit_weight)
    keys = {"requirement": np.asarray(reqs, dtype=np.int64)}
    new = LinearProgram(
        cost=np.concatenate([lp.cost, np.full(n, short_cost)]),
        csr=Csr.from_scipy(
            sp.vstack([sp.hstack([lp.matrix, sp.csr_matrix((n_rows, n))]), entries], format="csr")
        ),
        row_lower=np.concatenate([lp.row_lower, [floors[r] for r in reqs]]),
        row_upper=np.concatenate([lp.row_upper, np.full(n, np.inf)]),
        col_lower=np.concatenate([lp.col_lower, np.zeros(n)]),
        col_upper=np.concatenate([lp.col_upper, np.full(n, np.inf)]),
        columns={**lp.columns, "short": Family("short", n_cols, n, keys)},
        rows={**lp.rows, "hold": Family("hold", n_rows, n, keys)},
        service_cost=np.concatenate([lp.service_cost, np.full(n, short_cost)]),
        penalty_cost=lp.penalty_cost,
    )
    return PlanningModel(m.structure, new, m.unit_weight, m.dest_pairs, m.folded_stock), n_rows + np.arange(n)


def _new_costs(m: PlanningModel, new: int, factor: float) -> tuple[np.ndarray, np.ndarray]:
    """Columns of the new requirement (deliver and unmet) and their costs at weight x factor."""
    lp = m.lp
    d, u = lp.columns["deliver"], lp.columns["unmet"]
    cols = np.concatenate([d.start + np.flatnonzero(d.keys["requirement"] == new), [u.start + new]])
    return cols, m.lp.cost[cols] * factor


def _build(p: Programme, base: Plan, options: PlanOptions, rq: Requirement) -> _Run:
    clock = time.perf_counter()
    p2 = p.model_copy(update={"requirements": (*p.requirements, rq)})
    choice = choose_resolution(p2, options.resolution)
    model = build_model(analyse(p2, fold_supply=options.fold_supply, grid=choice.grid))
    add_scheduled_receipts(model)
    planned = {r["id"]: float(r["on_time"]) for r in base.requirements}
    floors = {i: planned[r.id] for i, r in enumerate(p.requirements) if planned.get(r.id, 0) > 0}
    model, rows = _with_floors(model, floors)
    new = len(p.requirements)
    top = max(p2.settings.priority_weights.values()) / p2.weight_of(rq.priority)
    cols, cost = _new_costs(model, new, LEAD * top)
    model.lp.cost[cols] = cost
    model.lp.service_cost[cols] = cost
    session = HighsSession(model.lp, options.solver, folded=options.fold_supply)
    warm = _warm_start(session, model.lp, base)
    floor_ids = [p.requirements[i].id for i in floors]
    run = _Run(model, session, new, rows, np.asarray(list(floors.values()), dtype=float), floor_ids, choice)
    run.warm = warm == ""
    run.start = "warm: from the stored plan's basis" if run.warm else f"cold: {warm}"
    run.timings["build_s"] = time.perf_counter() - clock
    run.timings["resolution"] = 0.0 if choice.grid is None or choice.grid.is_exact else 1.0
    return run


def _solve(run: _Run, method: Method | None = None) -> tuple[Plan, SolveOutcome]:
    """Solve, round to whole units, assemble; the make columns are freed again afterwards so
    the next solve on the same instance starts from this basis."""
    m, session = run.model, run.session
    outcome = session.solve(method=method)
    basis = session.save_basis()
    x, final = repair_to_units(m, session, outcome)
    made = m.production  # products' and built assemblies' columns, fixed by the rounding
    cols = np.arange(made.start, made.stop)
    session.set_column_bounds(cols, m.lp.col_lower[cols], m.lp.col_upper[cols])
    session.restore_basis(basis)
    plan = assemble_plan(
        m, outcome, x, {"solve_s": outcome.seconds}, final.status.value, run.choice, explain_idle=False
    )
    return plan, outcome


def _schedule(plan: Plan, rid: str) -> list[dict[str, Any]]:
    return [
        {"period": d["period"], "quantity": d["quantity"], "periods_late": d["periods_late"]}
        for d in plan.deliveries
        if d["requirement"] == rid
    ]


def _summary(plan: Plan, rid: str) -> dict[str, Any]:
    row = plan.requirement(rid)
    sched = _schedule(plan, rid)
    cum, full_by = 0, None
    for d in sched:
        cum += d["quantity"]
        d["cumulative"] = cum
        if cum >= row["quantity"] and full_by is None:
            full_by = d["period"]
    return {
        "item": row["item"],
        "quantity": row["quantity"],
        "due": row["due"],
        "schedule": sched,
        "on_time": row["on_time"],
        "late": row["late"],
        "unmet": row["unmet"],
        "full_by": full_by,
        # causes.py speaks of a plan: here, what others get is what the quote holds for them
        "cause": row["cause"].replace(
            "goes to requirements of higher priority or earlier due dates",
            "is held for the existing requirements' planned on-time deliveries",
        ),
    }


def _limits(plan: Plan, rid: str, summary: dict[str, Any]) -> list[dict[str, Any]]:
    """What limits the quote: why the new requirement is late (causes.py), then the limits
    that bind in the quote's LP, ranked (explain.py; their values are not shown: they are
    priced at the new requirement's lead weight)."""
    out: list[dict[str, Any]] = []
    if summary["cause"]:
        out.append({"constraint": "cause", "entity": rid, "from": "", "to": "", "text": summary["cause"]})
    for b in plan.bottlenecks[:8]:
        out.append(
            {
                "constraint": b["constraint"],
                "entity": b["entity"],
                "from": b["from"],
                "to": b["to"],
                "text": f"{b['subject']} binds",
            }
        )
    return out


def _losses(base: Plan, plan: Plan, skip: str) -> list[dict[str, Any]]:
    was = {r["id"]: r["on_time"] for r in base.requirements}
    lost = []
    for r in plan.requirements:
        if r["id"] == skip or r["id"] not in was:
            continue
        if r["on_time"] < was[r["id"]]:
            lost.append(
                {
                    "requirement": r["id"],
                    "on_time_before": was[r["id"]],
                    "on_time_after": r["on_time"],
                    "lost": was[r["id"]] - r["on_time"],
                }
            )
    return sorted(lost, key=lambda x: -x["lost"])


def _shortfalls(run: _Run, x: np.ndarray) -> list[dict[str, Any]]:
    short = run.model.lp.columns["short"]
    xs = x[short.slice]
    return [
        {"requirement": run.floor_ids[i], "floor": float(run.floors[i]), "short": float(xs[i])}
        for i in np.flatnonzero(xs > 1e-6)
    ]


def quote(
    p: Programme,
    base: Plan,
    req: PromiseRequest,
    options: PlanOptions | None = None,
    alternatives: bool = True,
) -> dict[str, Any]:
    """The quote for `req` on `p`, holding the on-time deliveries of `base` (the stored plan
    of `p`); JSON-ready. `alternatives=False` gives the quote alone (one solve)."""
    options = options or PlanOptions()
    started = time.perf_counter()
    check_request(p, req)
    rq = new_requirement(p, req)
    run = _build(p, base, options, rq)
    clock = time.perf_counter()
    try:
        # from a basis, dual simplex re-optimises in a few hundred iterations
        plan, outcome = _solve(run, Method.SIMPLEX if run.warm else None)
    except SolverError as exc:
        raise SolverError(f"no quote: {exc}") from exc
    run.timings["solve_s"] = time.perf_counter() - clock
    summary = _summary(plan, rq.id)
    held = _losses(base, plan, rq.id)
    result: dict[str, Any] = {
        "requirement": rq.model_dump(mode="json"),
        "quote": summary,
        "limits": _limits(plan, rq.id, summary),
        "kept": {
            "requirements": len(run.floor_ids),
            "on_time_units": int(run.floors.sum()),
            "dropped": held,  # empty unless the stored plan is stale (see "shortfalls")
            "shortfalls": _shortfalls(run, outcome.x),
        },
        "alternatives": {},
        "_plan": plan,
    }
    if alternatives:
        result["alternatives"] = _alternatives(p, base, req, rq, run, summary, options)
    run.timings["total_s"] = time.perf_counter() - started
    result["timings"] = run.timings
    result["start"] = run.start
    return result


def _alternatives(
    p: Programme,
    base: Plan,
    req: PromiseRequest,
    rq: Requirement,
    run: _Run,
    summary: dict[str, Any],
    options: PlanOptions,
) -> dict[str, Any]:
    alt: dict[str, Any] = {}
    total = req.quantity
    alt["later_date"] = (
        {"quantity": total, "date": summary["full_by"]}
        if summary["full_by"] is not None
        else {"quantity": total, "date": None, "note": f"only {total - summary['unmet']} within the horizon"}
    )
    alt["partial_by_due"] = {"quantity": summary["on_time"], "date": summary["due"]}
    variants = []
    design = p.design_of(req.item)
    for other in (design.id, *(v.id for v in design.variants)):
        if other == req.item:
            continue
        clock = time.perf_counter()
        other_q = quote(p, base, _replace(req, item=other), options, alternatives=False)
        q = other_q["quote"]
        variants.append(
            {
                "item": other,
                "on_time": q["on_time"],
                "full_by": q["full_by"],
                "unmet": q["unmet"],
                "seconds": round(time.perf_counter() - clock, 3),
            }
        )
    alt["variants"] = variants
    # top priority, floors off: what the new one would cost the others
    clock = time.perf_counter()
    m, session = run.model, run.session
    session.set_row_bounds(
        run.floor_rows, np.zeros(run.floor_rows.size), np.full(run.floor_rows.size, np.inf)
    )
    m.lp.row_lower[run.floor_rows] = 0.0
    cols, cost = _new_costs(m, run.new, 1 / LEAD)  # back to the top priority's weight
    m.lp.cost[cols] = cost
    m.lp.service_cost[cols] = cost
    session.set_costs(m.lp.cost)
    plan, _ = _solve(run, Method.SIMPLEX)
    first = _summary(plan, rq.id)
    alt["top_priority"] = {
        "on_time": first["on_time"],
        "full_by": first["full_by"],
        "unmet": first["unmet"],
        "costs_others": _losses(base, plan, rq.id),
        "seconds": round(time.perf_counter() - clock, 3),
    }
    return alt


def _replace(req: PromiseRequest, **changes: Any) -> PromiseRequest:
    from dataclasses import replace

    return replace(req, **changes)
