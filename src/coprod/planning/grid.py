"""Time buckets of the LP: the calendar's periods, or weekly near term and coarser beyond.

A grid maps the calendar's periods onto buckets. The exact grid has one bucket per period.
An aggregated grid keeps single periods through the fine horizon (the frozen window plus the
longest lead time, ../shared/SOLVING.md) and merges later periods into blocks. Capacities,
supplier capacities and licence caps of a bucket are summed over its periods; holding costs
are charged per period held. An order leaves at its bucket's end and counts as arrived from
the first bucket that starts on or after its arrival, so the coarse model never uses material
earlier than it could be there (the naive "arrives inside the bucket" makes a near-term order
plan that the exact model cannot follow). A shipment of finished units leaves in the middle
of its bucket (production is spread over the bucket) and arrives in the bucket holding that
day plus the lane's lead time: leaving at the end would push every unit built in a 4-period
bucket into the next one, so a bucket's output could never serve a requirement due in it
(and the last bucket's output nothing at all), which cost a third of the service on long,
capacity-tight programmes. Lateness is counted from the bucket's start.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from coprod.domain import Programme

__all__ = ["TimeGrid", "aggregated_grid", "exact_grid"]


@dataclass(frozen=True, slots=True)
class TimeGrid:
    start: np.ndarray  # first calendar period of each bucket
    length: np.ndarray  # periods in each bucket
    base_periods: int
    _arrivals: dict[int, np.ndarray] = field(default_factory=dict, compare=False, repr=False)

    @property
    def buckets(self) -> int:
        return int(self.start.size)

    @property
    def end(self) -> np.ndarray:
        last: np.ndarray = self.start + self.length - 1
        return last

    @property
    def bucket_of(self) -> np.ndarray:
        return np.repeat(np.arange(self.buckets), self.length)

    def arrival(self, bucket: np.ndarray, lead: np.ndarray | int) -> np.ndarray:
        """The first bucket in which an order leaving `bucket` after `lead` periods is surely
        there: it leaves at the bucket's end, and counts from the first bucket starting at or
        after its arrival (never earlier than it could be used). -1 past the horizon."""
        base = np.asarray(self.end[bucket] + lead)
        first = np.searchsorted(self.start, base, side="left")
        return np.where(first < self.buckets, first, -1).astype(np.int64)

    def ship_arrival(self, bucket: np.ndarray, lead: np.ndarray | int) -> np.ndarray:
        """The bucket a shipment leaving `bucket` arrives in: it leaves in the bucket's middle
        (its own period for a single period), and arrives in the bucket that holds that day
        plus `lead`. -1 past the horizon."""
        day = np.asarray(self.start[bucket] + self.length[bucket] // 2 + lead)
        holding = np.searchsorted(self.start, day, side="right") - 1
        return np.where(day < self.base_periods, holding, -1).astype(np.int64)

    def arrivals(self, lead: int, shipment: bool = False) -> np.ndarray:
        """`arrival` (or `ship_arrival`) of every bucket for one lead time, computed once."""
        key = -lead - 1 if shipment else lead
        table = self._arrivals.get(key)
        if table is None:
            every = np.arange(self.buckets)
            table = self.ship_arrival(every, lead) if shipment else self.arrival(every, lead)
            self._arrivals[key] = table
        return table

    def latest_order(self, lead: int) -> np.ndarray:
        """For each bucket, the latest bucket an order with `lead` can leave to arrive by then
        (-1 where none can)."""
        arrivals = self.arrival(np.arange(self.buckets), lead)
        valid = np.flatnonzero(arrivals >= 0)  # arrival grows with departure: a sorted list
        pos = np.searchsorted(arrivals[valid], np.arange(self.buckets), side="right") - 1
        return np.where(pos >= 0, valid[np.maximum(pos, 0)], -1).astype(np.int64)

    def sum_over(self, per_period: np.ndarray) -> np.ndarray:
        """Per-bucket sums of a per-period array (last axis)."""
        return np.add.reduceat(per_period, self.start, axis=-1)

    def labels(self, calendar_labels: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(calendar_labels[int(t)] for t in self.start)

    @property
    def is_exact(self) -> bool:
        return bool(np.all(self.length == 1))


def exact_grid(periods: int) -> TimeGrid:
    return TimeGrid(np.arange(periods), np.ones(periods, dtype=np.int64), periods)


def aggregated_grid(p: Programme, frozen: int = 13, block: int = 4, fine: int = 0) -> TimeGrid:
    """Single periods through `frozen` + the longest lead time (or through `fine` if later),
    then blocks of `block` periods."""
    T = p.calendar.periods
    longest = max([o.lead_time for o in p.supply_offers] + [ln.lead_time for ln in p.lanes] + [0])
    fine = min(T, max(fine, frozen + longest))
    if T - fine <= block:
        return exact_grid(T)
    starts = list(range(fine)) + list(range(fine, T, block))
    start = np.array(starts, dtype=np.int64)
    length = np.diff(np.append(start, T))
    return TimeGrid(start, length, T)
