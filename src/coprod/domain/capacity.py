"""Line capacity per period: hours from the calendar, a ramp-up rate and a learning curve.

For a line with hours H, exceptions E_t and a ramp-up (start s, pilot rate p, full rate f,
ramp length R periods, learning rate LR), in period t with k = t - s periods since start:

    hours(t)  = E_t if an exception names period t, else H
    rate(t)   = 0                                  if k < 0
              = p + (f - p) * min(1, k / R)        otherwise (R = 0 means f at once)
    learn(t)  = max(1, (n_k / N) ** log2(LR)),     capped at 10

where n_k is the cumulative output along the ramp by the middle of period k and N the
cumulative output at the end of the ramp. learn(t) multiplies a routing's hours per unit:
Wright's law, with routing hours being the mature (post-ramp) hours per unit.
"""

from __future__ import annotations

import math

from coprod.domain.calendar import Calendar
from coprod.domain.entities import Line, SupplyOffer

__all__ = ["learning_factors", "line_hours", "offer_capacities", "rate_caps"]

MAX_LEARNING_FACTOR = 10.0


def line_hours(line: Line, calendar: Calendar) -> list[float]:
    hours = [line.hours_per_period] * calendar.periods
    for ex in line.exceptions:
        t = calendar.index_of(ex.period)
        if 0 <= t < calendar.periods:
            hours[t] = ex.hours
    return hours


def offer_capacities(offer: SupplyOffer, calendar: Calendar) -> list[float]:
    """Units that may be ordered from the offer in each period: its catalogue capacity, or
    what the supplier committed for the period the order arrives in (order period + lead
    time). A commitment is a promise about arrivals, so it binds the order that produces it."""
    caps = [float(offer.capacity_per_period)] * calendar.periods
    for c in offer.commitments:
        t = calendar.index_of(c.period) - offer.lead_time
        if 0 <= t < calendar.periods:
            caps[t] = float(c.quantity)
    return caps


def _ramp_rate(line: Line, k: int) -> float:
    ramp = line.ramp_up
    assert ramp is not None
    if k < 0:
        return 0.0
    if ramp.ramp_periods == 0:
        return ramp.full_rate
    return ramp.pilot_rate + (ramp.full_rate - ramp.pilot_rate) * min(1.0, k / ramp.ramp_periods)


def rate_caps(line: Line, calendar: Calendar) -> list[float] | None:
    """Units per period the ramp-up allows, or None when the line has no ramp-up."""
    if line.ramp_up is None:
        return None
    s = calendar.index_of(line.ramp_up.start)
    return [_ramp_rate(line, t - s) for t in range(calendar.periods)]


def learning_factors(line: Line, calendar: Calendar) -> list[float]:
    """Multiplier of hours per unit in each period (1 once the ramp is over)."""
    ramp = line.ramp_up
    if ramp is None or ramp.learning_rate >= 1.0 or ramp.ramp_periods == 0:
        return [1.0] * calendar.periods
    exponent = math.log2(ramp.learning_rate)
    total = sum(_ramp_rate(line, k) for k in range(ramp.ramp_periods))
    s = calendar.index_of(ramp.start)
    out: list[float] = []
    for t in range(calendar.periods):
        k = t - s
        if k < 0 or k >= ramp.ramp_periods or total <= 0:
            out.append(1.0)
            continue
        done = sum(_ramp_rate(line, j) for j in range(k)) + _ramp_rate(line, k) / 2
        factor = (done / total) ** exponent if done > 0 else MAX_LEARNING_FACTOR
        out.append(min(MAX_LEARNING_FACTOR, max(1.0, factor)))
    return out
