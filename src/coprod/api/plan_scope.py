"""Which rows of a plan a user may see: the programme office and auditors all of it; a
site planner the rows of their sites; a supplier the orders placed on them; a customer
their requirements and deliveries; a design authority the production of its designs."""

from __future__ import annotations

from typing import Any

from coprod.access import Principal, Role
from coprod.domain import Programme
from coprod.planning.plan import TABLES

__all__ = ["scope_plan"]


def scope_plan(result: dict[str, Any], who: Principal, p: Programme) -> dict[str, Any]:
    if who.sees_everything:
        return result
    keep: dict[str, Any] = {k: v for k, v in result.items() if k not in (*TABLES, "costs")}
    mine_sites = {s.id for s in p.sites if s.partner == who.partner}
    mine_lines = {ln.id for ln in p.lines if ln.site in mine_sites}
    tables: dict[str, list[dict[str, Any]]] = {key: [] for key in TABLES}
    if who.role is Role.SITE_PLANNER:
        tables["production"] = [r for r in result["production"] if r["site"] in mine_sites]
        tables["purchases"] = [r for r in result["purchases"] if r["site"] in mine_sites]
        tables["stock"] = [r for r in result["stock"] if r["site"] in mine_sites]
        tables["shipments"] = [r for r in result["shipments"] if r["from_site"] in mine_sites]
        tables["bottlenecks"] = [r for r in result["bottlenecks"] if r["entity"] in mine_lines]
    elif who.role is Role.SUPPLIER:
        tables["purchases"] = [r for r in result["purchases"] if r["supplier"] == who.partner]
    elif who.role is Role.CUSTOMER:
        mine = {r.id for r in p.requirements if r.customer == who.partner}
        tables["requirements"] = [r for r in result["requirements"] if r["id"] in mine]
        tables["deliveries"] = [r for r in result["deliveries"] if r["requirement"] in mine]
    elif who.role is Role.DESIGN_AUTHORITY:
        designs = {d.id for d in p.designs if d.owner == who.partner}
        tables["production"] = [r for r in result["production"] if p.design_of(r["item"]).id in designs]
    keep.update(tables)
    return keep
