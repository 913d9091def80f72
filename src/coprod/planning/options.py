"""How to plan: the choices a user can make, as enums checked where they enter.

Every entry point (CLI, API, dashboard, sweeps) passes these values; a string from outside
becomes an enum through `parse_option`, which raises InputError naming the option and the
values it accepts, so a typo never reaches the planner as a ValueError.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

from coprod.errors import InputError

__all__ = [
    "IPM_MIN_COLUMNS",
    "JobStatus",
    "Method",
    "Objective",
    "PlanOptions",
    "PlanStage",
    "Priority",
    "Resolution",
    "SolverOptions",
    "parse_option",
]

# Below this many columns dual simplex wins; above it the interior point does (SOLVING.md:
# on 133k columns IPM took 27 s where HiGHS's own choice, dual simplex, took 264 s).
IPM_MIN_COLUMNS = 20_000
# ... unless supply that can never bind was folded away (planning/reduce.py): those LPs are
# far better conditioned for dual simplex. Measured by benchmarks/run.py, bare HiGHS on the
# exported LPs (docs/performance.md), CPU s, dual simplex against IPM + crossover: generated
# M default (folded, 49k columns) 2.09 against 2.74, L default (folded, 199k) 7.99 against
# 19.72; unfolded exact M (116k) 23.4 against 11.9, L (690k) 528 against 313. Above this
# many columns nothing folded was measured, so the interior point stays.
FOLDED_SIMPLEX_MAX_COLUMNS = 300_000


class Method(StrEnum):
    """The HiGHS algorithm; auto picks by LP size (highs.IPM_MIN_COLUMNS)."""

    AUTO = "auto"
    IPM = "ipm"
    SIMPLEX = "simplex"
    PDLP = "pdlp"


class Resolution(StrEnum):
    """auto: exact where the exact LP is small, else aggregated (planning/resolution.py);
    aggregated: single periods near term, 4-period buckets beyond (grid.py); exact: every
    period."""

    AUTO = "auto"
    AGGREGATED = "aggregated"
    EXACT = "exact"


class Objective(StrEnum):
    """weighted: one solve with service-dominant weights; lexicographic: two phases."""

    WEIGHTED = "weighted"
    LEXICOGRAPHIC = "lexicographic"


class Priority(StrEnum):
    """weighted: priorities are weights in one objective (settings.priority_weights), so many
    periods of lateness at a low priority can outweigh a little at a high one; strict: no
    lower class is served at the expense of a higher one (one solve per class, each holding
    the classes above at their optimum; planning/priority.py)."""

    WEIGHTED = "weighted"
    STRICT = "strict"


class PlanStage(StrEnum):
    """What a plan run is doing; progress callbacks receive these."""

    BUILDING = "building"
    SOLVING = "solving"
    ROUNDING = "rounding"
    EXPLAINING = "explaining"


class JobStatus(StrEnum):
    """A stored plan's job: queued, one of the stages while a worker runs it, then done or
    failed."""

    QUEUED = "queued"
    BUILDING = "building"
    SOLVING = "solving"
    ROUNDING = "rounding"
    EXPLAINING = "explaining"
    DONE = "done"
    FAILED = "failed"


E = TypeVar("E", bound=StrEnum)


def parse_option(kind: type[E], value: object, option: str) -> E:
    """`value` as a member of `kind`, or InputError naming `option` and what it accepts."""
    if isinstance(value, kind):
        return value
    try:
        return kind(str(value))
    except ValueError:
        accepted = ", ".join(m.value for m in kind)
        raise InputError(f"{option}: '{value}' is not one of {accepted}") from None


@dataclass(frozen=True, slots=True)
class SolverOptions:
    method: Method = Method.AUTO
    time_limit: float | None = None
    threads: int | None = None
    crossover: bool = True  # a vertex: integral flows after repair, and duals that mean something
    log: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "method", parse_option(Method, self.method, "method"))
        if self.time_limit is not None and not self.time_limit > 0:
            raise InputError(f"time limit: {self.time_limit} is not a positive number of seconds")

    def resolved_method(self, n_cols: int, folded: bool = False) -> Method:
        """`folded`: the LP's ample supply was folded away (see FOLDED_SIMPLEX_MAX_COLUMNS)."""
        if self.method is not Method.AUTO:
            return self.method
        if folded and n_cols < FOLDED_SIMPLEX_MAX_COLUMNS:
            return Method.SIMPLEX
        return Method.IPM if n_cols >= IPM_MIN_COLUMNS else Method.SIMPLEX


@dataclass(frozen=True, slots=True)
class PlanOptions:
    solver: SolverOptions = field(default_factory=SolverOptions)
    objective: Objective = Objective.WEIGHTED
    export: tuple[Path, ...] = ()  # .mps / .lp files to write the LP (at this resolution) to
    fold_supply: bool = True  # exact reduction of supply that can never bind (reduce.py)
    # auto: exact where the exact LP is small, else aggregated (planning/resolution.py);
    # aggregated: single periods through 13 + the longest lead time, 4-period buckets beyond
    # (planning/grid.py); exact: every calendar period is a bucket
    resolution: Resolution = Resolution.AUTO
    # weighted: priorities are weights; strict: class by class (planning/priority.py)
    priority: Priority = Priority.WEIGHTED
    # equal priorities competing for scarce supply get equal on-time fractions (fairness.py)
    fair_share: bool = False
    # Against a last plan (plan(..., last=) or PlanningSession.replan): each unit a production,
    # order or shipment line moves beyond the frozen fence costs this many unit-periods of
    # lateness at priority weight 1 (planning/commit.py); 0: no penalty
    stability: float = 0.0
    # stop at the heuristic's first plan (planning/first.py): no LP solve
    first_only: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "priority", parse_option(Priority, self.priority, "priority"))
        object.__setattr__(self, "objective", parse_option(Objective, self.objective, "objective"))
        object.__setattr__(self, "resolution", parse_option(Resolution, self.resolution, "resolution"))
        if not self.stability >= 0:  # also refuses NaN
            raise InputError(f"stability: {self.stability} is not a number of 0 or more (0 turns it off)")
