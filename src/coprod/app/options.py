"""The choices entry points pass to use cases, re-exported so that CLI and API modules
import them from the application layer rather than from the planner or the store."""

from coprod.planning.options import (
    JobStatus,
    Method,
    Objective,
    PlanOptions,
    PlanStage,
    Priority,
    Resolution,
    SolverOptions,
    parse_option,
)

__all__ = [
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
