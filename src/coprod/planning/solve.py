"""Plan a programme: analyse -> build LP -> HiGHS -> whole units -> tables, KPIs, explanation."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from coprod.domain import Programme
from coprod.errors import InputError, SolverError
from coprod.planning.analyse import analyse
from coprod.planning.causes import late_causes, service_until
from coprod.planning.extract import extract_tables
from coprod.planning.first import heuristic_plan, with_bound
from coprod.planning.grid import exact_grid
from coprod.planning.heuristic import Unsupported
from coprod.planning.kpis import deliveries_by_period, kpis
from coprod.planning.model import PlanningModel, build_model
from coprod.planning.options import Objective, PlanOptions, PlanStage, Priority
from coprod.planning.outcome import SolveOutcome, SolveStatus
from coprod.planning.partner_costs import partner_costs
from coprod.planning.receipts import add_scheduled_receipts
from coprod.planning.resolution import Choice, choose_resolution
from coprod.planning.result import Plan

if TYPE_CHECKING:
    from coprod.planning.highs import HighsSession

# What only the LP needs (highspy, the integer repair, stability, fair share, strict
# priority, bottlenecks, idle reasons) is imported where it is used, so that a first plan
# alone (`coprod plan --first`) never loads it (tests/integration/test_first_plan.py).

__all__ = ["PlanOptions", "Progress", "plan", "solve_model"]

Progress = Callable[[PlanStage], None]
# told the first plan as soon as the heuristic has it, or why there is none (a str)
FirstPlan = Callable[[Plan | str], None]


def _noop(stage: PlanStage) -> None:
    return None


def solve_model(m: PlanningModel, session: HighsSession, objective: Objective) -> SolveOutcome:
    """The service-first optimum: one weighted solve, or a literal two-phase solve."""
    if objective is Objective.WEIGHTED:
        return session.solve()
    lp = m.lp
    session.set_costs(lp.service_cost)
    first = session.solve()
    service = lp.service_cost
    nz = np.flatnonzero(service)
    bound = first.objective * (1 + 1e-9) + 1e-6 * m.unit_weight
    row = session.add_row(-np.inf, bound, nz, service[nz])
    session.set_costs(lp.cost)
    second = session.solve()
    # The service bound has done its work; rounding to whole units may cost a little
    # service, so the repair re-solve must not be held to the fractional optimum.
    session.set_row_bounds(np.array([row]), np.array([-np.inf]), np.array([np.inf]))
    return second


def plan(
    programme: Programme,
    options: PlanOptions | None = None,
    progress: Progress = _noop,
    last: Plan | None = None,
    on_first: FirstPlan | None = None,
) -> Plan:
    """The plan of `programme`; with `last` and `options.stability`, moves against `last` are
    penalised (planning/commit.py).

    Anytime: with `on_first`, `options.first_only` or a time limit, the heuristic's first
    plan is made before the LP is solved and handed to `on_first`; with `first_only` it is the
    answer. If the solver stops at a time
    limit without a plan, the first plan is returned (state "first"); the LP's plan is
    returned only when its lateness is no worse than the first plan's."""
    options = options or PlanOptions()
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    progress(PlanStage.BUILDING)
    choice = choose_resolution(programme, options.resolution)
    stable = last is not None and options.stability > 0
    plain = options.objective is Objective.WEIGHTED and options.priority is Priority.WEIGHTED
    plain = plain and not stable and not options.fair_share
    # the first plan is made where it is shown or may be the answer (a caller watching, the
    # first plan alone, a time limit): a scenario comparison or a risk sample only wants the
    # optimum, and the heuristic with its exact-grid model costs 0.4 of 3.0 CPU s at M
    wanted = on_first is not None or options.first_only or bool(options.solver.time_limit)
    grid = choice if choice.grid is None else EXACT
    made = first_plan(programme, options, on_first, grid) if wanted else "not asked for"
    first = made if isinstance(made, Plan) else None
    if options.first_only:
        if first is None:  # a first plan alone is no LP solve: say why there is none
            raise InputError(f"no first plan: {made}; plan without --first for the LP's plan")
        return first
    from coprod.planning.commit import committed, with_stability
    from coprod.planning.fairness import add_fair_share
    from coprod.planning.highs import HighsSession
    from coprod.planning.priority import StrictSolver
    from coprod.planning.repair import repair_to_units
    from coprod.planning.warm_state import state_of

    # folded supply has no order columns to hold still: stabilised plans keep every offer
    folded = options.fold_supply and not stable
    model = build_model(analyse(programme, fold_supply=folded, grid=choice.grid))
    add_scheduled_receipts(model)  # goods on their way (planning as of a date): a no-op otherwise
    if last is not None and stable:
        model = with_stability(model, committed(last), 0, options.stability)
    if options.fair_share:
        add_fair_share(model)
    timings["build_s"] = time.perf_counter() - clock
    clock = time.perf_counter()
    session = HighsSession(model.lp, options.solver, folded=folded)
    timings["build_s"] += time.perf_counter() - clock
    for path in options.export:
        session.export(path, (model.lp.column_names(), model.lp.row_names()))
    progress(PlanStage.SOLVING)
    clock = time.perf_counter()
    strict = StrictSolver(model, session) if options.priority is Priority.STRICT else None
    try:
        outcome = strict.solve() if strict else solve_model(model, session, options.objective)
    except SolverError:
        if first is None or not options.solver.time_limit:
            raise
        return first  # the time limit came before any LP plan: the best so far, gap unknown
    timings["solve_s"] = time.perf_counter() - clock
    state = state_of(model.lp, session)
    progress(PlanStage.ROUNDING)
    clock = time.perf_counter()
    x, final = repair_to_units(model, session, outcome, strict.solve if strict else None)
    timings["repair_s"] = time.perf_counter() - clock
    progress(PlanStage.EXPLAINING)
    clock = time.perf_counter()
    result = assemble_plan(model, outcome, x, timings, final.status.value, choice)
    timings["explain_s"] = time.perf_counter() - clock
    object.__setattr__(result, "solver_state", state)
    optimal = outcome.status is SolveStatus.OPTIMAL
    # the LP optimum bounds every plan's objective only when it prices what a plan reports
    # (service and cost, no stability penalty, one weighted solve)
    bound = outcome.objective if optimal and plain else None
    comparable = not stable and not options.fair_share  # the first plan holds neither
    best = never_later(programme, first, result, options.priority) if comparable else result
    return with_bound(best, "optimal" if optimal else "improving", bound)


