"""Per-bucket conversion of prices into the programme's currency, where they enter the LP.

Every price of a routing, licence, supply offer or lane is multiplied by its currency's
factor in the bucket it is paid in, so a plan's costs are in the programme's currency and
the optimum follows rates that move. A bucket uses the rate in force at its first
period's start (an aggregated bucket of several periods does not average rates).
"""

from __future__ import annotations

import numpy as np

from coprod.domain import Programme
from coprod.domain.money import Rates
from coprod.planning.grid import TimeGrid, exact_grid

__all__ = ["BucketRates"]


class BucketRates:
    """Factors per bucket of a grid, one array per currency (cached)."""

    def __init__(self, p: Programme, grid: TimeGrid | None = None) -> None:
        self.programme = p
        self.grid = grid or exact_grid(p.calendar.periods)
        self.rates = Rates(p)
        self._cache: dict[str, np.ndarray] = {}

    def factor(self, currency: str | None) -> np.ndarray:
        """Programme-currency units per unit of `currency`, per bucket (None: the programme's)."""
        cur = currency or self.rates.base
        got = self._cache.get(cur)
        if got is None:
            if cur == self.rates.base:
                got = np.ones(self.grid.buckets)
            else:
                starts = self.programme.calendar.starts
                got = np.array([self.rates.rate_on(cur, starts[int(t)]) for t in self.grid.start])
            self._cache[cur] = got
        return got

    def of_columns(self, currencies: list[str | None], which: np.ndarray, bucket: np.ndarray) -> np.ndarray:
        """The factor of each LP column: record `which[i]` (of `currencies`, per record) paid
        in `bucket[i]`."""
        factor = np.ones(which.size)
        for cur in set(currencies) - {None, self.rates.base}:
            of = np.array([c == cur for c in currencies], dtype=bool)[which]
            factor[of] = self.factor(cur)[bucket[of]]
        return factor

    def period_factor(self, currency: str | None) -> np.ndarray:
        """The factor per calendar period: that of the bucket holding it."""
        out: np.ndarray = self.factor(currency)[self.grid.bucket_of]
        return out
