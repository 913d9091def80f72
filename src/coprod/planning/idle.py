"""Why not? The reason each idle or under-used line, licence and offer stays so while
requirements it could serve are late.

A line, licence or offer is looked at in a period when its output would arrive while a late
requirement it could serve still waits (from the requirement's due date to its last
delivery, or to the horizon's end when some is unmet). There it is under-used when it
delivers less than it could (hours, licence cap, offer capacity); the reason is the first of
  licence_window  its partner holds no licence for the design in that period
  bom             no revision of the design's BOM is in force
  ramp_up         the ramp-up has not started, or its rate is used in full
  licence_cap     the licence's cap is used in full (on all the licensee's lines together)
  lane            there is no lane from its site to where the late requirements go
  export_control  its site may not receive the design, its revision or a component in it
  material        a component cannot reach the site in time, or all of it that can is used
  offer_window    (an offer) nothing it delivers arrives before its available_from date
  hours           (a licence) the licensee's lines have no hours left
  cost            nothing above limits it: more here would not deliver a late requirement
                  sooner (the LP optimum found none to bring forward), only add cost
Offers folded into build cost (reduce.py: ample supply) never limit and are not listed.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from coprod.domain import Programme
from coprod.domain.export import build_blocker, has_controls
from coprod.errors import InputError
from coprod.planning.grid import TimeGrid, exact_grid
from coprod.planning.model import PlanningModel
from coprod.planning.result import Plan
from coprod.planning.structure import Build
from coprod.planning.transfers import lanes_to

__all__ = ["idle_reasons", "why_idle"]

Row = dict[str, Any]
SLACK = 0.99  # below this share of what it could do, an entity is under-used


class _Context:
    """What every reason needs, computed once: row activities, material, late windows."""

    def __init__(self, m: PlanningModel, x: np.ndarray, requirements: list[Row], deliveries: list[Row]):
        s, lp = m.structure, m.lp
        self.m, self.s, self.p, self.T = m, s, s.programme, s.periods
        self.grid: TimeGrid = s.grid or exact_grid(self.p.calendar.periods)
        self.labels = self.grid.labels(self.p.calendar.labels)
        self.x = x
        act = lp.matrix @ x[: lp.shape[1]]
        self.hours = self._by_row(act, "hours", "line")
        self.units = self._by_row(act, "rate", "line")
        self.licensed = self._by_row(act, "licence", "licence")
        self.line_units: dict[tuple[int, int], float] = defaultdict(float)
        self.windows: dict[str, dict[int, set[str]]] = {}
        self.leads: dict[str, dict[str, int]] = {}  # destination -> site -> transport lead
        self.site_limits: dict[tuple[int, str, int], str] = {}
        self.line_limits: dict[tuple[int, int], str] = {}
        self.comp_spans: dict[tuple[int, str], list[tuple[int, int, int]]] = {}
        self.licence_rows: dict[tuple[int, int], int] = {}
        self.reasons: dict[tuple[int, int, frozenset[str]], tuple[str, str]] = {}
        self.builds_of: dict[int, list[Build]] = defaultdict(list)  # by line
        self.site_builds: dict[int, list[Build]] = defaultdict(list)
        for b in s.builds:
            self.builds_of[b.line].append(b)
            self.site_builds[b.site].append(b)
        self.offer_ids: dict[tuple[str, str], list[str]] = defaultdict(list)
        for o in self.p.supply_offers:
            self.offer_ids[(o.component, o.ship_to)].append(o.id)
        self.comp_ix = {c: i for i, c in enumerate(s.components)}
        self.prod_ix = {x: i for i, x in enumerate(s.products)}
        for fam in (lp.columns["make"], lp.columns["make_a"]):  # a line's units: assemblies too
            for line, t, q in zip(fam.keys["line"], fam.keys["period"], x[fam.slice], strict=True):
                if q > 0:
                    self.line_units[(int(line), int(t))] += float(q)
        self._material()
        self.waiting = self._waiting(requirements, deliveries)

    def lead_to(self, destination: str) -> dict[str, int]:
        """Site -> periods to `destination` (a lane, or a transfer to a site with one)."""
        found = self.leads.get(destination)
        if found is None:
            found = self.leads[destination] = lanes_to(self.p, destination)
        return found

    def _by_row(self, act: np.ndarray, family: str, key: str) -> dict[tuple[int, int], float]:
        fam = self.m.lp.rows[family]
        vals = act[fam.slice]
        return {
            (int(k), int(t)): float(v)
            for k, t, v in zip(fam.keys[key], fam.keys["period"], vals, strict=True)
        }

    def _material(self) -> None:
        """Per (component, site) pair: cumulative use and the most that could have arrived."""
        lp, T = self.m.lp, self.T
        rows_fam, buy = lp.rows["component_balance"], lp.columns["buy"]
        rows = lp.matrix[rows_fam.slice]
        # production's net use: built assemblies bring their own units (-1) and use parts
        made = self.m.production
        use = (rows[:, made] @ self.x[made]).reshape(-1, T)
        most_in = -(rows[:, buy.slice] @ lp.col_upper[buy.slice])
        cum_most = np.cumsum((lp.row_lower[rows_fam.slice] + most_in).reshape(-1, T), axis=1)
        # one more unit used in t draws on every later period too: the headroom in t is the
        # least of what is left over in t and after
        left = cum_most - np.cumsum(use, axis=1)
        self.headroom = np.minimum.accumulate(left[:, ::-1], axis=1)[:, ::-1] if left.size else left
        self.pair_ix = {pair: k for k, pair in enumerate(self.s.component_pairs)}

    def _waiting(self, requirements: list[Row], deliveries: list[Row]) -> list[tuple[Row, int, int]]:
        """Late requirements with the buckets they wait in: due .. last delivery - 1."""
        index = {label: i for i, label in enumerate(self.labels)}
        last: dict[str, int] = {}
        for d in deliveries:
            last[d["requirement"]] = max(last.get(d["requirement"], 0), index[d["period"]])
        out = []
        for row in requirements:
            if row["status"] == "on_time":
                continue
            end = self.T if row["unmet"] > 0 else last.get(row["id"], self.T)
            out.append((row, index[row["due"]], end - 1))
        return out


def idle_reasons(m: PlanningModel, x: np.ndarray, tables: dict[str, list[Row]]) -> list[Row]:
    """Rows (kind, id, period, used, available, reason, code) for every idle or under-used
    line, capped licence and order-column offer while requirements it could serve are late."""
    ctx = _Context(m, x, tables["requirements"], tables["deliveries"])
    if not ctx.waiting:
        return []
    rows = _lines(ctx)
    rows += _licences(ctx)
    rows += _offers(ctx)
    return rows


def _windows(ctx: _Context, line_id: str) -> dict[int, set[str]]:
    """Buckets in which the line's output would arrive while a late requirement for an item
    it has a routing for waits, with those items. Without a lane, the waiting buckets."""
    cached = ctx.windows.get(line_id)
    if cached is not None:
        return cached
    p = ctx.p
    line = p.line_by_id[line_id]
    designs = {rt.design for rt in p.routings if rt.line == line_id}
    out: dict[int, set[str]] = defaultdict(set)
    every = np.arange(ctx.T)
    for row, first, last in ctx.waiting:
        if row["design"] not in designs:
            continue
        lead = ctx.lead_to(row["destination"]).get(line.site)
        arrives = ctx.grid.arrivals(lead, shipment=True) if lead is not None else every
        for t in np.flatnonzero((arrives >= first) & (arrives <= last)):
            out[int(t)].add(row["item"])
    ctx.windows[line_id] = out
    return out


def _lines(ctx: _Context) -> list[Row]:
    out = []
    s = ctx.s
    for li, line_id in enumerate(s.lines):
        for t, items in sorted(_windows(ctx, line_id).items()):
            available = float(s.hours[li, t])
            used = ctx.hours.get((li, t), 0.0)
            if available <= 0 or used >= SLACK * available:
                continue
            code, text = _line_reason(ctx, li, t, items)
            out.append(_row("line", line_id, ctx.labels[t], used, available, code, text))
    return out


def _row(kind: str, ent: str, period: str, used: float, available: float, code: str, text: str) -> Row:
    return {
        "kind": kind,
        "id": ent,
        "period": period,
        "used": round(used, 1),
        "available": round(available, 1),
        "reason": text,
        "code": code,
    }


def _line_reason(ctx: _Context, li: int, t: int, items: set[str]) -> tuple[str, str]:
    """Why line `li` does not build more of `items` in bucket `t`: (code, words); cached."""
    key = (li, t, frozenset(items))
    if key not in ctx.reasons:
        ctx.reasons[key] = _find_line_reason(ctx, li, t, items)
    return ctx.reasons[key]


def _find_line_reason(ctx: _Context, li: int, t: int, items: set[str]) -> tuple[str, str]:
    s, p, label = ctx.s, ctx.p, ctx.labels[t]
    line = p.line_by_id[s.lines[li]]
    partner = p.site_by_id[line.site].partner
    designs = sorted({p.design_of(i).id for i in items})
    lic_reason = _licence_window(ctx, partner, designs, t)
    if lic_reason:
        return "licence_window", lic_reason
    builds = [b for b in ctx.builds_of[li] if s.products[b.product] in items and t in b.periods]
    if not any(seg.first <= t <= seg.last for i in items for seg in s.bom[ctx.prod_ix[i]]):
        return "bom", f"no revision of {', '.join(designs)}'s BOM is in force in {label}"
    rate = float(s.rates[li, t])
    if rate <= 0:
        start = line.ramp_up.start if line.ramp_up else "?"
        return "ramp_up", f"line {line.id}'s ramp-up starts on {start}"
    made = ctx.line_units.get((li, t), 0.0)
    if np.isfinite(rate) and made >= rate - 0.5:
        return "ramp_up", f"ramp-up allows {rate:,.0f} units on line {line.id} in {label}, all built"
    for k in {int(b.licence[list(b.periods).index(t)]) for b in builds} - {-1, -2}:
        lic = p.licences[k]
        if lic.cap_per_period is not None and (k, t) in ctx.licensed:
            cap = float(ctx.m.lp.row_upper[_licence_row(ctx, k, t)])
            if ctx.licensed[(k, t)] >= cap - 0.5:
                return "licence_cap", f"licence {lic.id} allows {cap:,.0f} units in {label}, all built"
    if not builds or not any(_has_lane(ctx, line.site, row) for row, _, _ in ctx.waiting):
        return _no_build_reason(ctx, li, t, items)
    return _material_or_cost(ctx, li, t, builds)


def _has_lane(ctx: _Context, site: str, row: Row) -> bool:
    """A lane from `site` to the row's destination, or a transfer to a site with one."""
    return site in ctx.lead_to(row["destination"])


