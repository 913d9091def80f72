"""The page each user lands on (app/home.py decides which view), the late-requirements page
the on-time tile drills into, and its CSV."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from coprod.api.deps import DbSession
from coprod.api.web import charts, plan_charts
from coprod.api.web.common import attachment, page, programme_ref, require_user
from coprod.api.web.views import line_loads, production_by_period
from coprod.app import home as homes
from coprod.app.home import late_rows

router = APIRouter(include_in_schema=False)


def _office(ctx: Any, design: str | None, target: float | None) -> dict[str, Any]:
    plan, programme = ctx.plan, ctx.programme
    periods = list(plan["periods"])
    per = production_by_period(plan, programme, design)
    monthly: dict[str, list[int]] = {}
    for r in plan["deliveries_by_period"]:
        cell = monthly.setdefault(r["period"], [0, 0, 0])
        cell[0] += r["required"]
        cell[1] += r["delivered"]
        cell[2] += r["on_time"]
    return {
        "deliveries_chart": plan_charts.deliveries_chart(plan["deliveries_by_period"], periods),
        "production_chart": charts.production_chart(per, periods, target, design or "all designs"),
        "production_rows": [(p, per.get(p, 0)) for p in periods],
        "monthly": [(p, *monthly.get(p, [0, 0, 0])) for p in periods],
    }


def _site(ctx: Any, data: dict[str, Any]) -> dict[str, Any]:
    loads = line_loads(ctx.plan, ctx.programme, set(data["lines"]))
    design_of = {r["item"]: ctx.programme.design_of(r["item"]).id for r in data["build"]}
    return {
        "loads": loads,
        "heatmap": plan_charts.load_heatmap(loads),
        "gantt": plan_charts.gantt_chart(
            data["build"], list(ctx.plan["periods"]), design_of, plan_charts.colour_order(ctx.programme)
        ),
    }


def _commitment_summary(session: Any, who: Any, name: str) -> dict[str, int]:
    """How the latest releases stand: lines short, not answered, and units not committed."""
    from coprod.app.collaboration import commitment_status

    rows = commitment_status(session, who, name)
    return {
        "lines": len(rows),
        "short": sum(r.state == "short" for r in rows),
        "open": sum(r.state == "open" for r in rows),
        "units": sum(r.shortfall for r in rows),
    }


@router.get("/p/{name}", response_model=None)
def overview(
    request: Request, session: DbSession, name: str, design: str | None = None, target: float | None = None
) -> Response:
    who = require_user(request, session)
    view = homes.home(session, who, name)
    ctx = view.context
    extra: dict[str, Any] = {}
    if ctx.plan is not None:
        periods = list(ctx.plan["periods"])
        if view.view == "office":
            extra = _office(ctx, design, target)
            extra["commitments"] = _commitment_summary(session, who, name)
        elif view.view == "site":
            extra = _site(ctx, view.data)
        elif view.view == "supplier":
            extra = {
                "chart": plan_charts.orders_chart(view.data["orders"], periods),
                "commitments": _commitment_summary(session, who, name),
            }
        elif view.view == "customer":
            extra = {
                "chart": plan_charts.requirements_chart(
                    view.data["requirements"], view.data["deliveries"], periods
                )
            }
    return page(
        request,
        f"home_{view.view}.html",
        who,
        row=programme_ref(name),
        home=view,
        ctx=ctx,
        programme=ctx.programme,
        latest=ctx.latest,
        plan=ctx.plan,
        design=design,
        target=target,
        designs=[d.id for d in ctx.programme.designs],
        uploaded=request.query_params.get("uploaded") == "1",
        **view.data,
        **extra,
    )


@router.get("/p/{name}/late", response_model=None)
def latepage(request: Request, session: DbSession, name: str, q: str = "", status: str = "") -> Response:
    """Every late or unmet requirement the user may see, sortable and filterable, with how
    late and the limit behind each (linked to its line, offer or licence)."""
    who = require_user(request, session)
    view = homes.home(session, who, name)
    ctx = view.context
    rows = late_rows(ctx.plan) if ctx.plan is not None else []
    if status == "unmet":  # the unmet-units tile opens the rows with units never delivered
        rows = [r for r in rows if r["unmet"]]
    return page(
        request,
        "late.html",
        who,
        row=programme_ref(name),
        ctx=ctx,
        latest=ctx.latest,
        plan=ctx.plan,
        rows=rows,
        q=q,
        status=status,
        can_read_lines=who.mode("lines") is not None,
        can_read_offers=who.mode("supply_offers") is not None,
        can_read_licences=who.mode("licences") is not None,
    )


@router.get("/p/{name}/download/late.csv", response_model=None)
def late_csv(request: Request, session: DbSession, name: str) -> Response:
    who = require_user(request, session)
    number, text = homes.late_csv(session, who, name)
    return Response(text, media_type="text/csv", headers=attachment(f"{name}-plan-{number}-late.csv"))
