"""What the dashboard pages share: templates, the signed-in user from the cookie, the
latest plan scoped to the user, and small response helpers."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import Any

import plotly
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import select

from coprod.access import Principal
from coprod.api.deps import DbSession
from coprod.api.plan_scope import scope_plan
from coprod.domain import Programme
from coprod.errors import Unauthorized
from coprod.planning.plan import TABLES as PLAN_TABLES
from coprod.storage.records import RecordStore
from coprod.storage.tables import PlanVersion, ProgrammeRow
from coprod.storage.users import UserStore

__all__ = [
    "COOKIE",
    "HERE",
    "PLOTLY_JS",
    "TABLES",
    "csrf_ok",
    "csrf_token",
    "latest_plan",
    "login_redirect",
    "page",
    "plan_context",
    "templates",
    "who_of",
]

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
COOKIE = "coprod_token"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
TABLES = tuple(t for t in PLAN_TABLES if t != "deliveries_by_period")  # what a user downloads


def who_of(request: Request, session: DbSession) -> Principal | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        return UserStore(session).principal(token)
    except Unauthorized:
        return None


def csrf_token(request: Request) -> str:
    """A per-session token every form carries back: a page of another site cannot read it,
    so it cannot forge a form post with the user's cookie (SameSite=Strict is the first guard)."""
    session_token = request.cookies.get(COOKIE, "")
    if not session_token:
        return ""
    return hmac.new(session_token.encode(), b"coprod-form", hashlib.sha256).hexdigest()[:32]


def csrf_ok(request: Request, sent: str) -> bool:
    expected = csrf_token(request)
    return bool(expected) and hmac.compare_digest(expected, sent)


def form_gate(request: Request, session: Any, csrf: str) -> tuple[Principal | None, Response | None]:
    """For a form post: the signed-in user, or the answer to send instead (sign in again, or
    refuse a form that does not carry this session's token)."""
    who = who_of(request, session)
    if who is None:
        return None, login_redirect()
    if not csrf_ok(request, csrf):
        message = "The form was not sent from this page: reload it and try again."
        return who, page(request, "message.html", who, row=None, title="Form expired", message=message)
    return who, None


def page(request: Request, template: str, who: Principal | None, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, template, {"who": who, "csrf": csrf_token(request), **context})


def login_redirect() -> RedirectResponse:
    return RedirectResponse("/login", status_code=303)


def latest_plan(session: DbSession, row: ProgrammeRow) -> PlanVersion | None:
    return session.scalar(
        select(PlanVersion)
        .where(PlanVersion.programme_id == row.id, PlanVersion.status == "done")
        .order_by(PlanVersion.number.desc())
    )


def plan_context(
    request: Request, session: DbSession, name: str
) -> tuple[Principal, ProgrammeRow, Programme, PlanVersion | None, dict[str, Any] | None]:
    who = who_of(request, session)
    if who is None:
        raise Unauthorized("sign in")
    store = RecordStore(session)
    row = store.programme(name)
    programme = store.load(row)
    latest = latest_plan(session, row)
    plan = scope_plan(latest.result, who, programme) if latest and latest.result else None
    return who, row, programme, latest, plan