def _licence_window(ctx: _Context, partner: str, designs: list[str], t: int) -> str:
    """Words when `partner` may build none of `designs` in bucket t (empty when it may)."""
    p, grid, cal = ctx.p, ctx.grid, ctx.p.calendar
    first, last = int(grid.start[t]), int(grid.end[t])
    texts = []
    for d in designs:
        if p.design_by_id[d].owner == partner:
            return ""
        lics = [lic for lic in p.licences if lic.licensee == partner and lic.design == d]
        for lic in lics:
            lo = cal.index_of(lic.valid_from)
            hi = cal.periods - 1 if lic.valid_to is None else cal.index_of(lic.valid_to)
            if lo <= last and hi >= first:
                return ""
        spans = ", ".join(f"{lic.id} {lic.valid_from}..{lic.valid_to or 'open'}" for lic in lics)
        texts.append(
            f"{partner} holds no licence for {d} in {ctx.labels[t]}" + (f" ({spans})" if spans else "")
        )
    return "; ".join(texts)


def _licence_row(ctx: _Context, k: int, t: int) -> int:
    """The LP row of licence k's cap in bucket t."""
    if not ctx.licence_rows:
        fam = ctx.m.lp.rows["licence"]
        keys = zip(fam.keys["licence"], fam.keys["period"], strict=True)
        ctx.licence_rows.update({(int(a), int(b)): fam.start + i for i, (a, b) in enumerate(keys)})
    return ctx.licence_rows[(k, t)]


