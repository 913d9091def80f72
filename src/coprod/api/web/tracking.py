"""Dashboard pages for actuals: the programme's tracking page (plan against actual, with
charts), one page per site, and royalty statements (the licensor's and each licensee's own)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from coprod.api.deps import DbSession
from coprod.api.web import charts
from coprod.api.web.common import login_redirect, page, programme_ref, who_of
from coprod.app import tracking
from coprod.errors import InputError

router = APIRouter(include_in_schema=False)


@router.get("/p/{name}/tracking", response_model=None)
def tracking_page(request: Request, session: DbSession, name: str) -> Response:
    who = who_of(request, session)
    if who is None:
        return login_redirect()
    report = tracking.track(session, who, name)
    sites = sorted({r["site"] for r in report.rows})
    ctx: dict[str, Any] = {
        "row": programme_ref(name),
        "report": report,
        "sites": sites,
        "site": None,
        "chart": charts.cumulative_chart("Plan against actual, cumulative per line", report.rows),
        "rate_chart": charts.rate_chart(report.lines),
    }
    return page(request, "tracking.html", who, **ctx)


@router.get("/p/{name}/tracking/{site}", response_model=None)
def site_page(request: Request, session: DbSession, name: str, site: str) -> Response:
    who = who_of(request, session)
    if who is None:
        return login_redirect()
    report = tracking.track(session, who, name)
    rows = [r for r in report.rows if r["site"] == site]
    lines = [s for s in report.lines if s["site"] == site]
    if not lines:
        raise InputError(f"no site '{site}' with lines you may track")
    ctx: dict[str, Any] = {
        "row": programme_ref(name),
        "report": report,
        "site": site,
        "sites": sorted({r["site"] for r in report.rows}),
        "rows": rows,
        "lines": lines,
        "chart": charts.cumulative_chart(f"Plan against actual at {site}", rows),
        "rate_chart": charts.rate_chart(lines),
    }
    return page(request, "tracking.html", who, **ctx)


@router.get("/p/{name}/royalties", response_model=None)
def royalties_page(
    request: Request, session: DbSession, name: str, period: dt.date | None = None
) -> Response:
    who = who_of(request, session)
    if who is None:
        return login_redirect()
    rows = tracking.royalties(session, who, name, period)
    totals: dict[str, float] = {}
    own: dict[str, tuple[str, float]] = {}  # licensee -> (its own currency, total in it)
    for r in rows:
        totals[r["licensee"]] = totals.get(r["licensee"], 0.0) + r["amount"]
        before = own.get(r["licensee"], (r["partner_currency"], 0.0))[1]
        own[r["licensee"]] = (r["partner_currency"], before + r["amount_in_partner_currency"])
    return page(
        request,
        "royalties.html",
        who,
        row=programme_ref(name),
        rows=rows,
        totals=totals,
        own=own,
        period=period,
    )
