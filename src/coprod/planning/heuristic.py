"""A first feasible whole-unit plan at once: a constructive heuristic over the LP's own arrays.

It reads the planning LP (model.py) as it is built: the capacity rows (hours, ramp-up rate,
licence caps) and the component balances of the `make` columns, the lanes of the `ship`
columns, the `deliver` columns of each requirement. Requirements are served in priority
order (highest weight first), then by due date; each is delivered as early as it can be, in
its due period first: for each lane that reaches its destination in that period, from the
site's stock first, then from production on that site's lines, latest period first (just in
time) and earlier periods with spare capacity after that (building ahead). Production is
capped by every capacity row and by the material that stock and every order could supply by
then. Whatever cannot be placed on time is placed in the first later period that can take
it; what never can is unmet. Orders are then placed as late as the lead time allows from the
cheapest offer with room, and minimum orders applied as the LP plan does (orders.py).

Every number is a whole unit, and before it is returned the plan is checked against every
row and column bound of the LP: a plan this module cannot make feasible (an LP family it
does not know) raises `Unsupported`, naming why, and the plan is left to the LP. Transfers
between sites stay at zero in a first plan; the LP brings them.
"""

from __future__ import annotations

import numpy as np

from coprod.domain.bom import explode
from coprod.planning.grid import exact_grid
from coprod.planning.model import PlanningModel
from coprod.planning.orders import consolidate_orders
from coprod.planning.sparse import Csc

__all__ = ["KNOWN_COLUMNS", "KNOWN_ROWS", "Unsupported", "first_plan_x"]

EPS = 1e-6
KNOWN_COLUMNS = frozenset({"make", "make_a", "buy", "stock_c", "stock_p", "ship", "deliver", "unmet"})
KNOWN_ROWS = frozenset(
    {
        "component_balance",
        "product_balance",
        "destination_balance",
        "requirement",
        "hours",
        "rate",
        "licence",
    }
)


# transfers between sites stay at zero in a first plan (a feasible, if poorer, start: each
# site works from its own supply); lane capacities are not planned for, only checked at the
# end, so a first plan that would overrun one is left to the LP
ZERO_COLUMNS = frozenset({"transfer_c", "transfer_p"})
CHECKED_ROWS = frozenset({"lane_capacity"})

_CAPACITY = ("hours", "rate", "licence")


class Unsupported(Exception):
    """The heuristic cannot plan this model; the message says why (the LP plans it)."""


def _padded(csc: Csc, fill_row: int) -> tuple[np.ndarray, np.ndarray]:
    """Each column's row indices and coefficients as a dense (columns x most entries) pair,
    padded with `fill_row` and coefficient 1, so one column's limits are read with one
    fancy index instead of a Python loop."""
    counts = np.diff(csc.indptr)
    width = max(1, int(counts.max()) if counts.size else 1)
    rows = np.full((csc.shape[1], width), fill_row, dtype=np.int64)
    coef = np.ones((csc.shape[1], width))
    col = np.repeat(np.arange(csc.shape[1]), counts)
    pos = np.arange(csc.indices.size) - np.repeat(csc.indptr[:-1], counts)
    rows[col, pos] = csc.indices
    coef[col, pos] = csc.data
    return rows, coef


def _distinct(a: np.ndarray) -> np.ndarray:
    """The distinct values of an array of indices, ascending (np.unique's, without its look
    for a masked array: that imports numpy.ma, ~0.02 s, on a first plan's path)."""
    return np.flatnonzero(np.bincount(a)) if a.size else np.zeros(0, np.int64)