def _no_build_reason(ctx: _Context, li: int, t: int, items: set[str]) -> tuple[str, str]:
    """The line may build but has no build column there: no lane, or material too late."""
    s, p = ctx.s, ctx.p
    line = p.line_by_id[s.lines[li]]
    if not any(_has_lane(ctx, line.site, row) for row, _, _ in ctx.waiting if row["item"] in items):
        dests = sorted({row["destination"] for row, _, _ in ctx.waiting if row["item"] in items})
        return "lane", f"no lane from {line.site} to {', '.join(dests)}"
    blocked = _export_blocked(ctx, line.site, t, items)
    if blocked:
        return "export_control", blocked
    for k in {v for (c, si), v in s.ample.items() if s.sites[si] == line.site}:
        offer = p.supply_offers[k]
        first = int(ctx.grid.arrivals(offer.lead_time)[0])
        if first < 0 or t < first:
            when = ctx.labels[first] if first >= 0 else "after the horizon"
            return (
                "material",
                f"{offer.component} reaches {line.site} at the earliest in {when} "
                f"(lead time {offer.lead_time})",
            )
    return "material", f"no component supply reaches {line.site} in time for {ctx.labels[t]}"


def _export_blocked(ctx: _Context, site: str, t: int, items: set[str]) -> str:
    """Why export control keeps `site` from building every one of `items` in bucket t, in
    words (empty when it may build one of them)."""
    if not has_controls(ctx.p):
        return ""
    prod_ix = {x: i for i, x in enumerate(ctx.s.products)}
    why = []
    for item in sorted(items):
        segs = [seg for seg in ctx.s.bom[prod_ix[item]] if seg.first <= t <= seg.last]
        if not segs:
            return ""
        found = build_blocker(ctx.p, item, segs[0].revision, site)
        if found is None:
            return ""
        why.append(found.message())
    return "; ".join(dict.fromkeys(why))


