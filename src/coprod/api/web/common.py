"""What the dashboard pages share: templates, the signed-in user from the cookie, what the
user may do (for the links a page offers), and small response helpers."""

from __future__ import annotations

import hashlib
import hmac
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import plotly
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from coprod.access import SECTIONS, Action, Principal
from coprod.api.deps import DbSession
from coprod.app.users import principal
from coprod.errors import Unauthorized

__all__ = [
    "COOKIE",
    "HERE",
    "PLOTLY_JS",
    "attachment",
    "csrf_ok",
    "csrf_token",
    "form_gate",
    "login_redirect",
    "page",
    "programme_ref",
    "require_user",
    "templates",
    "who_of",
]

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
COOKIE = "coprod_token"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def who_of(request: Request, session: DbSession) -> Principal | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        return principal(session, token)
    except Unauthorized:
        return None


def require_user(request: Request, session: DbSession) -> Principal:
    """The signed-in user, or Unauthorized (pages answer it with the sign-in redirect)."""
    who = who_of(request, session)
    if who is None:
        raise Unauthorized("sign in")
    return who


def programme_ref(name: str) -> SimpleNamespace:
    """What templates need of the programme a page is about (its name, for links)."""
    return SimpleNamespace(name=name)


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
    may = {action.name.lower(): who.may(action) for action in Action} if who else {}
    reads = {section: who.mode(section) is not None for section in SECTIONS} if who else {}
    return templates.TemplateResponse(
        request, template, {"who": who, "may": may, "reads": reads, "csrf": csrf_token(request), **context}
    )


def login_redirect() -> RedirectResponse:
    return RedirectResponse("/login", status_code=303)


_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-]")


def attachment(filename: str) -> dict[str, str]:
    """A Content-Disposition header for a download: only safe characters ever reach the
    header (names are checked where they are made; this holds even for older data)."""
    safe = _UNSAFE.sub("_", filename)[:200] or "download"
    return {"Content-Disposition": f'attachment; filename="{safe}"'}
