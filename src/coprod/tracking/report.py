"""Plan against actual per site, line and period, and the trace of one serial.

The plan's production is per bucket; a far bucket's quantity is spread evenly over its
periods, so plan and actual compare period by period. Actual figures per line and period:
units built (lots, by built date), accepted and rejected (by acceptance date), shipped and
received (lots on shipments and receipts, by their dates). Adherence is cumulative built
over cumulative planned; variance is built minus planned.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from coprod.domain import Programme
from coprod.domain.actuals import ActualsBatch, Lot
from coprod.tracking.ledger import Ledger

__all__ = ["line_summary", "planned_per_period", "trace_serial", "track_rows"]

FIGURES = ("built", "accepted", "rejected", "shipped", "received")


def planned_per_period(
    p: Programme, production: list[dict[str, Any]], buckets: list[str]
) -> dict[tuple[str, int], float]:
    """(line, calendar period) -> planned units, far buckets spread over their periods."""
    cal = p.calendar
    starts = [cal.index_of(dt.date.fromisoformat(b)) for b in buckets] + [cal.periods]
    length = {buckets[i]: max(1, starts[i + 1] - starts[i]) for i in range(len(buckets))}
    out: dict[tuple[str, int], float] = defaultdict(float)
    for row in production:
        first = cal.index_of(dt.date.fromisoformat(row["period"]))
        n = length.get(row["period"], 1)
        for t in range(first, min(first + n, cal.periods)):
            out[(row["line"], t)] += row["quantity"] / n
    return out


def _actuals(p: Programme, led: Ledger) -> dict[str, dict[tuple[str, int], int]]:
    cal = p.calendar
    out: dict[str, dict[tuple[str, int], int]] = {f: defaultdict(int) for f in FIGURES}
    for built in led.batch.lots:
        out["built"][(built.line, cal.index_of(built.built))] += built.quantity
    for a in led.batch.acceptances:
        lot = led.lots.get(a.lot)
        if lot is not None:
            out["accepted"][(lot.line, cal.index_of(a.date))] += a.accepted
            out["rejected"][(lot.line, cal.index_of(a.date))] += a.rejected
    for sh in led.batch.shipments:
        for line in sh.lines:
            lot = led.lots.get(line.lot or "")
            if lot is not None:
                out["shipped"][(lot.line, cal.index_of(sh.shipped))] += line.quantity
    for rc in led.batch.receipts:
        for rl in rc.lines:
            lot = led.lots.get(rl.lot or "")
            if lot is not None:
                out["received"][(lot.line, cal.index_of(rc.received))] += rl.received
    return out


def track_rows(
    p: Programme, batch: ActualsBatch, planned: dict[tuple[str, int], float], through: dt.date
) -> list[dict[str, Any]]:
    """One row per line and period from the calendar's start through the period of `through`."""
    led = Ledger(p, batch)
    actual = _actuals(p, led)
    last = min(p.calendar.periods - 1, p.calendar.index_of(through))
    rows: list[dict[str, Any]] = []
    for ln in p.lines:
        cum_plan = cum_built = 0.0
        for t in range(last + 1):
            plan = planned.get((ln.id, t), 0.0)
            got = {f: actual[f].get((ln.id, t), 0) for f in FIGURES}
            cum_plan += plan
            cum_built += got["built"]
            rows.append(
                {
                    "site": ln.site,
                    "line": ln.id,
                    "period": p.calendar.label(t),
                    "planned": round(plan, 1),
                    **got,
                    "variance": round(got["built"] - plan, 1),
                    "cum_planned": round(cum_plan, 1),
                    "cum_built": int(cum_built),
                    "adherence": round(cum_built / cum_plan, 4) if cum_plan > 0 else None,
                }
            )
    return rows


def line_summary(p: Programme, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per line: the rate reached (most built in one period) against its target rate."""
    by_line: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_line[r["line"]].append(r)
    out = []
    for ln in p.lines:
        mine = by_line.get(ln.id, [])
        best = max(mine, key=lambda r: r["built"], default=None)
        target = ln.ramp_up.full_rate if ln.ramp_up is not None else None
        out.append(
            {
                "site": ln.site,
                "line": ln.id,
                "built": mine[-1]["cum_built"] if mine else 0,
                "planned": mine[-1]["cum_planned"] if mine else 0.0,
                "adherence": mine[-1]["adherence"] if mine else None,
                "rate_reached": best["built"] if best else 0,
                "rate_period": best["period"] if best and best["built"] else None,
                "target_rate": target,
            }
        )
    return out


def _plain(model: Any) -> dict[str, Any]:
    data: dict[str, Any] = model.model_dump(mode="json", by_alias=True)
    return data


def trace_serial(p: Programme, batch: ActualsBatch, serial: str) -> dict[str, Any] | None:
    """Everything recorded about the unit with `serial`, or None when no lot holds it."""
    led = Ledger(p, batch)
    lot: Lot | None = next((x for x in batch.lots if x.holds(serial)), None)
    if lot is None:
        return None
    shipments = [s for s in batch.shipments if any(line.lot == lot.id for line in s.lines)]
    receipts = [r for s in shipments for r in led.receipts_of.get(s.id, [])]
    requirements = {r.id: r for r in p.requirements}
    served = [
        {
            "receipt": r.id,
            "requirement": d.requirement,
            "quantity": d.quantity,
            "received": r.received.isoformat(),
        }
        for r in receipts
        for d in r.deliveries
        if d.requirement in requirements and requirements[d.requirement].item == lot.product
    ]
    return {
        "serial": serial,
        "lot": _plain(lot),
        "site": lot.site,
        "line": lot.line,
        "product": lot.product,
        "revision": lot.revision,
        "first_articles": [
            _plain(f) for f in led.first_articles_of.get((lot.site, lot.design, lot.revision), [])
        ],
        "acceptances": [_plain(a) for a in led.acceptances_of.get(lot.id, [])],
        "shipments": [_plain(s) for s in shipments],
        "receipts": [_plain(r) for r in receipts],
        "requirements": served,
    }