def _material_or_cost(ctx: _Context, li: int, t: int, builds: list[Any]) -> tuple[str, str]:
    s, label = ctx.s, ctx.labels[t]
    site = builds[0].site
    for b in builds:
        for seg in s.bom[b.product]:
            if not seg.first <= t <= seg.last:
                continue
            for comp, per_unit in seg.usage.items():
                k = ctx.pair_ix.get((ctx.comp_ix[comp], site))
                if k is None:
                    continue  # folded: ample, never the limit
                if ctx.headroom[k, t] < per_unit - 1e-6:  # not enough left for one more unit
                    offers = ctx.offer_ids[(comp, s.sites[site])]
                    return "material", (
                        f"all {comp} that can reach {s.sites[site]} by {label} is used "
                        f"(stock and offers {', '.join(offers) or 'none'} at capacity or not yet available)"
                    )
    return "cost", (
        f"more output on line {s.lines[li]} in {label} would not deliver a late requirement sooner "
        "(none it could serve can be brought forward from here); it would only add cost"
    )


def _licences(ctx: _Context) -> list[Row]:
    out = []
    s, p = ctx.s, ctx.p
    for (k, t), used in sorted(ctx.licensed.items()):
        lic = p.licences[k]
        cap = float(ctx.m.lp.row_upper[_licence_row(ctx, k, t)])
        if cap <= 0 or used >= SLACK * cap:
            continue
        lines = [
            li
            for li, line_id in enumerate(s.lines)
            if p.site_by_id[p.line_by_id[line_id].site].partner == lic.licensee
        ]
        reasons = []
        for li in lines:
            items = _windows(ctx, s.lines[li]).get(t, set())
            items = {i for i in items if p.design_of(i).id == lic.design}
            if not items:
                continue
            if ctx.hours.get((li, t), 0.0) >= SLACK * float(s.hours[li, t]):
                reasons.append(("hours", f"line {s.lines[li]}'s hours are used in full"))
            else:
                reasons.append(_line_reason(ctx, li, t, items))
        if reasons:
            text = "; ".join(r[1] for r in reasons)
            out.append(_row("licence", lic.id, ctx.labels[t], used, cap, reasons[0][0], text))
    return out


