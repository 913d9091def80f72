"""What a re-plan keeps from the last plan: the frozen fence and the stability penalty.

Both read the last plan's tables (production per line/item/period, orders per offer/period,
shipments per lane/item/period) and match them to the new LP's columns by those keys, never
by column position, so they hold whether the LP was re-solved warm or built again for a
changed programme.

- Frozen: every production (assembly builds too), order and shipment column in the first `frozen` calendar
  periods is fixed to what the last plan decided (0 where it decided nothing). The hours,
  rate and licence rows and the order capacities of those periods are raised to at least
  what was committed: a change applies from the fence on, as on the warm path. A commitment
  the changed programme has no column for (a line, offer or lane that is gone) is refused
  with an InputError naming it.
- Stability `s`: beyond the fence, each unit that a production, order or shipment line moves
  against the last plan costs `s` unit-periods of lateness at priority weight 1 (s x W in the
  objective, W from weights.py), so the plan only moves a line when that buys service or
  saves that much cost. |x - p| is linear: s*W*x on every column, plus 2*s*W*v with
  x + v >= p for each column the last plan used (p > 0).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import numpy as np
import scipy.sparse as sp

from coprod.errors import InputError
from coprod.planning.grid import exact_grid
from coprod.planning.lp import Family, LinearProgram
from coprod.planning.model import PlanningModel
from coprod.planning.result import Plan
from coprod.planning.sparse import Csr

__all__ = ["Committed", "committed", "hold_frozen", "with_stability"]

Key = tuple[str, ...]
Committed = dict[str, dict[Key, float]]  # family -> key (names and period label) -> quantity
FAMILIES = ("make", "make_a", "buy", "ship", "transfer_c", "transfer_p")
WHAT = {
    "make": "production",
    "make_a": "assembly build",
    "buy": "order",
    "ship": "shipment",
    "transfer_c": "transfer",
    "transfer_p": "transfer",
}


KINDS = {
    "transfer_c": lambda m: set(m.structure.programme.component_by_id),
    "transfer_p": lambda m: set(m.structure.programme.products),
}


def committed(plan: Plan) -> Committed:
    """The last plan's decisions, by family and key."""
    out: Committed = {name: {} for name in FAMILIES}
    key: Key
    for r in plan.production:
        key = (r["line"], r["item"], r["period"])
        out["make"][key] = out["make"].get(key, 0.0) + r["quantity"]
    for r in plan.assembly_builds:
        key = (r["line"], r["item"], r["period"])
        out["make_a"][key] = out["make_a"].get(key, 0.0) + r["quantity"]
    for r in plan.purchases:
        key = (r["offer"], r["order_period"])
        out["buy"][key] = out["buy"].get(key, 0.0) + r["quantity"]
    for r in plan.shipments:
        key = (r["lane"], r["item"], r["depart_period"])
        out["ship"][key] = out["ship"].get(key, 0.0) + r["quantity"]
    # Transfers of components and of finished units have families of their own; a plan row
    # does not say which an item is, so both families share the rows (item ids are unique
    # across components and products, so a key matches columns of one family only).
    for r in plan.transfers:
        key = (r["lane"], r["item"], r["ship_period"])
        out["transfer_c"][key] = out["transfer_c"].get(key, 0.0) + r["quantity"]
    out["transfer_p"] = out["transfer_c"]
    return out


def column_keys(m: PlanningModel, family: str) -> Iterator[Key]:
    """The key of each column of `family`, as `committed` spells it."""
    s = m.structure
    p = s.programme
    labels = (s.grid or exact_grid(p.calendar.periods)).labels(p.calendar.labels)
    k = m.lp.columns[family].keys
    if family == "make":
        for line, prod, t in zip(k["line"], k["product"], k["period"], strict=True):
            yield (s.lines[line], s.products[prod], labels[t])
    elif family == "make_a":
        for line, comp, t in zip(k["line"], k["component"], k["period"], strict=True):
            yield (s.lines[line], s.components[comp], labels[t])
    elif family == "buy":
        for offer, t in zip(k["offer"], k["period"], strict=True):
            yield (p.supply_offers[offer].id, labels[t])
    elif family == "transfer_c":
        for lane, comp, t in zip(k["lane"], k["component"], k["period"], strict=True):
            yield (p.lanes[lane].id, s.components[comp], labels[t])
    else:
        for lane, prod, t in zip(k["lane"], k["product"], k["period"], strict=True):
            yield (p.lanes[lane].id, s.products[prod], labels[t])


def _frozen_columns(m: PlanningModel, family: str, frozen: int) -> np.ndarray:
    grid = m.structure.grid or exact_grid(m.structure.programme.calendar.periods)
    fam = m.lp.columns[family]
    return np.flatnonzero(grid.start[fam.keys["period"]] < frozen)


