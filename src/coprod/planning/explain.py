"""Explain a plan: which limits bind and what relaxing each would gain (causes.py says why a
requirement is late, idle.py why capacity goes unused).

Marginal values come from the LP duals (row duals of hours, ramp-up rate, licence-cap and
lane-capacity rows;
reduced costs of orders at a supplier's capacity). A value is in objective units; divided by
W (the weight of one unit-period of lateness) it reads as "unit-periods of priority-weighted
lateness saved", which is how a planner hears it: N units delivered one period earlier. Where
the service term cannot move (nothing is late, or the limit lies after the last period any
requirement waits) the value is money, and is said in money.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from coprod.planning.grid import exact_grid
from coprod.planning.model import PlanningModel

__all__ = ["bottlenecks"]

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
    m: PlanningModel,
    row_dual: np.ndarray,
    col_dual: np.ndarray,
    x: np.ndarray,
    service_until: str | None = "9999",
) -> list[dict[str, Any]]:
    """Binding limits in runs of periods, ranked by marginal value. `service_until`: the
    last period in which a requirement still waits (causes.service_until; None: nothing is
    late). A run after it cannot cut lateness, so its value is money and is said so."""
    s, lp, W = m.structure, m.lp, m.unit_weight
    p = s.programme
    labels = (s.grid or exact_grid(p.calendar.periods)).labels(p.calendar.labels)  # buckets
    cur = p.settings.currency
    values: dict[tuple[str, str], dict[int, float]] = defaultdict(dict)
    what: dict[tuple[str, str], tuple[str, str]] = {}
    for fam_name, key, unit in (
        ("hours", "line", "hour"),
        ("rate", "line", "unit of ramp-up rate"),
        ("licence", "licence", "unit of licence cap"),
        ("lane_capacity", "lane", "unit of lane capacity"),
    ):
        fam = lp.rows[fam_name]
        duals = -row_dual[fam.slice]
        for i in np.flatnonzero(duals > TOL * max(1.0, W)):
            ent = int(fam.keys[key][i])
            if fam_name == "lane_capacity":
                lane = p.lanes[ent]
                name = lane.id
                label = f"lane {lane.id} ({lane.from_site} -> {lane.to}) capacity"
            elif fam_name == "licence":
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
            serves = service_until is not None and labels[first] <= service_until
            gain = total / W if serves else 0.0
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
