"""Explain a plan: which limits bind and what relaxing each would gain; why a requirement is late.

Marginal values come from the LP duals (row duals of hours, ramp-up rate and licence-cap rows;
reduced costs of orders at a supplier's capacity). A value is in objective units; divided by
W (the weight of one unit-period of lateness) it reads as "unit-periods of priority-weighted
lateness saved", which is how a planner hears it: N units delivered one period earlier.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from coprod.planning.grid import exact_grid
from coprod.planning.model import PlanningModel

__all__ = ["bottlenecks", "late_causes"]

TOL = 1e-7


def _runs(periods: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for t in sorted(periods):
        if runs and t == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], t)
        else:
            runs.append((t, t))
    return runs


def bottlenecks(
    m: PlanningModel, row_dual: np.ndarray, col_dual: np.ndarray, x: np.ndarray
) -> list[dict[str, Any]]:
    s, lp, W = m.structure, m.lp, m.unit_weight
    p = s.programme
    labels = p.calendar.labels
    cur = p.settings.currency
    values: dict[tuple[str, str], dict[int, float]] = defaultdict(dict)
    what: dict[tuple[str, str], tuple[str, str]] = {}
    for fam_name, key, unit in (
        ("hours", "line", "hour"),
        ("rate", "line", "unit of ramp-up rate"),
        ("licence", "licence", "unit of licence cap"),
    ):
        fam = lp.rows[fam_name]
        duals = -row_dual[fam.slice]
        for i in np.flatnonzero(duals > TOL * max(1.0, W)):
            ent = int(fam.keys[key][i])
            if fam_name == "licence":
                lic = p.licences[ent]
                name = lic.id
                label = f"licence {lic.id} ({lic.licensee}, {lic.design}) cap"
            else:
                name = s.lines[ent]
                site = p.line_by_id[name].site
                label = f"line {name} ({site})" + (" ramp-up rate" if fam_name == "rate" else " hours")
            values[(fam_name, name)][int(fam.keys["period"][i])] = float(duals[i])
            what[(fam_name, name)] = (label, unit)
    buy = lp.columns["buy"]
    reduced = -col_dual[buy.slice]
    at_cap = x[buy.slice] >= lp.col_upper[buy.slice] - 1e-6
    for i in np.flatnonzero((reduced > TOL * max(1.0, W)) & at_cap):
        off = p.supply_offers[buy.keys["offer"][i]]
        values[("supply", off.id)][int(buy.keys["period"][i])] = float(reduced[i])
        what[("supply", off.id)] = (
            f"supply {off.id} ({off.supplier}: {off.component} to {off.ship_to}) capacity",
            "unit of capacity",
        )
    out: list[dict[str, Any]] = []
    for (family, name), by_period in values.items():
        label, unit = what[(family, name)]
        for first, last in _runs(list(by_period)):
            total = sum(by_period[t] for t in range(first, last + 1))
            n = last - first + 1
            span = labels[first] if first == last else f"{labels[first]}..{labels[last]}"
            gain = total / W
            if gain >= 0.01:
                effect = (
                    f"cuts priority-weighted lateness by {gain:,.2f} unit-periods "
                    f"(about {gain:,.1f} units a period earlier at weight 1)"
                )
            else:
                effect = f"saves {cur} {total:,.2f}"
            per = "in each of these periods" if n > 1 else "in that period"
            text = f"{label}, {span}: one more {unit} {per} {effect}"
            out.append(
                {
                    "constraint": family,
                    "entity": name,
                    "subject": f"{label}, {span}",
                    "from": labels[first],
                    "to": labels[last],
                    "periods": n,
                    "marginal_value": total,
                    "service_gain": gain,
                    "text": text,
                }
            )
    out.sort(key=lambda r: -r["marginal_value"])
    for rank, row in enumerate(out, 1):
        row["rank"] = rank
    return out


def late_causes(m: PlanningModel, requirements: list[dict[str, Any]], binding: list[dict[str, Any]]) -> None:
    """Fill the `cause` of every late or unmet requirement row in place."""
    s = m.structure
    p = s.programme
    cal, T = p.calendar, s.periods
    grid = s.grid or exact_grid(cal.periods)
    labels = grid.labels(cal.labels)

    def after(bucket: int, lead: int) -> int:  # the bucket something leaving `bucket` arrives in
        arrival = int(grid.arrivals(lead)[min(bucket, T - 1)])
        return arrival if arrival >= 0 and bucket < T else T

    prod_ix = {x: i for i, x in enumerate(s.products)}
    stock = {(st.item, st.site): st.quantity for st in p.stock}
    lead_to: dict[tuple[str, str], int] = {}
    for o in p.supply_offers:
        key = (o.component, o.ship_to)
        lead_to[key] = min(lead_to.get(key, T), o.lead_time)
    for row in requirements:
        if row["status"] == "on_time":
            continue
        rq = next(r for r in p.requirements if r.id == row["id"])
        pi, due = prod_ix[rq.item], int(grid.bucket_of[cal.index_of(rq.due)])
        builds = [b for b in s.builds if b.product == pi]
        lanes = {ln.from_site: ln.lead_time for ln in p.lanes if ln.to == rq.destination}
        best: tuple[int, str] | None = None
        for b in builds:
            site = s.sites[b.site]
            if site not in lanes:
                continue
            first = int(b.periods[0])
            reason = f"{rq.item} can first be built on line {s.lines[b.line]} in {labels[first]}"
            ready = first
            for seg in s.bom[pi]:
                if seg.last < first:
                    continue
                for comp in seg.usage:
                    if stock.get((comp, site), 0) > 0:
                        continue
                    lead = lead_to.get((comp, site))
                    if lead is None:
                        reason = f"no supply offer of {comp} to {site} and no stock there"
                        ready = T
                        break
                    lead_b = after(0, lead)
                    if lead_b >= ready and lead > 0:  # folded supply moves the first build too
                        ready = lead_b
                        arrives = labels[min(lead_b, T - 1)]
                        reason = f"{comp} reaches {site} at the earliest in {arrives} (lead time {lead})"
                break
            arrival = after(ready, lanes[site])
            if best is None or arrival < best[0]:
                best = (
                    arrival,
                    f"{reason}; transport to {rq.destination} takes {lanes[site]} period(s)",
                )
        if best is None:
            row["cause"] = f"no licensed line with a lane to {rq.destination} can build {rq.item}"
        elif best[0] > due:
            row["cause"] = f"cannot arrive by {labels[due]}: {best[1]}"
        else:
            row["cause"] = _capacity_cause(m, rq.item, pi, binding, row["last_delivery"])


def _capacity_cause(
    m: PlanningModel, item: str, pi: int, binding: list[dict[str, Any]], last: str | None
) -> str:
    s = m.structure
    p = s.programme
    design = s.product_design[pi]
    lines = {s.lines[b.line] for b in s.builds if b.product == pi}
    licences = {lic.id for lic in p.licences if lic.design == design}
    comps = {c for seg in s.bom[pi] for c in seg.usage}
    offers = {o.id for o in p.supply_offers if o.component in comps}
    for row in binding:  # already ranked by marginal value
        if last is not None and row["from"] > last:
            continue
        related = (
            (row["constraint"] in ("hours", "rate") and row["entity"] in lines)
            or (row["constraint"] == "licence" and row["entity"] in licences)
            or (row["constraint"] == "supply" and row["entity"] in offers)
        )
        if related:
            return f"limited by {row['subject']}"
    return f"shared capacity for {item} goes to requirements of higher priority or earlier due dates"
