"""Uncertainty files: which factors of a programme are uncertain, and how.

    name: ramp-up and supply risk
    seed: 7
    target: {item: INT-1, rate: 2000, by: 2026-09-01, measure: production}
    factors:
      - {type: ramp_delay, line: UK-MID-1, periods: {uniform_int: [0, 3]}}
      - {type: learning_rate, line: UK-MID-1, value: {triangular: [0.75, 0.8, 0.9]}}
      - {type: yield, factor: {uniform: [0.9, 1.0]}}
      - {type: supplier_slip, supplier: AS-MOTORS, periods: {uniform_int: [1, 3]}, probability: 0.3}
      - {type: demand, item: FPV-10, factor: {normal: [1.0, 0.1]}}

A distribution is a mapping with one key: uniform [low, high], uniform_int [low, high]
(both ends included), triangular [low, mode, high], normal [mean, sd], choice [v1, v2, ...],
or constant value. Samples are drawn up front from one seeded generator, so the same seed
gives the same samples (and answers) on any executor.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from coprod.domain import Programme
from coprod.domain.checks import Finding

__all__ = ["Distribution", "Factor", "Target", "Uncertainty", "check_uncertainty", "draw"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Distribution(_Model):
    uniform: tuple[float, float] | None = None
    uniform_int: tuple[int, int] | None = None
    triangular: tuple[float, float, float] | None = None
    normal: tuple[float, float] | None = None
    choice: tuple[float, ...] | None = None
    constant: float | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Distribution:
        given = [k for k, v in self.__dict__.items() if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of uniform, uniform_int, triangular, normal, choice, constant")
        lo_hi = self.uniform or self.uniform_int
        if lo_hi is not None and lo_hi[0] > lo_hi[1]:
            raise ValueError("low is above high")
        if self.triangular is not None and not self.triangular[0] <= self.triangular[1] <= self.triangular[2]:
            raise ValueError("triangular needs low <= mode <= high")
        if self.normal is not None and self.normal[1] < 0:
            raise ValueError("normal needs sd >= 0")
        if self.choice is not None and not self.choice:
            raise ValueError("choice needs at least one value")
        return self

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        if self.uniform is not None:
            return rng.uniform(self.uniform[0], self.uniform[1], n)
        if self.uniform_int is not None:
            return rng.integers(self.uniform_int[0], self.uniform_int[1] + 1, n).astype(float)
        if self.triangular is not None:
            lo, mode, hi = self.triangular
            return np.full(n, lo) if lo == hi else rng.triangular(lo, mode, hi, n)
        if self.normal is not None:
            return rng.normal(self.normal[0], self.normal[1], n)
        if self.choice is not None:
            return rng.choice(np.array(self.choice, dtype=float), n)
        return np.full(n, float(self.constant or 0.0))


class RampDelayFactor(_Model):
    type: Literal["ramp_delay"]
    line: str
    periods: Distribution


class LearningRateFactor(_Model):
    type: Literal["learning_rate"]
    line: str
    value: Distribution


class YieldFactor(_Model):
    """Multiplies every BOM yield (a process running worse or better than planned)."""

    type: Literal["yield"]
    factor: Distribution


class SupplierSlipFactor(_Model):
    """With `probability`, a disruption adds `periods` to the lead time of the supplier's offers."""

    type: Literal["supplier_slip"]
    supplier: str | None = None
    offer: str | None = None
    periods: Distribution
    probability: float = Field(default=1.0, ge=0, le=1)

    @model_validator(mode="after")
    def _one_target(self) -> SupplierSlipFactor:
        if (self.supplier is None) == (self.offer is None):
            raise ValueError("name either a supplier or an offer")
        return self


class DemandFactor(_Model):
    """Multiplies requirement quantities (of one design or variant, or all)."""

    type: Literal["demand"]
    item: str | None = None
    factor: Distribution


class ExchangeRateFactor(_Model):
    """Multiplies every rate of one currency into the programme's (a currency firmer, > 1, or
    weaker than planned): the prices in it, and the plan's choices between them, move."""

    type: Literal["exchange_rate"]
    currency: str
    factor: Distribution


