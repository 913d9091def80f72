"""Monte Carlo risk: plan many sampled variants of a programme and summarise the spread.

Each sample applies drawn factor values (ramp-up delay, learning rate, yield, supplier
slips, demand) to the programme and plans it with the real solver: by default warm from the
base programme's optimal basis and without the explanation a sample does not read
(scenarios/warm.py), samples batched per executor task; `warm=False` plans every sample
cold with the whole `plan`, one task each (as before, the reference). Results: P10/P50/P90 of
deliveries per period and design and of production per period and site, the chance of
reaching a target rate by a date, each requirement's chance of being on time, and the
factors ranked by how strongly they move the on-time units (Spearman rank correlation).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import spearmanr

from coprod.domain import BomLine, Line, Programme
from coprod.domain.changes import delay_ramp
from coprod.planning import Plan, plan
from coprod.scenarios.executors import Executor, SerialExecutor
from coprod.scenarios.uncertainty import (
    DemandFactor,
    ExchangeRateFactor,
    Factor,
    LearningRateFactor,
    RampDelayFactor,
    SupplierSlipFactor,
    Uncertainty,
    YieldFactor,
    draw,
    label,
)
from coprod.scenarios.warm import BaseBasis, SamplePlan, base_basis, plan_sample

__all__ = ["RiskResult", "apply_sample", "evaluate_sample", "run_risk"]


def _scale_yields(bom: tuple[BomLine, ...], factor: float) -> tuple[BomLine, ...]:
    return tuple(b.model_copy(update={"yield_": min(1.0, max(0.01, b.yield_ * factor))}) for b in bom)


def _with_learning(line: Line, rate: float) -> Line:
    if line.ramp_up is None:
        return line
    return line.model_copy(update={"ramp_up": line.ramp_up.model_copy(update={"learning_rate": rate})})


def apply_sample(p: Programme, factors: tuple[Factor, ...], values: np.ndarray) -> Programme:
    """The programme with one sample's factor values applied."""
    T = p.calendar.periods
    for f, v in zip(factors, values, strict=True):
        if isinstance(f, RampDelayFactor) and v > 0:
            p = p.model_copy(
                update={
                    "lines": tuple(delay_ramp(p, ln, int(v)) if ln.id == f.line else ln for ln in p.lines)
                }
            )
        elif isinstance(f, LearningRateFactor):
            p = p.model_copy(
                update={
                    "lines": tuple(_with_learning(ln, float(v)) if ln.id == f.line else ln for ln in p.lines)
                }
            )
        elif isinstance(f, YieldFactor) and v != 1.0:
            designs = tuple(
                d.model_copy(
                    update={
                        "revisions": tuple(
                            r.model_copy(update={"bom": _scale_yields(r.bom, v)}) for r in d.revisions
                        ),
                    }
                )
                for d in p.designs
            )
            comps = tuple(
                c.model_copy(update={"bom": _scale_yields(c.bom, v)}) if c.bom else c for c in p.components
            )
            p = p.model_copy(update={"designs": designs, "components": comps})
        elif isinstance(f, SupplierSlipFactor) and v > 0:
            offers = tuple(
                o.model_copy(update={"lead_time": min(T - 1, o.lead_time + int(v))})
                if (o.supplier == f.supplier or o.id == f.offer)
                else o
                for o in p.supply_offers
            )
            p = p.model_copy(update={"supply_offers": offers})
        elif isinstance(f, ExchangeRateFactor) and v != 1.0:
            rates = tuple(
                r.model_copy(update={"rate": r.rate * float(v)}) if r.currency == f.currency else r
                for r in p.exchange_rates
            )
            p = p.model_copy(update={"exchange_rates": rates})
        elif isinstance(f, DemandFactor) and v != 1.0:
            reqs = tuple(
                r.model_copy(update={"quantity": max(1, round(r.quantity * v))})
                if f.item is None or r.item == f.item
                else r
                for r in p.requirements
            )
            p = p.model_copy(update={"requirements": reqs})
    return p


@dataclass(frozen=True, slots=True)
class Sample:
    deliveries: np.ndarray  # periods x designs
    production: np.ndarray  # periods x sites
    on_time: np.ndarray  # per requirement: fully on time
    on_time_units: float
    fill_rate: float
    target: float  # the target measure in the target period (nan without a target)
    cost: float = 0.0  # the plan's costs, programme currency


Shared = tuple[Programme, Uncertainty, BaseBasis | None]


