"""Plans: start (a background job, reused for unchanged inputs), status, results, diff."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from coprod.api.deps import CurrentUser, DbSession, PlanNumber
from coprod.api.problems import problem_responses
from coprod.app import plans
from coprod.app.options import JobStatus, Method, Objective, PlanOptions, Resolution, SolverOptions
from coprod.app.plan_jobs import wake_workers

router = APIRouter(tags=["plans"])
ERRORS = problem_responses(401, 403, 404, 409, 422)


class PlanRequest(BaseModel):
    """How to plan (every field optional: the defaults are coprod plan's)."""

    resolution: Resolution = Resolution.AUTO
    objective: Objective = Objective.WEIGHTED
    method: Method = Method.AUTO
    time_limit: float | None = Field(default=None, gt=0, le=86_400, description="seconds")
    as_of: dt.date | None = Field(
        default=None,
        description="Plan the rest of the horizon from the actuals before this day (a period's first)",
    )
    label: str = Field(default="", max_length=200, description="what the plan is for, in a few words")
    note: str = Field(default="", max_length=4000)

    def options(self) -> PlanOptions:
        return PlanOptions(
            solver=SolverOptions(method=self.method, time_limit=self.time_limit),
            objective=self.objective,
            resolution=self.resolution,
        )


class PlanStatus(BaseModel):
    number: int
    status: JobStatus
    requested_by: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    error: str | None
    kpis: dict[str, Any] | None
    reused: bool = False
    label: str = ""
    note: str = ""
    start: str = Field(
        default="",
        description="warm: re-solved from the worker's live session of the programme; cold: built "
        "and solved afresh; empty until the plan is done",
    )
    start_reason: str = Field(
        default="",
        description="why it started warm or cold, e.g. 'first plan of this programme since "
        "the server started'",
    )
    state: str | None = Field(default=None, description="first | improving | optimal; null before any plan")
    gap: float | None = Field(default=None, description="certified gap against the LP's bound; null: unknown")
    explanation: str = Field(
        default="complete",
        description="complete; pending: the plan is done and readable while the worker still works out "
        "why late requirements are late and idle lines and offers stay idle (results' requirement "
        "causes and idle_reasons fill in moments later); "
        "interrupted or failed: the worker stopped first, or that part failed (plan again for it)",
    )


def _status(v: plans.PlanVersionView) -> PlanStatus:
    return PlanStatus(
        number=v.number,
        status=v.status,
        requested_by=v.requested_by,
        created_at=v.created_at,
        finished_at=v.finished_at,
        error=v.error,
        kpis=v.kpis,
        reused=v.reused,
        label=v.label,
        note=v.note,
        start=v.start,
        start_reason=v.start_reason,
        explanation=v.explanation,
        state=v.state,
        gap=v.gap,
    )


@router.post(
    "/programmes/{programme}/plans",
    response_model=PlanStatus,
    status_code=202,
    responses={**ERRORS, 200: {"model": PlanStatus, "description": "The same inputs were planned already"}},
)
def start_plan(
    programme: str, who: CurrentUser, session: DbSession, response: Response, body: PlanRequest | None = None
) -> PlanStatus:
    """Plan the programme as it is now, by a worker; poll GET .../plans/{number}. The same
    inputs and options return the finished plan (reused: true) instead of planning again."""
    version = plans.start_plan(
        session,
        who,
        programme,
        body.options() if body else None,
        body.as_of if body else None,
        label=body.label if body else "",
        note=body.note if body else "",
    )
    session.commit()  # the worker reads the job in its own transaction
    if not version.reused:
        wake_workers()  # this server's worker claims it now, not at its next look
    if version.reused:
        response.status_code = 200
    return _status(version)


@router.get("/programmes/{programme}/plans", response_model=list[PlanStatus], responses=ERRORS)
def list_plans(programme: str, who: CurrentUser, session: DbSession) -> list[PlanStatus]:
    return [_status(v) for v in plans.plan_versions(session, who, programme)]


@router.get("/programmes/{programme}/plans/{number}", response_model=PlanStatus, responses=ERRORS)
def plan_status(programme: str, number: PlanNumber, who: CurrentUser, session: DbSession) -> PlanStatus:
    return _status(plans.plan_version(session, who, programme, number))


def _json(body: bytes) -> Response:
    """JSON made once per plan and view by the use case (megabytes for a whole plan):
    sent as it is, not validated and serialised again per request."""
    return Response(content=body, media_type="application/json")


@router.get("/programmes/{programme}/plans/{number}/results", response_model=dict[str, Any], responses=ERRORS)
def plan_results(programme: str, number: PlanNumber, who: CurrentUser, session: DbSession) -> Response:
    """The plan's tables and KPIs, limited to what the user's partner may see."""
    return _json(plans.plan_results_json(session, who, programme, number))


@router.get(
    "/programmes/{programme}/plans/{number}/overview", response_model=dict[str, Any], responses=ERRORS
)
def plan_overview(programme: str, number: PlanNumber, who: CurrentUser, session: DbSession) -> Response:
    """The plan at a glance, limited like results: KPIs, how many rows of each table the
    user sees, the worst late or unmet requirements and the top bottlenecks (20 each)."""
    return _json(plans.plan_overview_json(session, who, programme, number))


@router.get("/programmes/{programme}/plans/{number}/bottlenecks", responses=ERRORS)
def plan_bottlenecks(
    programme: str, number: PlanNumber, who: CurrentUser, session: DbSession
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = plans.plan_results(session, who, programme, number)["bottlenecks"]
    return rows


@router.get("/programmes/{programme}/plans/{number}/late", responses=ERRORS)
def plan_late(
    programme: str, number: PlanNumber, who: CurrentUser, session: DbSession
) -> list[dict[str, Any]]:
    """Late and unmet requirements with their causes."""
    rows = plans.plan_results(session, who, programme, number)["requirements"]
    return [r for r in rows if r["status"] != "on_time"]


@router.get("/programmes/{programme}/plans/{a}/diff/{b}", responses=ERRORS)
def plan_diff(
    programme: str, a: PlanNumber, b: PlanNumber, who: CurrentUser, session: DbSession
) -> dict[str, Any]:
    """What moved from plan a to plan b (in the rows the user may see): KPIs, requirements,
    production per line and period, and the input records that changed between them
    (`inputs`; null when a plan predates kept inputs)."""
    return plans.plan_diff(session, who, programme, a, b)
