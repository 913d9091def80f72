"""How to plan: the choices a user can make, as enums checked where they enter.

Every entry point (CLI, API, dashboard, sweeps) passes these values; a string from outside
becomes an enum through `parse_option`, which raises InputError naming the option and the
values it accepts, so a typo never reaches the planner as a ValueError.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from coprod.errors import InputError

__all__ = ["Method", "Objective", "PlanStage", "Resolution", "parse_option"]


class Method(StrEnum):
    """The HiGHS algorithm; auto picks by LP size (highs.IPM_MIN_COLUMNS)."""

    AUTO = "auto"
    IPM = "ipm"
    SIMPLEX = "simplex"
    PDLP = "pdlp"


class Resolution(StrEnum):
    """auto: single periods near term, 4-period buckets beyond (grid.py); exact: every period."""

    AUTO = "auto"
    EXACT = "exact"


class Objective(StrEnum):
    """weighted: one solve with service-dominant weights; lexicographic: two phases."""

    WEIGHTED = "weighted"
    LEXICOGRAPHIC = "lexicographic"


class PlanStage(StrEnum):
    """What a plan run is doing; progress callbacks receive these."""

    BUILDING = "building"
    SOLVING = "solving"
    ROUNDING = "rounding"
    EXPLAINING = "explaining"


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