def evaluate_batch(shared: Shared, batch: list[np.ndarray]) -> list[Sample]:
    """Plan a batch of samples, each warm from the shared base basis (one executor task)."""
    return [evaluate_sample(shared, values) for values in batch]


def evaluate_sample(shared: Shared | tuple[Programme, Uncertainty], values: np.ndarray) -> Sample:
    """Plan one sample (runs on whichever executor; everything it needs is in its arguments):
    lean, warm from the base basis when there is one (scenarios/warm.py), with `shared` of
    three; the whole `plan`, cold, with `shared` of two (the reference)."""
    base, u = shared[0], shared[1]
    p = apply_sample(base, u.factors, values)
    result: Plan | SamplePlan = plan_sample(p, shared[2]) if len(shared) > 2 else plan(p)
    labels = {x: i for i, x in enumerate(p.calendar.labels)}
    designs = {d.id: i for i, d in enumerate(p.designs)}
    sites = {s.id: i for i, s in enumerate(p.sites)}
    deliveries = np.zeros((p.calendar.periods, len(designs)))
    for d in result.deliveries:
        deliveries[labels[d["period"]], designs[p.design_of(d["item"]).id]] += d["quantity"]
    production = np.zeros((p.calendar.periods, len(sites)))
    target = float("nan")
    goal = u.target
    span = 1
    if goal is not None:
        target = 0.0
        # the plan bucket holding the target period; a rate is its total over its length
        buckets = list(result.periods)
        at = p.calendar.index_of(goal.by)
        j = max(i for i, label in enumerate(buckets) if p.calendar.labels.index(label) <= at)
        t_goal = buckets[j]
        end = p.calendar.labels.index(buckets[j + 1]) if j + 1 < len(buckets) else p.calendar.periods
        span = end - p.calendar.labels.index(t_goal)
    for row in result.production:
        production[labels[row["period"]], sites[row["site"]]] += row["quantity"]
        if (
            goal is not None
            and goal.measure == "production"
            and row["period"] == t_goal
            and _counts(p, goal.item, row["item"])
        ):
            target += row["quantity"]
    if goal is not None and goal.measure == "deliveries":
        target = float(
            sum(
                d["quantity"]
                for d in result.deliveries
                if d["period"] == t_goal and _counts(p, goal.item, d["item"])
            )
        )
    target /= span
    on_time = np.array([r["on_time"] >= r["quantity"] for r in result.requirements])
    return Sample(
        deliveries,
        production,
        on_time,
        float(result.kpis["on_time_units"]),
        float(result.kpis["fill_rate"]),
        target,
        float(result.objective if isinstance(result, SamplePlan) else result.costs["total"]),
    )


def _counts(p: Programme, target_item: str | None, item: str) -> bool:
    return target_item is None or item == target_item or p.design_of(item).id == target_item


