"""Read the solved (integer-repaired) LP back into plan tables and KPIs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from coprod.planning.grid import exact_grid
from coprod.planning.model import PlanningModel
from coprod.planning.money import BucketRates
from coprod.planning.orders import folded_orders

__all__ = ["Tables", "extract_tables", "sample_tables"]

Tables = dict[str, list[dict[str, Any]]]
EPS = 1e-6


def _nz(values: np.ndarray) -> np.ndarray:
    return np.flatnonzero(values > EPS)


def extract_tables(m: PlanningModel, x: np.ndarray) -> tuple[Tables, dict[str, float]]:
    s, lp = m.structure, m.lp
    p = s.programme
    grid = s.grid or exact_grid(p.calendar.periods)
    labels = grid.labels(p.calendar.labels)
    cols = lp.columns
    out: Tables = {}
    costs: dict[str, float] = {}

    make = cols["make"]
    xm = x[make.slice]
    idx = _nz(xm)
    k = make.keys
    money = BucketRates(p, grid)  # every cost in the programme currency, per bucket (money.py)
    routing_cost = {(rt.design, rt.line): (rt.cost_per_unit, rt.currency) for rt in p.routings}
    out["production"] = _production(m, x, labels)
    production_cost = 0.0
    # Python values read once: numpy scalars per column were most of this loop at M
    for product, line, t, q in zip(
        k["product"][idx].tolist(),
        k["line"][idx].tolist(),
        k["period"][idx].tolist(),
        xm[idx].tolist(),
        strict=True,
    ):
        cost, cur = routing_cost[(s.product_design[product], s.lines[line])]
        production_cost += q * cost * float(money.factor(cur)[t])
    costs["production"] = float(production_cost)
    fee = np.concatenate([b.cost_per_unit for b in s.builds]) if s.builds else np.zeros(0)
    costs["royalties"] = float(xm @ fee) - costs["production"]
    out["assembly_builds"] = _assembly_builds(m, x, labels)
    costs["production"] += float(x[cols["make_a"].slice] @ lp.cost[cols["make_a"].slice])

    buy = cols["buy"]
    xb = x[buy.slice]
    offers = p.supply_offers
    purchases = []
    spend = 0.0
    ib = _nz(xb)
    orders = list(
        zip(buy.keys["offer"][ib].tolist(), buy.keys["period"][ib].tolist(), _whole(xb[ib]), strict=True)
    )
    folded = folded_orders(m, xm)
    m.folded_stock = folded.stock
    orders += [(k, t, q) for (k, t), q in sorted(folded.orders.items())]
    factor, arrives = _Lists(money.factor), _Lists(grid.arrivals)
    for offer_ix, t, q in orders:
        off = offers[offer_ix]
        cost = q * off.unit_price * factor[off.currency][t]
        spend += cost
        purchases.append(
            {
                "offer": off.id,
                "supplier": off.supplier,
                "component": off.component,
                "site": off.ship_to,
                "order_period": labels[t],
                "arrival_period": labels[arrives[off.lead_time][t]],
                "quantity": q,
                "cost": round(cost, 2),  # programme currency, at the order bucket's rate
                "currency": off.currency or p.settings.currency,
                "cost_in_currency": round(q * off.unit_price, 2),
            }
        )
    out["purchases"] = purchases
    costs["purchases"] = spend

    ship = cols["ship"]
    xs = x[ship.slice]
    shipments = []
    for i in _nz(xs):
        lane = p.lanes[ship.keys["lane"][i]]
        t = int(ship.keys["period"][i])
        shipments.append(
            {
                "lane": lane.id,
                "from_site": lane.from_site,
                "to": lane.to,
                "item": s.products[ship.keys["product"][i]],
                "depart_period": labels[t],
                "arrive_period": labels[int(grid.arrivals(lane.lead_time, shipment=True)[t])],
                "quantity": int(round(xs[i])),
            }
        )
    out["shipments"] = shipments
    costs["transport"] = float(xs @ lp.plan_cost()[ship.slice])

    # transport: shipments to destinations and transfers between sites
    out["transfers"], moved = _transfers(m, x)
    costs["transport"] += moved

    stock_rows = []
    holding = 0.0
    for fam_name, key, names in (
        ("stock_c", "component", s.components),
        ("stock_p", "product", s.products),
    ):
        fam = cols[fam_name]
        xv = x[fam.slice]
        holding += float(xv @ lp.cost[fam.slice])
        nz = _nz(xv)
        for site, item, t, q in zip(
            fam.keys["site"][nz].tolist(),
            fam.keys[key][nz].tolist(),
            fam.keys["period"][nz].tolist(),
            _rounded(xv[nz], 3),
            strict=True,
        ):
            stock_rows.append(
                {"site": s.sites[site], "item": names[item], "period": labels[t], "quantity": q}
            )
    hold = {c.id: c.holding_cost for c in p.components}
    length = grid.length.tolist()
    for (ok, t), left in sorted(m.folded_stock.items()):
        off = p.supply_offers[ok]
        holding += left * hold.get(off.component, 0.0) * length[t]  # per period held
        stock_rows.append(
            {"site": off.ship_to, "item": off.component, "period": labels[t], "quantity": round(left, 3)}
        )
    out["stock"] = stock_rows
    costs["holding"] = holding
    costs["total"] = sum(costs.values())
    _deliveries(m, x, out)
    return out, costs


class _Lists(dict[Any, list[Any]]):
    """Per-record arrays (a currency's factors, a lead time's arrivals) as Python lists, each
    made once: a table row then reads plain numbers instead of numpy scalars."""

    def __init__(self, of: Callable[[Any], np.ndarray]) -> None:
        super().__init__()
        self.of = of

    def __missing__(self, key: Any) -> list[Any]:
        got: list[Any] = self.of(key).tolist()
        self[key] = got
        return got


def _whole(values: np.ndarray) -> list[int]:
    """int(round(v)) of each value, as Python ints."""
    return [int(round(v)) for v in values.tolist()]


def _rounded(values: np.ndarray, digits: int) -> list[float]:
    """`round(float(v), digits)` of each value; whole numbers (most stock) already are."""
    if np.all(values == np.floor(values)):
        return values.astype(float).tolist()  # type: ignore[no-any-return]
    return [round(v, digits) for v in values.astype(float).tolist()]


def _production(m: PlanningModel, x: np.ndarray, labels: tuple[str, ...]) -> list[dict[str, Any]]:
    s, make = m.structure, m.lp.columns["make"]
    p, k, xm = s.programme, make.keys, x[make.slice]
    return [
        {
            "line": s.lines[k["line"][i]],
            "site": p.line_by_id[s.lines[k["line"][i]]].site,
            "item": s.products[k["product"][i]],
            "period": labels[k["period"][i]],
            "quantity": int(round(xm[i])),
        }
        for i in _nz(xm)
    ]


def _assembly_builds(m: PlanningModel, x: np.ndarray, labels: tuple[str, ...]) -> list[dict[str, Any]]:
    """Assemblies built on lines: started in `period`, usable at the site from `available`."""
    s, fam = m.structure, m.lp.columns["make_a"]
    p, k, xa = s.programme, fam.keys, x[fam.slice]
    cost = m.lp.cost[fam.slice]
    return [
        {
            "line": s.lines[k["line"][i]],
            "site": p.line_by_id[s.lines[k["line"][i]]].site,
            "item": s.components[k["component"][i]],
            "period": labels[k["period"][i]],
            "available": labels[k["arrival"][i]],
            "quantity": int(round(xa[i])),
            "cost": round(float(xa[i] * cost[i]), 2),
        }
        for i in _nz(xa)
    ]


def sample_tables(m: PlanningModel, x: np.ndarray) -> Tables:
    """Production, deliveries and requirements only, as `extract_tables` gives them: what a
    risk sample reads (scenarios/warm.py), without orders, shipments, stock or costs."""
    s = m.structure
    grid = s.grid or exact_grid(s.programme.calendar.periods)
    out: Tables = {"production": _production(m, x, grid.labels(s.programme.calendar.labels))}
    _deliveries(m, x, out)
    return out


def _transfers(m: PlanningModel, x: np.ndarray) -> tuple[list[dict[str, Any]], float]:
    """The transfers table: what left which site for which site, when, and what it cost."""
    s, lp = m.structure, m.lp
    p = s.programme
    grid = s.grid or exact_grid(p.calendar.periods)
    labels = grid.labels(p.calendar.labels)
    money = BucketRates(p, grid)
    rows = []
    spend = 0.0
    for fam_name, key, names in (
        ("transfer_c", "component", s.components),
        ("transfer_p", "product", s.products),
    ):
        fam = lp.columns[fam_name]
        xv = x[fam.slice]
        for i in _nz(xv):
            lane = p.lanes[fam.keys["lane"][i]]
            q = float(xv[i])
            qty: float | int = int(round(q)) if abs(q - round(q)) < EPS else round(q, 3)
            cost = q * lane.cost_per_unit * float(money.factor(lane.currency)[fam.keys["period"][i]])
            spend += cost
            rows.append(
                {
                    "lane": lane.id,
                    "item": names[fam.keys[key][i]],
                    "from_site": lane.from_site,
                    "to_site": lane.to,
                    "ship_period": labels[fam.keys["period"][i]],
                    "arrive_period": labels[fam.keys["arrival"][i]],
                    "quantity": qty,
                    "cost": round(cost, 2),  # programme currency, at the departure bucket's rate
                }
            )
    rows.sort(key=lambda r: (r["ship_period"], r["lane"], r["item"]))
    return rows, spend


def _deliveries(m: PlanningModel, x: np.ndarray, out: Tables) -> None:
    s, lp = m.structure, m.lp
    p = s.programme
    cal = p.calendar
    grid = s.grid or exact_grid(cal.periods)
    labels = grid.labels(cal.labels)
    fam = lp.columns["deliver"]
    xd = x[fam.slice]
    unmet = x[lp.columns["unmet"].slice]
    reqs = p.requirements
    got = np.zeros(len(reqs))
    on_time = np.zeros(len(reqs))
    last = np.full(len(reqs), -1)
    weighted_late = np.zeros(len(reqs))
    deliveries = []
    for i in _nz(xd):
        r = int(fam.keys["requirement"][i])
        t = int(fam.keys["period"][i])
        q = int(round(xd[i]))
        due = cal.index_of(reqs[r].due)  # a calendar period; t is a bucket
        late = max(0, int(grid.start[t]) - due)
        got[r] += q
        on_time[r] += q if t <= grid.bucket_of[due] else 0
        last[r] = max(last[r], t)
        weighted_late[r] += q * late * p.weight_of(reqs[r].priority)
        deliveries.append(
            {
                "requirement": reqs[r].id,
                "item": reqs[r].item,
                "destination": reqs[r].destination,
                "period": labels[t],
                "quantity": q,
                "periods_late": late,
            }
        )
    out["deliveries"] = deliveries
    rows = []
    for r, rq in enumerate(reqs):
        short = int(round(unmet[r]))
        status = "on_time" if on_time[r] >= rq.quantity else ("unmet" if short > 0 else "late")
        rows.append(
            {
                "id": rq.id,
                "customer": rq.customer,
                "destination": rq.destination,
                "item": rq.item,
                "design": p.design_of(rq.item).id,
                "quantity": rq.quantity,
                "due": labels[grid.bucket_of[cal.index_of(rq.due)]],
                "priority": rq.priority,
                "delivered": int(got[r]),
                "on_time": int(on_time[r]),
                "late": int(got[r] - on_time[r]),
                "unmet": short,
                "last_delivery": labels[last[r]] if last[r] >= 0 else None,
                "weighted_late_periods": float(weighted_late[r]),
                "status": status,
                "cause": "",
            }
        )
    out["requirements"] = rows
