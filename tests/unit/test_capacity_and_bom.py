"""Formulas of the domain: ramp-up rate, learning factor, calendar, BOM explosion."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from coprod.domain import Calendar, Line, RampUp
from coprod.domain.bom import bom_segments
from coprod.domain.capacity import learning_factors, line_hours, rate_caps
from tests.programmes import load, tiny_data

CAL = Calendar(start=dt.date(2026, 1, 1), periods=6)


def _line(**ramp: object) -> Line:
    return Line.model_validate(
        {
            "id": "L",
            "site": "S",
            "hours_per_period": 100,
            "exceptions": [{"period": "2026-03-01", "hours": 40}],
            "ramp_up": {"start": "2026-02-01", **ramp} if ramp else None,
        }
    )


def test_hours_take_calendar_exceptions() -> None:
    assert line_hours(_line(), CAL) == [100, 100, 40, 100, 100, 100]


def test_ramp_rate_is_linear_from_pilot_to_full_after_start() -> None:
    caps = rate_caps(_line(pilot_rate=10, full_rate=50, ramp_periods=4), CAL)
    assert caps == [0, 10, 20, 30, 40, 50]
    assert rate_caps(_line(), CAL) is None


def test_learning_factor_follows_wrights_law_and_ends_at_one() -> None:
    line = _line(pilot_rate=100, full_rate=100, ramp_periods=2, learning_rate=0.8)
    factors = learning_factors(line, CAL)
    # ramp output 100 + 100 = 200; mid-period cumulative 50 and 150
    assert factors[0] == 1.0
    assert factors[1] == pytest.approx((50 / 200) ** math.log2(0.8))
    assert factors[2] == pytest.approx((150 / 200) ** math.log2(0.8))
    assert factors[3:] == [1.0, 1.0, 1.0]


def test_calendar_maps_dates_to_periods() -> None:
    weeks = Calendar(start=dt.date(2026, 1, 5), periods=3, granularity="week")
    assert weeks.labels == ("2026-01-05", "2026-01-12", "2026-01-19")
    assert weeks.index_of(dt.date(2026, 1, 14)) == 1
    assert weeks.index_of(dt.date(2026, 1, 4)) == -1
    assert CAL.index_of(dt.date(2026, 5, 31)) == 4
    assert CAL.index_of(dt.date(2026, 7, 1)) == 6


def test_bom_segments_follow_revisions_and_compound_yields() -> None:
    data = tiny_data()
    data["components"] = [
        {"id": "MOTOR"},
        {"id": "ARM"},
        {"id": "FRAME", "bom": [{"item": "ARM", "qty": 2, "yield": 0.5}]},
    ]
    data["designs"][0]["revisions"].append(
        {
            "revision": 2,
            "effective_from": "2026-03-15",
            "bom": [{"item": "FRAME", "qty": 2, "yield": 0.8}],
        }
    )
    segments = bom_segments(load(data), "X")
    assert [(s.first, s.last, s.revision) for s in segments] == [(0, 1, 1), (2, 3, 2)]
    assert segments[0].usage == {"MOTOR": 4}
    assert segments[1].usage == {"ARM": pytest.approx(2 / 0.8 * 2 / 0.5)}


def test_ramp_pilot_above_full_is_rejected() -> None:
    with pytest.raises(ValueError, match="pilot_rate must not exceed full_rate"):
        RampUp.model_validate({"start": "2026-01-01", "pilot_rate": 60, "full_rate": 50})
