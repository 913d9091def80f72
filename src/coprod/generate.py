"""Deterministic synthetic programmes of sizes S, M and L, for benchmarks and tests.

Realistic structure: one design authority owning every design with domestic sites, licensee
sites with ramp-ups and licences, components shared across designs (popular parts in many
BOMs), two-level assemblies, variants by radio band, suppliers with lead times and
capacities, and requirements with priorities sized a little above capacity so some are late.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from coprod.domain import Programme

__all__ = ["SIZES", "Size", "generate"]


@dataclass(frozen=True, slots=True)
class Size:
    sites: int
    designs: int
    components: int
    periods: int


SIZES = {
    "S": Size(sites=3, designs=4, components=40, periods=26),
    "M": Size(sites=10, designs=20, components=400, periods=52),
    "L": Size(sites=30, designs=50, components=2000, periods=104),
}
START = dt.date(2026, 1, 5)  # a Monday: weekly buckets


def generate(
    size: str,
    seed: int = 0,
    periods: int | None = None,
    site_lanes: bool = False,
    built_assemblies: bool = False,
) -> Programme:
    """A synthetic programme of `size` (S, M or L), over `periods` weeks if given (else the
    size's own horizon); the same seed gives the same programme. `site_lanes`: add a lane
    between every ordered pair of sites carrying a fifth of the purchased components
    (transfers, issue 11); `built_assemblies`: half the assemblies are built on an assembly
    line at the design authority's first site and sent to every other site (issue 11);
    everything else is the same programme as without."""
    spec = SIZES[size.upper()]
    if periods is not None:
        spec = Size(sites=spec.sites, designs=spec.designs, components=spec.components, periods=periods)
    rng = np.random.default_rng(seed)
    T = spec.periods
    n_dest = 3
    partners: list[dict[str, Any]] = [{"id": "DA", "country": "UA", "role": "design_authority"}]
    sites, lines, licences = [], [], []
    n_domestic = max(1, spec.sites // 3)
    for i in range(spec.sites):
        domestic = i < n_domestic
        owner = "DA" if domestic else f"MFG{i:02d}"
        if not domestic:
            partners.append({"id": owner, "country": "GB" if i % 2 else "NO", "role": "manufacturer"})
        sid = f"S{i:02d}"
        sites.append({"id": sid, "partner": owner, "country": "UA" if domestic else "GB"})
        for j in range(1 + int(rng.integers(0, 2))):
            line: dict[str, Any] = {
                "id": f"{sid}-L{j}",
                "site": sid,
                "hours_per_period": float(rng.integers(300, 900)),
            }
            if not domestic:
                start = int(rng.integers(0, T // 3))
                full = float(rng.integers(150, 500))
                line["ramp_up"] = {
                    "start": _week(start),
                    "pilot_rate": round(full * 0.15),
                    "full_rate": full,
                    "ramp_periods": int(rng.integers(4, T // 3 + 5)),
                    "learning_rate": float(rng.choice([0.8, 0.85, 0.9])),
                }
            lines.append(line)
    n_sup = max(3, spec.sites // 2)
    partners += [{"id": f"SUP{i:02d}", "country": "PL", "role": "supplier"} for i in range(n_sup)]
    partners.append({"id": "MOD", "country": "UA", "role": "customer"})
    destinations = [{"id": f"D{i}", "partner": "MOD", "country": "UA"} for i in range(n_dest)]

    n_asm = spec.components // 10
    leaves = [f"C{i:04d}" for i in range(spec.components - n_asm)]
    components: list[dict[str, Any]] = [
        {"id": c, "holding_cost": round(float(rng.uniform(0.01, 0.5)), 3)} for c in leaves
    ]
    popularity = 1.0 / np.arange(1, len(leaves) + 1) ** 0.8
    popularity /= popularity.sum()
    for i in range(n_asm):
        parts = rng.choice(len(leaves), size=3, replace=False, p=popularity)
        components.append(
            {
                "id": f"A{i:03d}",
                "bom": [{"item": leaves[k], "qty": int(rng.integers(1, 5)), "yield": 0.98} for k in parts],
            }
        )
    price = {c: round(float(rng.lognormal(2.5, 1.0)), 2) for c in leaves}

    designs, routings, requirements = [], [], []
    site_lines: dict[str, list[str]] = {}
    for line in lines:
        site_lines.setdefault(line["site"], []).append(line["id"])
    site_ids = [s["id"] for s in sites]
    n_rq = 0
    for d in range(spec.designs):
        did = f"D{d:03d}"
        n_parts = int(rng.integers(8, 16))
        parts = rng.choice(len(leaves), size=n_parts, replace=False, p=popularity)
        bom = [{"item": leaves[k], "qty": int(rng.integers(1, 5))} for k in parts]
        bom.append({"item": f"A{int(rng.integers(0, n_asm)):03d}", "qty": 1})
        variants = []
        if d % 2 == 0:
            alt = leaves[int(rng.integers(len(leaves) // 2, len(leaves)))]
            if alt not in {b["item"] for b in bom}:
                variants.append({"id": f"{did}-B2", "replace": [{"from": bom[0]["item"], "to": alt}]})
        designs.append(
            {
                "id": did,
                "owner": "DA",
                "holding_cost": round(float(rng.uniform(1, 10)), 2),
                "revisions": [{"revision": 1, "effective_from": _week(0), "bom": bom}],
                "variants": variants,
            }
        )
        build_sites = rng.choice(len(site_ids), size=min(3, len(site_ids)), replace=False)
        for k in build_sites:
            sid = site_ids[k]
            for lid in site_lines[sid]:
                routings.append(
                    {
                        "design": did,
                        "line": lid,
                        "hours_per_unit": round(float(rng.uniform(0.5, 3)), 2),
                        "cost_per_unit": round(float(rng.uniform(20, 150)), 2),
                    }
                )
            partner = sites[k]["partner"]
            if partner != "DA":
                licences.append(
                    {
                        "id": f"LIC-{partner}-{did}",
                        "licensor": "DA",
                        "licensee": partner,
                        "design": did,
                        "valid_from": _week(int(rng.integers(0, T // 4))),
                        "cap_per_period": int(rng.integers(100, 400)),
                        "royalty_per_unit": round(float(rng.uniform(5, 50)), 2),
                    }
                )
        items = [did] + [v["id"] for v in variants]
        for item in items:
            for t in range(int(rng.integers(2, 6)), T, int(rng.integers(3, 6))):
                n_rq += 1
                requirements.append(
                    {
                        "id": f"R{n_rq:05d}",
                        "customer": "MOD",
                        "destination": f"D{int(rng.integers(0, n_dest))}",
                        "item": item,
                        "quantity": int(rng.integers(20, 200)),
                        "due": _week(t),
                        "priority": int(rng.choice([1, 2, 3], p=[0.2, 0.5, 0.3])),
                    }
                )

    # Offers: every leaf to every site that may need it (1 or 2 suppliers), lead 1-8 weeks.
    offers = []
    for s in site_ids:
        for c in leaves:
            for k in range(1 + int(rng.random() < 0.3)):
                lead = int(rng.integers(1, 9)) if k == 0 else 1
                offers.append(
                    {
                        "id": f"O-{c}-{s}-{k}",
                        "component": c,
                        "supplier": f"SUP{int(rng.integers(0, n_sup)):02d}",
                        "ship_to": s,
                        "lead_time": min(lead, T - 1),
                        "capacity_per_period": int(rng.integers(500, 5000)) if k == 0 else 300,
                        "unit_price": price[c] * (1.0 if k == 0 else 1.6),
                    }
                )
    lanes = [
        {
            "id": f"{s}-{d['id']}",
            "from_site": s,
            "to": d["id"],
            "lead_time": int(rng.integers(0, 3)),
            "cost_per_unit": round(float(rng.uniform(1, 20)), 2),
        }
        for s in site_ids
        for d in destinations
    ]
    stock = [
        {"site": s, "item": c, "quantity": int(rng.integers(0, 2000))} for s in site_ids for c in leaves[:50]
    ]
    if site_lanes:
        lanes += _site_lanes(site_ids, leaves, seed)
    if built_assemblies:
        _built_assemblies(n_asm, site_ids, lines, routings, lanes, seed, T)
    data = {
        "settings": {
            "name": f"synthetic {size.upper()} seed {seed}" + (f", {T} weeks" if periods else ""),
            "currency": "EUR",
        },
        "calendar": {"start": START.isoformat(), "periods": T, "granularity": "week"},
        "partners": partners,
        "sites": sites,
        "lines": lines,
        "destinations": destinations,
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


def _site_lanes(site_ids: list[str], leaves: list[str], seed: int) -> list[dict[str, Any]]:
    """A lane between every ordered pair of sites for the same fifth of the components, drawn
    from a generator of its own so the rest of the programme is unchanged."""
    rng = np.random.default_rng([seed, 11])
    carried = sorted(str(c) for c in rng.choice(leaves, size=max(1, len(leaves) // 5), replace=False))
    return [
        {
            "id": f"{a}-{b}",
            "from_site": a,
            "to": b,
            "lead_time": int(rng.integers(1, 3)),
            "cost_per_unit": round(float(rng.uniform(0.5, 5)), 2),
            "capacity_per_period": int(rng.integers(1000, 5000)),
            "items": carried,
        }
        for a in site_ids
        for b in site_ids
        if a != b
    ]


def _built_assemblies(
    n_asm: int,
    site_ids: list[str],
    lines: list[dict[str, Any]],
    routings: list[dict[str, Any]],
    lanes: list[dict[str, Any]],
    seed: int,
    T: int,
) -> None:
    """Every other assembly built on a line of its own at the first site (the design
    authority's), with a lead time, and lanes from there to every other site carrying them;
    from a generator of its own, so the rest of the programme is unchanged."""
    rng = np.random.default_rng([seed, 12])
    home = site_ids[0]
    built = [f"A{i:03d}" for i in range(0, n_asm, 2)]
    lines.append({"id": f"{home}-ASM", "site": home, "hours_per_period": float(rng.integers(800, 2000))})
    for a in built:
        routings.append(
            {
                "design": a,
                "line": f"{home}-ASM",
                "hours_per_unit": round(float(rng.uniform(0.05, 0.4)), 2),
                "cost_per_unit": round(float(rng.uniform(2, 20)), 2),
                "lead_time": min(int(rng.integers(0, 3)), T - 1),
            }
        )
    for sid in site_ids[1:]:
        lanes.append(
            {
                "id": f"{home}-{sid}-ASM",
                "from_site": home,
                "to": sid,
                "lead_time": min(int(rng.integers(1, 3)), T - 1),
                "cost_per_unit": round(float(rng.uniform(0.5, 4)), 2),
                "capacity_per_period": int(rng.integers(2000, 8000)),
                "items": built,
            }
        )


def _week(t: int) -> str:
    return (START + dt.timedelta(weeks=t)).isoformat()