def never_later(programme: Programme, first: Plan | None, result: Plan, priority: Priority) -> Plan:
    """`result`, or the first plan where it is later: rounding the LP to whole units, or
    its coarse buckets, can lose service the first plan kept, and the plan returned is
    never later than the first one shown. Later means more weighted lateness (unmet units
    count as delivered after the horizon); with strict priority, more in the highest class
    where the two differ. The LP's figures stay (what an exported MPS solves to, and its
    status), as do its bottlenecks and solver state."""
    if first is None:
        return result
    if priority is Priority.STRICT:
        a, b = _class_lateness(programme, first), _class_lateness(programme, result)
        later = next(((x < y - 1e-9 * y) for x, y in zip(a, b, strict=True) if abs(x - y) > 1e-9 * y), False)
    else:
        later = first.service_term < result.service_term - 1e-9 * result.service_term
    if not later:
        return result
    return replace(
        first,
        bottlenecks=result.bottlenecks,
        timings=result.timings,
        status=result.status,
        lp_objective=result.lp_objective,
        lp_service=result.lp_service,
        lp=result.lp,
        solver_state=result.solver_state,
        replan=result.replan,
    )


def _class_lateness(programme: Programme, plan: Plan) -> list[float]:
    """Weighted late unit-periods per priority class, highest class first; an unmet unit
    counts as delivered the period after the horizon (as the LP prices it)."""
    cal = programme.calendar
    by_class: dict[int, float] = {}
    for row, rq in zip(plan.requirements, programme.requirements, strict=True):
        unmet = row["unmet"] * programme.weight_of(rq.priority) * (cal.periods - cal.index_of(rq.due) + 1)
        by_class[rq.priority] = by_class.get(rq.priority, 0.0) + row["weighted_late_periods"] + unmet
    return [by_class[c] for c in sorted(by_class)]


