"""Derive a Structure (structure.py) from a programme: what may happen in each bucket.

Builds per routing (licence window, calendar, ramp-up, BOM in force), the component and
product balances that exist, then the exact reduction of ample supply (reduce.py).
"""

from __future__ import annotations

import numpy as np

from coprod.domain import Licence, Programme
from coprod.domain.bom import BomSegment, bom_segments, explode
from coprod.domain.capacity import learning_factors, line_hours, rate_caps
from coprod.domain.export import build_blocker, component_blocker, has_controls
from coprod.planning.grid import TimeGrid, exact_grid
from coprod.planning.money import BucketRates
from coprod.planning.reduce import find_ample, fold_ample_supply
from coprod.planning.structure import AssemblyBuild, Build, Structure
from coprod.planning.transfers import dominated_transfers, site_lanes, site_transfers, without_site_lanes

__all__ = ["analyse"]


def _licence_periods(p: Programme, lic: Licence) -> tuple[int, int]:
    cal = p.calendar
    first = max(0, cal.index_of(lic.valid_from))
    last = cal.periods - 1 if lic.valid_to is None else min(cal.periods - 1, cal.index_of(lic.valid_to))
    return first, last


def _bucket_segments(segments: list[BomSegment], grid: TimeGrid) -> list[BomSegment]:
    """BOM segments in bucket indices: a bucket uses the revision in force at its start."""
    if grid.is_exact:
        return segments
    out = []
    for seg in segments:
        first = int(np.searchsorted(grid.start, seg.first, "left"))
        last = int(np.searchsorted(grid.start, seg.last, "right")) - 1
        if first <= last:
            out.append(BomSegment(first, last, seg.revision, seg.usage))
    return out


def _assembly_builds(
    p: Programme,
    grid: TimeGrid,
    built: dict[str, dict[str, float]],
    hours: np.ndarray,
    rates: np.ndarray,
    comp_index: dict[str, int],
    site_index: dict[str, int],
    line_index: dict[str, int],
    money: BucketRates,
) -> list[AssemblyBuild]:
    """Each routing of an assembly: the buckets it may start in (the line has hours and rate,
    the units arrive within the horizon, the site may receive the assembly and its parts)."""
    out = []
    controlled = has_controls(p)
    for rt in p.routings:
        usage = built.get(rt.design)
        if usage is None:
            continue
        li = line_index[rt.line]
        site = p.line_by_id[rt.line].site
        if controlled and any(component_blocker(p, c, site) is not None for c in (rt.design, *usage)):
            continue  # export control: the site may not hold the assembly or one of its parts
        arrival = grid.arrival(np.arange(grid.buckets), rt.lead_time)
        periods = np.flatnonzero((hours[li] > 0) & (rates[li] > 0) & (arrival >= 0))
        if periods.size == 0:
            continue
        out.append(
            AssemblyBuild(
                component=comp_index[rt.design],
                line=li,
                site=site_index[site],
                periods=periods,
                arrival=arrival[periods],
                hours_per_unit=np.full(periods.size, rt.hours_per_unit),
                cost_per_unit=rt.cost_per_unit * money.factor(rt.currency)[periods],
                usage=usage,
            )
        )
    return out