def _offers(ctx: _Context) -> list[Row]:
    """Order-column offers ordered below capacity where their material would arrive while
    the site's lines could still serve a late requirement."""
    out = []
    s, p, lp = ctx.s, ctx.p, ctx.m.lp
    buy = lp.columns["buy"]
    stock = lp.columns["stock_c"]
    level = ctx.x[stock.slice].reshape(-1, ctx.T) if stock.size else np.zeros((0, ctx.T))
    site_windows: dict[str, set[int]] = defaultdict(set)
    for line_id in s.lines:
        site_windows[p.line_by_id[line_id].site] |= set(_windows(ctx, line_id))
    comp_ix = {c: i for i, c in enumerate(s.components)}
    site_ix = {c: i for i, c in enumerate(s.sites)}
    span = {site: (min(w), max(w)) for site, w in site_windows.items() if w}  # once, not per column
    # which columns can give a row, in numpy: a Python loop over every order column was a
    # sixth of a warm re-plan at generated M; the rows are the same, in the same order
    lo = np.array([span.get(o.ship_to, (1, 0))[0] for o in p.supply_offers], dtype=np.int64)
    hi = np.array([span.get(o.ship_to, (1, 0))[1] for o in p.supply_offers], dtype=np.int64)
    dated = np.array([o.available_from is not None for o in p.supply_offers], dtype=bool)
    offer_of, arrival_of = buy.keys["offer"].astype(np.int64), buy.keys["arrival"]
    caps, useds = lp.col_upper[buy.slice], ctx.x[buy.slice]
    candidate = (lo[offer_of] <= arrival_of) & (arrival_of <= hi[offer_of])
    candidate &= np.where(caps <= 0, dated[offer_of], ~(useds >= SLACK * caps))
    # per candidate, as Python values read once (numpy scalars per row were most of the
    # loop at generated M: ~17k rows); the rows are the same, in the same order
    cand = np.flatnonzero(candidate)
    pair_of = np.array(
        [ctx.pair_ix.get((comp_ix[o.component], site_ix[o.ship_to]), -1) for o in p.supply_offers],
        dtype=np.int64,
    )
    c_offer, c_arrival = offer_of[cand], arrival_of[cand].astype(np.int64)
    c_cap, c_used = caps[cand], useds[cand]
    c_pair = pair_of[c_offer]
    spare = np.zeros(cand.size)
    if level.size and cand.size:
        spare = np.where(c_pair >= 0, level[np.maximum(c_pair, 0), c_arrival], 0.0)
    left = spare >= np.maximum(1.0, 0.01 * c_cap)
    used_1, cap_1 = _rounded(c_used), _rounded(c_cap)
    labels, offers = ctx.labels, p.supply_offers
    rows = zip(
        c_offer.tolist(),
        buy.keys["period"][cand].tolist(),
        c_arrival.tolist(),
        c_cap.tolist(),
        c_used.tolist(),
        used_1,
        cap_1,
        spare.tolist(),
        left.tolist(),
        strict=True,
    )
    for ok, t, arrival, cap, used, used_r, cap_r, spare_j, has_left in rows:
        o = offers[ok]
        label = labels[t]
        if cap <= 0:
            if o.available_from is None:
                continue
            text = f"nothing ordered from {o.id} in {label} arrives before {o.available_from}"
            out.append(_row("offer", o.id, label, used, float(o.capacity_per_period), "offer_window", text))
            continue
        if used >= SLACK * cap:
            continue
        if has_left:
            why = f"{o.ship_to} has {spare_j:,.0f} {o.component} left at the end of {labels[arrival]}"
        else:
            why = _site_limit(ctx, site_ix[o.ship_to], o.component, arrival)
        out.append(
            {
                "kind": "offer",
                "id": o.id,
                "period": label,
                "used": used_r,
                "available": cap_r,
                "reason": f"more would only add cost: {why}",
                "code": "cost",
            }
        )
    return out


