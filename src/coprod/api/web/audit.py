"""The audit trail as a page, for those who may read it (Action.READ_AUDIT): who changed
what and when, each change told field by field, filtered and paged."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from coprod.access import Action
from coprod.api.deps import DbSession
from coprod.api.web.common import page, programme_ref, require_user
from coprod.app.audit import AuditFilter, audit_trail
from coprod.app.inputs import InputChange, describe

router = APIRouter(include_in_schema=False)
PAGE = 50


def _told(entry: Any) -> str:
    """One entry in words (an update: the fields it changed, before → after)."""
    if entry.action == "update" and entry.before is not None and entry.after is not None:
        names = list(entry.after) + [k for k in entry.before if k not in entry.after]
        fields = {
            k: (entry.before.get(k), entry.after.get(k))
            for k in names
            if entry.before.get(k) != entry.after.get(k)
        }
        return describe(InputChange(entry.section, entry.key, "changed", fields))
    if entry.action == "import":
        after = entry.after or {}
        parts = [
            f"{after.get(k, 0):,} {k}" for k in ("added", "changed", "removed", "unchanged") if k in after
        ]
        return f"programme {'replaced' if after.get('replaced') else 'imported'}: " + (
            ", ".join(parts) or f"{after.get('records', 0):,} records"
        )
    verb = {"create": "created", "delete": "deleted"}.get(entry.action, entry.action)
    return f"{entry.section.replace('_', ' ')} {entry.key} {verb}"


@router.get("/p/{name}/audit", response_model=None)
def auditpage(
    request: Request,
    session: DbSession,
    name: str,
    section: str = "",
    key: str = "",
    user: str = "",
    page_no: int = 1,
) -> Response:
    who = require_user(request, session)
    who.require(Action.READ_AUDIT, "read the audit trail")
    page_no = max(page_no, 1)
    query = AuditFilter(
        section=section or None,
        key=key or None,
        username=user or None,
        limit=PAGE + 1,
        offset=(page_no - 1) * PAGE,
    )
    entries = audit_trail(session, who, name, query)
    more = len(entries) > PAGE
    shown = [(e, _told(e)) for e in entries[:PAGE]]
    base = {"section": section, "key": key, "user": user}
    return page(
        request,
        "audit.html",
        who,
        row=programme_ref(name),
        entries=shown,
        section=section,
        key=key,
        user=user,
        page_no=page_no,
        more=more,
        link=lambda **kw: "?" + urlencode({**base, "page_no": page_no, **kw}),
    )
