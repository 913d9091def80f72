"""Editable grids for bulk changes: requirements (quantity, due date) and line hours per
period. Only changed cells are written, every row's version is checked, and the page says
what was saved (or, beside each row, why nothing was)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from coprod.api.deps import DbSession
from coprod.api.web.common import form_gate, page, programme_ref, require_user
from coprod.app import grids
from coprod.errors import Forbidden

router = APIRouter(include_in_schema=False)


@router.get("/p/{name}/grid/requirements", response_model=None)
def requirement_grid(request: Request, session: DbSession, name: str) -> Response:
    who = require_user(request, session)
    if not who.can_write_section("requirements"):
        raise Forbidden(f"the {who.role.value} role cannot change requirements")
    rows = grids.requirement_grid(session, who, name)
    return page(
        request, "grid_requirements.html", who, row=programme_ref(name), rows=rows, result=None, typed={}
    )


@router.post("/p/{name}/grid/requirements", response_model=None)
async def save_requirement_grid(request: Request, session: DbSession, name: str) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    who, refused = form_gate(request, session, form.get("csrf", ""))
    if refused is not None:
        return refused
    assert who is not None
    typed = {
        key[len("v:") :]: (
            int(v) if v.isdigit() else -1,
            form.get(f"q:{key[2:]}", ""),
            form.get(f"d:{key[2:]}", ""),
        )
        for key, v in form.items()
        if key.startswith("v:")
    }
    result = grids.save_requirements(session, who, name, typed)  # errors: its savepoint rolled back
    rows = grids.requirement_grid(session, who, name)  # the request's transaction commits on return
    shown = {k: (q, d) for k, (_, q, d) in typed.items()} if result.errors else {}
    return page(
        request, "grid_requirements.html", who, row=programme_ref(name), rows=rows, result=result, typed=shown
    )


@router.get("/p/{name}/grid/line-hours", response_model=None)
def line_hours_grid(request: Request, session: DbSession, name: str) -> Response:
    who = require_user(request, session)
    labels, rows = grids.line_hours_grid(session, who, name)
    return page(
        request, "grid_line_hours.html", who, row=programme_ref(name), labels=labels, rows=rows, result=None
    )


@router.post("/p/{name}/grid/line-hours", response_model=None)
async def save_line_hours(request: Request, session: DbSession, name: str) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    who, refused = form_gate(request, session, form.get("csrf", ""))
    if refused is not None:
        return refused
    assert who is not None
    versions = {k[2:]: int(v) if v.isdigit() else -1 for k, v in form.items() if k.startswith("v:")}
    cells = {}
    for key, text in form.items():
        if key.startswith("h:"):
            line, _, label = key[2:].rpartition("@")
            cells[(line, label)] = text
    result = grids.save_line_hours(session, who, name, versions, cells)
    labels, rows = grids.line_hours_grid(session, who, name)
    return page(
        request, "grid_line_hours.html", who, row=programme_ref(name), labels=labels, rows=rows, result=result
    )
