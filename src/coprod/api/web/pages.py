"""Dashboard pages: sign-in, overview, sites and lines, requirement detail, plan versions,
diff, and plan runs with progress."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response

from coprod.api.deps import DbSession, PlanNumber, PlanNumberQuery
from coprod.api.web import charts, plan_charts
from coprod.api.web.common import (
    COOKIE,
    HERE,
    PLOTLY_JS,
    form_gate,
    login_redirect,
    page,
    programme_ref,
    require_user,
    who_of,
)
from coprod.api.web.views import line_loads, pegging
from coprod.app import plan_history, plans, programmes, records, users
from coprod.app.home import late_rows
from coprod.app.plan_jobs import wake_workers
from coprod.errors import CoprodError, Forbidden, InputError, NotFound, Unauthorized

router = APIRouter(include_in_schema=False)


@router.get("/static/plotly.min.js")
def plotly_js() -> FileResponse:
    return FileResponse(PLOTLY_JS, media_type="text/javascript")


@router.get("/static/{name}")
def static(name: str) -> FileResponse:
    path = HERE / "static" / name
    if name not in ("app.css", "app.js") or not path.exists():
        raise NotFound(f"no static file {name}")
    return FileResponse(path)


@router.get("/login", response_class=HTMLResponse)
def loginpage(request: Request) -> HTMLResponse:
    return page(request, "login.html", None, error=None)


@router.post("/login", response_model=None)
def login(
    request: Request, session: DbSession, username: Annotated[str, Form()], password: Annotated[str, Form()]
) -> Response:
    limiter = request.app.state.login_limiter
    try:
        token, _ = users.login(session, limiter, username, password, request.app.state.token_hours)
    except Unauthorized:
        return page(request, "login.html", None, error="Wrong username or password.")
    except CoprodError as exc:
        return page(request, "login.html", None, error=str(exc))
    session.commit()  # the browser follows the redirect at once, with the new token
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict")
    return response


@router.post("/logout")
def logout() -> RedirectResponse:
    response = login_redirect()
    response.delete_cookie(COOKIE)
    return response


@router.get("/", response_model=None)
def home(request: Request, session: DbSession) -> Response:
    who = who_of(request, session)
    if who is None:
        return login_redirect()
    found = programmes.list_programmes(session, who)
    if len(found) == 1:
        return RedirectResponse(f"/p/{found[0].name}", status_code=303)
    return page(request, "programmes.html", who, programmes=found)


@router.get("/p/{name}/lines", response_model=None)
def linespage(request: Request, session: DbSession, name: str) -> Response:
    who = require_user(request, session)
    current = plans.latest_plan(session, who, name)
    programme, latest, plan = current.programme, current.latest, current.plan
    visible = _visible_lines(who, programme)
    loads = line_loads(plan, programme, visible) if plan else []
    design_of = {d.id: d.id for d in programme.designs}
    build = sorted(plan["production"], key=lambda r: (r["period"], r["line"])) if plan else []
    for r in build:
        design_of[r["item"]] = programme.design_of(r["item"]).id
    # sub-assemblies built on lines (a plan stored before they existed has none)
    assemblies = (
        sorted(plan.get("assembly_builds", []), key=lambda r: (r["period"], r["line"])) if plan else []
    )
    design_of.update({r["item"]: r["item"] for r in assemblies})
    licences = [lic for lic in programme.licences if who.can_read("licences", lic.licensor, lic.licensee)]
    buy = sorted(plan["purchases"], key=lambda r: (r["order_period"], r["component"])) if plan else []
    # plans stored before transfers existed have no such table; the plan view scopes it
    moves = sorted(plan.get("transfers", []), key=lambda r: (r["ship_period"], r["lane"])) if plan else []
    return page(
        request,
        "lines.html",
        who,
        row=programme_ref(name),
        ctx=current,
        programme=programme,
        latest=latest,
        plan=plan,
        loads=loads,
        heatmap=plan_charts.load_heatmap(loads),
        gantt=plan_charts.gantt_chart(
            build + assemblies, list(plan["periods"]), design_of, plan_charts.colour_order(programme)
        )
        if plan
        else None,
        licences=licences,
        build=build,
        assemblies=assemblies,
        buy=buy,
        moves=moves,
    )


def _visible_lines(who: Any, programme: Any) -> set[str] | None:
    if who.can_read("lines", None, None):
        return None
    sites = {s.id for s in programme.sites if s.partner == who.partner}
    return {ln.id for ln in programme.lines if ln.site in sites}


@router.get("/p/{name}/lines/{line}", response_model=None)
def linepage(request: Request, session: DbSession, name: str, line: str) -> Response:
    """One line: its hours and ramp-up against the plan, what it builds, what limits it and
    which late requirements it holds back."""
    who = require_user(request, session)
    record = records.get_record(session, who, name, "lines", line)  # 404 unless visible
    current = plans.latest_plan(session, who, name)
    plan = current.plan
    loads = line_loads(plan, current.programme, {line}) if plan else []
    load = loads[0] if loads else None
    chart = None
    if load is not None:
        chart = charts.line_chart(
            load["line"], load["periods"], load["hours"], load["used"], load["rate"], load["units"]
        )
    build = [r for r in plan["production"] if r["line"] == line] if plan else []
    build += [r for r in plan.get("assembly_builds", []) if r["line"] == line] if plan else []
    limits = [b for b in plan["bottlenecks"] if b["entity"] == line] if plan else []
    held = [r for r in late_rows(plan) if r["limit"] and r["limit"]["entity"] == line] if plan else []
    return page(
        request,
        "line.html",
        who,
        row=programme_ref(name),
        ctx=current,
        latest=current.latest,
        plan=plan,
        line=record.data,
        version=record.version,
        load=load,
        chart=chart,
        build=sorted(build, key=lambda r: (r["period"], r["item"])),
        limits=limits,
        held=held,
        can_write=who.can_write("lines", record.partner),
    )


@router.get("/p/{name}/requirements/{rid}", response_model=None)
def requirementpage(request: Request, session: DbSession, name: str, rid: str) -> Response:
    who = who_of(request, session)
    if who is None:
        return login_redirect()
    record = records.get_record(session, who, name, "requirements", rid)  # 404 unless visible
    current = plans.latest_plan(session, who, name)
    plan, latest = current.plan, current.latest
    status = next((r for r in plan["requirements"] if r["id"] == rid), None) if plan else None
    deliveries = [d for d in plan["deliveries"] if d["requirement"] == rid] if plan else []
    pegs = pegging(current.full, current.programme, rid) if current.full else []
    return page(
        request,
        "requirement.html",
        who,
        row=programme_ref(name),
        record=record.data,
        status=status,
        deliveries=deliveries,
        pegs=pegs,
        latest=latest,
    )


@router.get("/p/{name}/plans", response_model=None)
def planspage(request: Request, session: DbSession, name: str) -> Response:
    who = require_user(request, session)
    history = plan_history.plan_history(session, who, name)
    return page(request, "plans.html", who, row=programme_ref(name), history=history)


@router.get("/p/{name}/diff", response_model=None)
def diffpage(
    request: Request, session: DbSession, name: str, a: PlanNumberQuery, b: PlanNumberQuery
) -> Response:
    who = require_user(request, session)
    for number in (a, b):
        version = plans.plan_version(session, who, name, number)
        if not version.done:
            message = f"Plan {number} is {version.status}."
            return page(
                request, "message.html", who, row=programme_ref(name), title="Plan not ready", message=message
            )
    view = plan_history.diff_view(session, who, name, a, b)
    return page(request, "diff.html", who, row=programme_ref(name), a=a, b=b, view=view)


@router.post("/p/{name}/run", response_model=None)
def run_plan(
    request: Request,
    session: DbSession,
    name: str,
    csrf: Annotated[str, Form()] = "",
    as_of: Annotated[str, Form()] = "",
    label: Annotated[str, Form(max_length=200)] = "",
    note: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    who, refused = form_gate(request, session, csrf)
    if refused is not None:
        return refused
    assert who is not None
    try:
        day = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise InputError(f"as of: '{as_of}' is not a date (YYYY-MM-DD)") from None
    try:
        version = plans.start_plan(session, who, name, as_of=day, label=label, note=note)
    except Forbidden as exc:
        return page(request, "message.html", who, row=None, title="Not allowed", message=str(exc))
    session.commit()  # the worker reads the job in its own transaction
    if not version.reused:
        wake_workers()  # this server's worker claims it now, not at its next look
    if version.reused:
        message = (
            f"Nothing changed since plan {version.number}: it is the plan of these inputs, so it was "
            "not computed again."
        )
        return page(
            request, "message.html", who, row=programme_ref(name), title="Plan is current", message=message
        )
    return RedirectResponse(f"/p/{name}/plans/{version.number}/progress", status_code=303)


@router.get("/p/{name}/plans/{number}/progress", response_model=None)
def progresspage(request: Request, session: DbSession, name: str, number: PlanNumber) -> Response:
    who = who_of(request, session)
    if who is None:
        return login_redirect()
    version = plans.plan_version(session, who, name, number)
    return page(request, "progress.html", who, row=programme_ref(name), version=version)


@router.get("/p/{name}/plans/{number}/status.json", response_model=None)
def status_json(request: Request, session: DbSession, name: str, number: PlanNumber) -> Response:
    who = who_of(request, session)
    if who is None:
        raise Unauthorized("sign in")
    version = plans.plan_version(session, who, name, number)
    return JSONResponse({"status": version.status.value, "error": version.error})
