"""Order promising in the browser: ask when a new order can be delivered (the quote holds
every existing requirement's planned on-time deliveries), read what limits it and the
alternatives, and commit the promised schedule as requirements (docs/promise.md).

The quote is the API's (app/promise.py): the same access rules (a customer quotes at its
own destinations only), the same errors, the same version check on commit."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from coprod.access import Action
from coprod.api.deps import DbSession
from coprod.api.problems import STATUS
from coprod.api.web.common import form_gate, page, programme_ref, require_user
from coprod.app.programmes import stored_programme
from coprod.app.promise import PromiseRequest, parse_due, promise
from coprod.errors import CoprodError, InputError

router = APIRouter(include_in_schema=False)

FIELDS = ("item", "quantity", "destination", "due", "priority", "id", "alternatives", "version")


def _choices(session: Any, who: Any, name: str) -> dict[str, Any]:
    p = stored_programme(session, name)
    return {
        "items": list(p.products),
        "destinations": [d for d in p.destinations if who.can_read("destinations", d.partner, None)],
        "priorities": sorted(p.settings.priority_weights),
        "can_commit": who.can_write_section("requirements"),
    }


def _form(
    request: Request, who: Any, name: str, choices: dict[str, Any], status: int = 200, **ctx: Any
) -> Response:
    response = page(
        request,
        "promise.html",
        who,
        row=programme_ref(name),
        **choices,
        **{"asked": {}, "result": None, "errors": [], "committed": None, **ctx},
    )
    response.status_code = status
    return response


@router.get("/p/{name}/promise", response_model=None)
def promise_page(request: Request, session: DbSession, name: str) -> Response:
    who = require_user(request, session)
    who.require(Action.PROMISE, "promise orders")
    return _form(request, who, name, _choices(session, who, name))


def _request(asked: dict[str, str]) -> PromiseRequest:
    def whole(field: str, default: int | None = None) -> int:
        text = asked.get(field, "").strip()
        if not text and default is not None:
            return default
        try:
            return int(text)
        except ValueError:
            raise InputError(f"{field}: '{text}' is not a whole number") from None

    return PromiseRequest(
        item=asked.get("item", ""),
        quantity=whole("quantity"),
        destination=asked.get("destination", ""),
        due=parse_due(asked.get("due")),
        priority=whole("priority", 2),
        id=asked.get("id", "").strip(),
    )


@router.post("/p/{name}/promise", response_model=None)
async def quote_or_commit(request: Request, session: DbSession, name: str) -> Response:
    """`action=quote` answers the quote; `action=commit` (from the quote's own form, with the
    programme version it was made on) adds the promised schedule as requirements."""
    form = await request.form()
    who, refused = form_gate(request, session, str(form.get("csrf", "")))
    if refused is not None:
        return refused
    assert who is not None
    asked = {k: str(form.get(k, "")) for k in FIELDS}
    choices = _choices(session, who, name)  # read before a commit ends the transaction
    commit = form.get("action") == "commit"
    try:
        who.require(Action.PROMISE, "promise orders")
        req = _request(asked)
        version = int(asked["version"]) if commit and asked["version"].isdigit() else None
        if commit and version is None:
            raise InputError("version: the quote's programme version is missing; quote again")
        result = promise(
            session,
            who,
            name,
            req,
            commit=commit,
            version=version,
            alternatives=asked["alternatives"] == "on",
        )
    except CoprodError as exc:
        session.rollback()
        return _form(request, who, name, choices, status=exc_status(exc), asked=asked, errors=[str(exc)])
    if commit:
        session.commit()
    committed = result["committed"] or None
    return _form(request, who, name, choices, asked=asked, result=result, committed=committed)


def exc_status(exc: CoprodError) -> int:
    return next((code for kind, code, _ in STATUS if isinstance(exc, kind)), 500)