class _State:
    """What is left: capacity slack per row, material headroom per component pair and
    period, finished stock per product pair and period, as the heuristic places units."""

    def __init__(self, m: PlanningModel) -> None:
        lp, s = m.lp, m.structure
        self.T = T = s.periods
        unknown = ({n for n, f in lp.columns.items() if f.size} - KNOWN_COLUMNS - ZERO_COLUMNS) | (
            {n for n, f in lp.rows.items() if f.size} - KNOWN_ROWS - CHECKED_ROWS
        )
        if unknown:
            raise Unsupported(f"the first plan does not handle {', '.join(sorted(unknown))} yet")
        self.lp = lp
        self.structure = s
        A = lp.csr
        make = lp.columns["make"]
        self.make = make
        # capacity and material are read over every production column: products' builds
        # (`make`, indices 0..n_make-1) and built assemblies (`make_a`, right after them)
        self.n_make = make.size
        made = m.production
        cap_rows = np.concatenate(
            [
                np.arange(lp.rows[f].start, lp.rows[f].start + lp.rows[f].size)
                for f in ("hours", "rate", "licence")
            ]
        )
        cap = A.rows(cap_rows).cols(made).tocsc()
        # slack per capacity row, with one extra row of unlimited slack for the padding
        self.slack = np.append(lp.row_upper[cap_rows] - 0.0, np.inf)
        self.cap_rows, self.cap_coef = _padded(cap, cap_rows.size)
        self.cap_csc = cap

        comp = lp.rows["component_balance"]
        buy = lp.columns["buy"]
        cb = A.rows(comp.slice)
        n_pairs = comp.size // T if T else 0
        self.n_cpairs = n_pairs
        both = cb.cols(made).tocsc()
        use = both.positive()  # what each column consumes; an assembly's own arrival (-1) apart
        self.use = use
        self.use_rows, self.use_coef = _padded(use, comp.size)  # padding: the row past the last
        # most material that could be there by the end of each period: stock, receipts and
        # every order at its capacity (a balance holds only its pair's own orders)
        most_in = -(cb.cols(buy.slice) @ lp.col_upper[buy.slice]) if buy.size else np.zeros(comp.size)
        supply = np.cumsum((lp.row_lower[comp.slice] + most_in).reshape(n_pairs, T), axis=1)
        self.headroom = supply  # minus cumulative use as units are placed
        self.suffix = np.append(self._suffix_min(self.headroom).ravel(), np.inf)
        self._assembly_supply(both, n_pairs)

        prod = lp.rows["product_balance"]
        pb = A.rows(prod.slice)
        self.n_ppairs = prod.size // T if T else 0
        pm = pb.cols(make.slice).tocsc()
        self.make_pair = pm.indices[pm.indptr[:-1]] // T  # the (product, site) pair of each build
        self.stock = np.cumsum(lp.row_lower[prod.slice].reshape(self.n_ppairs, T), axis=1)
        ship = lp.columns["ship"]
        ps = pb.cols(ship.slice).tocsc()
        self.ship_pair = ps.indices[ps.indptr[:-1]] // T

    def _assembly_supply(self, both: Csc, n_pairs: int) -> None:
        """Allot every built assembly's starts before any product is placed: each takes an
        equal share of every capacity row it is in (products on the same line count as one
        more sharer) as far as its parts allow, and its units count as material that will
        be there. Products are then placed within it; _trim_assemblies gives back what they
        did not use. Assemblies of built assemblies are allotted after the ones they use."""
        T, n = self.T, self.lp.columns["make_a"].size
        self.assembly_cols = self.n_make + np.arange(n)
        self.allotted = np.zeros(n)
        self.out_row = np.zeros(0, np.int64)
        self.depth = np.zeros(0, np.int64)
        if n == 0:
            return
        out = (-both.cols(self.assembly_cols)).positive()
        self.out_row = out.indices[out.indptr[:-1]]  # the balance row each start arrives in
        cap = self.cap_csc
        col_of = np.repeat(np.arange(cap.shape[1]), np.diff(cap.indptr))
        is_asm = col_of >= self.n_make
        sharers = np.bincount(cap.indices[is_asm], minlength=cap.shape[0]).astype(float)
        sharers += np.bincount(cap.indices[~is_asm], minlength=cap.shape[0]) > 0
        share = np.append(np.maximum(sharers, 1.0), 1.0)  # the padding row: unlimited
        slack0 = self.slack.copy()
        depth = self.depth = self._depths()
        for level in _distinct(depth):
            cols = self.assembly_cols[depth == level]
            by_cap = np.min(
                slack0[self.cap_rows[cols]] / share[self.cap_rows[cols]] / self.cap_coef[cols], axis=1
            )
            by_mat = np.min(self.suffix[self.use_rows[cols]] / self.use_coef[cols], axis=1)
            allot = np.floor(np.minimum(by_cap, by_mat) + EPS)
            for j, q in zip(cols, allot, strict=True):
                if q > 0:
                    self.place(int(j), float(q))
            extra = np.zeros((n_pairs, T))
            rows = self.out_row[cols - self.n_make]
            np.add.at(extra, (rows // T, rows % T), allot)
            self.headroom += np.cumsum(extra, axis=1)
            self.suffix = np.append(self._suffix_min(self.headroom).ravel(), np.inf)
            self.allotted[cols - self.n_make] = allot

    def _depths(self) -> np.ndarray:
        """Per assembly start: 0 for an assembly of purchased parts, 1 + the deepest built
        assembly it contains otherwise."""
        s = self.structure
        p = s.programme
        memo: dict[str, int] = {}

        def depth(a: str) -> int:
            if a not in memo:
                inner = [c for c in explode(p, p.component_by_id[a].bom) if c in p.built_assemblies]
                memo[a] = 1 + max((depth(c) for c in inner), default=-1)
            return memo[a]

        comp = self.lp.columns["make_a"].keys["component"]
        return np.array([depth(s.components[int(c)]) for c in comp], dtype=np.int64)

    @staticmethod
    def _suffix_min(a: np.ndarray) -> np.ndarray:
        out: np.ndarray = np.minimum.accumulate(a[:, ::-1], axis=1)[:, ::-1]
        return out

    def room(self, cols: np.ndarray) -> np.ndarray:
        """Whole units each make column could still take, by capacity and material."""
        by_cap = np.min(self.slack[self.cap_rows[cols]] / self.cap_coef[cols], axis=1)
        by_mat = np.min(self.suffix[self.use_rows[cols]] / self.use_coef[cols], axis=1)
        whole: np.ndarray = np.floor(np.minimum(by_cap, by_mat) + EPS)
        return whole

    def place(self, j: int, q: float) -> None:
        lo, hi = self.cap_csc.indptr[j], self.cap_csc.indptr[j + 1]
        self.slack[self.cap_csc.indices[lo:hi]] -= q * self.cap_csc.data[lo:hi]
        lo, hi = self.use.indptr[j], self.use.indptr[j + 1]
        if lo == hi:
            return
        T = self.T
        # each balance row the build draws on: its pair's headroom from that period on, then
        # the pair's suffix minima again (all rows at once; a pair met twice takes both)
        pairs, periods = np.divmod(self.use.indices[lo:hi], T)
        drawn = (q * self.use.data[lo:hi])[:, None] * (np.arange(T) >= periods[:, None])
        np.subtract.at(self.headroom, pairs, drawn)
        self.suffix[:-1].reshape(-1, T)[pairs] = self._suffix_min(self.headroom[pairs])


def first_plan_x(m: PlanningModel) -> np.ndarray:
    """A whole-unit solution of `m`'s LP (every row and bound holds), or `Unsupported`."""
    st = _State(m)
    lp, s = m.lp, m.structure
    T = st.T
    p = s.programme
    x = np.zeros(lp.shape[1])
    make, ship, deliver, unmet = (lp.columns[n] for n in ("make", "ship", "deliver", "unmet"))
    mk = make.keys
    # make columns per (product, site) pair, latest period first; at equal periods the
    # cheaper build first
    cost_make = lp.cost[make.slice]
    order = np.lexsort((cost_make, -mk["period"], st.make_pair)) if make.size else np.zeros(0, np.int64)
    by_pair: dict[int, np.ndarray] = {}
    if order.size:
        bounds = np.flatnonzero(np.diff(st.make_pair[order])) + 1
        for chunk in np.split(order, bounds):
            by_pair[int(st.make_pair[chunk[0]])] = chunk
    # ship columns per (destination pair, arrival), cheapest lane first
    dest = lp.rows["destination_balance"]
    ds = lp.csr.rows(dest.slice).cols(ship.slice).tocsc()
    ship_dest = ds.indices[ds.indptr[:-1]] // T if ship.size else np.zeros(0, np.int64)
    ship_cost = lp.cost[ship.slice]
    lanes: dict[tuple[int, int], list[int]] = {}
    # In a coarse bucket the LP lets a shipment arrive in the bucket it leaves (it leaves in
    # the middle); the first plan keeps to departures whose arrival bucket starts a full
    # lead time after theirs, which holds at any resolution
    grid = s.grid or exact_grid(p.calendar.periods)
    lead = np.array([ln.lead_time for ln in p.lanes], dtype=np.int64)
    sk = ship.keys
    whole_lead = grid.start[sk["arrival"]] >= grid.start[sk["period"]] + lead[sk["lane"]] if ship.size else []
    if ship.size:  # Python numbers from here: a loop over every ship column
        ranked_ships = np.lexsort((ship_cost, ship.keys["arrival"], ship_dest))
        ranked_ships = ranked_ships[whole_lead[ranked_ships]]
        dests, arrivals = ship_dest[ranked_ships].tolist(), ship.keys["arrival"][ranked_ships].tolist()
        for k, d, a in zip(ranked_ships.tolist(), dests, arrivals, strict=True):
            lanes.setdefault((d, a), []).append(k)
    dr = lp.csr.rows(dest.slice).cols(deliver.slice).tocsc()
    deliver_dest = dr.indices[dr.indptr[:-1]] // T if deliver.size else np.zeros(0, np.int64)
    first_col: dict[int, int] = {}  # requirement -> its first deliver column (periods ascending)
    req_dest: dict[int, int] = {}
    deliver_req, deliver_to = deliver.keys["requirement"].tolist(), deliver_dest.tolist()
    for i in range(deliver.size - 1, -1, -1):
        r = deliver_req[i]
        first_col[r] = i
        req_dest[r] = deliver_to[i]

    reqs = p.requirements
    weight = np.array([p.weight_of(r.priority) for r in reqs])
    due = np.array([p.calendar.index_of(r.due) for r in reqs])
    ranked = [int(r) for r in np.lexsort((np.arange(len(reqs)), due, -weight))]
    left = np.array([float(r.quantity) for r in reqs])
    # Two passes: on time first, for every requirement in rank order; only then the rest,
    # as early as it can go. A late delivery placed before lower ranks are served on time
    # would take their capacity for a smaller gain than it costs them.
    deliver_period = deliver.keys["period"].tolist()
    for on_time in (True, False):
        for r in ranked:
            col = first_col.get(r)
            while col is not None and left[r] > 0 and col < deliver.size and deliver_req[col] == r:
                t = deliver_period[col]
                got = _serve(st, x, by_pair, lanes.get((req_dest[r], t), []), left[r])
                if got > 0:
                    x[deliver.start + col] += got
                    left[r] -= got
                col += 1
                if on_time:
                    break
    x[unmet.slice] = left

    _trim_assemblies(m, st, x)
    _order_material(m, x)
    consolidate_orders(m, x)
    _product_stock(m, x)
    _check(m, x)
    return x


def _serve(
    st: _State,
    x: np.ndarray,
    by_pair: dict[int, np.ndarray],
    candidates: list[int],
    want: float,
) -> float:
    """Units that arrive by `candidates` (ship columns arriving in the period wanted), from
    stock at the sending site first, then production there; how many were placed."""
    placed = 0.0
    fam = st.lp.columns["ship"]
    make0 = st.make.start
    mk_period = st.make.keys["period"]
    for k in candidates:
        if placed >= want:
            break
        pair = int(st.ship_pair[k])
        dep = int(fam.keys["period"][k])
        need = want - placed
        from_stock = min(need, float(np.floor(st.stock[pair, dep:].min() + EPS)))
        got = max(from_stock, 0.0)
        st.stock[pair, dep:] -= got
        cols = by_pair.get(pair)
        if cols is not None and got < need:
            cols = cols[mk_period[cols] <= dep]
            while got < need and cols.size:
                room = st.room(cols)
                open_ = np.flatnonzero(room > 0)
                if not open_.size:
                    break
                j = int(cols[open_[0]])
                q = min(need - got, float(room[open_[0]]))
                st.place(j, q)
                x[make0 + j] += q
                st.stock[pair, int(mk_period[j]) : dep] += q  # built ahead: held until it leaves
                got += q
                cols = cols[open_[0] + (0 if q < room[open_[0]] else 1) :]
        if got > 0:
            x[fam.start + k] += got
            placed += got
    return placed


def _trim_assemblies(m: PlanningModel, st: _State, x: np.ndarray) -> None:
    """Keep of each assembly's allotment (_State._assembly_supply) only what the placed
    production uses: per assembly balance, the earliest starts are given back first, each as
    far as the balance stays covered in every later period, so the builds left are the
    latest that serve (just in time). Consumers are trimmed before the assemblies inside
    them, whose use they set."""
    cols = st.assembly_cols
    if cols.size == 0:
        return
    lp, T = m.lp, st.T
    made = m.production
    x[made.start + cols] = st.allotted
    comp = lp.rows["component_balance"]
    cb = lp.csr.rows(comp.slice)
    rhs = lp.row_lower[comp.slice].reshape(-1, T)
    # other supply of the assembly (its own orders at their most, receipts) counts first
    buy = lp.columns["buy"]
    most_in = np.zeros((comp.size // T, T) if T else (0, 0))
    if buy.size:
        most_in = (-(cb.cols(buy.slice) @ lp.col_upper[buy.slice])).reshape(-1, T)
    pair_of, arrives = st.out_row // T, st.out_row % T
    depth = st.depth  # per assembly start, as _State._assembly_supply set it
    for level in _distinct(depth)[::-1]:
        for pair in _distinct(pair_of[depth == level]):
            starts = np.flatnonzero(pair_of == pair)
            starts = starts[np.argsort(arrives[starts], kind="stable")]  # earliest first
            level_t = np.cumsum(
                rhs[pair] + most_in[pair] - cb.rows(slice(pair * T, (pair + 1) * T)).cols(made) @ x[made]
            )
            for k in starts:
                have = st.allotted[k]
                if have <= 0:
                    continue
                spare = float(np.floor(level_t[arrives[k] :].min() + EPS))
                q = min(have, max(spare, 0.0))
                if q <= 0:
                    continue
                st.place(int(cols[k]), -q)  # hours and parts given back
                x[made.start + int(cols[k])] -= q
                st.allotted[k] -= q
                level_t[arrives[k] :] -= q


def _order_material(m: PlanningModel, x: np.ndarray) -> None:
    """Orders per component pair that cover its use, each need from an order arriving by
    then: the cheapest offer first, at its latest arrival by then (just in time). Needs are taken in
    period order; every order that can serve a need can serve every later one, so this never
    runs short where the headroom said there was material."""
    lp, T = m.lp, m.structure.periods
    comp, buy, made = lp.rows["component_balance"], lp.columns["buy"], m.production
    if comp.size == 0:
        return
    cb = lp.csr.rows(comp.slice)
    use = (cb.cols(made) @ x[made]).reshape(-1, T)  # net of built assemblies' own arrivals
    level = np.cumsum(lp.row_lower[comp.slice].reshape(-1, T) - use, axis=1)  # without orders
    entry = cb.cols(buy.slice).tocsc()
    arrive_row = entry.indices[entry.indptr[:-1]] if buy.size else np.zeros(0, np.int64)
    pair_of, arrival = arrive_row // T, arrive_row % T
    room = lp.col_upper[buy.slice].copy()
    price = lp.cost[buy.slice]
    by_pair: dict[int, np.ndarray] = {}
    if buy.size:
        order = np.lexsort((-arrival, price, pair_of))
        cut = np.flatnonzero(np.diff(pair_of[order])) + 1
        by_pair = {int(pair_of[c[0]]): c for c in np.split(order, cut)}
    bought = np.zeros(buy.size)
    for pair in np.flatnonzero((level < -EPS).any(axis=1)):
        row = level[pair]
        cols = by_pair.get(int(pair), np.zeros(0, np.int64))
        # orders only raise the level: a period not short before any order never becomes so
        for t in np.flatnonzero(row < -EPS).tolist():
            short = -row[t]
            if short <= EPS:
                continue
            for j in cols[arrival[cols] <= t]:
                take = min(short, room[j])
                if take <= 0:
                    continue
                q = float(np.ceil(take - EPS))
                bought[j] += q
                room[j] -= q
                row[arrival[j] :] += q
                short -= q
                if short <= EPS:
                    break
    x[buy.slice] = bought


def _product_stock(m: PlanningModel, x: np.ndarray) -> None:
    """Finished stock at each site from its balance: stock[t] = stock[t-1] + rhs - flows."""
    lp, T = m.lp, m.structure.periods
    prod, stock = lp.rows["product_balance"], lp.columns["stock_p"]
    if prod.size == 0:
        return
    flows = lp.csr.rows(prod.slice).tocsc()
    mask = np.ones(lp.shape[1], dtype=bool)
    mask[stock.slice] = False
    other = flows @ np.where(mask, x, 0.0)
    x[stock.slice] = np.cumsum((lp.row_lower[prod.slice] - other).reshape(-1, T), axis=1).ravel()


def _check(m: PlanningModel, x: np.ndarray) -> None:
    """Every row and bound of the LP, so a heuristic slip is never shown as a plan."""
    lp = m.lp
    act = lp.csr @ x
    tol = 1e-6 * np.maximum(1.0, np.abs(lp.row_upper[np.isfinite(lp.row_upper)]).max(initial=1.0))
    bad = np.flatnonzero((act < lp.row_lower - tol) | (act > lp.row_upper + tol))
    bad_col = np.flatnonzero((x < lp.col_lower - tol) | (x > lp.col_upper + tol))
    if bad.size or bad_col.size:
        names = lp.row_names() if bad.size else lp.column_names()
        first = names[int(bad[0] if bad.size else bad_col[0])]
        raise Unsupported(f"the first plan broke {first} ({bad.size + bad_col.size} limits); the LP plans it")