@dataclass(frozen=True, slots=True)
class RiskResult:
    programme: Programme
    uncertainty: Uncertainty
    values: np.ndarray  # samples x factors
    samples: list[Sample]
    workers: int
    seconds: float

    def percentiles(self, what: str) -> list[dict[str, Any]]:
        """P10/P50/P90 per period and design (deliveries) or site (production)."""
        stack = np.stack([getattr(s, what) for s in self.samples])
        names = (
            [d.id for d in self.programme.designs]
            if what == "deliveries"
            else [s.id for s in self.programme.sites]
        )
        q = np.percentile(stack, [10, 50, 90], axis=0)
        key = "design" if what == "deliveries" else "site"
        return [
            {
                "period": period,
                key: name,
                "p10": float(q[0, t, j]),
                "p50": float(q[1, t, j]),
                "p90": float(q[2, t, j]),
                "mean": float(stack[:, t, j].mean()),
            }
            for t, period in enumerate(self.programme.calendar.labels)
            for j, name in enumerate(names)
        ]

    def target_probability(self) -> float | None:
        goal = self.uncertainty.target
        if goal is None:
            return None
        reached = np.array([s.target >= goal.rate - 1e-9 for s in self.samples])
        return float(reached.mean())

    def requirement_probabilities(self) -> list[dict[str, Any]]:
        hits = np.stack([s.on_time for s in self.samples]).mean(axis=0)
        return [
            {
                "requirement": r.id,
                "item": r.item,
                "due": r.due.isoformat(),
                "priority": r.priority,
                "p_on_time": float(h),
            }
            for r, h in zip(self.programme.requirements, hits, strict=True)
        ]

    def factor_ranking(self) -> list[dict[str, Any]]:
        on_time = np.array([s.on_time_units for s in self.samples])
        target = np.array([s.target for s in self.samples])
        cost = np.array([s.cost for s in self.samples])
        rows: list[dict[str, Any]] = []
        for j, f in enumerate(self.uncertainty.factors):
            x = self.values[:, j]
            rows.append(
                {
                    "factor": label(f),
                    "unit": FACTOR_UNITS.get(f.type, ""),
                    "rho_on_time_units": _rho(x, on_time),
                    "rho_target": _rho(x, target),
                    "rho_cost": _rho(x, cost),
                    "min": float(x.min()),
                    "max": float(x.max()),
                }
            )
        rows.sort(key=lambda r: -abs(r["rho_on_time_units"]))
        for rank, row in enumerate(rows, 1):
            row["rank"] = rank
        return rows

    def summary(self) -> dict[str, Any]:
        on_time = np.array([s.on_time_units for s in self.samples])
        fill = np.array([s.fill_rate for s in self.samples])
        cost = np.array([s.cost for s in self.samples])
        return {
            "samples": len(self.samples),
            "workers": self.workers,
            "seconds": self.seconds,
            "samples_per_second": len(self.samples) / self.seconds if self.seconds else None,
            "on_time_units": {
                "p10": float(np.percentile(on_time, 10)),
                "p50": float(np.percentile(on_time, 50)),
                "p90": float(np.percentile(on_time, 90)),
            },
            "fill_rate": {
                "p10": float(np.percentile(fill, 10)),
                "p50": float(np.percentile(fill, 50)),
                "p90": float(np.percentile(fill, 90)),
            },
            "cost": {
                "currency": self.programme.settings.currency,
                "p10": float(np.percentile(cost, 10)),
                "p50": float(np.percentile(cost, 50)),
                "p90": float(np.percentile(cost, 90)),
            },
            "target": None
            if self.uncertainty.target is None
            else {
                **self.uncertainty.target.model_dump(mode="json"),
                "probability": self.target_probability(),
            },
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary(),
            "factors": self.factor_ranking(),
            "requirements": self.requirement_probabilities(),
            "deliveries": self.percentiles("deliveries"),
            "production": self.percentiles("production"),
        }


# What a factor's sampled values count, for people reading its range.
FACTOR_UNITS = {
    "ramp_delay": "periods",
    "supplier_slip": "periods",
    "learning_rate": "learning rate",
    "yield": "share good",
    "demand": "x demand",
    "exchange_rate": "x rate",
}


def _rho(x: np.ndarray, y: np.ndarray) -> float:
    # no target: y is all NaN (checked first: the range of an empty selection is an error)
    if not np.isfinite(y).all() or np.ptp(x) == 0 or np.ptp(y) == 0:
        return 0.0
    return float(spearmanr(x, y).statistic)


BATCHES_PER_WORKER = 4  # a few tasks per worker: fewer round trips, still balanced at the end


def _batches(values: np.ndarray, workers: int) -> list[list[np.ndarray]]:
    """Samples in order, cut into batches: one sample each on one worker (progress per
    sample, nothing to save), else a few batches per worker."""
    count = len(values) if workers <= 1 else min(len(values), BATCHES_PER_WORKER * workers)
    return [list(chunk) for chunk in np.array_split(values, max(count, 1)) if len(chunk)]


def run_risk(
    p: Programme,
    u: Uncertainty,
    n: int,
    seed: int | None = None,
    executor: Executor | None = None,
    progress: Callable[[], None] = lambda: None,
    warm: bool = True,
) -> RiskResult:
    """`n` seeded samples of `p` under `u`. Every sample starts from the same base basis
    (solved here, once), never from another sample, so the result does not depend on the
    executor or the order samples run in."""
    import time

    executor = executor or SerialExecutor()
    workers = getattr(executor, "workers", 1)
    values = draw(u, n, seed)
    started = time.perf_counter()
    if not warm:
        samples = executor.map(evaluate_sample, (p, u), list(values), progress)
        return RiskResult(p, u, values, samples, workers, time.perf_counter() - started)
    batches = _batches(values, workers)
    sizes = [len(b) for b in batches]

    def tick() -> None:  # a finished batch counts its samples (batches differ by one at most)
        for _ in range(sizes.pop()):
            progress()

    shared: Shared = (p, u, base_basis(p))
    done = executor.map(evaluate_batch, shared, batches, tick)
    samples = [sample for batch in done for sample in batch]
    return RiskResult(p, u, values, samples, workers, time.perf_counter() - started)