def hold_frozen(m: PlanningModel, last: Committed, frozen: int) -> tuple[np.ndarray, np.ndarray]:
    """Fix the first `frozen` periods of `m.lp` (bounds edited in place) to `last`; returns
    the fixed columns and values. InputError if a commitment has no column any more."""
    lp = m.lp
    labels = set(m.structure.programme.calendar.labels[:frozen])
    cols, values = [], []
    for family in FAMILIES:
        fam = lp.columns[family]
        keys = list(column_keys(m, family))
        frozen_cols = _frozen_columns(m, family, frozen)
        have = {keys[i]: i for i in frozen_cols}
        kind = KINDS[family](m) if family in KINDS else None
        for key, qty in last[family].items():
            if kind is not None and key[1] not in kind:
                continue  # a transfer of the other kind
            if key[-1] in labels and qty > 0 and key not in have:
                raise InputError(
                    f"frozen period {key[-1]}: the {WHAT[family]} {' / '.join(key[:-1])} of {qty:g} "
                    "units cannot be held, the changed programme has no such line, offer or lane "
                    "(re-plan with fewer frozen periods, or keep it in the programme)"
                )
        for i in frozen_cols:
            cols.append(fam.start + i)
            values.append(last[family].get(keys[i], 0.0))
    col = np.asarray(cols, dtype=np.int64)
    val = np.asarray(values, dtype=float)
    lp.col_lower[col] = lp.col_upper[col] = val  # above a reduced order capacity too: committed
    # products and built assemblies: one block of production columns (model.py)
    make = m.production
    fixed_make = np.zeros(make.stop - make.start)
    in_make = (col >= make.start) & (col < make.stop)
    fixed_make[col[in_make] - make.start] = val[in_make]
    grid = m.structure.grid or exact_grid(m.structure.programme.calendar.periods)
    for name in ("hours", "rate", "licence"):
        rows = lp.rows[name]
        if rows.size == 0:
            continue
        use = lp.matrix[rows.slice][:, make] @ fixed_make
        in_fence = grid.start[rows.keys["period"]] < frozen
        upper = lp.row_upper[rows.slice]
        upper[in_fence] = np.maximum(upper[in_fence], use[in_fence] + 1e-9)
        lp.row_upper[rows.slice] = upper
    return col, val


def with_stability(m: PlanningModel, last: Committed, frozen: int, stability: float) -> PlanningModel:
    """`m` with the stability penalty against `last` beyond the fence (a new LP)."""
    lp = m.lp
    weight = stability * m.unit_weight
    cost = lp.cost.copy()
    penalty = np.zeros(lp.shape[1])
    rows_c: list[int] = []
    prev: list[float] = []
    for family in FAMILIES:
        fam = lp.columns[family]
        keys = list(column_keys(m, family))
        beyond = np.setdiff1d(np.arange(fam.size), _frozen_columns(m, family, frozen))
        penalty[fam.start + beyond] += weight
        for i in beyond:
            p = last[family].get(keys[i], 0.0)
            if p > 0:
                rows_c.append(fam.start + int(i))
                prev.append(p)
    n, (n_rows, n_cols) = len(rows_c), lp.shape
    # row r: x[rows_c[r]] + v[r] >= prev[r]
    entries = sp.csr_matrix(
        (np.ones(2 * n), (np.tile(np.arange(n), 2), np.concatenate([rows_c, n_cols + np.arange(n)]))),
        shape=(n, n_cols + n),
    )
    matrix = sp.vstack([sp.hstack([lp.matrix, sp.csr_matrix((n_rows, n))]), entries], format="csr")
    penalty = np.concatenate([penalty, np.full(n, 2 * weight)])
    stay_keys: dict[str, np.ndarray] = {"column": np.asarray(rows_c, dtype=np.int64)}
    new = LinearProgram(
        cost=np.concatenate([cost, np.zeros(n)]) + penalty,
        csr=Csr.from_scipy(matrix),
        row_lower=np.concatenate([lp.row_lower, prev]),
        row_upper=np.concatenate([lp.row_upper, np.full(n, np.inf)]),
        col_lower=np.concatenate([lp.col_lower, np.zeros(n)]),
        col_upper=np.concatenate([lp.col_upper, np.full(n, np.inf)]),
        columns={**lp.columns, "stay": Family("stay", n_cols, n, stay_keys)},
        rows={**lp.rows, "stay": Family("stay", n_rows, n, stay_keys)},
        service_cost=np.concatenate([lp.service_cost, np.zeros(n)]),
        penalty_cost=penalty,
    )
    return replace(m, lp=new)
