"""Dashboard pages for programme data: browse and edit records, upload a programme (YAML or
XLSX), download the programme and the plan (XLSX, CSV)."""

from __future__ import annotations

import csv
import io
import json
from types import SimpleNamespace
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from coprod.access import SECTIONS, Role
from coprod.api.deps import DbSession
from coprod.api.web.common import (
    TABLES,
    form_gate,
    login_redirect,
    page,
    plan_context,
    who_of,
)
from coprod.errors import CoprodError, Forbidden, NotFound, ProgrammeInvalid, Unauthorized
from coprod.io.loader import validate_raw
from coprod.io.raw import RawProgramme
from coprod.io.workbook import plan_workbook, programme_from_workbook, programme_workbook
from coprod.io.yaml_loader import SAFE_LOADER
from coprod.storage.records import RecordStore

router = APIRouter(include_in_schema=False)


@router.get("/p/{name}/data", response_model=None)
def datapage(request: Request, session: DbSession, name: str, section: str = "requirements") -> Response:
    who = who_of(request, session)
    if who is None:
        return login_redirect()
    store = RecordStore(session)
    row = store.programme(name)
    readable = [s for s in SECTIONS if who.mode(s) is not None]
    records: list[Any] = []
    error = None
    try:
        records, _ = store.list(row, section, who, {}, 5000, 0)
    except (Forbidden, NotFound) as exc:
        error = str(exc)
    return page(
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
def recordpage(request: Request, session: DbSession, name: str, section: str, key: str) -> Response:
    who = who_of(request, session)
    if who is None:
        return login_redirect()
    store = RecordStore(session)
    row = store.programme(name)
    rec = store.get(row, section, key, who)
    return page(
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
    csrf: Annotated[str, Form()] = "",
) -> Response:
    who, refused = form_gate(request, session, csrf)
    if refused is not None:
        return refused
    assert who is not None
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
        return page(
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
def uploadpage(request: Request, session: DbSession) -> Response:
    who = who_of(request, session)
    if who is None:
        return login_redirect()
    return page(request, "upload.html", who, errors=[], name="")


@router.post("/upload", response_model=None)
async def upload(
    request: Request,
    session: DbSession,
    name: Annotated[str, Form()],
    file: Annotated[UploadFile, File()],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    who, refused = form_gate(request, session, csrf)
    if refused is not None:
        return refused
    assert who is not None
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
        return page(request, "upload.html", who, errors=errors, name=name)
    return RedirectResponse(f"/p/{name}", status_code=303)


def _xlsx(body: bytes, filename: str) -> Response:
    return Response(
        body,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/p/{name}/download/programme.xlsx", response_model=None)
def download_programme(request: Request, session: DbSession, name: str) -> Response:
    who = who_of(request, session)
    if who is None:
        return login_redirect()
    if not who.sees_everything:
        raise Forbidden("only the programme office and auditors download whole programmes")
    store = RecordStore(session)
    return _xlsx(programme_workbook(store.load(store.programme(name))), f"{name}.xlsx")


@router.get("/p/{name}/download/plan.xlsx", response_model=None)
def download_plan(request: Request, session: DbSession, name: str) -> Response:
    try:
        _, _, _, latest, plan = plan_context(request, session, name)
    except Unauthorized:
        return login_redirect()
    if plan is None or latest is None:
        raise NotFound("no plan yet")
    return _xlsx(
        plan_workbook({t: plan[t] for t in TABLES}, plan["kpis"]), f"{name}-plan-{latest.number}.xlsx"
    )


@router.get("/p/{name}/download/{table}.csv", response_model=None)
def download_table(request: Request, session: DbSession, name: str, table: str) -> Response:
    try:
        _, _, _, _, plan = plan_context(request, session, name)
    except Unauthorized:
        return login_redirect()
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
