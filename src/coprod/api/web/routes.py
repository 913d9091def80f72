"""Dashboard pages. Sign-in sets an HttpOnly, SameSite=Strict cookie holding a bearer token;
every page reads through the same stores and access rules as the API."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated, Any

import plotly
import yaml
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import select

from coprod.access import SECTIONS, Principal, Role
from coprod.api.deps import DbSession, database_url
from coprod.api.plan_scope import scope_plan
from coprod.api.web import charts
from coprod.api.web.views import line_loads, pegging, production_by_period
from coprod.domain import Programme
from coprod.errors import CoprodError, Forbidden, NotFound, ProgrammeInvalid, Unauthorized
from coprod.io.loader import validate_raw
from coprod.io.raw import RawProgramme
from coprod.io.workbook import plan_workbook, programme_from_workbook, programme_workbook
from coprod.io.yaml_loader import SAFE_LOADER
from coprod.planning.diff import diff_plans
from coprod.planning.plan import TABLES as PLAN_TABLES
from coprod.storage.plans import PlanStore, plan_from_dict
from coprod.storage.records import RecordStore
from coprod.storage.tables import PlanVersion, ProgrammeRow
from coprod.storage.users import UserStore

router = APIRouter(include_in_schema=False)
HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
COOKIE = "coprod_token"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
TABLES = tuple(t for t in PLAN_TABLES if t != "deliveries_by_period")  # what a user downloads


def _who(request: Request, session: DbSession) -> Principal | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        return UserStore(session).principal(token)
    except Unauthorized:
        return None


def _page(request: Request, template: str, who: Principal | None, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, template, {"who": who, **context})


def _login_redirect() -> RedirectResponse:
    return RedirectResponse("/login", status_code=303)


def _latest(session: DbSession, row: ProgrammeRow) -> PlanVersion | None:
    return session.scalar(
        select(PlanVersion)
        .where(PlanVersion.programme_id == row.id, PlanVersion.status == "done")
        .order_by(PlanVersion.number.desc())
    )


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
def login_page(request: Request) -> HTMLResponse:
    return _page(request, "login.html", None, error=None)


@router.post("/login", response_model=None)
def login(
    request: Request, session: DbSession, username: Annotated[str, Form()], password: Annotated[str, Form()]
) -> Response:
    limiter = request.app.state.login_limiter
    try:
        limiter.check(username)
        token, _ = UserStore(session).login(username, password, request.app.state.token_hours)
    except Unauthorized:
        limiter.failed(username)
        return _page(request, "login.html", None, error="Wrong username or password.")
    except CoprodError as exc:
        return _page(request, "login.html", None, error=str(exc))
    session.commit()  # the browser follows the redirect at once, with the new token
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict")
    return response


@router.post("/logout")
def logout() -> RedirectResponse:
    response = _login_redirect()
    response.delete_cookie(COOKIE)
    return response


@router.get("/", response_model=None)
def home(request: Request, session: DbSession) -> Response:
    who = _who(request, session)
    if who is None:
        return _login_redirect()
    programmes = RecordStore(session).programmes()
    if len(programmes) == 1:
        return RedirectResponse(f"/p/{programmes[0].name}", status_code=303)
    return _page(request, "programmes.html", who, programmes=programmes)


def _context(
    request: Request, session: DbSession, name: str
) -> tuple[Principal, ProgrammeRow, Programme, PlanVersion | None, dict[str, Any] | None]:
    who = _who(request, session)
    if who is None:
        raise Unauthorized("sign in")
    store = RecordStore(session)
    row = store.programme(name)
    programme = store.load(row)
    latest = _latest(session, row)
    plan = scope_plan(latest.result, who, programme) if latest and latest.result else None
    return who, row, programme, latest, plan


@router.get("/p/{name}", response_model=None)
def overview(
    request: Request, session: DbSession, name: str, design: str | None = None, target: float | None = None
) -> Response:
    try:
        who, row, programme, latest, plan = _context(request, session, name)
    except Unauthorized:
        return _login_redirect()
    ctx: dict[str, Any] = {
        "row": row,
        "programme": programme,
        "latest": latest,
        "plan": plan,
        "design": design,
        "target": target,
        "designs": [d.id for d in programme.designs],
    }
    if plan is not None:
        periods = list(programme.calendar.labels)
        ctx["deliveries_chart"] = charts.deliveries_chart(plan["deliveries_by_period"], periods)
        per = production_by_period(plan, programme, design)
        ctx["production_chart"] = charts.production_chart(per, periods, target, design or "all designs")
        ctx["production_rows"] = [(p, per.get(p, 0)) for p in periods]
        ctx["late"] = sorted(
            (r for r in plan["requirements"] if r["status"] != "on_time"),
            key=lambda r: (-r["unmet"], -r["weighted_late_periods"]),
        )
        monthly: dict[str, list[int]] = {}
        for r in plan["deliveries_by_period"]:
            cell = monthly.setdefault(r["period"], [0, 0, 0])
            cell[0] += r["required"]
            cell[1] += r["delivered"]
            cell[2] += r["on_time"]
        ctx["monthly"] = [(p, *monthly.get(p, [0, 0, 0])) for p in periods]
    return _page(request, "overview.html", who, **ctx)


@router.get("/p/{name}/lines", response_model=None)
def lines_page(request: Request, session: DbSession, name: str) -> Response:
    try:
        who, row, programme, latest, plan = _context(request, session, name)
    except Unauthorized:
        return _login_redirect()
    visible = None
    if not who.sees_everything:
        sites = {s.id for s in programme.sites if s.partner == who.partner}
        visible = {ln.id for ln in programme.lines if ln.site in sites}
    loads = line_loads(plan, programme, visible) if plan else []
    for load in loads:
        load["chart"] = charts.line_chart(
            load["line"], load["periods"], load["hours"], load["used"], load["rate"], load["units"]
        )
    licences = [
        lic
        for lic in programme.licences
        if who.sees_everything or who.partner in (lic.licensor, lic.licensee)
    ]
    build = sorted(plan["production"], key=lambda r: (r["period"], r["line"])) if plan else []
    buy = sorted(plan["purchases"], key=lambda r: (r["order_period"], r["component"])) if plan else []
    return _page(
        request,
        "lines.html",
        who,
        row=row,
        programme=programme,
        latest=latest,
        loads=loads,
        licences=licences,
        build=build,
        buy=buy,
    )


@router.get("/p/{name}/requirements/{rid}", response_model=None)
def requirement_page(request: Request, session: DbSession, name: str, rid: str) -> Response:
    try:
        who, row, programme, latest, plan = _context(request, session, name)
    except Unauthorized:
        return _login_redirect()
    record = RecordStore(session).get(row, "requirements", rid, who)  # 404 unless visible
    status = next((r for r in plan["requirements"] if r["id"] == rid), None) if plan else None
    deliveries = [d for d in plan["deliveries"] if d["requirement"] == rid] if plan else []
    full = latest.result if latest and latest.result else None
    pegs = pegging(full, programme, rid) if full and who.sees_everything else []
    return _page(
        request,
        "requirement.html",
        who,
        row=row,
        record=record.data,
        status=status,
        deliveries=deliveries,
        pegs=pegs,
        latest=latest,
    )


@router.get("/p/{name}/plans", response_model=None)
def plans_page(request: Request, session: DbSession, name: str) -> Response:
    who = _who(request, session)
    if who is None:
        return _login_redirect()
    row = RecordStore(session).programme(name)
    versions = PlanStore(session, database_url(request)).all(row)
    return _page(request, "plans.html", who, row=row, versions=versions)


@router.get("/p/{name}/diff", response_model=None)
def diff_page(request: Request, session: DbSession, name: str, a: int, b: int) -> Response:
    try:
        who, row, programme, _, _ = _context(request, session, name)
    except Unauthorized:
        return _login_redirect()
    store = PlanStore(session, database_url(request))
    plans = []
    for number in (a, b):
        version = store.get(row, number)
        if version.result is None:
            return _page(
                request,
                "message.html",
                who,
                row=row,
                title="Plan not ready",
                message=f"Plan {number} is {version.status}.",
            )
        plans.append(
            plan_from_dict(
                scope_plan(version.result, who, programme)
                | {k: v for k, v in version.result.items() if k in ("costs",)}
            )
        )
    delta = diff_plans(plans[0], plans[1])
    return _page(
        request, "diff.html", who, row=row, a=a, b=b, delta=delta, chart=charts.diff_chart(delta["kpis"])
    )


@router.post("/p/{name}/run", response_model=None)
def run_plan(request: Request, session: DbSession, name: str) -> Response:
    who = _who(request, session)
    if who is None:
        return _login_redirect()
    store = PlanStore(session, database_url(request))
    try:
        version, new = store.start(RecordStore(session).programme(name), who)
    except Forbidden as exc:
        return _page(request, "message.html", who, row=None, title="Not allowed", message=str(exc))
    session.commit()
    if new:
        store.run_later(version.id, name)
    return RedirectResponse(f"/p/{name}/plans/{version.number}/progress", status_code=303)


@router.get("/p/{name}/plans/{number}/progress", response_model=None)
def progress_page(request: Request, session: DbSession, name: str, number: int) -> Response:
    who = _who(request, session)
    if who is None:
        return _login_redirect()
    row = RecordStore(session).programme(name)
    version = PlanStore(session, database_url(request)).get(row, number)
    return _page(request, "progress.html", who, row=row, version=version)


@router.get("/p/{name}/plans/{number}/status.json", response_model=None)
def status_json(request: Request, session: DbSession, name: str, number: int) -> Response:
    if _who(request, session) is None:
        raise Unauthorized("sign in")
    version = PlanStore(session, database_url(request)).get(RecordStore(session).programme(name), number)
    return JSONResponse({"status": version.status, "error": version.error})


@router.get("/p/{name}/data", response_model=None)
def data_page(request: Request, session: DbSession, name: str, section: str = "requirements") -> Response:
    who = _who(request, session)
    if who is None:
        return _login_redirect()
    store = RecordStore(session)
    row = store.programme(name)
    readable = [s for s in SECTIONS if who.mode(s) is not None]
    records: list[Any] = []
    error = None
    try:
        records, _ = store.list(row, section, who, {}, 5000, 0)
    except (Forbidden, NotFound) as exc:
        error = str(exc)
    return _page(
        request,
        "data.html",
        who,
        row=row,
        section=section,
        sections=readable,
        records=records,
        error=error,
        can_write=who.can_write_section(section) if section in SECTIONS else False,
    )


@router.get("/p/{name}/data/{section}/{key:path}", response_model=None)
def record_page(request: Request, session: DbSession, name: str, section: str, key: str) -> Response:
    who = _who(request, session)
    if who is None:
        return _login_redirect()
    store = RecordStore(session)
    row = store.programme(name)
    rec = store.get(row, section, key, who)
    return _page(
        request,
        "record.html",
        who,
        row=row,
        section=section,
        rec=rec,
        text=yaml.safe_dump(rec.data, sort_keys=False),
        errors=[],
        can_write=who.can_write(section, rec.partner),
    )


@router.post("/p/{name}/data/{section}/{key:path}", response_model=None)
def save_record(
    request: Request,
    session: DbSession,
    name: str,
    section: str,
    key: str,
    version: Annotated[int, Form()],
    text: Annotated[str, Form()],
) -> Response:
    who = _who(request, session)
    if who is None:
        return _login_redirect()
    store = RecordStore(session)
    row = store.programme(name)
    rec = store.get(row, section, key, who)
    # Plain copies: a failed write rolls the session back, which expires ORM objects.
    shown = SimpleNamespace(key=rec.key, partner=rec.partner, version=rec.version)
    row_shown = SimpleNamespace(name=row.name)
    errors: list[str] = []
    try:
        data = yaml.load(text, Loader=SAFE_LOADER)
        if not isinstance(data, dict):
            raise ProgrammeInvalid([])
        data = json.loads(json.dumps(data, default=str))
        store.update(row, section, key, version, data, who)
        session.commit()
    except yaml.YAMLError as exc:
        errors = [f"YAML syntax error: {exc}"]
    except ProgrammeInvalid as exc:
        errors = [str(p) for p in exc.problems] or ["expected a mapping of fields"]
    except CoprodError as exc:
        errors = [str(exc)]
    if errors:
        session.rollback()
        return _page(
            request,
            "record.html",
            who,
            row=row_shown,
            section=section,
            rec=shown,
            text=text,
            errors=errors,
            can_write=True,
        )
    return RedirectResponse(f"/p/{name}/data?section={section}", status_code=303)


@router.get("/upload", response_model=None)
def upload_page(request: Request, session: DbSession) -> Response:
    who = _who(request, session)
    if who is None:
        return _login_redirect()
    return _page(request, "upload.html", who, errors=[], name="")


@router.post("/upload", response_model=None)
async def upload(
    request: Request, session: DbSession, name: Annotated[str, Form()], file: Annotated[UploadFile, File()]
) -> Response:
    who = _who(request, session)
    if who is None:
        return _login_redirect()
    data = await file.read()
    filename = file.filename or "upload"
    errors: list[str] = []
    try:
        if who.role is not Role.PROGRAMME_OFFICE:
            raise Forbidden("only the programme office uploads programmes")
        if filename.lower().endswith(".xlsx"):
            programme = programme_from_workbook(data, filename)
        else:
            try:
                raw = yaml.load(data.decode("utf-8"), Loader=SAFE_LOADER)
            except (yaml.YAMLError, UnicodeDecodeError) as exc:
                raise ProgrammeInvalid([]) from exc
            programme = validate_raw(RawProgramme(raw if isinstance(raw, dict) else {}, filename))
        RecordStore(session).import_programme(programme, name, who.username, replace=True)
        session.commit()
    except ProgrammeInvalid as exc:
        errors = [str(p) for p in exc.problems] or [f"{filename}: not a YAML programme or an XLSX workbook"]
    except CoprodError as exc:
        errors = [str(exc)]
    if errors:
        session.rollback()
        return _page(request, "upload.html", who, errors=errors, name=name)
    return RedirectResponse(f"/p/{name}", status_code=303)


def _xlsx(body: bytes, filename: str) -> Response:
    return Response(
        body,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/p/{name}/download/programme.xlsx", response_model=None)
def download_programme(request: Request, session: DbSession, name: str) -> Response:
    who = _who(request, session)
    if who is None:
        return _login_redirect()
    if not who.sees_everything:
        raise Forbidden("only the programme office and auditors download whole programmes")
    store = RecordStore(session)
    return _xlsx(programme_workbook(store.load(store.programme(name))), f"{name}.xlsx")


@router.get("/p/{name}/download/plan.xlsx", response_model=None)
def download_plan(request: Request, session: DbSession, name: str) -> Response:
    try:
        _, _, _, latest, plan = _context(request, session, name)
    except Unauthorized:
        return _login_redirect()
    if plan is None or latest is None:
        raise NotFound("no plan yet")
    return _xlsx(
        plan_workbook({t: plan[t] for t in TABLES}, plan["kpis"]), f"{name}-plan-{latest.number}.xlsx"
    )


@router.get("/p/{name}/download/{table}.csv", response_model=None)
def download_table(request: Request, session: DbSession, name: str, table: str) -> Response:
    try:
        _, _, _, _, plan = _context(request, session, name)
    except Unauthorized:
        return _login_redirect()
    if plan is None or table not in TABLES:
        raise NotFound(f"no plan table '{table}'")
    buffer = io.StringIO()
    rows = plan[table]
    if rows:
        writer = csv.DictWriter(buffer, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return Response(
        buffer.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}-{table}.csv"'},
    )
