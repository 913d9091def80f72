"""What a solve returns: a status and the solution, as a value (no solver types in it).

Kept apart from highs.py so that a first plan (planning/first.py), which makes an outcome
without solving, does not import highspy."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

__all__ = ["SolveOutcome", "SolveStatus"]


class SolveStatus(StrEnum):
    OPTIMAL = "optimal"
    TIME_LIMIT = "time_limit"
    INFEASIBLE = "infeasible"


@dataclass(frozen=True, slots=True)
class SolveOutcome:
    status: SolveStatus
    objective: float
    x: np.ndarray
    row_dual: np.ndarray
    col_dual: np.ndarray
    seconds: float
    method: str
    iterations: int
