"""Programme data in the browser: lists searched, filtered, sorted and paged in SQL; a
record in a form with one input per field, validation messages beside the fields, a review
of the changes before they are saved, and the version check kept."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from coprod.access import SECTIONS
from coprod.api.deps import DbSession
from coprod.api.web.common import form_gate, page, programme_ref, require_user
from coprod.app import forms, records
from coprod.app.inputs import compare_inputs
from coprod.app.programmes import stored_programme
from coprod.errors import CoprodError, Forbidden, InputError, NotFound, ProgrammeInvalid

router = APIRouter(include_in_schema=False)
PAGE = 50
PREFERRED = ("requirements", "lines", "supply_offers", "licences", "designs")


@router.get("/p/{name}/data", response_model=None)
def datapage(
    request: Request,
    session: DbSession,
    name: str,
    section: str | None = None,
    q: str = "",
    field: str = "",
    value: str = "",
    sort: str = "",
    page_no: int = 1,
) -> Response:
    who = require_user(request, session)
    readable = [s for s in SECTIONS if who.mode(s) is not None]
    if section is None:  # open on a record type the role works on (one it may write first)
        section = next((s for s in PREFERRED if who.can_write_section(s)), None) or next(
            (s for s in PREFERRED if s in readable), readable[0]
        )
    if section not in SECTIONS:
        raise NotFound(f"no record type '{section}' (one of: {', '.join(SECTIONS)})")
    if section not in readable:
        raise Forbidden(f"the {who.role.value} role cannot read {section} (it reads: {', '.join(readable)})")
    columns = list(records.filterable_fields(section))
    error = None
    found: Any = None
    page_no = max(page_no, 1)
    try:
        where = [f"{field}={value}"] if field and value else []
        query = records.parse_query(section, where, sort or None, PAGE, (page_no - 1) * PAGE, q)
        found = records.list_records(session, who, name, section, query)
    except InputError as exc:
        error = str(exc)
    base = {"section": section, "q": q, "field": field, "value": value}
    return page(
        request,
        "data.html",
        who,
        row=programme_ref(name),
        section=section,
        sections=readable,
        found=found,
        columns=columns,
        error=error,
        q=q,
        field=field,
        value=value,
        sort=sort,
        page_no=page_no,
        pages=((found.total - 1) // PAGE + 1) if found and found.total else 1,
        link=lambda **kw: "?" + urlencode({**base, "sort": sort, "page_no": page_no, **kw}),
        can_write=who.can_write_section(section),
    )


def _currency(session: Any, name: str) -> str:
    return stored_programme(session, name).settings.currency


def _form(request: Request, who: Any, name: str, section: str, **ctx: Any) -> Response:
    return page(request, "record_form.html", who, row=programme_ref(name), section=section, **ctx)


@router.get("/p/{name}/data/{section}/new", response_model=None)
def new_record(request: Request, session: DbSession, name: str, section: str) -> Response:
    who = require_user(request, session)
    if not who.can_write_section(section):
        raise NotFound(f"you cannot create {section} records")
    fields = forms.form_fields(session, who, name, section, None, _currency(session, name))
    return _form(request, who, name, section, rec=None, fields=fields, errors={}, other=[], can_write=True)


@router.get("/p/{name}/data/{section}/{key:path}", response_model=None)
def recordpage(request: Request, session: DbSession, name: str, section: str, key: str) -> Response:
    who = require_user(request, session)
    rec = records.get_record(session, who, name, section, key)
    fields = forms.form_fields(session, who, name, section, rec.data, _currency(session, name))
    return _form(
        request,
        who,
        name,
        section,
        rec=rec,
        fields=fields,
        errors={},
        other=[],
        can_write=who.can_write(section, rec.partner),
        saved=request.query_params.get("saved"),
    )


async def _posted(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


@router.post("/p/{name}/data/{section}/{key:path}", response_model=None)
async def save_record(request: Request, session: DbSession, name: str, section: str, key: str) -> Response:
    """First post: validate the whole programme with the change and show what changes (or
    the errors beside their fields); the post from that review (confirm=1) saves it."""
    posted = await _posted(request)
    who, refused = form_gate(request, session, posted.get("csrf", ""))
    if refused is not None:
        return refused
    assert who is not None
    creating = key == "new"
    rec = None if creating else records.get_record(session, who, name, section, key)
    fields = forms.form_fields(
        session, who, name, section, rec.data if rec else None, _currency(session, name)
    )
    version = int(posted.get("version", "0") or 0) if posted.get("version", "").isdigit() else -1
    try:
        data = forms.record_from_form(fields, posted)
        if creating:
            saved = records.create_record(session, who, name, section, data)
        else:
            saved = records.update_record(session, who, name, section, key, version, data)
    except ProgrammeInvalid as exc:
        session.rollback()
        by_field, other = forms.field_errors(exc.problems, fields, key)
        return _form(
            request,
            who,
            name,
            section,
            rec=rec,
            fields=_refill(fields, posted),
            errors=by_field,
            other=other,
            can_write=True,
            version=version,
        )
    except CoprodError as exc:
        session.rollback()
        return _form(
            request,
            who,
            name,
            section,
            rec=rec,
            fields=_refill(fields, posted),
            errors={},
            other=[str(exc)],
            can_write=True,
            version=version,
        )
    if posted.get("confirm") != "1":
        session.rollback()  # validated: now ask
        changes = compare_inputs({section: [rec.data] if rec else []}, {section: [saved.data]})
        return page(
            request,
            "record_review.html",
            who,
            row=programme_ref(name),
            section=section,
            rec=rec,
            key=saved.key,
            changes=changes,
            posted=posted,
            creating=creating,
        )
    session.commit()
    return RedirectResponse(f"/p/{name}/data/{section}/{saved.key}?saved={saved.version}", status_code=303)


def _refill(fields: list[forms.FormField], posted: dict[str, str]) -> list[forms.FormField]:
    """The fields with what the user typed (shown again beside the errors)."""
    from dataclasses import replace

    return [replace(f, value=posted.get(f.name, "" if f.kind != "boolean" else None)) for f in fields]