EXACT = Choice(
    None, "exact", "the first plan is made in single periods throughout (a heuristic needs no buckets)"
)


def first_plan(
    programme: Programme, options: PlanOptions, on_first: FirstPlan | None, choice: Choice
) -> Plan | str:
    """The heuristic's plan, on the exact grid whatever the LP's resolution, or why there is
    none (the LP plans alone then)."""
    clock = time.perf_counter()
    m = build_model(analyse(programme, fold_supply=options.fold_supply))
    add_scheduled_receipts(m)
    try:
        first: Plan | str = heuristic_plan(m, choice, {"build_s": time.perf_counter() - clock})
    except Unsupported as exc:
        first = str(exc)
    if on_first is not None:
        on_first(first)
    return first


def assemble_plan(
    m: PlanningModel,
    lp_outcome: SolveOutcome,
    x: np.ndarray,
    timings: dict[str, float],
    status: str,
    choice: Choice,
    explain: bool = True,
    explain_idle: bool = True,
    explain_late: bool = True,
) -> Plan:
    """The Plan of whole-unit solution `x`; `explain=False` (the first plan) leaves out what
    needs the LP's duals or costs a second look (bottlenecks, idle reasons): the optimum
    brings them; `explain_idle=False` leaves out only why idle lines stay idle (a third of
    the time at M; a quote never shows it)."""
    p = m.structure.programme
    tables, costs = extract_tables(m, x)
    labels = m.structure.grid.labels(p.calendar.labels) if m.structure.grid else p.calendar.labels
    waits = service_until(tables["requirements"], tables["deliveries"], labels)
    binding: list[dict[str, Any]] = []
    if explain:
        from coprod.planning.explain import bottlenecks

        binding = bottlenecks(m, lp_outcome.row_dual, lp_outcome.col_dual, lp_outcome.x, waits)
    if explain_late:
        late_causes(m, tables, binding)
    idle: list[dict[str, Any]] = []
    if explain and explain_idle:
        from coprod.planning.idle import idle_reasons

        idle = idle_reasons(m, x, tables)
    rows, cols = m.lp.shape
    service = float(m.lp.service_cost @ x)
    grid = m.structure.grid or exact_grid(p.calendar.periods)
    lengths = dict(zip(grid.labels(p.calendar.labels), (int(n) for n in grid.length), strict=True))
    return Plan(
        programme=p.settings.name,
        currency=p.settings.currency,
        periods=(m.structure.grid.labels(p.calendar.labels) if m.structure.grid else p.calendar.labels),
        status=status if lp_outcome.status.value == "optimal" else lp_outcome.status.value,
        method=lp_outcome.method,
        # what the plan's own tables cost (minimum-order surplus included) + its lateness
        objective=costs["total"] + service,
        service_term=service,
        lp_objective=lp_outcome.objective,
        lp_service=float(m.lp.service_cost @ lp_outcome.x) / m.unit_weight,
        unit_weight=m.unit_weight,
        lp={"rows": rows, "columns": cols, "nonzeros": m.lp.nnz},
        timings=timings,
        kpis=kpis(tables["requirements"], tables["production"]),
        costs=costs,
        partner_costs=partner_costs(p, tables, lengths),
        deliveries_by_period=deliveries_by_period(p, tables["requirements"], tables["deliveries"]),
        bottlenecks=binding,
        idle_reasons=idle,
        production=tables["production"],
        assembly_builds=tables["assembly_builds"],
        purchases=tables["purchases"],
        shipments=tables["shipments"],
        transfers=tables["transfers"],
        deliveries=tables["deliveries"],
        requirements=tables["requirements"],
        stock=tables["stock"],
        resolution=choice.as_dict(m.structure.periods),
    )