Factor = Annotated[
    RampDelayFactor
    | LearningRateFactor
    | YieldFactor
    | SupplierSlipFactor
    | DemandFactor
    | ExchangeRateFactor,
    Field(discriminator="type"),
]


class Target(_Model):
    item: str | None = Field(
        default=None, description="A design (its variants count) or variant; all if empty"
    )
    rate: float = Field(gt=0, description="Units per period")
    by: dt.date
    measure: Literal["production", "deliveries"] = "production"


class Uncertainty(_Model):
    name: str = ""
    seed: int = 0
    target: Target | None = None
    factors: tuple[Factor, ...] = Field(min_length=1)


def label(f: Factor) -> str:
    if isinstance(f, RampDelayFactor | LearningRateFactor):
        return f"{f.type} {f.line}"
    if isinstance(f, SupplierSlipFactor):
        return f"supplier_slip {f.supplier or f.offer}"
    if isinstance(f, DemandFactor):
        return f"demand {f.item or 'all'}"
    if isinstance(f, ExchangeRateFactor):
        return f"exchange_rate {f.currency}"
    return f.type


def draw(u: Uncertainty, n: int, seed: int | None = None) -> np.ndarray:
    """n x factors sampled values; a supplier slip is 0 where no disruption was drawn."""
    rng = np.random.default_rng(u.seed if seed is None else seed)
    columns = []
    for f in u.factors:
        if isinstance(f, RampDelayFactor):
            columns.append(np.maximum(0, np.round(f.periods.sample(rng, n))))
        elif isinstance(f, LearningRateFactor):
            columns.append(np.clip(f.value.sample(rng, n), 0.51, 1.0))
        elif isinstance(f, YieldFactor):
            columns.append(np.clip(f.factor.sample(rng, n), 0.01, 1.5))
        elif isinstance(f, ExchangeRateFactor):
            columns.append(np.maximum(0.01, f.factor.sample(rng, n)))  # a rate stays above 0
        elif isinstance(f, SupplierSlipFactor):
            hit = rng.random(n) < f.probability
            columns.append(np.where(hit, np.maximum(0, np.round(f.periods.sample(rng, n))), 0.0))
        else:
            columns.append(np.maximum(0.0, f.factor.sample(rng, n)))
    return np.column_stack(columns) if columns else np.zeros((n, 0))


def check_uncertainty(p: Programme, u: Uncertainty) -> list[Finding]:
    out = []
    suppliers = {o.supplier for o in p.supply_offers}
    offers = {o.id for o in p.supply_offers}
    products = set(p.products)
    for i, f in enumerate(u.factors):
        if isinstance(f, RampDelayFactor | LearningRateFactor):
            if f.line not in p.line_by_id:
                out.append(Finding("factors", i, f.type, "line", f"unknown line '{f.line}'"))
            elif p.line_by_id[f.line].ramp_up is None:
                out.append(Finding("factors", i, f.type, "line", f"line '{f.line}' has no ramp-up"))
        if isinstance(f, SupplierSlipFactor):
            if f.supplier is not None and f.supplier not in suppliers:
                out.append(
                    Finding("factors", i, f.type, "supplier", f"no offer from supplier '{f.supplier}'")
                )
            if f.offer is not None and f.offer not in offers:
                out.append(Finding("factors", i, f.type, "offer", f"unknown supply offer '{f.offer}'"))
        if isinstance(f, ExchangeRateFactor) and f.currency not in {r.currency for r in p.exchange_rates}:
            out.append(
                Finding(
                    "factors", i, f.type, "currency", f"the programme has no exchange rate for '{f.currency}'"
                )
            )
        if isinstance(f, DemandFactor) and f.item is not None and f.item not in products:
            out.append(Finding("factors", i, f.type, "item", f"unknown design or variant '{f.item}'"))
    if u.target is not None:
        if u.target.item is not None and u.target.item not in products:
            out.append(
                Finding("target", -1, "target", "item", f"unknown design or variant '{u.target.item}'")
            )
        if not 0 <= p.calendar.index_of(u.target.by) < p.calendar.periods:
            out.append(Finding("target", -1, "target", "by", f"{u.target.by} is outside the horizon"))
    return out
