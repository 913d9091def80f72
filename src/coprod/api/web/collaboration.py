"""Supplier collaboration in the browser: the releases a user may see, a release with one
answer row per line (commit, part, propose, decline) and its workbook to download and
upload back, the office's release button, and where commitments fall short."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from coprod.access import Action
from coprod.api.deps import DbSession
from coprod.api.web.common import attachment, form_gate, page, programme_ref, require_user
from coprod.app import collaboration
from coprod.app.collaboration import AnswerLine, AnswerStatus
from coprod.errors import InputError, ProgrammeInvalid

router = APIRouter(include_in_schema=False)
MAX_SHEET = 5 * 1024 * 1024


@router.get("/p/{name}/releases", response_model=None)
def releases_page(request: Request, session: DbSession, name: str) -> Response:
    who = require_user(request, session)
    found = collaboration.list_releases(session, who, name)
    return page(request, "releases.html", who, row=programme_ref(name), releases=found, error=None)


@router.post("/p/{name}/releases", response_model=None)
def release_now(
    request: Request,
    session: DbSession,
    name: str,
    csrf: Annotated[str, Form()] = "",
    supplier: Annotated[str, Form()] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    who, refused = form_gate(request, session, csrf)
    if refused is not None or who is None:
        return refused or Response(status_code=401)
    try:
        with session.begin_nested():  # a refused release leaves the page's transaction usable
            collaboration.release_forecast(session, who, name, supplier or None, note)
    except InputError as exc:
        found = collaboration.list_releases(session, who, name)
        response = page(
            request, "releases.html", who, row=programme_ref(name), releases=found, error=str(exc)
        )
        response.status_code = 422
        return response
    session.commit()
    return RedirectResponse(f"/p/{name}/releases", status_code=303)


def _release_page(
    request: Request,
    session: DbSession,
    name: str,
    release_id: int,
    errors: list[str] | None = None,
    posted: dict[str, str] | None = None,
) -> Response:
    who = require_user(request, session)
    rel = collaboration.get_release(session, who, name, release_id)
    latest = {(a["offer"], a["period"]): a for a in (rel.answers[-1]["lines"] if rel.answers else [])}
    may_answer = who.may(Action.RELEASE_FORECAST) or (
        who.may(Action.ANSWER_RELEASE) and who.partner == rel.supplier
    )
    response = page(
        request,
        "release.html",
        who,
        row=programme_ref(name),
        rel=rel,
        latest=latest,
        may_answer=may_answer,
        errors=errors or [],
        posted=posted or {},
        statuses=[s.value for s in AnswerStatus],
    )
    if errors:
        response.status_code = 422
    return response


@router.get("/p/{name}/releases/{release_id}", response_model=None)
def release_page(request: Request, session: DbSession, name: str, release_id: int) -> Response:
    return _release_page(request, session, name, release_id)


@router.get("/p/{name}/releases/{release_id}/workbook", response_model=None)
def release_sheet(request: Request, session: DbSession, name: str, release_id: int) -> Response:
    who = require_user(request, session)
    filename, data = collaboration.release_workbook(session, who, name, release_id)
    media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(data, media_type=media, headers=attachment(filename))


def _lines_from_form(form: dict[str, str], count: int) -> list[AnswerLine]:
    """Row i of the answer form: offer-i, period-i, status-i, quantity-i, proposed-i, note-i;
    rows left on "—" are not answered."""
    lines = []
    for i in range(count):
        status = form.get(f"status-{i}", "")
        if not status:
            continue
        if status not in {s.value for s in AnswerStatus}:
            raise InputError(f"line {i + 1}: status '{status}' is not one of commit, part, propose, decline")
        qty = form.get(f"quantity-{i}", "").replace(",", "").strip()
        if qty and not qty.isdigit():
            raise InputError(f"line {i + 1}: quantity '{qty}' is not a whole number of units")
        proposed = form.get(f"proposed-{i}", "").strip()
        try:
            period = dt.date.fromisoformat(form.get(f"period-{i}", ""))
            when = dt.date.fromisoformat(proposed) if proposed else None
        except ValueError:
            raise InputError(f"line {i + 1}: a date is not YYYY-MM-DD") from None
        lines.append(
            AnswerLine(
                form.get(f"offer-{i}", ""),
                period,
                AnswerStatus(status),
                int(qty) if qty else None,
                when,
                form.get(f"note-{i}", "")[:2000],
            )
        )
    return lines


@router.post("/p/{name}/releases/{release_id}/answer", response_model=None)
async def answer_form(request: Request, session: DbSession, name: str, release_id: int) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    who, refused = form_gate(request, session, form.get("csrf", ""))
    if refused is not None or who is None:
        return refused or Response(status_code=401)
    rel = collaboration.get_release(session, who, name, release_id)
    try:
        lines = _lines_from_form(form, len(rel.lines))
        with session.begin_nested():  # all or nothing, and the page can still be drawn after
            collaboration.answer_release(session, who, name, release_id, lines)
    except ProgrammeInvalid as exc:
        problems = [str(p) for p in exc.problems]
        return _release_page(request, session, name, release_id, problems, form)
    except InputError as exc:
        return _release_page(request, session, name, release_id, [str(exc)], form)
    session.commit()
    return RedirectResponse(f"/p/{name}/releases/{release_id}?answered=1", status_code=303)


@router.post("/p/{name}/releases/{release_id}/upload", response_model=None)
def answer_upload(
    request: Request,
    session: DbSession,
    name: str,
    release_id: int,
    file: Annotated[UploadFile, File()],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    who, refused = form_gate(request, session, csrf)
    if refused is not None or who is None:
        return refused or Response(status_code=401)
    data = file.file.read(MAX_SHEET + 1)
    try:
        if len(data) > MAX_SHEET:
            raise InputError(f"the workbook is larger than {MAX_SHEET // (1024 * 1024)} MB")
        with session.begin_nested():
            collaboration.answer_from_workbook(session, who, name, release_id, data, "the workbook")
    except ProgrammeInvalid as exc:
        return _release_page(request, session, name, release_id, [str(p) for p in exc.problems])
    except InputError as exc:
        return _release_page(request, session, name, release_id, [str(exc)])
    session.commit()
    return RedirectResponse(f"/p/{name}/releases/{release_id}?answered=1", status_code=303)


@router.get("/p/{name}/commitments", response_model=None)
def commitments_page(request: Request, session: DbSession, name: str, state: str = "") -> Response:
    who = require_user(request, session)
    rows = collaboration.commitment_status(session, who, name)
    shown = [r for r in rows if not state or r.state == state]
    return page(
        request,
        "commitments.html",
        who,
        row=programme_ref(name),
        rows=shown,
        total=len(rows),
        short=sum(r.shortfall for r in rows),
        state=state,
    )
