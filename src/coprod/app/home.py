"""The page each user lands on: what their part of the latest plan asks of them.

Which view a user gets follows from what the access rules let them see (the plan view in
access.py), never from comparing role names: whoever sees every plan table gets the
programme overview; whoever sees their sites' production gets their lines, build list and
orders; their orders: what is needed from them by when; their requirements: the planned
dates; their designs' production: licensees, revisions and royalties."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from coprod.access import PLAN_TABLES, Principal, RowScope
from coprod.app.database import Tx
from coprod.app.plans import PlanContext, latest_plan
from coprod.domain import Programme
from coprod.domain.money import Rates, currency_of, own_currency

__all__ = ["Home", "home", "late_csv", "late_rows", "royalties", "scoped_kpis"]


@dataclass(frozen=True, slots=True)
class Home:
    view: str  # office | site | supplier | customer | design
    scope: str  # in words: whose rows the page shows
    context: PlanContext
    data: dict[str, Any] = field(default_factory=dict)


def _view_of(who: Principal) -> str:
    view = who.plan_view()
    if all(view.get(t) is RowScope.ALL for t in PLAN_TABLES):
        return "office"
    production = view.get("production")
    if production is RowScope.OWN_SITES:
        return "site"
    if production is RowScope.OWN_DESIGNS:
        return "design"
    if view.get("purchases") is RowScope.OWN_ORDERS:
        return "supplier"
    if view.get("requirements") is RowScope.OWN_REQUIREMENTS:
        return "customer"
    return "none"


def scoped_kpis(requirements: list[dict[str, Any]]) -> dict[str, Any]:
    """On-time and fill rates of these requirement rows only (a customer's own)."""
    required = sum(r["quantity"] for r in requirements)
    on_time = sum(r["on_time"] for r in requirements)
    delivered = sum(r["delivered"] for r in requirements)
    return {
        "requirements": len(requirements),
        "required_units": required,
        "on_time_units": on_time,
        "late_units": delivered - on_time,
        "unmet_units": sum(r["unmet"] for r in requirements),
        "on_time_rate": on_time / required if required else 1.0,
        "fill_rate": delivered / required if required else 1.0,
    }


def late_rows(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """Late and unmet requirements, each with how late its last units arrive (plan periods
    from due to last delivery) and the limit named in its cause (the bottleneck row, so a
    page can link to the line, offer or licence)."""
    index = {label: i for i, label in enumerate(plan["periods"])}
    limits = plan.get("bottlenecks", [])
    out = []
    for r in plan["requirements"]:
        if r["status"] == "on_time":
            continue
        last = index.get(r["last_delivery"]) if r["last_delivery"] else None
        late_by = max(last - index.get(r["due"], 0), 0) if last is not None else 0
        cause = r.get("cause") or ""
        limit = next((b for b in limits if cause.endswith(b["subject"])), None)
        out.append(
            {
                **r,
                "periods_late": late_by,
                "limit": {"constraint": limit["constraint"], "entity": limit["entity"]} if limit else None,
            }
        )
    return sorted(out, key=lambda r: (-r["unmet"], -r["weighted_late_periods"], r["id"]))


LATE_COLUMNS = (
    "id",
    "customer",
    "item",
    "quantity",
    "due",
    "priority",
    "on_time",
    "late",
    "unmet",
    "last_delivery",
    "periods_late",
    "status",
    "cause",
)


def late_csv(tx: Tx, who: Principal, programme: str) -> tuple[int, str]:
    """The late and unmet requirements of the latest plan the user sees, as CSV."""
    import csv
    import io

    from coprod.errors import NotFound

    ctx = latest_plan(tx, who, programme)
    if ctx.plan is None or ctx.latest is None:
        raise NotFound(f"programme '{programme}' has no finished plan yet")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, LATE_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(late_rows(ctx.plan))
    return ctx.latest.number, buffer.getvalue()


def royalties(p: Programme, production: list[dict[str, Any]], licensor: str) -> list[dict[str, Any]]:
    """Royalties owed to `licensor` by the plan's production: per licence, units built by
    the licensee under it, times the royalty per unit. From the plan (what will be built),
    not from accepted units: statements from tracking replace these figures once units are
    accepted."""
    site_partner = {s.id: s.partner for s in p.sites}
    mine = [lic for lic in p.licences if lic.licensor == licensor]
    by_licence: dict[str, dict[str, Any]] = {}
    for row in production:
        design = p.design_of(row["item"]).id
        licensee = site_partner.get(row["site"])
        period = row["period"]
        for lic in mine:
            if lic.design != design or lic.licensee != licensee:
                continue
            if str(lic.valid_from) > period or (lic.valid_to is not None and str(lic.valid_to) < period):
                continue
            cell = by_licence.setdefault(
                lic.id,
                {
                    "licence": lic.id,
                    "licensee": lic.licensee,
                    "design": lic.design,
                    "royalty_per_unit": lic.royalty_per_unit,
                    "units": 0,
                    "by_period": defaultdict(int),
                },
            )
            cell["units"] += row["quantity"]
            cell["by_period"][period] += row["quantity"]
            break
    rates = Rates(p)
    base, own = p.settings.currency, own_currency(p, licensor)
    out = []
    for cell in by_licence.values():
        lic = next(x for x in mine if x.id == cell["licence"])
        cur = currency_of(p, lic)
        cell["currency"] = cur
        cell["amount_in_currency"] = round(cell["units"] * cell["royalty_per_unit"], 2)
        # each period's units at the rate in force at its start (planning/money.py)
        amount = own_amount = 0.0
        for period, units in cell["by_period"].items():
            day = dt.date.fromisoformat(period)
            amount += rates.convert(units * lic.royalty_per_unit, cur, base, day)
            own_amount += rates.convert(units * lic.royalty_per_unit, cur, own, day)
        cell["amount"] = round(amount, 2)
        cell["own_currency"] = own
        cell["amount_own"] = round(own_amount, 2)
        cell["by_period"] = dict(sorted(cell["by_period"].items()))
        out.append(cell)
    return sorted(out, key=lambda c: c["licence"])


def _supplier(p: Programme, plan: dict[str, Any], who: Principal) -> dict[str, Any]:
    orders = sorted(plan["purchases"], key=lambda r: (r["arrival_period"], r["component"], r["site"]))
    by_component: dict[str, int] = defaultdict(int)
    for r in orders:
        by_component[r["component"]] += r["quantity"]
    offers = [o for o in p.supply_offers if o.supplier == who.partner]
    return {"orders": orders, "by_component": dict(sorted(by_component.items())), "offers": offers}


def _customer(p: Programme, plan: dict[str, Any], who: Principal) -> dict[str, Any]:
    rows = sorted(plan["requirements"], key=lambda r: (r["due"], r["id"]))
    deliveries: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for d in plan["deliveries"]:
        deliveries[d["requirement"]].append(d)
    return {"requirements": rows, "deliveries": deliveries, "kpis": scoped_kpis(rows)}


def _design(p: Programme, plan: dict[str, Any], who: Principal) -> dict[str, Any]:
    licences = [lic for lic in p.licences if lic.licensor == who.partner]
    designs = [d for d in p.designs if d.owner == who.partner]
    owed = royalties(p, plan["production"], who.partner)
    units: dict[tuple[str, str], int] = defaultdict(int)
    site_partner = {s.id: s.partner for s in p.sites}
    for row in plan["production"]:
        units[(site_partner.get(row["site"], "?"), p.design_of(row["item"]).id)] += row["quantity"]
    builders = [{"partner": k[0], "design": k[1], "units": v} for k, v in sorted(units.items())]
    return {"licences": licences, "own_designs": designs, "royalties": owed, "builders": builders}


def _site(p: Programme, plan: dict[str, Any], who: Principal) -> dict[str, Any]:
    sites = [s for s in p.sites if s.partner == who.partner]
    ids = {s.id for s in sites}
    lines = [ln.id for ln in p.lines if ln.site in ids]
    build = sorted(plan["production"], key=lambda r: (r["period"], r["line"], r["item"]))
    orders = sorted(plan["purchases"], key=lambda r: (r["order_period"], r["component"]))
    return {"sites": sites, "lines": lines, "build": build, "orders": orders}


def _scope_text(view: str, who: Principal, p: Programme) -> str:
    if view == "office":
        return "the whole programme"
    if view == "site":
        names = ", ".join(s.id for s in p.sites if s.partner == who.partner) or "none"
        return f"your sites ({names}): their lines, production, orders, stock and shipments"
    if view == "supplier":
        return f"orders placed on {who.partner}"
    if view == "customer":
        return f"the requirements of {who.partner} and their deliveries"
    if view == "design":
        return f"production of the designs {who.partner} owns, and its licences"
    return "no plan table"


BUILDERS = {"supplier": _supplier, "customer": _customer, "design": _design, "site": _site}


def home(tx: Tx, who: Principal, programme: str) -> Home:
    ctx = latest_plan(tx, who, programme)
    view = _view_of(who)
    data: dict[str, Any] = {}
    if ctx.plan is not None and view in BUILDERS:
        data = BUILDERS[view](ctx.programme, ctx.plan, who)
    if ctx.plan is not None and view == "office":
        data = {"late": late_rows(ctx.plan)}
    return Home(view, _scope_text(view, who, ctx.programme), ctx, data)
