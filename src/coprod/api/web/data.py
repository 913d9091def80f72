"""Dashboard pages for programme files: upload a programme (YAML or XLSX, previewed before
it replaces one), download the programme and the plan (XLSX, CSV). Records are browsed and
edited in forms.py and grids.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from coprod.api.deps import DbSession
from coprod.api.web.common import attachment, form_gate, login_redirect, page, programme_ref, who_of
from coprod.app import plans, programmes
from coprod.app.names import check_name
from coprod.errors import CoprodError, ProgrammeInvalid

router = APIRouter(include_in_schema=False)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
    file: Annotated[UploadFile, File()],
    name: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Validate the file and show what it would change; a new programme is stored at once,
    an existing one only after the confirmation (POST /upload/confirm)."""
    who, refused = form_gate(request, session, csrf)
    if refused is not None:
        return refused
    assert who is not None
    errors: list[str] = []
    try:
        check_name(name)  # before reading the file: a bad name is answered at once
        data = await file.read()
        preview = programmes.preview_upload(session, who, name, file.filename or "upload", data)
        if not preview.exists:
            programmes.confirm_upload(session, who, name, preview.token)
            session.commit()
            return RedirectResponse(f"/p/{name}", status_code=303)
    except ProgrammeInvalid as exc:
        errors = [str(p) for p in exc.problems] or ["not a YAML programme or an XLSX workbook"]
    except CoprodError as exc:
        errors = [str(exc)]
    if errors:
        session.rollback()
        shown = name if len(name) <= 200 else name[:200]
        return page(request, "upload.html", who, errors=errors, name=shown)
    return page(request, "upload_preview.html", who, row=programme_ref(name), preview=preview)


@router.post("/upload/confirm", response_model=None)
def confirm_upload(
    request: Request,
    session: DbSession,
    name: Annotated[str, Form(max_length=200)],
    token: Annotated[str, Form(max_length=64)],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    who, refused = form_gate(request, session, csrf)
    if refused is not None:
        return refused
    assert who is not None
    programmes.confirm_upload(session, who, name, token)
    session.commit()
    return RedirectResponse(f"/p/{name}?uploaded=1", status_code=303)


@router.get("/p/{name}/download/programme.xlsx", response_model=None)
def download_programme(request: Request, session: DbSession, name: str) -> Response:
    who = who_of(request, session)
    if who is None:
        return login_redirect()
    body = programmes.programme_workbook(session, who, name)
    return Response(body, media_type=XLSX, headers=attachment(f"{name}.xlsx"))


@router.get("/p/{name}/download/plan.xlsx", response_model=None)
def download_plan(request: Request, session: DbSession, name: str) -> Response:
    who = who_of(request, session)
    if who is None:
        return login_redirect()
    number, body = plans.plan_workbook(session, who, name)
    return Response(body, media_type=XLSX, headers=attachment(f"{name}-plan-{number}.xlsx"))


@router.get("/p/{name}/download/{table}.csv", response_model=None)
def download_table(request: Request, session: DbSession, name: str, table: str) -> Response:
    who = who_of(request, session)
    if who is None:
        return login_redirect()
    text = plans.plan_table_csv(session, who, name, table)
    return Response(text, media_type="text/csv", headers=attachment(f"{name}-{table}.csv"))
