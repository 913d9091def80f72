"""Time buckets: single periods near term, blocks beyond; arrivals never earlier than real."""

from __future__ import annotations

import numpy as np

from coprod.generate import generate
from coprod.planning.grid import aggregated_grid, exact_grid


def test_exact_grid_is_one_bucket_per_period() -> None:
    grid = exact_grid(5)
    assert grid.is_exact and grid.buckets == 5
    assert list(grid.arrival(np.arange(5), 2)) == [2, 3, 4, -1, -1]


def test_aggregated_grid_keeps_single_periods_through_frozen_plus_lead() -> None:
    programme = generate("M", 1)
    longest = max([o.lead_time for o in programme.supply_offers] + [ln.lead_time for ln in programme.lanes])
    grid = aggregated_grid(programme, frozen=13, block=4)
    fine = 13 + longest
    assert list(grid.length[:fine]) == [1] * fine
    assert set(grid.length[fine:-1]) == {4} and grid.length.sum() == programme.calendar.periods
    assert list(grid.start[fine : fine + 2]) == [fine, fine + 4]


def test_arrival_counts_from_the_first_bucket_starting_on_or_after_it() -> None:
    grid = aggregated_grid(generate("M", 1), frozen=13, block=4)
    fine = int(np.argmax(grid.length > 1))
    # leaving the last single period with lead 2 arrives inside the first block: it counts
    # from the next block, never from the block it lands in the middle of
    arrival = int(grid.arrival(np.array([fine - 1]), 2)[0])
    assert grid.start[arrival] >= fine - 1 + 2
    # leaving a block departs at its end
    assert int(grid.arrival(np.array([fine]), 0)[0]) == fine + 1
    assert list(grid.latest_order(2)[:3]) == [-1, -1, 0]
