"""Time buckets: single periods near term, blocks beyond; orders never arrive earlier than real."""

from __future__ import annotations

import numpy as np

from coprod.generate import generate
from coprod.planning.grid import TimeGrid, aggregated_grid, exact_grid


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


def test_shipments_leave_mid_bucket() -> None:
    # 10 periods: single periods 0-1, then blocks 2-5 and 6-9
    grid = TimeGrid(np.array([0, 1, 2, 6]), np.array([1, 1, 4, 4]), 10)
    every = np.arange(grid.buckets)
    # lead 0: a block's output arrives in the block itself (its middle day, period 4 or 8)
    assert list(grid.ship_arrival(every, 0)) == [0, 1, 2, 3]
    # lead 2: period 0 -> 2 (block 2); 1 -> 3 (block 2); block 2's middle 4 -> 6 (block 3);
    # block 3's middle 8 -> 10: past the horizon
    assert list(grid.ship_arrival(every, 2)) == [2, 2, 3, -1]
    assert list(grid.arrivals(2, shipment=True)) == [2, 2, 3, -1]
    # orders leave at their bucket's end and count from the next bucket starting on or after
    # arrival: 1 + 2 = 3 lands inside block 2, so block 3; block 2's 5 + 2 = 7: none starts after
    assert list(grid.arrivals(2)) == [2, 3, -1, -1]
    assert list(grid.arrivals(0)) == [0, 1, 3, -1]  # an order leaving a block at its end
