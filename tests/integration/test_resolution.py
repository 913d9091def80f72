"""The default resolution: exact where that is cheap, never losing what the buckets hide.

The guarantee (docs/performance.md, benchmarks/corpus.py): on any valid programme the
default plan's on-time rate is within 0.5 percentage points of the exact plan's and its cost
within 1 %. Here on a seeded slice of the corpus, plus the mechanisms by hand.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from coprod.corpus import corpus_programme, shape
from coprod.generate import generate
from coprod.planning import PlanOptions, plan
from coprod.planning.analyse import analyse
from coprod.planning.options import Resolution
from coprod.planning.resolution import EXACT_UP_TO_COLUMNS, choose_resolution, exact_columns_estimate
from tests.plan_checks import check_plan
from tests.programmes import load, tiny_data

SLICE = range(12)  # seconds; the benchmark runs 150 seeds


@pytest.mark.parametrize("seed", SLICE)
def test_the_default_keeps_the_guarantee_on_the_corpus(seed: int) -> None:
    p = corpus_programme(seed)
    default, exact = plan(p), plan(p, PlanOptions(resolution="exact"))
    assert abs(default.kpis["on_time_rate"] - exact.kpis["on_time_rate"]) <= 0.005, shape(seed)
    assert default.costs["total"] <= 1.01 * exact.costs["total"] + 1e-6, shape(seed)
    assert default.resolution["used"] in {"exact", "aggregated"} and default.resolution["reason"]
    check_plan(p, default)


def test_the_corpus_covers_the_shapes_it_promises() -> None:
    shapes = [shape(seed) for seed in range(150)]
    weekly = [s.periods for s in shapes if s.granularity == "week"]
    monthly = [s.periods for s in shapes if s.granularity == "month"]
    assert min(weekly) <= 20 and max(weekly) >= 250 and min(monthly) <= 8 and max(monthly) >= 58
    assert min(s.utilisation for s in shapes) < 0.65 and max(s.utilisation for s in shapes) > 1.35
    assert max(s.max_lead / s.periods for s in shapes) > 0.3
    assert sum(s.lines == 1 and s.ramp_up for s in shapes) >= 20  # single lines that ramp up


def _late_line() -> dict[str, Any]:
    """29 months; the line opens in month 25 (2028-02) at 100 a month; 350 are due in month 28
    (2028-05), the last. Exactly: 100 a month in 25-28, all on time. The aggregated grid keeps
    months 0-12 single and buckets 13-16, 17-20, 21-24, 25-28: all output is in the last one."""
    data = tiny_data()
    data["calendar"]["periods"] = 29
    data["lines"][0]["ramp_up"] = {"start": "2028-02-01", "pilot_rate": 100, "full_rate": 100}
    data["requirements"][0].update(quantity=350, due="2028-05-01")
    return data


def test_a_buckets_output_serves_what_is_due_in_it() -> None:
    p = load(_late_line())
    aggregated = plan(p, PlanOptions(resolution="aggregated"))
    assert aggregated.periods[-1] == "2028-02-01" and aggregated.resolution["used"] == "aggregated"
    # Leaving at the bucket's end, the last bucket's output arrived past the horizon: all unmet.
    assert aggregated.requirement("R1")["on_time"] == 350
    exact = plan(p, PlanOptions(resolution="exact"))
    assert exact.requirement("R1")["on_time"] == 350
    assert sum(r["quantity"] for r in exact.production) == 350


def test_a_buckets_hours_make_as_many_units_as_its_periods() -> None:
    """With a learning curve the bucket's hours per unit is the hours-weighted harmonic mean:
    its hours then make as many units as the single periods' hours would (the plain mean of
    the factors makes fewer: 1 / learning is convex)."""
    data = _late_line()
    data["lines"][0]["ramp_up"] = {
        "start": "2026-01-01",
        "pilot_rate": 10,
        "full_rate": 100,
        "ramp_periods": 28,
        "learning_rate": 0.8,
    }
    p = load(data)
    (single,) = analyse(p, fold_supply=False).builds
    grid = choose_resolution(p, Resolution.AGGREGATED).grid
    assert grid is not None
    (bucketed,) = analyse(p, fold_supply=False, grid=grid).builds
    assert bucketed.periods.size == grid.buckets and single.hours_per_unit[20] > single.hours_per_unit[24]
    per_period = 100 / single.hours_per_unit
    assert 100 * grid.length / bucketed.hours_per_unit == pytest.approx(grid.sum_over(per_period), rel=1e-9)


def test_the_default_spends_a_column_budget() -> None:
    small, large = generate("S", 0), generate("M", 1)
    assert exact_columns_estimate(small) <= EXACT_UP_TO_COLUMNS < exact_columns_estimate(large)
    assert choose_resolution(small, Resolution.AUTO).grid is None
    plain = choose_resolution(large, Resolution.AGGREGATED)
    auto = choose_resolution(large, Resolution.AUTO)
    assert plain.grid is not None and auto.grid is not None
    assert np.array_equal(auto.grid.start, plain.grid.start)  # M is far over the budget: as before
    assert auto.refinements == 0
    long = generate("S", 0, periods=200)  # over the budget, but single periods fit further out
    refined, kept = choose_resolution(long, Resolution.AUTO), choose_resolution(long, Resolution.AGGREGATED)
    assert refined.grid is not None and kept.grid is not None and refined.refinements == 1
    assert int(np.argmax(refined.grid.length > 1)) > int(np.argmax(kept.grid.length > 1))
    assert "large" in refined.reason and "asked for" in kept.reason
