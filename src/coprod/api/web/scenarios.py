"""Scenarios and risk in the browser: pick change sets and compare them side by side with
the stored programme; run a risk sweep with progress and read its percentile bands and
probabilities."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from coprod.access import Action
from coprod.api.deps import DbSession
from coprod.api.web import plan_charts
from coprod.api.web.common import form_gate, page, programme_ref, require_user
from coprod.app import scenario_runs
from coprod.app.programmes import stored_programme
from coprod.app.scenarios import KPI_ROWS
from coprod.errors import CoprodError, ProgrammeInvalid

router = APIRouter(include_in_schema=False)


def _form(request: Request, session: Any, who: Any, name: str, **ctx: Any) -> Response:
    p = stored_programme(session, name)
    return page(
        request,
        "scenarios.html",
        who,
        row=programme_ref(name),
        suggested=scenario_runs.suggested_change_sets(p),
        uncertainty=ctx.pop("uncertainty", None) or scenario_runs.suggested_uncertainty(p),
        limit=scenario_runs.MAX_SCENARIOS,
        max_samples=scenario_runs.MAX_SAMPLES,
        kpi_rows=KPI_ROWS,
        **{"comparison": None, "errors": [], "chosen": [], **ctx},
    )


@router.get("/p/{name}/scenarios", response_model=None)
def scenariospage(request: Request, session: DbSession, name: str) -> Response:
    who = require_user(request, session)
    who.require(Action.START_PLAN, "run scenarios")
    return _form(request, session, who, name)


@router.post("/p/{name}/scenarios", response_model=None)
async def compare(request: Request, session: DbSession, name: str) -> Response:
    form = await request.form()
    who, refused = form_gate(request, session, str(form.get("csrf", "")))
    if refused is not None:
        return refused
    assert who is not None
    chosen = []
    for i in form.getlist("pick"):
        text = str(form.get(f"text-{i}", ""))
        chosen.append((str(form.get(f"name-{i}", f"scenario {i}")) or f"scenario {i}", text))
    try:
        result = scenario_runs.compare_stored(session, who, name, chosen)
    except ProgrammeInvalid as exc:
        return _form(request, session, who, name, errors=[str(p) for p in exc.problems], chosen=chosen)
    except CoprodError as exc:
        return _form(request, session, who, name, errors=[str(exc)], chosen=chosen)
    periods = sorted({label for plan in result.plans for label in plan.periods})
    return _form(
        request,
        session,
        who,
        name,
        comparison=result,
        kpis=result.kpis(),
        chart=plan_charts.scenario_chart(result.names, result.monthly(), periods),
        chosen=chosen,
    )


@router.post("/p/{name}/risk", response_model=None)
def start_risk(
    request: Request,
    session: DbSession,
    name: str,
    spec: Annotated[str, Form(max_length=100_000)],
    samples: Annotated[int, Form(ge=1, le=scenario_runs.MAX_SAMPLES)] = 20,
    seed: Annotated[int | None, Form()] = None,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    who, refused = form_gate(request, session, csrf)
    if refused is not None:
        return refused
    assert who is not None
    try:
        job = scenario_runs.start_risk(session, who, name, spec, samples, seed)
    except ProgrammeInvalid as exc:
        return _form(
            request, session, who, name, risk_errors=[str(p) for p in exc.problems], uncertainty=spec
        )
    except CoprodError as exc:
        return _form(request, session, who, name, risk_errors=[str(exc)], uncertainty=spec)
    return RedirectResponse(f"/p/{name}/risk/{job.id}", status_code=303)


@router.get("/p/{name}/risk/{job_id}", response_model=None)
def riskpage(request: Request, session: DbSession, name: str, job_id: str) -> Response:
    who = require_user(request, session)
    job = scenario_runs.risk_job(who, job_id)
    ctx: dict[str, Any] = {}
    if job.result is not None:
        ctx = {
            "bands": plan_charts.bands_chart(job.result["deliveries"]),
            "p_chart": plan_charts.probability_chart(job.result["requirements"]),
            "summary": job.result["summary"],
            "factors": job.result["factors"],
        }
    return page(request, "risk.html", who, row=programme_ref(name), job=job, **ctx)


@router.get("/p/{name}/risk/{job_id}/status.json", response_model=None)
def risk_status(request: Request, session: DbSession, name: str, job_id: str) -> Response:
    who = require_user(request, session)
    job = scenario_runs.risk_job(who, job_id)
    return JSONResponse(
        {
            "status": job.status,
            "done": job.done,
            "total": job.total,
            "error": job.error,
            "detail": f"{job.done} of {job.total} samples",
        }
    )