def _rounded(values: np.ndarray) -> list[float]:
    """`round(v, 1)` of each value as _row gives it; whole numbers (nearly every order
    quantity and capacity) are already so, and skip a call per value."""
    if np.all(values == np.floor(values)):
        return values.astype(float).tolist()  # type: ignore[no-any-return]
    return [round(v, 1) for v in values.tolist()]


def _site_limit(ctx: _Context, site: int, comp: str, t: int) -> str:
    """What limits the lines at `site` that use `comp` in bucket `t`, in words (cached)."""
    key = (site, comp, t)
    if key not in ctx.site_limits:
        spans = _comp_spans(ctx, site, comp)
        lines = sorted({li for li, first, last in spans if first <= t <= last})
        texts = [_line_limit(ctx, li, t) for li in lines]
        ctx.site_limits[key] = (
            "; ".join(texts) or f"nothing at {ctx.s.sites[site]} uses {comp} in {ctx.labels[t]}"
        )
    return ctx.site_limits[key]


def _comp_spans(ctx: _Context, site: int, comp: str) -> list[tuple[int, int, int]]:
    """(line, first, last bucket) of every BOM segment through which a build at `site` uses
    `comp`: which lines use it in a bucket, without walking every build's BOM each time
    (that walk was most of a warm re-plan's explanation at generated M)."""
    key = (site, comp)
    if key not in ctx.comp_spans:
        ctx.comp_spans[key] = [
            (b.line, seg.first, seg.last)
            for b in ctx.site_builds[site]
            for seg in ctx.s.bom[b.product]
            if comp in seg.usage
        ]
    return ctx.comp_spans[key]


def _line_limit(ctx: _Context, li: int, t: int) -> str:
    """What limits line `li` in bucket `t`, in words (cached: it is the same for every
    component the line uses)."""
    key = (li, t)
    if key not in ctx.line_limits:
        s = ctx.s
        if ctx.hours.get((li, t), 0.0) >= SLACK * float(s.hours[li, t]):
            ctx.line_limits[key] = f"line {s.lines[li]}'s hours are used in full"
        else:
            items = _windows(ctx, s.lines[li]).get(t) or {s.products[b.product] for b in ctx.builds_of[li]}
            ctx.line_limits[key] = _line_reason(ctx, li, t, items)[1]
    return ctx.line_limits[key]


def why_idle(plan: Plan, entity: str, programme: Programme | None = None) -> list[str]:
    """The reasons, one line per period, why line, licence or offer `entity` is idle or
    under-used while requirements are late (`coprod plan ... --why-idle ENTITY`). Without
    the programme, an id is known when the plan names it anywhere."""
    if programme is not None:
        known = (
            {ln.id for ln in programme.lines}
            | {lic.id for lic in programme.licences}
            | {o.id for o in programme.supply_offers}
        )
        where = f" of {programme.settings.name}"
    else:
        known = {r["id"] for r in plan.idle_reasons} | {r["entity"] for r in plan.bottlenecks}
        known |= {r["line"] for r in plan.production} | {r["offer"] for r in plan.purchases}
        where = " in this plan"
    if entity not in known:
        raise InputError(f"--why-idle: '{entity}' is not a line, licence or supply offer{where}")
    rows = [r for r in plan.idle_reasons if r["id"] == entity]
    if not rows:
        return [
            f"{entity} is not idle or under-used in any period in which a requirement it could serve is late"
        ]
    return [
        f"{r['period']}: {r['used']:,.0f} of {r['available']:,.0f} used: {r['reason']} [{r['code']}]"
        for r in rows
    ]
