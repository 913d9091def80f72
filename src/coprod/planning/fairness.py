"""Fair share: requirements of equal priority competing for scarce supply get the same
fraction on time, instead of one served in full and another left late.

The lateness objective is linear, so when two requirements due together compete for the
same units every split costs the same and the solver hands out a vertex: one fully served,
one fully late. Fair share prices each requirement's on-time shortfall in K equal slices of
its quantity, each slice dearer than the one before (a convex, piecewise-linear penalty):
the cheapest plan then lowers the largest shortfall fraction first, which equalises the
fractions of requirements with the same weight (to 1/K of their quantity).

The dearest slice costs FAIR_WEIGHT < 1 of a unit-period of lateness at the requirement's
weight, so fairness never buys a unit-period of lateness (service stays first); it ranks
above cost. The penalty is a solver device, not a cost of the plan: `objective` and
`costs` leave it out (they are recomputed from the plan's tables).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from coprod.planning.lp import Family
from coprod.planning.model import PlanningModel

__all__ = ["FAIR_SLICES", "FAIR_WEIGHT", "add_fair_share"]

FAIR_SLICES = 20  # 5 % of a requirement per slice
FAIR_WEIGHT = 0.5  # the last slice's price per unit, in unit-periods of weighted lateness


def add_fair_share(m: PlanningModel) -> None:
    """Add shortfall slices `fair_short[r, k]` and rows on-time[r] + sum_k fair_short[r, k]
    >= quantity[r] to `m.lp` (in place)."""
    lp, s = m.lp, m.structure
    p = s.programme
    reqs = p.requirements
    if not reqs:
        return
    grid_due = _due_buckets(m)
    deliver = lp.columns["deliver"]
    # the on-time column of each requirement: its delivery in the due bucket
    on_time = np.flatnonzero(deliver.keys["period"] == grid_due[deliver.keys["requirement"]])
    req_of = deliver.keys["requirement"][on_time]
    K, n = FAIR_SLICES, len(reqs)
    qty = np.array([r.quantity for r in reqs], dtype=float)
    weight = np.array([p.weight_of(r.priority) for r in reqs]) * m.unit_weight
    short_r = np.repeat(np.arange(n), K)
    slice_k = np.tile(np.arange(1, K + 1), n)
    cost = FAIR_WEIGHT * weight[short_r] * slice_k / K
    rows0, cols0 = lp.shape
    lp.columns["fair_short"] = Family(
        "fair_short",
        cols0,
        short_r.size,
        {"requirement": short_r, "slice": slice_k},
        lambda i: f"fair_short[{reqs[short_r[i]].id}@{slice_k[i]}]",
    )
    lp.rows["fair_share"] = Family(
        "fair_share",
        rows0,
        n,
        {"requirement": np.arange(n)},
        lambda i: f"fair_share[{reqs[i].id}]",
    )
    entries = sp.csr_matrix(
        (
            np.ones(on_time.size + short_r.size),
            (
                np.concatenate([req_of, short_r]),
                np.concatenate([deliver.start + on_time, cols0 + np.arange(short_r.size)]),
            ),
        ),
        shape=(n, cols0 + short_r.size),
    )
    lp.matrix = sp.vstack([sp.hstack([lp.matrix, sp.csr_matrix((rows0, short_r.size))]), entries]).tocsr()
    lp.cost = np.concatenate([lp.cost, cost])
    lp.service_cost = np.concatenate([lp.service_cost, np.zeros(short_r.size)])
    lp.col_lower = np.concatenate([lp.col_lower, np.zeros(short_r.size)])
    lp.col_upper = np.concatenate([lp.col_upper, qty[short_r] / K])
    lp.row_lower = np.concatenate([lp.row_lower, qty])
    lp.row_upper = np.concatenate([lp.row_upper, np.full(n, np.inf)])


def _due_buckets(m: PlanningModel) -> np.ndarray:
    s = m.structure
    cal = s.programme.calendar
    due = np.array([cal.index_of(r.due) for r in s.programme.requirements], dtype=np.int64)
    return s.grid.bucket_of[due] if s.grid is not None else due
