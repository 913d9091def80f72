"""Errors on dashboard pages are pages: in the site's frame, with what went wrong and a way
back, never a JSON problem document (the API keeps answering problem documents)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from coprod.api.web.common import login_redirect, page, programme_ref, who_of

__all__ = ["error_page", "is_page"]

PAGE_PREFIXES = ("/p/", "/upload", "/login", "/logout")
TITLES = {
    401: "Please sign in",
    403: "Not allowed",
    404: "Not found",
    409: "Changed meanwhile",
    422: "That did not work",
    429: "Too many attempts",
    503: "Busy",
}


def is_page(request: Request) -> bool:
    path = request.url.path
    return (path == "/" or path.startswith(PAGE_PREFIXES)) and not path.endswith(".json")


def error_page(request: Request, status: int, detail: str, errors: list[dict[str, Any]]) -> Response:
    if status == 401:
        return login_redirect()
    from coprod.app.database import transaction

    try:
        with transaction(request.app.state.database_url) as tx:
            who = who_of(request, tx)
    except Exception:  # the database itself may be what failed: show the page without a user
        who = None
    parts = request.url.path.split("/")
    row = programme_ref(parts[2]) if who and len(parts) > 2 and parts[1] == "p" else None
    response: HTMLResponse = page(
        request,
        "error.html",
        who,
        row=row,
        title=TITLES.get(status, "Something went wrong"),
        message=detail,
        errors=[
            e.get("message", "") if not e.get("field") else f"{e['field']}: {e['message']}" for e in errors
        ],
        status=status,
        back=request.headers.get("referer") or (f"/p/{parts[2]}" if row else "/"),
    )
    response.status_code = status
    return response
