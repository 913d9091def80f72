"""A corpus of small programmes of many shapes, to test what the planner promises on any of them.

generate.py makes one realistic shape in three sizes; this makes programmes nobody here
tuned to: weekly horizons of 12-260 periods and monthly ones of 6-60, demand at 60-140 % of
what the lines can make, lead times up to a third of the horizon, single tight lines with
ramp-up and learning, licence windows and caps, late suppliers, minimum orders, revisions.
Every figure is drawn from the seed; `shape(seed)` says what was drawn.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from coprod.domain import Programme
from coprod.domain.calendar import Calendar
from coprod.domain.capacity import learning_factors, line_hours, rate_caps
from coprod.domain.entities import Line

__all__ = ["Shape", "corpus_programme", "shape"]

START = dt.date(2026, 1, 5)  # a Monday (a weekly calendar), in January (a monthly one)


@dataclass(frozen=True, slots=True)
class Shape:
    seed: int
    granularity: str  # week | month
    periods: int
    utilisation: float  # demand over what the lines could make, in units
    max_lead: int  # longest supplier or lane lead time, periods
    sites: int
    lines: int
    designs: int
    ramp_up: bool  # the first line ramps up (pilot to full rate, with learning)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def shape(seed: int) -> Shape:
    """The shape of programme `seed`: a third are single tight lines, half are monthly."""
    rng = np.random.default_rng([seed, 9])
    monthly = bool(rng.random() < 0.4)
    periods = int(rng.integers(6, 61)) if monthly else int(rng.integers(12, 261))
    single = bool(rng.random() < 0.35)
    sites = 1 if single else int(rng.integers(1, 4))
    return Shape(
        seed=seed,
        granularity="month" if monthly else "week",
        periods=periods,
        utilisation=round(float(rng.uniform(0.6, 1.4)), 2),
        max_lead=int(rng.integers(0, max(1, periods // 3) + 1)),
        sites=sites,
        lines=1 if single else sites + int(rng.integers(0, 2)),
        designs=1 if single else int(rng.integers(1, 4)),
        ramp_up=bool(rng.random() < 0.7),
    )


def _date(cal: Calendar, t: int) -> str:
    return cal.labels[min(t, cal.periods - 1)]


def _lines(sh: Shape, rng: np.random.Generator, cal: Calendar, sites: list[str]) -> list[dict[str, Any]]:
    out = []
    for j in range(sh.lines):
        line: dict[str, Any] = {
            "id": f"L{j}",
            "site": sites[j % len(sites)],
            "hours_per_period": float(rng.integers(100, 1000)),
        }
        if (j == 0 and sh.ramp_up) or (j > 0 and rng.random() < 0.3):
            full = float(rng.integers(20, 400))
            line["ramp_up"] = {
                "start": _date(cal, int(rng.integers(0, max(1, sh.periods // 4)))),
                "pilot_rate": round(full * float(rng.uniform(0.05, 0.4))),
                "full_rate": full,
                "ramp_periods": int(rng.integers(0, max(1, sh.periods // 2) + 1)),
                "learning_rate": float(rng.choice([0.75, 0.8, 0.9, 1.0])),
            }
        if rng.random() < 0.3:  # a shutdown or an extra shift somewhere
            line["exceptions"] = [
                {
                    "period": _date(cal, int(rng.integers(0, sh.periods))),
                    "hours": float(rng.integers(0, 1200)),
                }
            ]
        out.append(line)
    return out


def _capacity_units(line: dict[str, Any], cal: Calendar, hours_per_unit: float) -> np.ndarray:
    """Units the line could make in each period (hours, ramp-up and learning)."""
    ln = Line.model_validate(line)
    hours = np.array(line_hours(ln, cal)) / (hours_per_unit * np.array(learning_factors(ln, cal)))
    caps = rate_caps(ln, cal)
    return np.minimum(hours, caps) if caps is not None else hours


def corpus_programme(seed: int) -> Programme:
    """Programme `seed` of the corpus (its shape: `shape(seed)`)."""
    sh = shape(seed)
    rng = np.random.default_rng([seed, 11])
    cal = Calendar.model_validate(
        {"start": START.isoformat(), "periods": sh.periods, "granularity": sh.granularity}
    )
    T = sh.periods
    partners: list[dict[str, Any]] = [
        {"id": "DA", "country": "UA", "role": "design_authority"},
        {"id": "SUP", "country": "PL", "role": "supplier"},
        {"id": "MOD", "country": "UA", "role": "customer"},
    ]
    sites = []
    for i in range(sh.sites):
        owner = "DA" if i == 0 else f"MFG{i}"
        if i:
            partners.append({"id": owner, "country": "GB", "role": "manufacturer"})
        sites.append({"id": f"S{i}", "partner": owner, "country": "UA" if i == 0 else "GB"})
    site_ids = [s["id"] for s in sites]
    lines = _lines(sh, rng, cal, site_ids)
    leaves = [f"C{i}" for i in range(int(rng.integers(2, 7)))]
    components: list[dict[str, Any]] = [
        {"id": c, "holding_cost": round(float(rng.uniform(0, 0.5)), 3)} for c in leaves
    ]
    if rng.random() < 0.4:  # a sub-assembly made of two leaves
        components.append(
            {"id": "ASM", "bom": [{"item": leaves[0], "qty": 2}, {"item": leaves[-1], "qty": 1}]}
        )
    price = {c: round(float(rng.lognormal(2.0, 1.0)), 2) for c in leaves}
    designs: list[dict[str, Any]] = []
    routings: list[dict[str, Any]] = []
    licences: list[dict[str, Any]] = []
    requirements: list[dict[str, Any]] = []
    line_hpu: dict[str, list[float]] = {}
    for d in range(sh.designs):
        did = f"X{d}"
        parts = rng.choice(leaves, size=int(rng.integers(1, len(leaves) + 1)), replace=False)
        bom: list[dict[str, Any]] = [{"item": str(c), "qty": int(rng.integers(1, 5))} for c in parts]
        if any(c["id"] == "ASM" for c in components) and rng.random() < 0.6:
            bom.append({"item": "ASM", "qty": 1})
        revisions = [{"revision": 1, "effective_from": START.isoformat(), "bom": bom}]
        if T > 8 and rng.random() < 0.25:  # a later revision uses one more of the first part
            changed = [dict(bom[0], qty=bom[0]["qty"] + 1), *bom[1:]]
            revisions.append(
                {"revision": 2, "effective_from": _date(cal, int(rng.integers(T // 3, T))), "bom": changed}
            )
        designs.append(
            {
                "id": did,
                "owner": "DA",
                "holding_cost": round(float(rng.uniform(0, 5)), 2),
                "revisions": revisions,
            }
        )
        for line in lines if sh.designs == 1 else [ln for ln in lines if rng.random() < 0.7] or lines[:1]:
            hpu = round(float(rng.uniform(0.5, 4)), 2)
            routings.append(
                {
                    "design": did,
                    "line": line["id"],
                    "hours_per_unit": hpu,
                    "cost_per_unit": round(float(rng.uniform(10, 200)), 2),
                }
            )
            line_hpu.setdefault(line["id"], []).append(hpu)
            owner = sites[site_ids.index(line["site"])]["partner"]
            if owner != "DA" and not any(
                lic["licensee"] == owner and lic["design"] == did for lic in licences
            ):
                lic: dict[str, Any] = {
                    "id": f"LIC-{owner}-{did}",
                    "licensor": "DA",
                    "licensee": owner,
                    "design": did,
                    "valid_from": _date(cal, int(rng.integers(0, max(1, T // 4)))),
                    "royalty_per_unit": round(float(rng.uniform(0, 30)), 2),
                }
                if rng.random() < 0.5:
                    lic["cap_per_period"] = int(rng.integers(20, 500))
                if rng.random() < 0.2:
                    lic["valid_to"] = _date(cal, int(rng.integers(T // 2, T)))
                licences.append(lic)
    # Demand: `utilisation` times what the lines can make. Due dates either follow the
    # capacity (shifted by a lead time, as a programme office would promise) or are spread
    # evenly from an early date (a customer asking ahead of the ramp-up).
    by_line = [lines[[ln["id"] for ln in lines].index(lid)] for lid in line_hpu]
    profile = sum(
        (_capacity_units(ln, cal, float(np.mean(line_hpu[ln["id"]]))) for ln in by_line), np.zeros(T)
    )
    total = max(sh.designs, int(round(sh.utilisation * float(profile.sum()))))
    first_due = min(T - 1, int(rng.integers(0, sh.max_lead + 2)))
    n_req = int(rng.integers(3, 3 + min(60, 2 * T)))
    weights = np.zeros(T)
    if rng.random() < 0.6 and profile.sum() > 0:
        shift = min(T - 1, int(rng.integers(1, sh.max_lead + 3)))
        weights[shift:] = profile[: T - shift] + 1e-9
    else:
        weights[first_due:] = 1.0
    dues = np.sort(rng.choice(T, size=n_req, p=weights / weights.sum()))
    shares = rng.dirichlet(np.ones(n_req)) if rng.random() < 0.5 else np.full(n_req, 1.0 / n_req)
    n_dest = int(rng.integers(1, 3))
    for k, (t, share) in enumerate(zip(dues, shares, strict=True)):
        requirements.append(
            {
                "id": f"R{k:03d}",
                "customer": "MOD",
                "destination": f"D{int(rng.integers(0, n_dest))}",
                "item": f"X{int(rng.integers(0, sh.designs))}",
                "quantity": max(1, int(round(total * share))),
                "due": _date(cal, int(t)),
                "priority": int(rng.choice([1, 2, 3])),
            }
        )
    offers = []
    for s in site_ids:
        for c in leaves:
            for k in range(1 + int(rng.random() < 0.3)):
                offer: dict[str, Any] = {
                    "id": f"O-{c}-{s}-{k}",
                    "component": c,
                    "supplier": "SUP",
                    "ship_to": s,
                    "lead_time": int(rng.integers(0, sh.max_lead + 1)) if k == 0 else 0,
                    "capacity_per_period": int(rng.integers(50, 20000)),
                    "unit_price": round(price[c] * (1.0 if k == 0 else 1.5), 2),
                }
                if rng.random() < 0.15:
                    offer["min_order"] = min(offer["capacity_per_period"], int(rng.integers(10, 500)))
                if rng.random() < 0.1:
                    offer["available_from"] = _date(cal, int(rng.integers(0, max(1, T // 3))))
                offers.append(offer)
    lanes = [
        {
            "id": f"{s}-D{d}",
            "from_site": s,
            "to": f"D{d}",
            "lead_time": int(rng.integers(0, min(sh.max_lead, 8) + 1)),
            "cost_per_unit": round(float(rng.uniform(0, 20)), 2),
        }
        for s in site_ids
        for d in range(n_dest)
    ]
    stock = [
        {"site": s, "item": c, "quantity": int(rng.integers(0, 3000))}
        for s in site_ids
        for c in leaves
        if rng.random() < 0.4
    ]
    data = {
        "settings": {"name": f"corpus seed {seed}", "currency": "EUR"},
        "calendar": {"start": START.isoformat(), "periods": T, "granularity": sh.granularity},
        "partners": partners,
        "sites": sites,
        "lines": lines,
        "destinations": [{"id": f"D{d}", "partner": "MOD", "country": "UA"} for d in range(n_dest)],
        "components": components,
        "designs": designs,
        "routings": routings,
        "licences": licences,
        "supply_offers": offers,
        "lanes": lanes,
        "stock": stock,
        "requirements": requirements,
    }
    return Programme.model_validate(data)