def analyse(p: Programme, fold_supply: bool = True, grid: TimeGrid | None = None) -> Structure:
    """What may happen in each bucket of `grid` (default: every calendar period)."""
    cal, T = p.calendar, p.calendar.periods
    grid = grid or exact_grid(T)
    products = list(p.products)
    product_design = [p.design_of(x).id for x in products]
    sites = [s.id for s in p.sites]
    site_index = {s: i for i, s in enumerate(sites)}
    lines = [ln.id for ln in p.lines]
    hours = np.array([line_hours(ln, cal) for ln in p.lines], dtype=float).reshape(len(lines), T)
    rates = np.full((len(lines), T), np.inf)
    learn = np.ones((len(lines), T))
    for i, ln in enumerate(p.lines):
        caps = rate_caps(ln, cal)
        if caps is not None:
            rates[i] = caps
        learn[i] = learning_factors(ln, cal)
    # Per bucket: hours and rates summed over its periods. Learning is averaged so that the
    # bucket's hours make as many units as its periods would: sum(h) / sum(h / learn). (The
    # plain mean of the factors undercounts a bucket during a ramp-up: 1/learn is convex.)
    if not grid.is_exact:
        made = grid.sum_over(hours / learn)
        hours = grid.sum_over(hours)
        rates = grid.sum_over(rates)
        learn = np.divide(hours, made, out=grid.sum_over(learn) / grid.length, where=made > 0)
    bom = [_bucket_segments(bom_segments(p, x), grid) for x in products]
    built = {a: explode(p, p.component_by_id[a].bom) for a in sorted(p.built_assemblies)}
    leaves = sorted(
        {c for segs in bom for s in segs for c in s.usage}
        | {c for usage in built.values() for c in usage}
        | set(built)
        | {o.component for o in p.supply_offers}
        | {s.item for s in p.stock if s.item in p.component_by_id}
    )
    B = grid.buckets
    s = Structure(p, B, products, product_design, sites, lines, leaves, hours, rates, [], bom, grid=grid)

    line_index = {ln: i for i, ln in enumerate(lines)}
    controlled = has_controls(p)
    money = BucketRates(p, grid)  # prices into the programme currency per bucket (money.py)
    for rt in p.routings:
        if rt.design not in p.design_by_id:
            continue  # an assembly built on a line: _assembly_builds below
        li = line_index[rt.line]
        line = p.line_by_id[rt.line]
        partner = p.site_by_id[line.site].partner
        design = p.design_by_id[rt.design]
        licence = np.full(T, -2)  # -2: not allowed
        royalty = np.zeros(T)
        if design.owner == partner:
            licence[:] = -1
        for k, lic in enumerate(p.licences):
            if lic.licensee == partner and lic.design == rt.design:
                first, last = _licence_periods(p, lic)
                licence[first : last + 1] = k
                # converted at the rate of the bucket holding each period (money.py)
                rate = money.period_factor(lic.currency)[first : last + 1]
                royalty[first : last + 1] = lic.royalty_per_unit * rate
        # a bucket may build if any of its periods may; it carries the licence in force there
        licence = np.maximum.reduceat(licence, grid.start)
        royalty = np.maximum.reduceat(royalty, grid.start)
        open_ = (licence > -2) & (hours[li] > 0) & (rates[li] > 0)
        for pi in range(len(products)):
            if product_design[pi] != rt.design:
                continue
            has_bom = np.zeros(B, dtype=bool)
            for seg in bom[pi]:
                # export control: no build where the site may not receive the design, the
                # revision or a component of its BOM (docs/export-control.md)
                if controlled and build_blocker(p, products[pi], seg.revision, line.site) is not None:
                    continue
                has_bom[seg.first : seg.last + 1] = True
            periods = np.flatnonzero(open_ & has_bom)
            if periods.size == 0:
                continue
            s.builds.append(
                Build(
                    product=pi,
                    line=li,
                    site=site_index[line.site],
                    periods=periods,
                    hours_per_unit=rt.hours_per_unit * learn[li, periods],
                    cost_per_unit=rt.cost_per_unit * money.factor(rt.currency)[periods] + royalty[periods],
                    licence=licence[periods],
                    material_cost=np.zeros(periods.size),
                )
            )

    comp_index = {c: i for i, c in enumerate(leaves)}
    prod_index = {x: i for i, x in enumerate(products)}
    cpairs: set[tuple[int, int]] = set()
    ppairs: set[tuple[int, int]] = set()
    for b in s.builds:
        ppairs.add((b.product, b.site))
        for seg in bom[b.product]:
            cpairs.update((comp_index[c], b.site) for c in seg.usage)
    s.assemblies = _assembly_builds(p, grid, built, hours, rates, comp_index, site_index, line_index, money)
    for a in s.assemblies:
        cpairs.add((a.component, a.site))
        cpairs.update((comp_index[c], a.site) for c in a.usage)
    for st in p.stock:
        if st.item in prod_index:
            ppairs.add((prod_index[st.item], site_index[st.site]))
    # Lanes between sites: a component balance at a sending site for each component the
    # receiving site needs, a product balance at a receiving site for what the sender holds.
    # With supply folding on, a transfer into a pair whose own offer is ample, cheaper and
    # no slower is left out (transfers.dominated_transfers): it can never be worth using.
    skip = (
        dominated_transfers(p, find_ample(analyse(without_site_lanes(p), fold_supply=False)))
        if (fold_supply and site_lanes(p))
        else None
    )
    s.transfers_c, s.transfers_p = site_transfers(p, leaves, products, cpairs, ppairs, skip)
    # Only components some build at the site (or a transfer from it) consumes get a balance:
    # an offer or stock elsewhere cannot serve any requirement, so it is dropped.
    s.offers = [
        k
        for k, o in enumerate(p.supply_offers)
        if (comp_index[o.component], site_index[o.ship_to]) in cpairs
        and not (controlled and component_blocker(p, o.component, o.ship_to) is not None)
    ]
    s.component_pairs = sorted(cpairs)
    s.product_pairs = sorted(ppairs)
    if fold_supply:
        # An aggregated grid decides what is ample per single period, as the exact model does.
        ample = None if grid.is_exact else find_ample(analyse(p, fold_supply=False))
        return fold_ample_supply(s, ample)
    return s
